import {
  type _Record,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import * as z from 'zod';
import { InvalidArgumentError } from '../../common/errors.ts';
import type { CommittedBatch, StreamFailureRecord } from '../ports.ts';
import type { Image } from './batch-codec.ts';

/**
 * What Lambda sends a stream mapping's on-failure destination for a batch it gave up on: where the
 * records are, not the records (AWS Lambda, "Retaining records of asynchronous invocations").
 * The local stack sends the same shape, plus the error it saw (`cairnError`).
 */
export const streamFailureSchema = z.object({
  requestContext: z.object({ condition: z.string().optional() }).loose().optional(),
  responseContext: z.object({ functionError: z.string().optional() }).loose().optional(),
  timestamp: z.string().optional(),
  DDBStreamBatchInfo: z.object({
    shardId: z.string().min(1),
    startSequenceNumber: z.string().min(1),
    endSequenceNumber: z.string().min(1),
    batchSize: z.number().int().positive(),
    streamArn: z.string().min(1),
  }),
  cairnError: z.string().optional(),
});
export type StreamFailure = z.output<typeof streamFailureSchema>;

/** The error names with which DynamoDB Streams says records (or their shard) are gone. */
const GONE = new Set(['TrimmedDataAccessException', 'ResourceNotFoundException', 'ExpiredIteratorException']);

/** Most GetRecords calls spent on one failed batch, and records asked for per call. */
const MAX_READS = 20;
const READ_LIMIT = 100;

/**
 * The committed batches of a failed stream batch, read back from its shard between its first and
 * last sequence numbers; undefined when the stream no longer holds them.
 */
export async function readStreamRange(
  streams: DynamoDBStreamsClient,
  info: StreamFailure['DDBStreamBatchInfo'],
  decode: (image: Image) => Promise<CommittedBatch | undefined>,
): Promise<CommittedBatch[] | undefined> {
  const end = BigInt(info.endSequenceNumber);
  const records: _Record[] = [];
  try {
    let iterator = (
      await streams.send(
        new GetShardIteratorCommand({
          StreamArn: info.streamArn,
          ShardId: info.shardId,
          ShardIteratorType: 'AT_SEQUENCE_NUMBER',
          SequenceNumber: info.startSequenceNumber,
        }),
      )
    ).ShardIterator;
    for (let reads = 0; iterator && reads < MAX_READS; reads++) {
      const out = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: READ_LIMIT }));
      const page = out.Records ?? [];
      const inRange = page.filter((r) => BigInt(r.dynamodb?.SequenceNumber ?? '0') <= end);
      records.push(...inRange);
      // The range may hold more records than the batch did: the mapping's filter left some out.
      if (inRange.length < page.length) break;
      // An open shard answers an empty page at its tip: nothing more is coming for this range.
      if (!page.length) break;
      iterator = out.NextShardIterator;
    }
  } catch (error) {
    if (GONE.has((error as { name?: string }).name ?? '')) return undefined;
    throw error;
  }
  if (!records.length) return undefined;
  const batches: CommittedBatch[] = [];
  for (const record of records) {
    // Only inserts are commits (the router's rule, functions/router.ts).
    const image =
      record.eventName === 'INSERT' ? (record.dynamodb?.NewImage as Image | undefined) : undefined;
    const batch = image ? await decode(image) : undefined;
    if (batch) batches.push(batch);
  }
  return batches;
}

/** Reads a router failure message: why it was set aside, and its batches (see `readStreamRange`). */
export async function readStreamFailure(
  streams: DynamoDBStreamsClient,
  body: string,
  decode: (image: Image) => Promise<CommittedBatch | undefined>,
): Promise<StreamFailureRecord> {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new InvalidArgumentError('Router failure message is not JSON');
  }
  const parsed = streamFailureSchema.safeParse(json);
  if (!parsed.success)
    throw new InvalidArgumentError(
      `Router failure message is not a stream batch record: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
    );
  const failure = parsed.data;
  const condition = failure.requestContext?.condition ?? 'RetryAttemptsExhausted';
  const functionError = failure.responseContext?.functionError;
  const reason =
    `The router failed on these stream records on every retry (${condition}` +
    `${functionError ? `, function error ${functionError}` : ''})` +
    `${failure.cairnError ? `: ${failure.cairnError}` : ''}`;
  const failedTime = failure.timestamp ? Date.parse(failure.timestamp) : undefined;
  return {
    reason,
    failedTime: Number.isFinite(failedTime) ? failedTime : undefined,
    batches: await readStreamRange(streams, failure.DDBStreamBatchInfo, decode),
  };
}
