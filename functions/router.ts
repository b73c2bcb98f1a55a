import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { Image } from '../sdk/backend/dynamodb/batch-codec.ts';
import { type CloudRuntime, runtimeFromEnvironment } from '../sdk/runtime/from-environment.ts';
import { routeBatches } from '../sdk/runtime/route.ts';

/**
 * The history stream's consumer: turns newly committed batches into task messages. Records are
 * routed in order; the first failure is reported so the mapping retries from there (routing is
 * idempotent, so records before it may be routed twice).
 */
export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const { store, deps } = runtimeFromEnvironment();
  try {
    return await routeRecords(event, store, deps);
  } finally {
    deps.metrics.flush();
  }
}

async function routeRecords(
  event: DynamoDBStreamEvent,
  store: CloudRuntime['store'],
  deps: CloudRuntime['deps'],
): Promise<DynamoDBBatchResponse> {
  for (const record of event.Records) {
    try {
      // Only inserts are commits; a MODIFY (e.g. the retention TTL being set) routes nothing.
      const image =
        record.eventName === 'INSERT' ? (record.dynamodb?.NewImage as Image | undefined) : undefined;
      const batch = image ? await store.batchFromStreamRecord(image) : undefined;
      if (batch) await routeBatches(deps, [batch]);
    } catch (error) {
      deps.logger('error', 'routing failed', {
        sequenceNumber: record.dynamodb?.SequenceNumber,
        error: String(error),
      });
      return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
    }
  }
  return { batchItemFailures: [] };
}
