import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { SYSTEM_QUEUE } from '../backend/definitions.ts';
import type { DispatchItem } from '../backend/ports.ts';
import { parseTaskMessage } from '../backend/sqs/task-message.ts';
import type { Logger } from '../runtime/deps.ts';

const describeError = (error: unknown) =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/** Receives before a queue's redrive policy dead-letters a message (the same for every queue). */
const MAX_RECEIVE_COUNT = SYSTEM_QUEUE.maxReceiveCount;

/**
 * Runs an SQS batch the way the event source mapping expects: each message parsed and handled,
 * failures reported as `batchItemFailures` (redelivered after the visibility timeout, then
 * dead-lettered). Messages of one FIFO message group run in order, and once one fails the rest of
 * its group is reported failed too, so the group's order survives the retry. Different groups run
 * concurrently.
 */
export async function processSqsBatch(
  event: SQSEvent,
  handle: (item: DispatchItem, record: SQSRecord) => Promise<void>,
  logger: Logger,
  onLastReceive?: (item: DispatchItem, error: unknown) => Promise<void>,
): Promise<SQSBatchResponse> {
  const groups = new Map<string, SQSRecord[]>();
  for (const record of event.Records) {
    const group = record.attributes.MessageGroupId ?? record.messageId;
    groups.set(group, [...(groups.get(group) ?? []), record]);
  }
  const failures: string[] = [];
  await Promise.all(
    [...groups.values()].map(async (records) => {
      for (let i = 0; i < records.length; i++) {
        const record = records[i]!;
        let item: DispatchItem | undefined;
        try {
          item = parseTaskMessage(record.body);
          await handle(item, record);
        } catch (error) {
          // The queue's redrive policy moves the message to its DLQ after this receive: say why on the run.
          if (
            item &&
            Number(record.attributes.ApproximateReceiveCount) >= MAX_RECEIVE_COUNT &&
            onLastReceive
          ) {
            // The message reaches its DLQ either way; a run that cannot be told why must be in the log.
            await onLastReceive(item, error).catch((recordError: unknown) =>
              logger('error', 'could not record a dead-lettered task on its run', {
                messageId: record.messageId,
                kind: item?.task.kind,
                workflowId: item?.task.ref.workflowId,
                runId: item?.task.ref.runId,
                taskError: describeError(error),
                error: describeError(recordError),
              }),
            );
          }
          logger('warn', 'task failed; it will be redelivered', {
            messageId: record.messageId,
            receiveCount: record.attributes.ApproximateReceiveCount,
            error: describeError(error),
          });
          for (const rest of records.slice(i)) failures.push(rest.messageId);
          return;
        }
      }
    }),
  );
  return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
}
