import { ChangeMessageVisibilityBatchCommand } from '@aws-sdk/client-sqs';
import type { DynamoDBRecord, SQSRecord } from 'aws-lambda';
import { DYNAMODB_WRITE_COMMANDS as WRITE_COMMANDS } from '../sdk/backend/dynamodb/write-commands.ts';
import { seededRandom } from '../sdk/engine/prng.ts';
import type { CloudRuntime } from '../sdk/runtime/from-environment.ts';
import type { LocalFaultHooks } from './fault-hooks.ts';
import { currentInvocation, type LocalInvocation } from './function-host.ts';
import type { SqsDelivery } from './sqs-mapping.ts';

/** The faults a {@link FaultInjector} injects, each counted when it happened. */
export const FAULT_KINDS = [
  /** An invocation dies just before one of its DynamoDB writes is sent: the write never lands. */
  'crashBeforeCommit',
  /** An invocation dies right after one of its DynamoDB writes landed, before anything it would send. */
  'crashAfterCommit',
  /** An invocation dies just before one of its SQS sends (a router, worker or start dispatching tasks). */
  'crashBeforeSend',
  /** A worker invocation dies while an activity's code runs (the code itself carries on, unheard). */
  'crashMidActivity',
  /** An SQS batch is delivered twice at once (two pollers got the same messages). */
  'duplicateMessage',
  /** An SQS batch is delivered late. */
  'delayMessage',
  /** A standard queue's batch is delivered in another order (FIFO queues keep theirs, as SQS does). */
  'reorderMessages',
  /** A batch's messages turn visible again as the function starts: redelivered while the first still runs. */
  'visibilityExpired',
  /** A stream batch is delivered twice (the mapping retried a batch that had been processed). */
  'duplicateStreamBatch',
  /** A stream batch is delivered late (the shard's iterator age grows). */
  'delayStreamBatch',
  /** A stream batch is delivered in another order (order holds per item only, not per run). */
  'reorderStreamBatch',
  /** A DynamoDB request is refused with ProvisionedThroughputExceededException (the SDK retries it). */
  'throttleDynamoDb',
  /** An S3 request is refused with SlowDown (the SDK retries it). */
  'throttleS3',
  /** A DynamoDB write lands, then its response is lost as a timeout: the SDK sends it again. */
  'ambiguousWrite',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

/** The chance of each fault where it may happen (per invocation, batch, request or activity call). */
export interface FaultRates {
  /** Per DynamoDB write or SQS send of an event-source invocation (a worker, the router, the system function) or of the API's. */
  crash: number;
  /** Per activity call. */
  crashMidActivity: number;
  /** Per SQS batch. */
  duplicateMessage: number;
  delayMessage: number;
  reorderMessages: number;
  visibilityExpired: number;
  /** Per stream batch. */
  duplicateStreamBatch: number;
  delayStreamBatch: number;
  reorderStreamBatch: number;
  /** Per AWS request made inside an invocation (first attempt only, so the SDK's retries get through). */
  throttleDynamoDb: number;
  throttleS3: number;
  /** Per DynamoDB write made inside an invocation. */
  ambiguousWrite: number;
}

export const DEFAULT_FAULT_RATES: FaultRates = {
  crash: 0.01,
  crashMidActivity: 0.02,
  duplicateMessage: 0.03,
  delayMessage: 0.05,
  reorderMessages: 0.2,
  visibilityExpired: 0.02,
  duplicateStreamBatch: 0.03,
  delayStreamBatch: 0.03,
  reorderStreamBatch: 0.2,
  throttleDynamoDb: 0.02,
  throttleS3: 0.05,
  ambiguousWrite: 0.01,
};

/** No faults at all: a baseline run. */
export const NO_FAULTS = Object.fromEntries(
  Object.keys(DEFAULT_FAULT_RATES).map((kind) => [kind, 0]),
) as unknown as FaultRates;

export interface FaultInjectorOptions {
  seed: number;
  rates?: Partial<FaultRates>;
  /** Longest injected delivery delay. @default 1500 ms */
  maxDelayMs?: number;
}

const SEND_COMMANDS = new Set(['SendMessageCommand', 'SendMessageBatchCommand']);

type Middleware = (
  next: (args: unknown) => Promise<unknown>,
  context: { commandName?: string },
) => (args: unknown) => Promise<unknown>;

const never = () => new Promise<never>(() => {});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function awsError(name: string, message: string, httpStatusCode: number): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode } });
}

