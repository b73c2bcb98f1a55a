import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBRecord } from 'aws-lambda';

/**
 * What Lambda sends a stream mapping's on-failure destination for a batch it gave up on (AWS
 * Lambda, "on-failure destinations" of stream event sources): where the records are, not the
 * records. The local stack adds the error it saw when the invocation threw (`cairnError`).
 */
export function streamFailureRecord(
  records: DynamoDBRecord[],
  error: string,
  shardId: string,
  streamArn: string,
  functionName: string,
) {
  const arrival = (record: DynamoDBRecord | undefined) =>
    new Date((record?.dynamodb?.ApproximateCreationDateTime ?? Date.now() / 1000) * 1000).toISOString();
  return {
    requestContext: {
      requestId: crypto.randomUUID(),
      functionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
      condition: 'RetryAttemptsExhausted',
    },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    version: '1.0',
    timestamp: new Date().toISOString(),
    DDBStreamBatchInfo: {
      shardId,
      startSequenceNumber: records[0]?.dynamodb?.SequenceNumber ?? '0',
      endSequenceNumber: records.at(-1)?.dynamodb?.SequenceNumber ?? '0',
      approximateArrivalOfFirstRecord: arrival(records[0]),
      approximateArrivalOfLastRecord: arrival(records.at(-1)),
      batchSize: records.length,
      streamArn,
    },
    ...(error !== 'function error' && { cairnError: error }),
  };
}

/** Sends a failed stream batch's record to the failure destination queue, as Lambda does. */
export async function sendStreamFailure(
  sqs: SQSClient,
  queueUrl: string,
  record: ReturnType<typeof streamFailureRecord>,
): Promise<void> {
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(record) }));
}
