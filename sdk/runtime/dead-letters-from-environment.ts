import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { readStreamFailure } from '../backend/dynamodb/stream-range.ts';
import type { DeadLetterQueues } from '../backend/ports.ts';
import { SqsDeadLetterQueues } from '../backend/sqs/dead-letter-queues.ts';
import type { CloudRuntime } from './from-environment.ts';
import { traced } from './tracing.ts';

/**
 * The API function's view of the engine's dead-letter queues (`cairn dlq`). Apart from the other
 * ports because only the API reads them, and only a redrive of the router's failures needs the
 * DynamoDB Streams client: no other function's bundle carries it.
 */
export function deadLettersFromEnvironment(runtime: CloudRuntime): DeadLetterQueues {
  // The local stack points it at DynamoDB Local with AWS_ENDPOINT_URL_DYNAMODB_STREAMS.
  const streams = traced(new DynamoDBStreamsClient({ region: runtime.environment.AWS_REGION }));
  return new SqsDeadLetterQueues({
    sqs: runtime.sqs,
    queueUrl: (name) => runtime.dispatch.queueUrl(name),
    prefix: runtime.environment.CAIRN_PREFIX,
    taskQueues: runtime.deps.knownTaskQueues ?? [],
    readStreamFailure: (body) =>
      readStreamFailure(streams, body, (image) => runtime.store.batchFromStreamRecord(image)),
  });
}
