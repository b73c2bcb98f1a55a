import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  EXECUTIONS_TABLE,
  HISTORY_TABLE,
  physicalName,
  TABLES,
  type TableDefinition,
} from '../sdk/backend/definitions.ts';

/** Physical names of what {@link createResources} made. */
export interface LocalResources {
  historyTable: string;
  executionsTable: string;
  payloadBucket: string;
}

/** The bucket that holds offloaded payloads under a stack prefix. */
export function payloadBucketName(prefix: string): string {
  return `${prefix}-payloads`;
}

function createTableInput(prefix: string, table: TableDefinition): CreateTableCommandInput {
  const keys = [
    table.partitionKey,
    table.sortKey,
    ...table.globalSecondaryIndexes.flatMap((i) => [i.partitionKey, i.sortKey]),
  ];
  const attributes = new Map(keys.filter((key) => key !== undefined).map((key) => [key.name, key.type]));
  const keySchema = (pk: { name: string }, sk?: { name: string }) => [
    { AttributeName: pk.name, KeyType: 'HASH' as const },
    ...(sk ? [{ AttributeName: sk.name, KeyType: 'RANGE' as const }] : []),
  ];
  return {
    TableName: physicalName(prefix, table),
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({
      AttributeName,
      AttributeType,
    })),
    KeySchema: keySchema(table.partitionKey, table.sortKey),
    GlobalSecondaryIndexes: table.globalSecondaryIndexes.length
      ? table.globalSecondaryIndexes.map((index) => ({
          IndexName: index.indexName,
          KeySchema: keySchema(index.partitionKey, index.sortKey),
          Projection: { ProjectionType: index.projection },
        }))
      : undefined,
    StreamSpecification: table.stream ? { StreamEnabled: true, StreamViewType: table.stream } : undefined,
  };
}

async function waitUntilActive(dynamodb: DynamoDBClient, tableName: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    if (Date.now() > deadline)
      throw new Error(`Table ${tableName} is still ${Table?.TableStatus} after 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Creates Cairn's tables (from the same {@link TABLES} the CDK stack deploys) and the payload bucket
 * under `prefix`. Idempotent: existing tables and buckets are left as they are. Queues are not here.
 *
 * @example
 * const names = await createResources({ dynamodb, s3 }, 'cairn-dev');
 */
export async function createResources(
  clients: { dynamodb: DynamoDBClient; s3: S3Client },
  prefix: string,
): Promise<LocalResources> {
  if (!/^[a-z0-9][a-z0-9-]{0,40}$/.test(prefix)) {
    throw new Error(
      `Resource prefix '${prefix}' must be 1-41 lowercase letters, digits or hyphens (S3 bucket rules)`,
    );
  }
  await Promise.all(
    TABLES.map(async (table) => {
      const input = createTableInput(prefix, table);
      const tableName = input.TableName!;
      try {
        await clients.dynamodb.send(new CreateTableCommand(input));
      } catch (error) {
        if (error instanceof ResourceInUseException) return waitUntilActive(clients.dynamodb, tableName);
        throw error;
      }
      await waitUntilActive(clients.dynamodb, tableName);
      if (table.timeToLiveAttribute) {
        await clients.dynamodb.send(
          new UpdateTimeToLiveCommand({
            TableName: tableName,
            TimeToLiveSpecification: { Enabled: true, AttributeName: table.timeToLiveAttribute },
          }),
        );
      }
    }),
  );
  const payloadBucket = payloadBucketName(prefix);
  try {
    await clients.s3.send(new CreateBucketCommand({ Bucket: payloadBucket }));
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
  }
  return {
    historyTable: physicalName(prefix, HISTORY_TABLE),
    executionsTable: physicalName(prefix, EXECUTIONS_TABLE),
    payloadBucket,
  };
}
