import type { DynamoDBStreamEvent } from 'aws-lambda';
import { Client, Connection } from 'cairnflow/client';
import type { PayloadCodec } from 'cairnflow/common';
import type { TestWorkflowEnvironment } from 'cairnflow/testing';
import { createWorker } from 'cairnflow/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeField, type Image } from '../../../sdk/backend/dynamodb/batch-codec.ts';
import { eventually, localEnv } from '../../support/local-env.ts';
import * as activities from './dlq-activities.ts';
import * as workflows from './dlq-workflows.ts';

const text = (bytes: Uint8Array | null | undefined) => new TextDecoder().decode(bytes ?? new Uint8Array());
const bytes = (value: string) => new TextEncoder().encode(value);

/**
 * A stand-in for an encryption codec with a key ring: payloads written under `writeKey` can be read
 * only by a codec that holds that key. A worker deployed without the current key fails every task
 * that carries such a payload, before any activity code runs: a poison message, not an activity
 * failure the engine would retry.
 */
function keyring(keys: string[], writeKey?: string, options: { maxBytes?: number } = {}): PayloadCodec {
  return {
    async encode(payloads) {
      if (!writeKey) return payloads;
      // As KMS Encrypt, which takes at most 4096 bytes of plaintext (envelope encryption has no limit).
      const tooLarge = payloads.find((p) => (p.data?.length ?? 0) > (options.maxBytes ?? Infinity));
      if (tooLarge)
        throw new Error(
          `Cannot encrypt a ${tooLarge.data!.length}-byte payload: KMS Encrypt takes at most ${options.maxBytes} bytes`,
        );
      return payloads.map((payload) => ({
        metadata: { encoding: bytes('binary/encrypted'), 'key-id': bytes(writeKey) },
        data: bytes(
          JSON.stringify({
            metadata: Object.fromEntries(
              Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, text(v)]),
            ),
            data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
          }),
        ),
      }));
    },
    async decode(payloads) {
      return payloads.map((payload) => {
        if (text(payload.metadata?.encoding) !== 'binary/encrypted') return payload;
        const key = text(payload.metadata?.['key-id']);
        if (!keys.includes(key))
          throw new Error(`Payload is encrypted with key '${key}', which this worker does not have`);
        const inner = JSON.parse(text(payload.data)) as { metadata: Record<string, string>; data: string };
        return {
          metadata: Object.fromEntries(Object.entries(inner.metadata).map(([k, v]) => [k, bytes(v)])),
          data: Buffer.from(inner.data, 'base64'),
        };
      });
    },
  };
}

let env: TestWorkflowEnvironment;
let client: Client;
const stack = () => env.localStack!;
const service = () => Connection.lazy({ address: stack().endpoint }).service;

beforeAll(async () => {
  env = await localEnv({
    workers: [
      // Writes every payload under the new key 'k2'.
      { taskQueue: 'dlq', workflows, dataConverter: { payloadCodecs: [keyring(['k2'], 'k2')] } },
      // Writes plain payloads.
      { taskQueue: 'dlq-plain', workflows },
      // Encrypts each payload with KMS directly: payloads over 4 KB cannot be written.
      {
        taskQueue: 'dlq-sealed',
        workflows,
        dataConverter: { payloadCodecs: [keyring(['k1'], 'k1', { maxBytes: 4096 })] },
      },
      // Deployed before the key rotation: knows only 'k1'.
      { taskQueue: 'dlq-vault', activities, dataConverter: { payloadCodecs: [keyring(['k1'])] } },
    ],
    // Short visibility timeouts (6 × 1 s), so redeliveries and dead-lettering happen within a test.
    functionTimeoutSeconds: 1,
  });
  client = new Client({
    endpoint: stack().endpoint,
    dataConverter: { payloadCodecs: [keyring(['k1', 'k2'])] },
  });
}, 60_000);

afterAll(async () => {
  await env?.teardown();
});

