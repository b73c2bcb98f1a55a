/**
 * Public on-demand prices, us-east-1, as of November 2024 (DynamoDB on-demand after its
 * 1 November 2024 reduction; the Lambda, SQS and S3 prices are unchanged since). Free tiers are
 * ignored; storage (history kept for the retention period) is not a per-step cost and is left out.
 */
export const PRICES = {
  asOf: 'November 2024, us-east-1, on-demand, free tiers ignored',
  /** DynamoDB on-demand: USD per write request unit (1 KB; transactional writes take 2 per KB). */
  dynamoDbWriteUnit: 0.625 / 1e6,
  /** DynamoDB on-demand: USD per read request unit (4 KB strongly consistent read). */
  dynamoDbReadUnit: 0.125 / 1e6,
  /**
   * SQS standard queues: USD per request (each 64 KB chunk of a request's payload is one request).
   * The workflow-task queues are FIFO ($0.50 per million), but they carry only the first workflow
   * task of each run here (the rest run on the worker's fast path), so pricing every request at the
   * standard rate understates the total by far less than 1 %.
   */
  sqsRequest: 0.4 / 1e6,
  /** Lambda arm64: USD per ms at 1 GB ($0.0000133334 per GB-second), and per request. */
  lambdaArmPerGbMs: 0.0000000133,
  lambdaRequest: 0.2 / 1e6,
  /** S3 Standard: USD per PUT (and POST, COPY, LIST) request and per GET request. */
  s3Put: 0.005 / 1000,
  s3Get: 0.0004 / 1000,
  /** Reads of a DynamoDB stream by a Lambda event source mapping are free. */
  dynamoDbStreamReadByLambda: 0,
} as const;

/**
 * Memory (MB) of each function as the CDK constructs configure it: `lib/engine.ts` (API 1024,
 * router 512, system 512, sweeper 256) and `lib/worker.ts` (worker default 1024). Every Cairn
 * function is arm64 (`lib/cairn-function.ts`).
 */
export function configuredMemoryMb(functionName: string): number {
  if (functionName.endsWith('-api')) return 1024;
  if (functionName.endsWith('-router')) return 512;
  if (functionName.endsWith('-system')) return 512;
  if (functionName.endsWith('-sweeper')) return 256;
  if (functionName.includes('-worker-')) return 1024;
  throw new Error(`No configured memory known for function ${functionName}`);
}
