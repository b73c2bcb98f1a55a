import { randomUUID } from 'node:crypto';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  type ConsumedCapacity,
  DeleteItemCommand,
  type DeleteItemCommandInput,
  type DynamoDBClient,
  GetItemCommand,
  type GetItemCommandInput,
  PutItemCommand,
  type PutItemCommandInput,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type UpdateItemCommandInput,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';

export type Item = Record<string, AttributeValue>;

/** Capacity units DynamoDB reported as consumed (`ReturnConsumedCapacity: 'TOTAL'`). */
export interface ConsumedUnits {
  readUnits: number;
  writeUnits: number;
  /** The same by what the store was doing, with request counts, when a purpose is given. */
  byPurpose?: Partial<Record<WritePurpose, PurposeUsage>>;
}

/** What a store write is for, so benchmarks can price a start, a step, a close and retention apart. */
export type WritePurpose = 'start' | 'append' | 'close' | 'visibility' | 'retention' | 'records';

export interface PurposeUsage {
  writeUnits: number;
  writeRequests: number;
  readUnits: number;
  readRequests: number;
}

/**
 * The DynamoDB calls the adapters make, each asking for its consumed capacity and adding it to
 * `units`, so benchmarks can count read and write units per workflow step.
 */
export class MeteredDynamo {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly units: ConsumedUnits,
    private readonly purpose?: WritePurpose,
  ) {}

  /** The same client, counting what it consumes under `purpose` too. */
  for(purpose: WritePurpose): MeteredDynamo {
    return new MeteredDynamo(this.client, this.units, purpose);
  }

  private track(
    kind: 'readUnits' | 'writeUnits',
    consumed: ConsumedCapacity | ConsumedCapacity[] | undefined,
  ): void {
    let units = 0;
    for (const entry of [consumed ?? []].flat()) units += entry.CapacityUnits ?? 0;
    this.units[kind] += units;
    if (!this.purpose) return;
    const byPurpose = (this.units.byPurpose ??= {});
    const usage = (byPurpose[this.purpose] ??= {
      writeUnits: 0,
      writeRequests: 0,
      readUnits: 0,
      readRequests: 0,
    });
    usage[kind] += units;
    usage[kind === 'readUnits' ? 'readRequests' : 'writeRequests'] += 1;
  }

  async query(input: QueryCommandInput): Promise<QueryCommandOutput> {
    const output = await this.client.send(new QueryCommand({ ...input, ReturnConsumedCapacity: 'TOTAL' }));
    this.track('readUnits', output.ConsumedCapacity);
    return output;
  }

  /** Queries up to `limit` items, following LastEvaluatedKey, stopping early once `enough` says so. */
  async queryAll(
    input: QueryCommandInput,
    limit: number,
    enough: (item: Item) => boolean = () => false,
  ): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.query({ ...input, Limit: limit - items.length, ExclusiveStartKey: startKey });
      for (const item of page.Items ?? []) {
        items.push(item);
        if (enough(item)) return items;
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey && items.length < limit);
    return items;
  }

  /** A read of one item, strongly consistent unless `ConsistentRead` is false. */
  async getItem(input: GetItemCommandInput): Promise<Item | undefined> {
    const output = await this.client.send(
      new GetItemCommand({
        ...input,
        ConsistentRead: input.ConsistentRead ?? true,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    this.track('readUnits', output.ConsumedCapacity);
    return output.Item;
  }

  async putItem(input: PutItemCommandInput): Promise<void> {
    const output = await this.client.send(new PutItemCommand({ ...input, ReturnConsumedCapacity: 'TOTAL' }));
    this.track('writeUnits', output.ConsumedCapacity);
  }

  async updateItem(input: UpdateItemCommandInput): Promise<void> {
    const output = await this.client.send(
      new UpdateItemCommand({ ...input, ReturnConsumedCapacity: 'TOTAL' }),
    );
    this.track('writeUnits', output.ConsumedCapacity);
  }

  async deleteItem(input: DeleteItemCommandInput): Promise<void> {
    const output = await this.client.send(
      new DeleteItemCommand({ ...input, ReturnConsumedCapacity: 'TOTAL' }),
    );
    this.track('writeUnits', output.ConsumedCapacity);
  }

  /** One BatchWriteItem request (≤ 25 puts or deletes); returns what DynamoDB left unprocessed. */
  async batchWrite(table: string, requests: WriteRequest[]): Promise<WriteRequest[]> {
    const output = await this.client.send(
      new BatchWriteItemCommand({ RequestItems: { [table]: requests }, ReturnConsumedCapacity: 'TOTAL' }),
    );
    this.track('writeUnits', output.ConsumedCapacity);
    return output.UnprocessedItems?.[table] ?? [];
  }

  async transact(items: TransactWriteItem[]): Promise<void> {
    const output = await this.client.send(
      // An explicit token makes the SDK's own retries of this transaction idempotent (for 10 minutes).
      new TransactWriteItemsCommand({
        TransactItems: items,
        ClientRequestToken: randomUUID(),
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    this.track('writeUnits', output.ConsumedCapacity);
  }
}
