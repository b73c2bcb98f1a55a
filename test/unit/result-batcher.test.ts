// The client's batching of result polls: one request for the waits of many runs, at once while a
// request slot is free, and a fallback to single polls for an API that refuses the batch route.

import { describe, expect, it } from 'vitest';
import { HttpTransport } from '../../sdk/client/http-transport.ts';
import { ResultBatcher, type ResultPoll } from '../../sdk/client/result-batcher.ts';
import type { ResultsEntry } from '../../sdk/common/wire/results.ts';

const running = (runId: string): ResultsEntry => ({
  outcome: { status: 'Running', runId, retryAfterMs: 250 },
});

/** A send whose requests stay open until the test answers them. */
function heldSend() {
  const requests: { namespace: string; runs: ResultPoll[]; answer(): void; fail(error: Error): void }[] = [];
  const send = (namespace: string, runs: ResultPoll[]) =>
    new Promise<ResultsEntry[]>((resolve, reject) => {
      requests.push({
        namespace,
        runs,
        answer: () => resolve(runs.map((run) => running(run.workflowId))),
        fail: reject,
      });
    });
  return { send, requests };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('ResultBatcher', () => {
  it('sends a lone poll at once, and shares later requests among the polls that came while all slots were busy', async () => {
    const { send, requests } = heldSend();
    const batcher = new ResultBatcher(send, 2);
    const first = batcher.poll('default', { workflowId: 'a' });
    expect(requests.map((r) => r.runs.length)).toEqual([1]);
    const second = batcher.poll('default', { workflowId: 'b' });
    expect(requests.map((r) => r.runs.length)).toEqual([1, 1]);
    // Both slots busy: 250 polls wait, then go as batches of at most 100.
    const waiting = Array.from({ length: 250 }, (_, i) => batcher.poll('default', { workflowId: `w${i}` }));
    expect(requests).toHaveLength(2);
    requests[0]!.answer();
    requests[1]!.answer();
    await Promise.all([first, second]);
    await tick();
    expect(requests.slice(2).map((r) => r.runs.length)).toEqual([100, 100]);
    requests[2]!.answer();
    await tick();
    expect(requests.slice(4).map((r) => r.runs.length)).toEqual([50]);
    requests[3]!.answer();
    requests[4]!.answer();
    const entries = await Promise.all(waiting);
    // Each poll gets its own run's entry.
    expect(entries.map((e) => ('outcome' in e ? e.outcome.runId : undefined))).toEqual(
      Array.from({ length: 250 }, (_, i) => `w${i}`),
    );
  });

  it('keeps namespaces apart, and fails every poll of a request that failed', async () => {
    const { send, requests } = heldSend();
    const batcher = new ResultBatcher(send, 1);
    const blocker = batcher.poll('default', { workflowId: 'x' });
    const polls = [
      batcher.poll('shop', { workflowId: 's1' }),
      batcher.poll('default', { workflowId: 'd1' }),
      batcher.poll('shop', { workflowId: 's2' }),
    ];
    requests[0]!.answer();
    await blocker;
    await tick();
    expect(requests[1]).toMatchObject({
      namespace: 'shop',
      runs: [{ workflowId: 's1' }, { workflowId: 's2' }],
    });
    requests[1]!.fail(new Error('gateway down'));
    await expect(polls[0]).rejects.toThrow('gateway down');
    await expect(polls[2]).rejects.toThrow('gateway down');
    await tick();
    expect(requests[2]).toMatchObject({ namespace: 'default', runs: [{ workflowId: 'd1' }] });
    requests[2]!.answer();
    await expect(polls[1]).resolves.toEqual(running('d1'));
  });
});

describe('HttpTransport result polls', () => {
  it('falls back to one poll per run for an API without the batch route', async () => {
    const asked: string[] = [];
    const fetchStub: typeof fetch = async (input, init) => {
      const url = new URL(String(input));
      asked.push(`${init?.method} ${url.pathname}`);
      if (url.pathname.endsWith('/workflow-results')) {
        return new Response(JSON.stringify({ error: { code: 'RouteNotFound', message: 'no such route' } }), {
          status: 404,
          headers: { 'content-type': 'application/json' },
        });
      }
      return new Response(JSON.stringify({ status: 'Running', runId: 'r1', retryAfterMs: 100 }), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    };
    const transport = new HttpTransport({ address: 'http://127.0.0.1:9', fetch: fetchStub });
    expect(await transport.result('default', 'w', undefined, 20_000)).toMatchObject({ status: 'Running' });
    expect(await transport.result('default', 'w', undefined, 20_000)).toMatchObject({ status: 'Running' });
    expect(asked).toEqual([
      'POST /v1/namespaces/default/workflow-results',
      'GET /v1/namespaces/default/workflows/w/result',
      'GET /v1/namespaces/default/workflows/w/result',
    ]);
  });
});
