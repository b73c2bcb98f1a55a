import { Client, HttpApiError, InvalidArgumentError } from 'cairnflow/client';
import { describe, expect, it } from 'vitest';
import { parseRetryAfter, RetryPolicy } from '../../sdk/client/retry-policy.ts';

type Answer = { status: number; body?: unknown; headers?: Record<string, string> };

/** A client over a scripted fetch: each request takes the next answer; the last one repeats. */
function scripted(answers: Answer[], retry = { maxAttempts: 4, baseDelayMs: 0, throttlingBaseDelayMs: 0 }) {
  const requests: { url: string; body: unknown }[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    requests.push({ url, body: init.body ? JSON.parse(String(init.body)) : undefined });
    const answer = answers[Math.min(requests.length - 1, answers.length - 1)]!;
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
      status: answer.status,
      headers: answer.headers,
    });
  }) as typeof globalThis.fetch;
  return { client: new Client({ endpoint: 'http://127.0.0.1:1', fetch, retry }), requests };
}

const conflict = {
  status: 503,
  body: { error: { code: 'HistoryConflict', message: 'busy', retryable: true } },
};
const gateway503 = { status: 503, body: { message: 'Service Unavailable' } };
const throttled = { status: 429, body: { message: 'Too Many Requests' } };

describe('the client retries throttling and transient errors', () => {
  it('retries a HistoryConflict and a gateway 503, resending the same request id', async () => {
    const { client, requests } = scripted([conflict, gateway503, { status: 204 }]);
    await client.workflow.getHandle('wf').signal('go', 1);
    expect(requests).toHaveLength(3);
    const ids = requests.map((r) => (r.body as { requestId: string }).requestId);
    expect(new Set(ids).size).toBe(1);
    expect(ids[0]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('retries an activity completion only when the engine did not apply it (429, HistoryConflict), not after a gateway 5xx', async () => {
    const first = scripted([throttled, conflict, { status: 204 }]);
    await first.client.activity.complete('token', 'done');
    expect(first.requests).toHaveLength(3);

    const second = scripted([gateway503, { status: 204 }]);
    await expect(second.client.activity.complete('token', 'done')).rejects.toThrow(HttpApiError);
    expect(second.requests).toHaveLength(1);
  });

  it('resends an update whose worker died before answering (WorkerUnavailable), with its update id', async () => {
    const workerDied = {
      status: 503,
      headers: { 'retry-after': '0' },
      body: { error: { code: 'WorkerUnavailable', message: 'the worker function failed before answering' } },
    };
    const { client, requests } = scripted([
      workerDied,
      { status: 200, body: { outcome: { success: { metadata: { encoding: 'json/plain' }, data: '7' } } } },
    ]);
    const handle = client.workflow.getHandle('wf');
    await handle.executeUpdate('deposit', { args: [7] }).catch(() => undefined);
    expect(requests).toHaveLength(2);
    expect(requests[0]!.url).toBe(requests[1]!.url);
    expect((requests[0]!.body as { updateId: string }).updateId).toBe(
      (requests[1]!.body as { updateId: string }).updateId,
    );
  });

  it('resends a start a busy server timed out reading (408), with its request id', async () => {
    const { client, requests } = scripted([
      { status: 408 },
      { status: 201, body: { runId: 'r1', started: true } },
    ]);
    await client.workflow.start('wf', { taskQueue: 'q', workflowId: 'w' });
    expect(requests).toHaveLength(2);
    expect((requests[0]!.body as { requestId: string }).requestId).toBe(
      (requests[1]!.body as { requestId: string }).requestId,
    );
  });

  it('does not retry the engine refusing a request', async () => {
    const { client, requests } = scripted([
      { status: 400, body: { error: { code: 'InvalidArgument', message: 'bad' } } },
    ]);
    await expect(client.workflow.getHandle('wf').signal('go')).rejects.toThrow(InvalidArgumentError);
    expect(requests).toHaveLength(1);
  });

  it('stops after maxAttempts and throws the last error', async () => {
    const { client, requests } = scripted([throttled]);
    const error = await client.workflow
      .getHandle('wf')
      .describe()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpApiError);
    expect((error as HttpApiError).status).toBe(429);
    expect(requests).toHaveLength(4);
  });

  it('refuses retry options it cannot honour', () => {
    expect(() => new Client({ endpoint: 'http://127.0.0.1:1', retry: { maxAttempts: 0 } })).toThrow(
      /maxAttempts must be a whole number/,
    );
    expect(() => new Client({ endpoint: 'http://127.0.0.1:1', retry: { maxDelayMs: -1 } })).toThrow(
      /maxDelayMs/,
    );
  });
});

describe('RetryPolicy', () => {
  const policy = new RetryPolicy({ baseDelayMs: 100, throttlingBaseDelayMs: 500, maxDelayMs: 20_000 });

  it('backs off with full jitter over a capped exponential, longer after throttling', () => {
    expect(policy.delayMs(1, 'transient', undefined, () => 0.999)).toBeCloseTo(99.9);
    expect(policy.delayMs(3, 'transient', undefined, () => 0.999)).toBeCloseTo(399.6);
    expect(policy.delayMs(3, 'throttled', undefined, () => 0.999)).toBeCloseTo(1998);
    expect(policy.delayMs(30, 'throttled', undefined, () => 0.999)).toBeCloseTo(19_980);
    expect(policy.delayMs(5, 'transient', undefined, () => 0)).toBe(0);
  });

  it("never comes back sooner than the server's Retry-After, capped at maxDelayMs", () => {
    expect(policy.delayMs(1, 'throttled', 3000, () => 0)).toBe(3000);
    expect(policy.delayMs(1, 'throttled', 3000, () => 1)).toBe(3750);
    expect(policy.delayMs(1, 'throttled', 60_000, () => 0)).toBe(20_000);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter('0.5')).toBe(500);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
  });
});
