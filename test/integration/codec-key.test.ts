// A payload codec's key stays with the client and the user's workers: what crosses the HTTP API
// and what the engine stores holds ciphertext only, never the key or a plaintext value.
import { randomBytes } from 'node:crypto';
import { Client } from 'cairnflow/client';
import { TestWorkflowEnvironment, Worker } from 'cairnflow/testing';
import { condition, defineSignal, setHandler } from 'cairnflow/workflow';
import { afterEach, describe, expect, it } from 'vitest';
import { AesGcmCodec } from '../../examples/codec/aes-gcm-codec.ts';
import { createApiHandler } from '../../functions/api/handler.ts';
import { startHttpGateway } from '../../local/http-gateway.ts';

const reveal = defineSignal<[secret: string]>('reveal');

async function vault(owner: string): Promise<string> {
  let secret: string | undefined;
  setHandler(reveal, (value) => {
    secret = value;
  });
  await condition(() => secret !== undefined);
  return `${owner} keeps ${secret}`;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('a payload codec key', () => {
  it('never leaves the client: requests, answers and stored history carry only ciphertext', async () => {
    const key = randomBytes(32);
    const dataConverter = { payloadCodecs: [new AesGcmCodec('k1', key)] };
    const env = await TestWorkflowEnvironment.createTimeSkipping({ dataConverter });
    cleanups.push(() => env.teardown());
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'vault',
      workflows: { vault },
      dataConverter,
    });
    const gateway = await startHttpGateway({ handler: createApiHandler(env.engine.service) });
    cleanups.push(() => gateway.stop());

    // Everything the client sends and receives over HTTP.
    const wire: string[] = [];
    const recording: typeof fetch = async (url, init) => {
      wire.push(String(url), JSON.stringify(init?.headers ?? {}), String(init?.body ?? ''));
      const response = await fetch(url, init);
      const text = await response.clone().text();
      wire.push(text);
      return response;
    };
    const client = new Client({ endpoint: gateway.url, dataConverter, fetch: recording });

    const result = await worker.runUntil(async () => {
      const handle = await client.workflow.start(vault, {
        taskQueue: 'vault',
        workflowId: 'vault-1',
        args: ['ada-lovelace'],
      });
      await handle.signal(reveal, 'the-launch-codes');
      return handle.result();
    });

    expect(result).toBe('ada-lovelace keeps the-launch-codes');
    const stored = JSON.stringify(await env.engine.service.history('default', 'vault-1'));
    const forms = [key.toString('hex'), key.toString('base64'), key.toString('base64url')];
    for (const text of [...wire, stored]) {
      for (const form of forms) expect(text).not.toContain(form);
      for (const plain of ['ada-lovelace', 'the-launch-codes', 'keeps']) expect(text).not.toContain(plain);
    }
    expect(wire.length).toBeGreaterThan(4);
  });
});
