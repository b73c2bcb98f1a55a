import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
  type UpdateTimeToLiveCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { Engine } from 'cairnflow/cdk';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildExampleStack } from '../../bin/app.ts';
import { createResources } from '../../local/create-resources.ts';
import {
  activityQueue,
  deadLetterQueue,
  EXECUTIONS_TABLE,
  HISTORY_TABLE,
  MAPPINGS,
  physicalName,
  type QueueDefinition,
  SYSTEM_QUEUE,
  type TableDefinition,
  workflowQueue,
} from '../../sdk/backend/definitions.ts';
import { logicalId, testApp } from './fixtures.ts';

type Props = Record<string, unknown>;

/** A table's shape, in CloudFormation's and DynamoDB's (identical) spelling, order-independent. */
function shapeOf(table: {
  KeySchema?: unknown;
  AttributeDefinitions?: { AttributeName?: string }[];
  GlobalSecondaryIndexes?: unknown[];
  StreamSpecification?: { StreamViewType?: string };
}) {
  return {
    keySchema: table.KeySchema,
    attributes: [...(table.AttributeDefinitions ?? [])].sort((a, b) =>
      String(a.AttributeName).localeCompare(String(b.AttributeName)),
    ),
    indexes: table.GlobalSecondaryIndexes ?? [],
    streamViewType: table.StreamSpecification?.StreamViewType,
  };
}

/** What a table definition says, in the same spelling. */
function shapeOfDefinition(definition: TableDefinition) {
  const keySchema = (pk: { name: string }, sk?: { name: string }) => [
    { AttributeName: pk.name, KeyType: 'HASH' },
    ...(sk ? [{ AttributeName: sk.name, KeyType: 'RANGE' }] : []),
  ];
  const keys = [
    definition.partitionKey,
    definition.sortKey,
    ...definition.globalSecondaryIndexes.flatMap((index) => [index.partitionKey, index.sortKey]),
  ].filter((key) => key !== undefined);
  const attributes = [...new Map(keys.map((key) => [key.name, key.type]))]
    .map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType }))
    .sort((a, b) => a.AttributeName.localeCompare(b.AttributeName));
  return {
    keySchema: keySchema(definition.partitionKey, definition.sortKey),
    attributes,
    indexes: definition.globalSecondaryIndexes.map((index) => ({
      IndexName: index.indexName,
      KeySchema: keySchema(index.partitionKey, index.sortKey),
      Projection: { ProjectionType: index.projection },
    })),
    streamViewType: definition.stream,
  };
}

/** Runs the local stack's resource creation against a recording client. */
async function localTables(): Promise<{
  tables: CreateTableCommandInput[];
  ttl: UpdateTimeToLiveCommandInput[];
}> {
  const tables: CreateTableCommandInput[] = [];
  const ttl: UpdateTimeToLiveCommandInput[] = [];
  const dynamodb = {
    send: async (command: unknown) => {
      if (command instanceof CreateTableCommand) tables.push(command.input);
      if (command instanceof UpdateTimeToLiveCommand) ttl.push(command.input);
      if (command instanceof DescribeTableCommand) return { Table: { TableStatus: 'ACTIVE' } };
      return {};
    },
  } as unknown as DynamoDBClient;
  const s3 = { send: async () => ({}) } as unknown as S3Client;
  await createResources({ dynamodb, s3 }, 'cairn-test');
  return { tables, ttl };
}

