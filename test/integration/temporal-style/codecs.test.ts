// Payload codecs written for Temporal run unchanged: they get and return `Uint8Array` payloads,
// while history keeps its stored form (JSON text where it can, base64 otherwise).
import { randomBytes } from 'node:crypto';
import type { DataConverter } from 'cairnflow/common';
import { TestWorkflowEnvironment, Worker } from 'cairnflow/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { AesGcmCodec } from '../../../examples/codec/aes-gcm-codec.ts';
import { dropsPayloads, EnvelopeCodec, returnsText, ScrambleCodec, seen } from './temporal-codecs.ts';
import * as activities from './update-activities.ts';
import { addItem, checkout, shoppingCart } from './update-workflows.ts';

let env: TestWorkflowEnvironment | undefined;
afterEach(async () => {
  if (env) expect(await env.verifyHistories()).toEqual([]);
  await env?.teardown();
  env = undefined;
});

/** Runs a cart (an update, an activity, a signal) with the codecs on the client and the worker. */
async function runCart(dataConverter: DataConverter, workflowId: string) {
  env = await TestWorkflowEnvironment.createTimeSkipping({ dataConverter });
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: 'codecs',
    workflows: { shoppingCart },
    activities,
    dataConverter,
  });
  const result = await worker.runUntil(async () => {
    const handle = await env!.client.workflow.start(shoppingCart, { taskQueue: 'codecs', workflowId });
    expect(await handle.executeUpdate(addItem, { args: ['crème brûlée'] })).toBe(12);
    await handle.signal(checkout);
    return handle.result();
  });
  const stored = await env.connection.service.history('default', workflowId, undefined, undefined);
  return { result, stored: stored.events };
}

describe('Temporal-style payload codecs', () => {
  it('gives codecs Uint8Array payloads and stores their bytes, even under a json encoding', async () => {
    seen.length = 0;
    const { result, stored } = await runCart({ payloadCodecs: [new ScrambleCodec()] }, 'codec-scramble');
    expect(result).toEqual({ items: ['crème brûlée'], total: 12 });
    expect(seen.length).toBeGreaterThan(0);
    for (const payload of seen) {
      expect(payload.data).toBeInstanceOf(Uint8Array);
      expect(Object.values(payload.metadata ?? {}).every((v) => v instanceof Uint8Array)).toBe(true);
    }
    const accepted = stored.find((e) => e.type === 'WorkflowExecutionUpdateAccepted');
    if (accepted?.type !== 'WorkflowExecutionUpdateAccepted') throw new Error('no accepted update');
    expect(accepted.input[0]!.metadata).toMatchObject({ encoding: 'json/plain', scrambled: 'xor-ff' });
    expect(JSON.parse(accepted.input[0]!.metadata['cairn-base64']!)).toEqual(['nonce', '']);
  });

  it('chains codecs in order, and runs the Temporal-shaped AES-GCM example', async () => {
    const { result, stored } = await runCart(
      { payloadCodecs: [new EnvelopeCodec(), new AesGcmCodec('k1', randomBytes(32))] },
      'codec-chain',
    );
    expect(result.total).toBe(12);
    const completed = stored.at(-1);
    if (completed?.type !== 'WorkflowExecutionCompleted') throw new Error('not completed');
    expect(completed.result.metadata).toEqual({ encoding: 'binary/encrypted', 'encryption-key-id': 'k1' });
  });

  it('keeps stored payloads as they were without codecs: JSON as readable text', async () => {
    const { stored } = await runCart({}, 'codec-none');
    const completed = stored.at(-1);
    if (completed?.type !== 'WorkflowExecutionCompleted') throw new Error('not completed');
    expect(completed.result).toEqual({
      metadata: { encoding: 'json/plain' },
      data: JSON.stringify({ items: ['crème brûlée'], total: 12 }),
    });
  });

  it('refuses a codec that drops payloads or returns text instead of bytes', async () => {
    env = await TestWorkflowEnvironment.createTimeSkipping({
      dataConverter: { payloadCodecs: [dropsPayloads] },
    });
    await expect(
      env.client.workflow.start(shoppingCart, {
        taskQueue: 'codecs',
        workflowId: 'codec-bad-1',
        args: [1] as never,
      }),
    ).rejects.toThrow(/must return one payload per payload/);
    await env.teardown();
    env = await TestWorkflowEnvironment.createTimeSkipping({
      dataConverter: { payloadCodecs: [returnsText] },
    });
    await expect(
      env.client.workflow.start(shoppingCart, {
        taskQueue: 'codecs',
        workflowId: 'codec-bad-2',
        args: [1] as never,
      }),
    ).rejects.toThrow(/not bytes/);
    await env.teardown();
    env = undefined;
    // A codec without encode/decode is refused before anything runs.
    await expect(
      TestWorkflowEnvironment.createTimeSkipping({
        dataConverter: { payloadCodecs: [{ encode: 'nope' } as never] },
      }),
    ).rejects.toThrow(/encode\(payloads\) and decode\(payloads\)/);
  });
});
