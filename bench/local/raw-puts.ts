import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { nowMs } from '../measure.ts';

export interface RawRates {
  putsPerSecond: number;
  puts: number;
  /** Strongly consistent single-item queries (the shape of Cairn's head read) per second. */
  queriesPerSecond: number;
  ms: number;
}

/** Payload of each put: about 1 KB, one write unit, in the range of Cairn's own history items. */
const PAYLOAD = 'x'.repeat(900);

/** Runs `concurrency` loops of `op` for `warmupMs`, then counts completions over `measureMs`. */
async function rate(
  concurrency: number,
  warmupMs: number,
  measureMs: number,
  op: (lane: number, i: number) => Promise<unknown>,
): Promise<number> {
  const measureFrom = nowMs() + warmupMs;
  const measureTo = measureFrom + measureMs;
  let done = 0;
  const loop = async (lane: number) => {
    for (let i = 0; nowMs() < measureTo; i++) {
      await op(lane, i);
      const t = nowMs();
      if (t >= measureFrom && t < measureTo) done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, lane) => loop(lane)));
  return done;
}

/**
 * DynamoDB Local's own ceiling: `concurrency` loops each putting fresh keys with
 * `attribute_not_exists(pk)` (the shape of every Cairn commit) into a scratch table, for
 * `warmupMs` unmeasured and then `measureMs` measured; then as many loops reading those items back
 * with strongly consistent one-item queries, `warmupMs / 2` unmeasured and `measureMs / 2`
 * measured. DynamoDB Local's JIT needs the warm-up: a cold first second runs at half speed. Uses its own client, so nothing it
 * does shows in the engine's counters; the scratch table is deleted afterwards.
 */
export async function measureRawRates(
  endpoint: string,
  { concurrency = 16, warmupMs = 2_000, measureMs = 3_000 } = {},
): Promise<RawRates> {
  const dynamodb = new DynamoDBClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const table = `bench-raw-puts-${process.pid}`;
  await dynamodb.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    }),
  );
  try {
    await waitUntilTableExists({ client: dynamodb, maxWaitTime: 30 }, { TableName: table });
    const written: number[] = Array.from({ length: concurrency }, () => 0);
    const puts = await rate(concurrency, warmupMs, measureMs, async (lane, i) => {
      try {
        await dynamodb.send(
          new PutItemCommand({
            TableName: table,
            Item: { pk: { S: `${lane}#${i}` }, payload: { S: PAYLOAD } },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        written[lane] = i + 1;
      } catch (error) {
        // Fresh keys never collide; anything else is a real failure of the measurement.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    });
    const queryMs = measureMs / 2;
    const queries = await rate(concurrency, warmupMs / 2, queryMs, (lane, i) =>
      dynamodb.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: `${lane}#${i % Math.max(1, written[lane]!)}` } },
          ConsistentRead: true,
          Limit: 1,
        }),
      ),
    );
    return {
      putsPerSecond: puts / (measureMs / 1000),
      puts,
      queriesPerSecond: queries / (queryMs / 1000),
      ms: measureMs,
    };
  } finally {
    await dynamodb.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
    dynamodb.destroy();
  }
}
