// A custom payload converter written for Temporal, named by `dataConverter.payloadConverterPath` on
// the worker and the client as Temporal's samples do; it runs unchanged, with codecs after it.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client, InvalidArgumentError } from 'cairnflow/client';
import { TestWorkflowEnvironment, Worker } from 'cairnflow/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AesGcmCodec } from '../../../examples/codec/aes-gcm-codec.ts';
import * as activities from './converter-activities.ts';
import { echoMeasurement, type Measurement } from './converter-workflows.ts';

const pathOf = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const dataConverter = { payloadConverterPath: pathOf('./payload-converter.ts') };
const measurement: Measurement = {
  pattern: /^ab+c$/gi,
  reading: Number.NaN,
  takenAt: new Date('2026-01-02T03:04:05Z'),
};

let testEnv: TestWorkflowEnvironment;

beforeAll(async () => {
  testEnv = await TestWorkflowEnvironment.createTimeSkipping({ dataConverter });
});

afterAll(async () => {
  expect(await testEnv.verifyHistories()).toEqual([]);
  await testEnv?.teardown();
});

describe('payloadConverterPath', () => {
  it('runs a Temporal-style converter on the worker and the client', async () => {
    const { client, nativeConnection } = testEnv;
    const worker = await Worker.create({
      connection: nativeConnection,
      taskQueue: 'converter',
      workflowsPath: pathOf('./converter-workflows.ts'),
      activities,
      dataConverter,
    });
    const handle = await client.workflow.start(echoMeasurement, {
      taskQueue: 'converter',
      workflowId: 'measure-1',
      args: [measurement],
    });
    const result = await worker.runUntil(handle.result());
    expect(result.seen).toBe('^ab+c$/gi true true true');
    expect(result.echoed.pattern).toEqual(/^ab+c$/gi);
    expect(result.echoed.reading).toBeNaN();
    expect(result.echoed.takenAt).toEqual(measurement.takenAt);

    // History keeps the converter's metadata, and JSON as readable text.
    const { events } = await handle.fetchHistory();
    const started = events[0];
    if (started?.type !== 'WorkflowExecutionStarted') throw new Error('no start event');
    expect(started.input[0]?.metadata).toEqual({ encoding: 'json/plain', format: 'extended' });
    expect(JSON.parse(started.input[0]?.data ?? '')).toMatchObject({
      pattern: { $regexp: '^ab+c$', $flags: 'gi' },
    });
  });

  it('a client of its own loads the converter from the path on first use', async () => {
    const client = new Client({ connection: testEnv.connection, dataConverter });
    const { echoed } = await client.workflow.getHandle<typeof echoMeasurement>('measure-1').result();
    expect(echoed.pattern).toEqual(/^ab+c$/gi);
    const broken = new Client({
      connection: testEnv.connection,
      dataConverter: { payloadConverterPath: pathOf('./nowhere.ts') },
    });
    await expect(broken.workflow.getHandle('measure-1').result()).rejects.toThrow(/nowhere/);
  });

  it('runs codecs after the converter, as in Temporal', async () => {
    const encrypted = { ...dataConverter, payloadCodecs: [new AesGcmCodec('k1', randomBytes(32))] };
    const env = await TestWorkflowEnvironment.createTimeSkipping({ dataConverter: encrypted });
    try {
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue: 'converter',
        workflowsPath: pathOf('./converter-workflows.ts'),
        activities,
        dataConverter: encrypted,
      });
      const result = await worker.runUntil(
        env.client.workflow.execute(echoMeasurement, {
          taskQueue: 'converter',
          workflowId: 'measure-2',
          args: [measurement],
        }),
      );
      expect(result.echoed.pattern).toEqual(/^ab+c$/gi);
      const stored = await env.connection.service.history('default', 'measure-2', undefined, undefined);
      const started = stored.events[0];
      if (started?.type !== 'WorkflowExecutionStarted') throw new Error('no start event');
      expect(started.input[0]?.metadata.encoding).toBe('binary/encrypted');
    } finally {
      await env.teardown();
    }
  });

  it('refuses a module without a payloadConverter export, and a converter given twice', async () => {
    await expect(
      Worker.create({
        connection: testEnv.nativeConnection,
        taskQueue: 'converter',
        activities,
        dataConverter: { payloadConverterPath: pathOf('./converter-activities.ts') },
      }),
    ).rejects.toThrow(/has no 'payloadConverter' export/);
    await expect(
      TestWorkflowEnvironment.createTimeSkipping({
        dataConverter: {
          ...dataConverter,
          payloadConverter: { toPayload: () => ({}), fromPayload: () => 1 } as never,
        },
      }),
    ).rejects.toThrow(InvalidArgumentError);
    await expect(
      TestWorkflowEnvironment.createTimeSkipping({ dataConverter: { failureConverterPath: 'x' } as never }),
    ).rejects.toThrow(/dataConverter.failureConverterPath is not supported/);
  });
});
