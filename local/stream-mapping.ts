import {
  type _Record,
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { LocalFunction } from './function-host.ts';

export interface StreamMappingOptions {
  streams: DynamoDBStreamsClient;
  streamArn: string;
  fn: LocalFunction<DynamoDBStreamEvent, DynamoDBBatchResponse | unknown>;
  batchSize: number;
  maximumRetryAttempts: number;
  bisectBatchOnError: boolean;
  /** How often an idle shard is polled; Lambda polls about four times a second. */
  pollIntervalMs: number;
  /** Lambda event filtering: only records it accepts invoke the function (`event-filter.ts`). @default all */
  filter?: (record: DynamoDBRecord) => boolean;
  /** The failure destination: records of a batch that failed every retry, their shard, and the last error. */
  onDiscard?: (records: DynamoDBRecord[], error: string, shardId: string) => void;
  /** A fault injector's hold on each delivery (chaos runs); none: the batch goes straight to `fn`. */
  deliveryHook?: StreamDeliveryHook;
}

/**
 * Delivers a batch of stream records in its own way (later, twice, reordered); `invoke` hands
 * records to the function as the mapping would. The response speaks of the records as given.
 */
export type StreamDeliveryHook = (
  records: DynamoDBRecord[],
  invoke: (records: DynamoDBRecord[]) => Promise<DynamoDBBatchResponse | undefined>,
) => Promise<DynamoDBBatchResponse | undefined>;

function toRecord(record: _Record): DynamoDBRecord {
  return {
    eventID: record.eventID,
    eventName: record.eventName as DynamoDBRecord['eventName'],
    eventSource: 'aws:dynamodb',
    eventVersion: record.eventVersion,
    awsRegion: record.awsRegion ?? 'us-east-1',
    dynamodb: record.dynamodb as DynamoDBRecord['dynamodb'],
  };
}

/**
 * Emulates a DynamoDB stream event source mapping: each shard is read in order from its start;
 * a batch is retried until it succeeds, bisected on error if configured, and after the retry limit
 * discarded (reported to `onDiscard`, the failure destination). A partial failure resumes from
 * the reported sequence number.
 */
export class StreamMapping {
  private stopped = false;
  private readonly shards = new Map<string, Promise<void>>();
  private discovery: Promise<void> | undefined;
  private readonly done = new Set<string>();

  constructor(private readonly options: StreamMappingOptions) {}

  start(): void {
    this.discovery = this.discover();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.discovery;
    await Promise.allSettled(this.shards.values());
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  /** Finds shards (new ones appear as DynamoDB Local rolls them) and reads each once its parent is done. */
  private async discover(): Promise<void> {
    while (!this.stopped) {
      try {
        const out = await this.options.streams.send(
          new DescribeStreamCommand({ StreamArn: this.options.streamArn }),
        );
        for (const shard of out.StreamDescription?.Shards ?? []) {
          const id = shard.ShardId!;
          if (this.shards.has(id)) continue;
          if (
            shard.ParentShardId &&
            this.shards.has(shard.ParentShardId) &&
            !this.done.has(shard.ParentShardId)
          )
            continue;
          this.shards.set(id, this.readShard(id));
        }
      } catch {
        // Retried on the next round.
      }
      await this.sleep(1000);
    }
  }

  private async readShard(shardId: string): Promise<void> {
    const { streams, streamArn } = this.options;
    let lastSequence: string | undefined;
    // An iterator taken on an empty shard goes stale in DynamoDB Local (TrimmedDataAccess); a fresh
    // one, after the last record delivered, resumes exactly where reading stopped.
    const freshIterator = async () =>
      (
        await streams.send(
          new GetShardIteratorCommand({
            StreamArn: streamArn,
            ShardId: shardId,
            ...(lastSequence
              ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: lastSequence }
              : { ShardIteratorType: 'TRIM_HORIZON' }),
          }),
        )
      ).ShardIterator;
    let iterator: string | undefined;
    while (!this.stopped) {
      let out: { Records?: _Record[]; NextShardIterator?: string };
      try {
        iterator ??= await freshIterator();
        if (!iterator) break;
        out = await streams.send(
          new GetRecordsCommand({ ShardIterator: iterator, Limit: this.options.batchSize }),
        );
      } catch {
        iterator = undefined;
        await this.sleep(this.options.pollIntervalMs);
        continue;
      }
      const records = (out.Records ?? []).map(toRecord);
      if (records.length) {
        const { filter } = this.options;
        // Filtered-out records are passed over without an invocation, as Lambda's filtering does.
        const accepted = filter ? records.filter(filter) : records;
        if (accepted.length) await this.deliver(accepted, shardId);
        lastSequence = records.at(-1)?.dynamodb?.SequenceNumber ?? lastSequence;
      } else await this.sleep(this.options.pollIntervalMs);
      iterator = out.NextShardIterator;
      if (!iterator) break;
    }
    this.done.add(shardId);
  }

  /** Delivers records in order, with retries, bisection and partial-failure resumption. */
  private async deliver(records: DynamoDBRecord[], shardId: string): Promise<void> {
    let pending = records;
    let attempts = 0;
    while (pending.length && !this.stopped) {
      let failedAt: number;
      let error = 'function error';
      try {
        const invoke = async (batch: DynamoDBRecord[]) =>
          (await this.options.fn.invoke({ Records: batch })) as DynamoDBBatchResponse | undefined;
        const hook = this.options.deliveryHook;
        const response = hook ? await hook(pending, invoke) : await invoke(pending);
        const first = response?.batchItemFailures?.[0]?.itemIdentifier;
        failedAt = first === undefined ? -1 : pending.findIndex((r) => r.dynamodb?.SequenceNumber === first);
      } catch (thrown) {
        failedAt = 0;
        error = String(thrown);
      }
      if (failedAt < 0) return;
      pending = pending.slice(failedAt);
      attempts++;
      if (attempts > this.options.maximumRetryAttempts) {
        this.options.onDiscard?.(pending, error, shardId);
        return;
      }
      if (this.options.bisectBatchOnError && pending.length > 1) {
        const half = Math.ceil(pending.length / 2);
        await this.deliver(pending.slice(0, half), shardId);
        pending = pending.slice(half);
        attempts = 0;
        continue;
      }
      await this.sleep(Math.min(100 * 2 ** attempts, 2000));
    }
  }
}
