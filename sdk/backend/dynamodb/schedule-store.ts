import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { HistoryConflictError, InvalidArgumentError, ScheduleAlreadyRunning } from '../../common/errors.ts';
import type { ScheduleRecord } from '../../engine/schedule-record.ts';
import type { ScheduleRecordPage, ScheduleStore } from '../ports.ts';

export interface DynamoScheduleStoreOptions {
  dynamodb: DynamoDBClient;
  executionsTable: string;
}

/**
 * Schedules on the executions table: one item per schedule, `pk` = `${namespace}#sched`, `sk` = the
 * schedule id, the record as JSON and its version as a number that every write is conditional on.
 * Listing a namespace's schedules is one query on its partition. A schedule is one small item
 * (its recent actions and held starts are bounded), so a tick is one read and one write.
 */
export class DynamoScheduleStore implements ScheduleStore {
  constructor(private readonly options: DynamoScheduleStoreOptions) {}

  private key(namespace: string, scheduleId: string): Record<string, AttributeValue> {
    return { pk: { S: `${namespace}#sched` }, sk: { S: scheduleId } };
  }

  async getSchedule(namespace: string, scheduleId: string): Promise<ScheduleRecord | undefined> {
    const out = await this.options.dynamodb.send(
      new GetItemCommand({
        TableName: this.options.executionsTable,
        Key: this.key(namespace, scheduleId),
        ConsistentRead: true,
      }),
    );
    return out.Item ? decode(out.Item) : undefined;
  }

  async putSchedule(record: ScheduleRecord, expectedVersion?: number): Promise<ScheduleRecord> {
    const written = { ...record, version: (expectedVersion ?? 0) + 1 };
    try {
      await this.options.dynamodb.send(
        new PutItemCommand({
          TableName: this.options.executionsTable,
          Item: {
            ...this.key(record.namespace, record.scheduleId),
            version: { N: String(written.version) },
            record: { S: JSON.stringify(written) },
          },
          ConditionExpression: expectedVersion === undefined ? 'attribute_not_exists(pk)' : 'version = :v',
          ExpressionAttributeValues:
            expectedVersion === undefined ? undefined : { ':v': { N: String(expectedVersion) } },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      if (expectedVersion === undefined)
        throw new ScheduleAlreadyRunning(`Schedule ${record.scheduleId} already exists`, record.scheduleId);
      throw new HistoryConflictError(`Schedule ${record.scheduleId} changed concurrently`);
    }
    return written;
  }

  async deleteSchedule(namespace: string, scheduleId: string): Promise<boolean> {
    const out = await this.options.dynamodb.send(
      new DeleteItemCommand({
        TableName: this.options.executionsTable,
        Key: this.key(namespace, scheduleId),
        ReturnValues: 'ALL_OLD',
      }),
    );
    return out.Attributes !== undefined;
  }

  async listSchedules(namespace: string, pageSize: number, pageToken?: string): Promise<ScheduleRecordPage> {
    const out = await this.options.dynamodb.send(
      new QueryCommand({
        TableName: this.options.executionsTable,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: `${namespace}#sched` } },
        Limit: pageSize,
        ExclusiveStartKey: pageToken === undefined ? undefined : this.key(namespace, decodeToken(pageToken)),
      }),
    );
    const last = out.LastEvaluatedKey?.sk?.S;
    return {
      schedules: (out.Items ?? []).map(decode),
      nextPageToken: last === undefined ? undefined : Buffer.from(last).toString('base64url'),
    };
  }
}

/**
 * Every schedule of every namespace, by a scan of the executions table: for the embedded stack's
 * start, whose SQS emulator forgets queued ticks across a restart (SQS itself keeps them).
 */
export async function* scanSchedules(options: DynamoScheduleStoreOptions): AsyncIterable<ScheduleRecord> {
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await options.dynamodb.send(
      new ScanCommand({
        TableName: options.executionsTable,
        FilterExpression: 'attribute_exists(#record) AND attribute_exists(version)',
        ExpressionAttributeNames: { '#record': 'record' },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) if (item.pk?.S?.endsWith('#sched')) yield decode(item);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

function decode(item: Record<string, AttributeValue>): ScheduleRecord {
  return JSON.parse(item.record!.S!) as ScheduleRecord;
}

function decodeToken(token: string): string {
  const id = Buffer.from(token, 'base64url').toString();
  if (!id) throw new InvalidArgumentError('Malformed schedule list page token: pass back a nextPageToken');
  return id;
}