describe('one source of truth: the synthesized app deploys what sdk/backend/definitions.ts declares', () => {
  let stack: Stack;
  let engine: Engine;
  let template: Template;
  let resources: Record<string, { Type: string; Properties: Props }>;

  beforeAll(() => {
    // GIVEN the app `cdk deploy` deploys
    ({ stack, engine } = buildExampleStack(testApp({ validate: true })));
    // WHEN it is synthesized (and its template checked against CloudFormation's schemas)
    template = Template.fromStack(stack);
    resources = template.toJSON().Resources;
  });

  const tables = () =>
    [
      [HISTORY_TABLE, engine.historyTable],
      [EXECUTIONS_TABLE, engine.executionsTable],
    ] as const;

  it('deploys exactly the tables the definitions declare', () => {
    // THEN there is one table per definition, no more
    expect(Object.keys(template.findResources('AWS::DynamoDB::Table'))).toHaveLength(2);
  });

  it.each([HISTORY_TABLE, EXECUTIONS_TABLE])(
    "deploys table '$id' with the keys, indexes, stream view and TTL attribute of its definition",
    (definition) => {
      const table = tables().find(([candidate]) => candidate === definition)![1];
      const properties = resources[logicalId(table, stack)]!.Properties;
      expect(shapeOf(properties)).toEqual(shapeOfDefinition(definition));
      expect(properties.TimeToLiveSpecification).toEqual(
        definition.timeToLiveAttribute
          ? { AttributeName: definition.timeToLiveAttribute, Enabled: true }
          : undefined,
      );
    },
  );

  it('creates the same tables locally as the template declares (keys, indexes, stream view, TTL)', async () => {
    // WHEN the local stack creates its tables (against a recording client)
    const local = await localTables();
    // THEN each local table has the shape of the deployed table of the same definition
    for (const [definition, table] of tables()) {
      const name = physicalName('cairn-test', definition);
      const created = local.tables.find((input) => input.TableName === name);
      expect(created, `local table ${name}`).toBeDefined();
      const deployed = resources[logicalId(table, stack)]!.Properties;
      expect(shapeOf(created as Parameters<typeof shapeOf>[0])).toEqual(shapeOf(deployed));
      const localTtl = local.ttl.find((input) => input.TableName === name)?.TimeToLiveSpecification;
      expect(localTtl).toEqual(deployed.TimeToLiveSpecification);
    }
    expect(local.tables).toHaveLength(2);
  });

  /** The template's queue of a given name, and its dead-letter queue. */
  function deployedQueue(name: string): { queue: Props; deadLetters: Props } {
    const found = template.findResources('AWS::SQS::Queue', { Properties: { QueueName: name } });
    expect(Object.keys(found), `queue ${name}`).toHaveLength(1);
    const queue = Object.values(found)[0]!.Properties as Props;
    const redrive = queue.RedrivePolicy as { deadLetterTargetArn: { 'Fn::GetAtt': [string, string] } };
    const deadLetters = resources[redrive.deadLetterTargetArn['Fn::GetAtt'][0]]!.Properties;
    return { queue, deadLetters };
  }

  function expectQueueMatches(queue: Props, definition: QueueDefinition): void {
    expect(queue.QueueName).toBe(physicalName(engine.prefix, definition));
    expect(queue.FifoQueue).toBe(definition.fifo ? true : undefined);
    expect(queue.VisibilityTimeout).toBe(definition.visibilityTimeoutSeconds);
    expect(queue.MessageRetentionPeriod).toBe(definition.retentionSeconds);
  }

  it('deploys the system queue and its dead-letter queue as defined', () => {
    const { queue, deadLetters } = deployedQueue(physicalName(engine.prefix, SYSTEM_QUEUE));
    expectQueueMatches(queue, SYSTEM_QUEUE);
    expect(queue.RedrivePolicy).toMatchObject({ maxReceiveCount: SYSTEM_QUEUE.maxReceiveCount });
    expectQueueMatches(deadLetters, deadLetterQueue(SYSTEM_QUEUE));
  });

  it.each(['loans', 'orders', 'approvals'])(
    "deploys task queue '%s' as defined: FIFO workflow queue and standard activity queue, visibility six times the worker's timeout",
    (taskQueue) => {
      const worker = engine.workers.find((candidate) => candidate.taskQueue === taskQueue)!;
      const timeout = resources[logicalId(worker.function, stack)]!.Properties.Timeout as number;
      for (const definition of [workflowQueue(taskQueue, timeout), activityQueue(taskQueue, timeout)]) {
        const { queue, deadLetters } = deployedQueue(physicalName(engine.prefix, definition));
        expectQueueMatches(queue, definition);
        expect(queue.RedrivePolicy).toMatchObject({ maxReceiveCount: definition.maxReceiveCount });
        expectQueueMatches(deadLetters, deadLetterQueue(definition));
      }
    },
  );

  it('deploys the event source mappings the local Lambda host emulates', () => {
    const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).map(
      (mapping) => mapping.Properties as Props,
    );
    const stream = mappings.filter((mapping) => mapping.StartingPosition !== undefined);
    expect(stream).toEqual([
      expect.objectContaining({
        BatchSize: MAPPINGS.router.batchSize,
        StartingPosition: MAPPINGS.router.startingPosition,
        BisectBatchOnFunctionError: MAPPINGS.router.bisectBatchOnError,
        MaximumRetryAttempts: MAPPINGS.router.maximumRetryAttempts,
        ParallelizationFactor: MAPPINGS.router.parallelizationFactor,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        // The local stack filters with the very same pattern (local/event-filter.ts).
        FilterCriteria: { Filters: [{ Pattern: JSON.stringify(MAPPINGS.router.filterPattern) }] },
      }),
    ]);
    // Each SQS mapping batches as its queue's kind is defined to (system, workflow or activity tasks).
    const sqs = mappings.filter((mapping) => mapping.StartingPosition === undefined);
    expect(sqs).toHaveLength(1 + 2 * engine.workers.length);
    for (const mapping of sqs) {
      const source = (mapping.EventSourceArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const queueName = String(resources[source]!.Properties.QueueName);
      const expected =
        queueName === physicalName(engine.prefix, SYSTEM_QUEUE)
          ? MAPPINGS.systemTasks
          : queueName.startsWith(`${engine.prefix}-wf-`)
            ? MAPPINGS.workflowTasks
            : MAPPINGS.activityTasks;
      expect(mapping, queueName).toMatchObject({
        BatchSize: expected.batchSize,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
      expect(mapping.MaximumBatchingWindowInSeconds ?? 0).toBe(expected.maximumBatchingWindowSeconds);
    }
  });
});
