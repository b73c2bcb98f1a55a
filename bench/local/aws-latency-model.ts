/**
 * A model, not a measurement: the latency of a sequential step on AWS, from the hops the local
 * stack measured on the path between two activities and a stated cost per hop. The assumptions are
 * typical in-region figures for warm functions; change them here and the printed model follows.
 */
export const AWS_HOP_MS = {
  /** One DynamoDB conditional write (PutItem / TransactWriteItems), p50 in-region. */
  dynamoDbWrite: 10,
  /** One strongly consistent DynamoDB read (GetItem / Query). */
  dynamoDbRead: 5,
  /** A stream hop: Lambda polls a DynamoDB stream about 4 times a second, so up to ~250 ms. */
  streamPoll: 250,
  /** An SQS hop: send, then the event source mapping's long poll hands it over. */
  sqsDelivery: 30,
  /** A warm Lambda invocation's own overhead on the path. */
  invocation: 10,
} as const;

/** What lies on the path between two activities (medians of the measured windows). */
export interface StepPath {
  writes: number;
  reads: number;
  streamHops: number;
  sqsHops: number;
  invocations: number;
}

export function modelStepMs(path: StepPath): number {
  return (
    path.writes * AWS_HOP_MS.dynamoDbWrite +
    path.reads * AWS_HOP_MS.dynamoDbRead +
    path.streamHops * AWS_HOP_MS.streamPoll +
    path.sqsHops * AWS_HOP_MS.sqsDelivery +
    path.invocations * AWS_HOP_MS.invocation
  );
}

/**
 * A sequential workflow of `steps` trivial activities: the start (as measured from the start
 * request to the first activity's start: the claim and the first batch, the first workflow task's
 * message, and its invocation), then `steps` steps, the last of which commits the close with its
 * outcome. The client's wait for the result is left out.
 */
export function modelWorkflowMs(steps: number, step: StepPath, start: StepPath): number {
  return modelStepMs(start) + steps * modelStepMs(step);
}

/** A path's hops, as words. */
export function describePath(path: StepPath): string {
  return `${path.writes} writes, ${path.reads} reads, ${path.streamHops} stream hops, ${path.sqsHops} SQS hops, ${path.invocations} invocations`;
}

export function describeModel(): string {
  const h = AWS_HOP_MS;
  return `per hop: DynamoDB write ${h.dynamoDbWrite} ms, read ${h.dynamoDbRead} ms, stream poll ${h.streamPoll} ms, SQS delivery ${h.sqsDelivery} ms, warm invocation ${h.invocation} ms`;
}
