// Search attributes as Temporal's samples set them: array values ({ CustomIntField: [42] }, [] to
// remove one) and typed keys (defineSearchAttributeKey, typedSearchAttributes, upserts with keys);
// list queries find runs by them.
import {
  defineSearchAttributeKey,
  InvalidArgumentError,
  SearchAttributeType,
  TypedSearchAttributes,
} from 'cairnflow/client';
import { TestWorkflowEnvironment, Worker } from 'cairnflow/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as workflows from './search-attribute-workflows.ts';
import { OrderTotal } from './search-attribute-workflows.ts';

const PlacedAt = defineSearchAttributeKey('PlacedAt', SearchAttributeType.DATETIME);
const Attempts = defineSearchAttributeKey('Attempts', SearchAttributeType.INT);

let testEnv: TestWorkflowEnvironment;

beforeAll(async () => {
  testEnv = await TestWorkflowEnvironment.createTimeSkipping();
});

afterAll(async () => {
  expect(await testEnv.verifyHistories()).toEqual([]);
  await testEnv?.teardown();
});

async function idsOf(query: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const run of testEnv.client.workflow.list({ query })) ids.push(run.workflowId);
  return ids.sort();
}

describe('search attributes in Temporal’s shapes', () => {
  it('takes array values on start, removes one with [], and lists runs by them', async () => {
    const { client, nativeConnection } = testEnv;
    const worker = await Worker.create({ connection: nativeConnection, taskQueue: 'attrs', workflows });
    await worker.runUntil(async () => {
      const handle = await client.workflow.start(workflows.untypedAttributes, {
        taskQueue: 'attrs',
        workflowId: 'untyped-1',
        searchAttributes: {
          CustomIntField: [42],
          CustomKeywordField: ['a', 'b'],
          CustomBoolField: [true],
          Gone: [],
        },
      });
      expect((await handle.describe()).searchAttributes).toEqual({
        CustomIntField: 42,
        CustomKeywordField: ['a', 'b'],
        CustomBoolField: true,
      });
      await testEnv.sleep('1 minute');
      expect((await handle.describe()).searchAttributes).toEqual({
        CustomIntField: 43,
        CustomKeywordField: ['a', 'b'],
      });
      expect(await idsOf('CustomIntField = 43')).toEqual(['untyped-1']);
      expect(await idsOf('CustomIntField = 42')).toEqual([]);
      expect(await idsOf("CustomKeywordField = 'b' AND CustomBoolField = true")).toEqual([]);
      await handle.result();
    });
  });

  it('takes typed search attributes on start and typed upserts, null removing one', async () => {
    const { client, nativeConnection } = testEnv;
    const placedAt = new Date('2026-03-04T05:06:07.000Z');
    const worker = await Worker.create({ connection: nativeConnection, taskQueue: 'attrs', workflows });
    await worker.runUntil(async () => {
      const handle = await client.workflow.start(workflows.typedAttributes, {
        taskQueue: 'attrs',
        workflowId: 'typed-1',
        typedSearchAttributes: new TypedSearchAttributes([
          { key: OrderTotal, value: 99.5 },
          { key: PlacedAt, value: placedAt },
        ]),
      });
      expect((await handle.describe()).searchAttributes).toEqual({
        OrderTotal: 99.5,
        PlacedAt: '2026-03-04T05:06:07.000Z',
      });
      await testEnv.sleep('1 minute');
      expect((await handle.describe()).searchAttributes).toEqual({
        Stage: 'packed',
        PlacedAt: '2026-03-04T05:06:07.000Z',
      });
      expect(await idsOf("Stage = 'packed' AND PlacedAt > '2026-01-01T00:00:00Z'")).toEqual(['typed-1']);
      await handle.result();
    });
  });

  it('gives workflow code its search attributes typed (workflowInfo().typedSearchAttributes), upserts included', async () => {
    const { client, nativeConnection } = testEnv;
    const worker = await Worker.create({ connection: nativeConnection, taskQueue: 'attrs', workflows });
    const read = await worker.runUntil(
      client.workflow.execute(workflows.readTypedAttributes, {
        taskQueue: 'attrs',
        workflowId: 'typed-read-1',
        typedSearchAttributes: [
          { key: OrderTotal, value: 99.5 },
          { key: PlacedAt, value: new Date('2026-03-04T05:06:07.000Z') },
          { key: Attempts, value: 3 },
          { key: workflows.Stage, value: 'packed' },
        ],
      }),
    );
    expect(read).toEqual({
      total: 99.5,
      placedAt: '2026-03-04T05:06:07.000Z',
      attempts: 3,
      // A key of another type finds no value of its type.
      stageAsNumber: undefined,
      all: ['Attempts:INT', 'OrderTotal:DOUBLE', 'PlacedAt:DATETIME', 'Stage:KEYWORD'],
      stageAfter: 'shipped',
      totalAfter: 'removed',
    });
  });

  it('refuses what it cannot store, saying what to do', async () => {
    const { client } = testEnv;
    const start = (options: object) =>
      client.workflow.start(workflows.typedAttributes, {
        taskQueue: 'attrs',
        workflowId: 'refused',
        ...options,
      });
    await expect(start({ typedSearchAttributes: [{ key: Attempts, value: 1.5 }] })).rejects.toThrow(
      /'Attempts' is INT; 1.5 is not a INT value/,
    );
    await expect(
      start({ searchAttributes: { Attempts: 1 }, typedSearchAttributes: [{ key: Attempts, value: 2 }] }),
    ).rejects.toThrow(/in both searchAttributes and typedSearchAttributes/);
    await expect(start({ searchAttributes: { CustomIntField: [1, 2] } })).rejects.toThrow(
      InvalidArgumentError,
    );
    await expect(start({ searchAttributes: { CustomIntField: [1, 2] } })).rejects.toThrow(
      /pass \[value\] or value/,
    );
    expect(() => defineSearchAttributeKey('X', 'FLOAT' as never)).toThrow(
      /Unknown search attribute type 'FLOAT'/,
    );
    const typed = new TypedSearchAttributes([{ key: Attempts, value: 3 }]);
    expect(typed.get(Attempts)).toBe(3);
    expect(typed.updateCopy([{ key: Attempts, value: null }]).getAll()).toEqual([]);
  });
});