/** A raw API call: status and parsed body. */
async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(`${stack().endpoint}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return {
    status: response.status,
    body: (await response.json()) as { error?: { code: string; message: string } },
  };
}

describe('poison records: set aside with their reason, redriven once fixed', () => {
  it('sets aside tasks that always fail without delaying other runs, and redrives them once fixed', async () => {
    const secret = 'x'.repeat(5000);
    // An activity task its worker cannot read (standard queue), and a workflow task its worker cannot
    // commit (FIFO queue, message group = run): neither is an activity or workflow failure the
    // engine retries; each fails its handler on every receive.
    const poison = await client.workflow.start(workflows.revealSecret, {
      taskQueue: 'dlq',
      workflowId: 'dlq-poison',
      args: ['rotated'],
    });
    const sealed = await client.workflow.start(workflows.revealSecret, {
      taskQueue: 'dlq-sealed',
      workflowId: 'dlq-sealed',
      args: [secret],
    });
    // Healthy runs started at the same time share the vault's activity queue (and its batches), and
    // the sealed worker's workflow-task queue.
    const healthy = await Promise.all([
      ...[1, 2, 3].map((n) =>
        client.workflow.start(workflows.revealSecret, {
          taskQueue: 'dlq-plain',
          workflowId: `dlq-healthy-${n}`,
          args: [`plain-${n}`],
        }),
      ),
      ...[4, 5].map((n) =>
        client.workflow.start(workflows.revealSecret, {
          taskQueue: 'dlq-sealed',
          workflowId: `dlq-healthy-${n}`,
          args: [`small-${n}`],
        }),
      ),
    ]);
    expect(await Promise.all(healthy.map((handle) => handle.result()))).toEqual([
      'revealed:plain-1',
      'revealed:plain-2',
      'revealed:plain-3',
      'revealed:small-4',
      'revealed:small-5',
    ]);
    // They finished while the poison messages were still being redelivered: nothing waited for them.
    expect((await poison.describe()).workflowTaskFailure).toBeUndefined();
    expect((await sealed.describe()).workflowTaskFailure).toBeUndefined();

    const deadLettered = (handle: typeof poison) =>
      eventually(async () => {
        const d = await handle.describe();
        return d.workflowTaskFailure?.cause === 'DeadLettered' && d;
      }, 80_000);
    const [description, sealedDescription] = await Promise.all([deadLettered(poison), deadLettered(sealed)]);
    expect(description.status).toBe('Running');
    expect(description.workflowTaskFailure?.failure.message).toMatch(
      /activity task moved to the dead-letter queue.*encrypted with key 'k2'/,
    );
    expect(sealedDescription.workflowTaskFailure?.failure.message).toMatch(
      /workflow task moved to the dead-letter queue.*KMS Encrypt takes at most 4096 bytes/,
    );

    // Listed with where they wait and why, once SQS has moved them to the DLQs.
    const listed = await eventually(async () => {
      const page = await service().listDeadLetters('default');
      return page.deadLetters.length >= 2 && page;
    }, 30_000);
    expect(listed.queues).toEqual(
      expect.arrayContaining(['act-dlq-vault-dlq', 'wf-dlq-sealed-dlq', 'system-dlq', 'router-failures']),
    );
    expect(listed.truncated).toBe(false);
    expect(listed.deadLetters).toHaveLength(2);
    expect(listed.deadLetters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          queue: 'act-dlq-vault-dlq',
          sourceQueue: 'act-dlq-vault',
          kind: 'activity',
          workflowId: 'dlq-poison',
          runId: poison.firstExecutionRunId,
          eventId: (await poison.fetchHistory()).events.find((e) => e.type === 'ActivityTaskScheduled')
            ?.eventId,
          taskQueue: 'dlq-vault',
          attempt: 1,
          deadLetteredTime: description.workflowTaskFailure?.time,
          reason: description.workflowTaskFailure?.failure.message,
        }),
        expect.objectContaining({
          queue: 'wf-dlq-sealed-dlq',
          sourceQueue: 'wf-dlq-sealed',
          kind: 'workflow',
          workflowId: 'dlq-sealed',
          runId: sealed.firstExecutionRunId,
          eventId: sealedDescription.workflowTaskFailure?.eventId,
          taskQueue: 'dlq-sealed',
          deadLetteredTime: sealedDescription.workflowTaskFailure?.time,
          reason: sealedDescription.workflowTaskFailure?.failure.message,
        }),
      ]),
    );
    for (const d of listed.deadLetters) expect(d.receiveCount).toBeGreaterThanOrEqual(5);
    // Listing leaves them in place; filters narrow; another namespace sees nothing of them.
    expect(
      (await service().listDeadLetters('default', { queue: 'act-dlq-vault-dlq' })).deadLetters,
    ).toHaveLength(1);
    const one = await service().listDeadLetters('default', { limit: 1 });
    expect([one.deadLetters.length, one.truncated]).toEqual([1, true]);
    expect((await service().listDeadLetters('default', { workflowId: 'other' })).deadLetters).toEqual([]);
    expect((await service().listDeadLetters('tenant-b')).deadLetters).toEqual([]);
    expect((await service().redriveDeadLetters('tenant-b')).redriven).toEqual([]);

    // Fixed: the vault's worker is redeployed with the new key, the sealed worker with envelope
    // encryption. A redrive puts each task back on its queue (the workflow task in its run's group).
    stack().replaceWorker(
      createWorker({
        taskQueue: 'dlq-vault',
        activities,
        dataConverter: { payloadCodecs: [keyring(['k1', 'k2'])] },
      }),
    );
    stack().replaceWorker(
      createWorker({
        taskQueue: 'dlq-sealed',
        workflows,
        dataConverter: { payloadCodecs: [keyring(['k1'], 'k1')] },
      }),
    );
    const redrive = await service().redriveDeadLetters('default', { workflowId: 'dlq-poison' });
    expect(redrive.redriven.map((d) => [d.workflowId, d.kind])).toEqual([['dlq-poison', 'activity']]);
    expect(redrive.skipped).toEqual([]);
    expect((await poison.describe()).workflowTaskFailure).toBeUndefined();
    expect(await poison.result()).toBe('revealed:rotated');
    const rest = await service().redriveDeadLetters('default');
    expect(rest.redriven.map((d) => [d.workflowId, d.kind])).toEqual([['dlq-sealed', 'workflow']]);
    expect(await sealed.result()).toBe(`revealed:${secret}`);

    // Redriving again finds nothing and changes nothing.
    expect(await service().redriveDeadLetters('default')).toEqual({
      redriven: [],
      skipped: [],
      truncated: false,
    });
    expect((await service().listDeadLetters('default')).deadLetters).toEqual([]);
    expect(await poison.result()).toBe('revealed:rotated');
    expect(await env.verifyHistories()).toEqual([]);
  }, 100_000);

  it('sends stream records the router cannot process to its failure destination, and routes them again on redrive', async () => {
    // The router fails on every record of one run (as on a record it cannot decode); other runs' go on.
    let poisoned = true;
    const workflowIdOf = async (image: Image) =>
      ((await decodeField(image, 'state', async () => [])) as { workflowId?: string } | undefined)
        ?.workflowId;
    const router = stack().functions.get('cairn-local-router')!;
    router.intercept((handler) => async (event, context) => {
      for (const record of (event as DynamoDBStreamEvent).Records) {
        const image = record.dynamodb?.NewImage as Image | undefined;
        if (poisoned && image?.body && (await workflowIdOf(image)) === 'dlq-stream-poison')
          throw new Error('Router cannot process this record');
      }
      return handler(event, context);
    });
    const plain = new Client({ endpoint: stack().endpoint });
    const poison = await plain.workflow.start(workflows.revealSecret, {
      taskQueue: 'dlq-plain',
      workflowId: 'dlq-stream-poison',
      args: ['stream'],
    });
    const healthy = await Promise.all(
      [1, 2].map((n) =>
        plain.workflow.execute(workflows.revealSecret, {
          taskQueue: 'dlq-plain',
          workflowId: `dlq-stream-healthy-${n}`,
          args: [`s${n}`],
        }),
      ),
    );
    expect(healthy).toEqual(['revealed:s1', 'revealed:s2']);

    const listed = await eventually(async () => {
      const page = await service().listDeadLetters('default', { queue: 'router-failures' });
      return page.deadLetters.some((d) => d.workflowId === 'dlq-stream-poison') && page;
    }, 60_000);
    const entry = listed.deadLetters.find((d) => d.workflowId === 'dlq-stream-poison')!;
    expect(entry).toMatchObject({
      queue: 'router-failures',
      kind: 'stream',
      workflowId: 'dlq-stream-poison',
      runId: poison.firstExecutionRunId,
      taskQueue: 'dlq-plain',
      reason: expect.stringMatching(
        /router failed on these stream records.*Router cannot process this record/,
      ),
    });
    expect(entry.sourceQueue).toBeUndefined();

    poisoned = false;
    const redrive = await service().redriveDeadLetters('default', { runId: entry.runId });
    expect(redrive.redriven.some((d) => d.runId === entry.runId)).toBe(true);
    expect(await poison.result()).toBe('revealed:stream');
    expect((await service().redriveDeadLetters('default', { runId: entry.runId })).redriven).toEqual([]);
    expect(await env.verifyHistories()).toEqual([]);
  }, 100_000);

  it('answers bad input with a 4xx that says what is wrong', async () => {
    const unknown = await api('GET', '/v1/namespaces/default/dlq?queue=no-such-queue');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error?.message).toMatch(/Unknown queue 'no-such-queue'.*act-dlq-vault-dlq/);
    for (const query of ['limit=0', 'limit=101', 'limit=ten', 'runId=', 'colour=red']) {
      const bad = await api('GET', `/v1/namespaces/default/dlq?${query}`);
      expect(bad.status, query).toBe(400);
      expect(bad.body.error?.code, query).toBe('InvalidArgument');
    }
    const badBody = await api('POST', '/v1/namespaces/default/dlq/redrive', { queue: 'nope' });
    expect(badBody.status).toBe(400);
    expect((await api('POST', '/v1/namespaces/default/dlq/redrive', { workflowId: '' })).status).toBe(400);
    expect((await api('POST', '/v1/namespaces/default/dlq/redrive', { extra: 1 })).status).toBe(400);
    expect((await api('GET', '/v1/namespaces/bad%23ns/dlq')).status).toBe(400);
    expect((await api('DELETE', '/v1/namespaces/default/dlq')).status).toBe(405);
  });
});
