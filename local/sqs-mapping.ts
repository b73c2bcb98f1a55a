import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { LocalFunction } from './function-host.ts';

export interface SqsMappingOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  fn: Pick<LocalFunction<SQSEvent, unknown>, 'invoke'>;
  batchSize: number;
  visibilityTimeoutSeconds: number;
  /** Concurrent batches (pollers) for this mapping. */
  pollers: number;
  /** A fault injector's hold on each delivery (chaos runs); none: the batch goes straight to `fn`. */
  deliveryHook?: SqsDeliveryHook;
}

/** One batch on its way to the function, as a {@link SqsDeliveryHook} sees it. */
export interface SqsDelivery {
  records: SQSRecord[];
  queueUrl: string;
  /** The mapping's own client (not the handlers'): for what the hook does to the queue itself. */
  sqs: SQSClient;
}

/**
 * Delivers a batch in its own way: later, twice, reordered, or with its messages made visible again
 * while the function still runs. `invoke` hands records to the function as the mapping would.
 */
export type SqsDeliveryHook = (
  delivery: SqsDelivery,
  invoke: (records: SQSRecord[]) => Promise<SQSBatchResponse | undefined>,
) => Promise<SQSBatchResponse | undefined>;

/** An SQS message as the event source mapping hands it to the function: one record of its event. */
export function toRecord(message: Message, queueArn: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      MessageGroupId: attributes.MessageGroupId,
      MessageDeduplicationId: attributes.MessageDeduplicationId,
      SequenceNumber: attributes.SequenceNumber,
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: 'us-east-1',
  };
}

/**
 * Emulates an SQS event source mapping: long-polls the queue, invokes the function with a batch,
 * deletes what succeeded, and leaves what the function reported in `batchItemFailures` (or the
 * whole batch, if the invocation failed) to reappear after the visibility timeout. After the
 * queue's maxReceiveCount the queue's redrive policy moves a message to its DLQ.
 */
export class SqsMapping {
  private stopped = false;
  private loops: Promise<void>[] = [];
  private readonly controller = new AbortController();

  constructor(private readonly options: SqsMappingOptions) {}

  start(): void {
    for (let i = 0; i < this.options.pollers; i++) this.loops.push(this.poll());
  }

  /**
   * Stops polling. `graceful`: lets the current long polls end by themselves (at most their 1 s
   * wait) and handles what they received, instead of aborting them: the emulator may already have
   * handed a message to an aborted poll, which would then stay invisible for the visibility
   * timeout (a stopped test worker's queue is polled again by the next one).
   */
  async stop(options: { graceful?: boolean } = {}): Promise<void> {
    this.stopped = true;
    if (!options.graceful) this.controller.abort();
    await Promise.allSettled(this.loops);
  }

  private async poll(): Promise<void> {
    const { sqs, queueUrl, queueArn, fn, batchSize, visibilityTimeoutSeconds, deliveryHook } = this.options;
    const invoke = async (batch: SQSRecord[]) =>
      (await fn.invoke({ Records: batch })) as SQSBatchResponse | undefined;
    while (!this.stopped) {
      let messages: Message[] = [];
      try {
        const out = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: batchSize,
            WaitTimeSeconds: 1,
            VisibilityTimeout: visibilityTimeoutSeconds,
            MessageSystemAttributeNames: ['All'],
          }),
          { abortSignal: this.controller.signal },
        );
        messages = out.Messages ?? [];
      } catch {
        if (this.stopped) return;
        await new Promise((resolve) => setTimeout(resolve, 200));
        continue;
      }
      if (messages.length === 0) continue;
      const records = messages.map((message) => toRecord(message, queueArn));
      let failed = new Set(records.map((record) => record.messageId));
      try {
        const response = deliveryHook
          ? await deliveryHook({ records, queueUrl, sqs }, invoke)
          : await invoke(records);
        failed = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
      } catch {
        // The whole batch failed: every message will be received again.
      }
      const done = records.filter((record) => !failed.has(record.messageId));
      for (let i = 0; i < done.length; i += 10) {
        const entries = done
          .slice(i, i + 10)
          .map((record, j) => ({ Id: String(j), ReceiptHandle: record.receiptHandle }));
        await sqs
          .send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }))
          .catch(() => undefined);
      }
    }
  }
}