/**
 * A seeded fault injector at the local stack's seams (`LocalFaultHooks`): it crashes invocations at
 * their AWS calls, duplicates, delays and reorders SQS messages and stream records, makes messages
 * visible again during work, throttles DynamoDB and S3 and times out writes that landed. Each seam
 * draws from its own generator seeded from `seed`, so a seed gives the same sequence of decisions
 * at each seam; which request a decision lands on depends on the timing of the run.
 *
 * @example
 * const faults = new FaultInjector({ seed: 1 });
 * const stack = await startLocalStack({ workers, faults: faults.hooks });
 * // ... run a workload; faults.counts says what was injected
 * faults.stop(); // quiet from now on
 */
export class FaultInjector {
  readonly counts: Record<FaultKind, number>;
  readonly rates: FaultRates;
  readonly hooks: LocalFaultHooks;
  private active = true;
  private readonly maxDelayMs: number;
  private readonly random: Record<'crash' | 'activity' | 'sqs' | 'stream' | 'aws', () => number>;
  private writeCrashes = 0;
  private readonly instrumented = new WeakSet<object>();

  constructor(options: FaultInjectorOptions) {
    this.rates = { ...DEFAULT_FAULT_RATES, ...options.rates };
    for (const [kind, rate] of Object.entries(this.rates)) {
      if (!(rate >= 0 && rate <= 1))
        throw new RangeError(`Fault rate ${kind} must be within 0..1, got ${rate}`);
    }
    this.maxDelayMs = options.maxDelayMs ?? 1500;
    this.counts = Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])) as Record<FaultKind, number>;
    const stream = (name: string) => seededRandom(`${options.seed}/${name}`);
    this.random = {
      crash: stream('crash'),
      activity: stream('activity'),
      sqs: stream('sqs'),
      stream: stream('stream'),
      aws: stream('aws'),
    };
    this.hooks = {
      sqsDelivery: (delivery, invoke) => this.deliverMessages(delivery, invoke),
      streamDelivery: (records, invoke) => this.deliverStreamRecords(records, invoke),
      instrumentRuntime: (runtime) => this.instrument(runtime),
    };
  }

  /** Injects nothing from now on (the run is draining); what is under way carries on. */
  stop(): void {
    this.active = false;
  }

  /** The seam activity code calls as it starts: may kill the invocation running it a moment later. */
  activityStarted(): void {
    const invocation = currentInvocation();
    if (!invocation || !this.chance('activity', this.rates.crashMidActivity)) return;
    const delay = Math.floor(this.random.activity() * 50);
    setTimeout(() => {
      if (invocation.killed || !this.active) return;
      this.counts.crashMidActivity++;
      invocation.kill('chaos: crashed mid-activity');
    }, delay);
  }

  private chance(seam: keyof FaultInjector['random'], rate: number): boolean {
    // Always draw, so that a decision's place in its seam's sequence does not depend on `active`.
    const draw = this.random[seam]();
    return this.active && draw < rate;
  }

  private shuffled<T>(items: T[], seam: 'sqs' | 'stream'): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(this.random[seam]() * (i + 1));
      [copy[i], copy[j]] = [copy[j], copy[i]];
    }
    return copy;
  }

  private async deliverMessages<R>(
    delivery: SqsDelivery,
    invoke: (records: SQSRecord[]) => Promise<R>,
  ): Promise<R> {
    let records = delivery.records;
    const fifo = delivery.queueUrl.endsWith('.fifo');
    if (!fifo && records.length > 1 && this.chance('sqs', this.rates.reorderMessages)) {
      this.counts.reorderMessages++;
      records = this.shuffled(records, 'sqs');
    }
    if (this.chance('sqs', this.rates.delayMessage)) {
      this.counts.delayMessage++;
      await sleep(Math.floor(this.random.sqs() * this.maxDelayMs));
    }
    if (this.chance('sqs', this.rates.visibilityExpired)) {
      this.counts.visibilityExpired++;
      // As if the work outlasted the visibility timeout: another poller receives the messages now.
      await delivery.sqs
        .send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: delivery.queueUrl,
            Entries: records.map((record, i) => ({
              Id: String(i),
              ReceiptHandle: record.receiptHandle,
              VisibilityTimeout: 0,
            })),
          }),
        )
        .catch(() => undefined);
    }
    if (this.chance('sqs', this.rates.duplicateMessage)) {
      this.counts.duplicateMessage++;
      const [first] = await Promise.all([invoke(records), invoke(records).catch(() => undefined)]);
      return first;
    }
    return invoke(records);
  }

  private async deliverStreamRecords<R extends { batchItemFailures?: unknown[] } | undefined>(
    records: DynamoDBRecord[],
    invoke: (records: DynamoDBRecord[]) => Promise<R>,
  ): Promise<R | { batchItemFailures: { itemIdentifier: string }[] }> {
    if (this.chance('stream', this.rates.delayStreamBatch)) {
      this.counts.delayStreamBatch++;
      await sleep(Math.floor(this.random.stream() * this.maxDelayMs));
    }
    if (this.chance('stream', this.rates.duplicateStreamBatch)) {
      this.counts.duplicateStreamBatch++;
      await invoke(records).catch(() => undefined);
    }
    if (records.length > 1 && this.chance('stream', this.rates.reorderStreamBatch)) {
      this.counts.reorderStreamBatch++;
      const response = await invoke(this.shuffled(records, 'stream'));
      // A failure names a record of the shuffled order; the mapping resumes in its own order, so
      // the whole batch is retried (its records are idempotent) rather than any record skipped.
      if (!response?.batchItemFailures?.length) return response;
      return { batchItemFailures: [{ itemIdentifier: records[0].dynamodb?.SequenceNumber ?? '' }] };
    }
    return invoke(records);
  }

  private instrument(runtime: CloudRuntime): void {
    if (this.instrumented.has(runtime)) return;
    this.instrumented.add(runtime);
    // Outside the SDK's retry loop: a crash ends the invocation's call for good.
    const crash: Middleware = (next, context) => async (args) => {
      const invocation = currentInvocation();
      const command = context.commandName ?? '';
      const write = WRITE_COMMANDS.has(command);
      if (!invocation || !(write || SEND_COMMANDS.has(command)) || !crashes(invocation)) return next(args);
      if (!this.chance('crash', this.rates.crash)) return next(args);
      // Writes crash before and after landing in turn, so each gets its share however few strike.
      const kind = !write
        ? 'crashBeforeSend'
        : this.writeCrashes++ % 2
          ? 'crashAfterCommit'
          : 'crashBeforeCommit';
      if (kind === 'crashAfterCommit') await next(args);
      this.counts[kind]++;
      invocation.kill(`chaos: ${kind} (${command})`);
      return never();
    };
    // Inside the SDK's retry loop (as the ambiguous-writes test places it), so what is thrown here is
    // retried like a real throttle or timeout; only a request's first attempt is touched.
    const attempted = new WeakSet<object>();
    const transient =
      (service: 'dynamodb' | 's3'): Middleware =>
      (next, context) =>
      async (args) => {
        if (!currentInvocation() || attempted.has(context)) return next(args);
        attempted.add(context);
        const command = context.commandName ?? '';
        if (service === 's3') {
          if (!this.chance('aws', this.rates.throttleS3)) return next(args);
          this.counts.throttleS3++;
          throw awsError('SlowDown', 'chaos: please reduce your request rate', 503);
        }
        if (this.chance('aws', this.rates.throttleDynamoDb)) {
          this.counts.throttleDynamoDb++;
          throw awsError(
            'ProvisionedThroughputExceededException',
            'chaos: rate of requests exceeds the allowed throughput',
            400,
          );
        }
        if (!WRITE_COMMANDS.has(command) || !this.chance('aws', this.rates.ambiguousWrite)) return next(args);
        await next(args);
        this.counts.ambiguousWrite++;
        throw Object.assign(new Error(`chaos: the response of ${command} was lost after it landed`), {
          name: 'TimeoutError',
          $metadata: {},
        });
      };
    const add = (
      client: CloudRuntime['dynamodb'] | CloudRuntime['sqs'] | CloudRuntime['s3'],
      mw: Middleware,
      step: string,
      name: string,
    ) =>
      (client.middlewareStack as { add(mw: unknown, options: object): void }).add(mw, {
        step,
        name,
        ...(step === 'deserialize' ? { priority: 'low' } : {}),
      });
    add(runtime.dynamodb, crash, 'initialize', 'chaosCrash');
    add(runtime.sqs, crash, 'initialize', 'chaosCrash');
    add(runtime.dynamodb, transient('dynamodb'), 'deserialize', 'chaosTransient');
    add(runtime.s3, transient('s3'), 'deserialize', 'chaosTransient');
  }
}

/**
 * Whether an invocation came from an event source mapping, which retries it. Synchronous ones (the
 * API, a worker's query or update request) answer a caller, who would see a crash as an error.
 */
/**
 * Whether an invocation may be crashed: one from an event source (a worker, the router, the system
 * function), or the API's (its client resends the request, which its request id makes safe: a start
 * that died between its claim, its first tasks and its first batch is the case this covers).
 */
function crashes(invocation: LocalInvocation): boolean {
  return fromEventSource(invocation) || invocation.functionName.endsWith('-api');
}

function fromEventSource(invocation: LocalInvocation): boolean {
  return Array.isArray((invocation.event as { Records?: unknown })?.Records);
}
