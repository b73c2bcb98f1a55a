import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type LocalOptions, TestWorkflowEnvironment } from 'cairnflow/testing';

/** Starts a local-stack environment for a test file (DynamoDB Local, SQS emulator, real handlers). */
export async function localEnv(options: LocalOptions): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({ logLevel: 'error', ...options });
}

/** Messages visible or in flight in the stack's queues (delayed watchdog timers excluded). */
export async function messagesInFlight(queueUrls: string[]): Promise<number> {
  const sqs = new SQSClient({ region: 'us-east-1', useQueueUrlAsEndpoint: false });
  let count = 0;
  for (const url of queueUrls) {
    const out = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    count +=
      Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) +
      Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
  }
  return count;
}

/** Polls `check` until it holds or `timeoutMs` passes (a deadline-bound poll, never a bare sleep). */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
