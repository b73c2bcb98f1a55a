import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { Image } from '../sdk/backend/dynamodb/batch-codec.ts';
import type { CommittedBatch } from '../sdk/backend/ports.ts';
import { type CloudRuntime, runtimeFromEnvironment } from '../sdk/runtime/from-environment.ts';
import { routeBatches } from '../sdk/runtime/route.ts';

/**
 * The history stream's consumer: turns newly committed batches into task messages. The records'
 * batches are routed together, so the tasks of many commits share SendMessageBatch requests; if
 * that fails, they are routed one by one, in order, and the first failure is reported so the
 * mapping retries from there (routing is idempotent, so records before it may be routed twice).
 */
export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const { store, deps } = runtimeFromEnvironment();
  try {
    return await routeRecords(event, store, deps);
  } finally {
    deps.metrics.flush();
  }
}

type Decoded = { sequenceNumber: string; batch: CommittedBatch | undefined };

async function routeRecords(
  event: DynamoDBStreamEvent,
  store: CloudRuntime['store'],
  deps: CloudRuntime['deps'],
): Promise<DynamoDBBatchResponse> {
  const decoded: Decoded[] = [];
  for (const record of event.Records) {
    const sequenceNumber = record.dynamodb?.SequenceNumber ?? '';
    try {
      // Only inserts are commits; a MODIFY (e.g. the retention TTL being set) routes nothing.
      const image =
        record.eventName === 'INSERT' ? (record.dynamodb?.NewImage as Image | undefined) : undefined;
      decoded.push({ sequenceNumber, batch: image ? await store.batchFromStreamRecord(image) : undefined });
    } catch (error) {
      // Route what came before it; the mapping retries from this record.
      return (await routeDecoded(decoded, deps)) ?? failure(deps, sequenceNumber, error);
    }
  }
  return (await routeDecoded(decoded, deps)) ?? { batchItemFailures: [] };
}

/** Routes decoded records; answers the mapping's failure response, or undefined when all were routed. */
async function routeDecoded(
  decoded: Decoded[],
  deps: CloudRuntime['deps'],
): Promise<DynamoDBBatchResponse | undefined> {
  const batches = decoded.flatMap(({ batch }) => (batch ? [batch] : []));
  if (batches.length === 0) return undefined;
  try {
    await routeBatches(deps, batches);
    return undefined;
  } catch {
    // Find the record that fails, in order, so the mapping retries from it and not from the first.
    for (const { sequenceNumber, batch } of decoded) {
      try {
        if (batch) await routeBatches(deps, [batch]);
      } catch (error) {
        return failure(deps, sequenceNumber, error);
      }
    }
    return undefined;
  }
}

function failure(deps: CloudRuntime['deps'], sequenceNumber: string, error: unknown): DynamoDBBatchResponse {
  deps.logger('error', 'routing failed', { sequenceNumber, error: String(error) });
  return { batchItemFailures: [{ itemIdentifier: sequenceNumber }] };
}
