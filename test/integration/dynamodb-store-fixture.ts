import { type AttributeValue, DynamoDBClient, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll } from 'vitest';
import { createResources, type LocalResources } from '../../local/create-resources.ts';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../local/dynamodb-local.ts';
import { type Fauxqs, startFauxqs } from '../../local/fauxqs.ts';
import {
  DynamoHistoryStore,
  type DynamoHistoryStoreOptions,
} from '../../sdk/backend/dynamodb/history-store.ts';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface DynamoFixture {
  /** A client of its own (middleware added to it stays with it). */
  client(): DynamoDBClient;
  store(client?: DynamoDBClient, options?: Partial<DynamoHistoryStoreOptions>): DynamoHistoryStore;
  resources(): LocalResources;
  /** Every item of a partition of `table`, as DynamoDB holds it. */
  items(table: string, pk: string): Promise<Record<string, AttributeValue>[]>;
  /** A client whose puts of items `dies` picks fail, as if their invocation died just before them. */
  dyingAtPuts(dies: (item: Record<string, AttributeValue>) => boolean, what: string): DynamoDBClient;
}

/** DynamoDB Local and the S3 emulator for one test file, with the engine's tables. */
export function dynamoFixture(): DynamoFixture {
  let dynamoDbLocal: DynamoDbLocal | undefined;
  let fauxqs: Fauxqs | undefined;
  let dynamodb: DynamoDBClient;
  let s3: S3Client;
  let resources: LocalResources;
  const clients: DynamoDBClient[] = [];

  beforeAll(async () => {
    [dynamoDbLocal, fauxqs] = await Promise.all([startDynamoDbLocal(), startFauxqs()]);
    dynamodb = new DynamoDBClient({ endpoint: dynamoDbLocal.endpoint, region: 'us-east-1', credentials });
    s3 = new S3Client({ endpoint: fauxqs.endpoint, region: 'us-east-1', credentials, forcePathStyle: true });
    resources = await createResources({ dynamodb, s3 }, 'cairn-test');
  });

  afterAll(async () => {
    for (const client of [dynamodb, ...clients]) client?.destroy();
    s3?.destroy();
    await Promise.all([dynamoDbLocal?.stop(), fauxqs?.stop()]);
  });

  return {
    client() {
      const client = new DynamoDBClient({
        endpoint: dynamoDbLocal!.endpoint,
        region: 'us-east-1',
        credentials,
      });
      clients.push(client);
      return client;
    },
    store(client = dynamodb, options = {}) {
      return new DynamoHistoryStore({ dynamodb: client, s3, ...resources, ...options });
    },
    resources: () => resources,
    dyingAtPuts(dies, what) {
      return new Proxy(this.client(), {
        get(target, property, receiver) {
          if (property !== 'send') return Reflect.get(target, property, receiver);
          return (command: { input?: unknown }) => {
            const input = command.input as { Item?: Record<string, AttributeValue> } | undefined;
            if (command instanceof PutItemCommand && input?.Item && dies(input.Item)) {
              return Promise.reject(new Error(`simulated crash before the ${what}`));
            }
            return target.send(command as PutItemCommand);
          };
        },
      });
    },
    async items(table, pk) {
      const items: Record<string, AttributeValue>[] = [];
      let startKey: Record<string, AttributeValue> | undefined;
      do {
        const page = await dynamodb.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': { S: pk } },
            ExclusiveStartKey: startKey,
            ConsistentRead: true,
          }),
        );
        items.push(...(page.Items ?? []));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return items;
    },
  };
}
