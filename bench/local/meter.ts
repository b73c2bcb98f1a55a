import { AsyncLocalStorage } from 'node:async_hooks';
import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import type { SQSBatchResponse } from 'aws-lambda';
import type { LocalStack } from '../../local/stack.ts';
import { MAX_SQS_DELAY_SECONDS } from '../../sdk/backend/definitions.ts';
import type { PurposeUsage, WritePurpose } from '../../sdk/backend/dynamodb/metered-client.ts';
import { DYNAMODB_WRITE_COMMANDS as WRITE_COMMANDS } from '../../sdk/backend/dynamodb/write-commands.ts';
import type { DispatchItem } from '../../sdk/backend/ports.ts';
import { nowMs } from '../measure.ts';

/** DynamoDB operations that read (the writes: `DYNAMODB_WRITE_COMMANDS`). */
const READ_COMMANDS = new Set([
  'GetItemCommand',
  'QueryCommand',
  'ScanCommand',
  'BatchGetItemCommand',
  'TransactGetItemsCommand',
]);

/** SQS's DeleteMessageBatch takes at most 10 receipt handles. */
const SQS_BATCH = 10;

/** Running totals of everything a step costs, as one snapshot. */
export interface Counters {
  /** DynamoDB requests through the runtime's client (the one every handler shares). */
  ddbWriteRequests: number;
  ddbReadRequests: number;
  /**
   * Capacity DynamoDB reported (`ReturnConsumedCapacity`): the history store's, plus that of every
   * other call on the runtime's client (the dispatch adapter's due-time index), which the meter asks
   * DynamoDB for itself; the once-a-minute sweeper's calls are a fixed cost and left out.
   */
  writeUnits: number;
  readUnits: number;
  /** The part of `writeUnits` and `readUnits` outside the history store. */
  otherWriteUnits: number;
  otherReadUnits: number;
  /** The history store's capacity and requests by what it wrote for (start, append, close, retention, records). */
  byPurpose: Partial<Record<WritePurpose, PurposeUsage>>;
  s3Puts: number;
  s3Gets: number;
  /** SendMessageBatch requests (each ≤ 10 messages, all well under 64 KB here) and their messages. */
  sqsSends: number;
  messages: number;
  /**
   * Tasks dispatched, by what they carry: `activity`, `workflow`, `system:<op>`; `(delayed)` if due
   * later, `(parked)` if due past SQS's 15-minute delay (a due-time index item, not a message).
   */
  messagesByKind: Record<string, number>;
  /** Non-empty ReceiveMessage calls: one per SQS-triggered invocation (see {@link StackMeter}). */
  sqsReceives: number;
  /** DeleteMessageBatch calls: one per started 10 messages an invocation handled successfully. */
  sqsDeletes: number;
  /** Invocations and billed milliseconds (each invocation rounded up to 1 ms), by function name. */
  invocations: Record<string, number>;
  billedMs: Record<string, number>;
}

/** One entry of the recorded timeline, for the hop analysis. */
export interface TimelineEntry {
  t: number;
  kind: 'invokeStart' | 'invokeEnd' | 'writeDone';
  fn?: string;
}

/** What a window costs: `after - before`, field by field. */
export function diff(after: Counters, before: Counters): Counters {
  const subtract = (a: Record<string, number>, b: Record<string, number>) =>
    Object.fromEntries(Object.keys(a).map((key) => [key, a[key]! - (b[key] ?? 0)]));
  return {
    ddbWriteRequests: after.ddbWriteRequests - before.ddbWriteRequests,
    ddbReadRequests: after.ddbReadRequests - before.ddbReadRequests,
    writeUnits: after.writeUnits - before.writeUnits,
    readUnits: after.readUnits - before.readUnits,
    otherWriteUnits: after.otherWriteUnits - before.otherWriteUnits,
    otherReadUnits: after.otherReadUnits - before.otherReadUnits,
    byPurpose: Object.fromEntries(
      Object.entries(after.byPurpose).map(([purpose, usage]) => {
        const was = before.byPurpose[purpose as WritePurpose];
        const minus = (key: keyof PurposeUsage) => usage[key] - (was?.[key] ?? 0);
        return [
          purpose,
          {
            writeUnits: minus('writeUnits'),
            writeRequests: minus('writeRequests'),
            readUnits: minus('readUnits'),
            readRequests: minus('readRequests'),
          },
        ];
      }),
    ),
    s3Puts: after.s3Puts - before.s3Puts,
    s3Gets: after.s3Gets - before.s3Gets,
    sqsSends: after.sqsSends - before.sqsSends,
    messages: after.messages - before.messages,
    messagesByKind: subtract(after.messagesByKind, before.messagesByKind),
    sqsReceives: after.sqsReceives - before.sqsReceives,
    sqsDeletes: after.sqsDeletes - before.sqsDeletes,
    invocations: subtract(after.invocations, before.invocations),
    billedMs: subtract(after.billedMs, before.billedMs),
  };
}

export function totalInvocations(counters: Counters, exclude: (fn: string) => boolean = () => false): number {
  return Object.entries(counters.invocations)
    .filter(([fn]) => !exclude(fn))
    .reduce((sum, [, count]) => sum + count, 0);
}

/** "activity 1 + system:activityTimeout (delayed) 1", scaled by `per`; kinds that did not occur left out. */
export function describeKinds(byKind: Record<string, number>, per = 1, digits = 0): string {
  return (
    Object.entries(byKind)
      .filter(([, count]) => count > 0)
      .map(([kind, count]) => `${kind} ${(count / per).toFixed(digits)}`)
      .join(' + ') || 'none'
  );
}

export function sqsRequests(counters: Counters): number {
  return counters.sqsSends + counters.sqsReceives + counters.sqsDeletes;
}

interface SqsLikeEvent {
  Records?: { eventSource?: string; attributes?: { SentTimestamp?: string } }[];
}

/**
 * Meters a running local stack without touching it: wraps each hosted function (`LocalFunction.
 * intercept`) to count invocations and time them, and adds a middleware to the runtime's DynamoDB
 * client (the one every handler shares) to count requests by kind. Capacity units, S3 requests and
 * SQS sends come from the runtime's own counters (`store.capacity`, `dispatch.requests`).
 *
 * SQS receives and deletes are made by the local event source mapping (`local/sqs-mapping.ts`),
 * which counts nothing, so they are derived from what the mapping hands the function, exactly as
 * it works: each SQS-triggered invocation follows one ReceiveMessage that returned its records, and
 * is followed by one DeleteMessageBatch per started 10 records that did not fail. Receives that
 * return nothing (pollers idling) are not per-step costs and are not counted; in the cloud Lambda's
 * pollers make them at a fixed rate per queue whatever the load.
 */
export class StackMeter {
  private ddbWriteRequests = 0;
  private ddbReadRequests = 0;
  private otherWriteUnits = 0;
  private otherReadUnits = 0;
  /** The hosted function whose invocation is running, for calls that must be told apart by it. */
  private readonly invocationOf = new AsyncLocalStorage<string>();
  private sqsReceives = 0;
  private sqsDeletes = 0;
  private readonly messagesByKind: Record<string, number> = {};
  private readonly invocations: Record<string, number> = {};
  private readonly billedMs: Record<string, number> = {};
  /** Per function: ms from a message's send to the start of the invocation handling it. */
  private readonly dwell: Record<string, number[]> = {};
  private running = 0;
  private lastActivity = nowMs();
  /** Set to an array to record a timeline; unset to stop. */
  timeline: TimelineEntry[] | undefined;

  constructor(private readonly stack: LocalStack) {
    for (const [name, fn] of stack.functions) {
      this.invocations[name] = 0;
      this.billedMs[name] = 0;
      fn.intercept((handler) => async (event, context) => {
        const started = nowMs();
        this.running++;
        this.invocations[name]!++;
        const records = (event as SqsLikeEvent).Records;
        const fromSqs = records?.[0]?.eventSource === 'aws:sqs';
        if (fromSqs) {
          this.sqsReceives++;
          const now = Date.now();
          const dwell = (this.dwell[name] ??= []);
          for (const record of records!) dwell.push(now - Number(record.attributes?.SentTimestamp ?? now));
        }
        this.timeline?.push({ t: started, kind: 'invokeStart', fn: name });
        let failed = records?.length ?? 0;
        try {
          const response = await this.invocationOf.run(name, () => handler(event, context));
          failed = (response as SQSBatchResponse | undefined)?.batchItemFailures?.length ?? 0;
          return response;
        } finally {
          const ended = nowMs();
          this.running--;
          this.lastActivity = ended;
          this.billedMs[name]! += Math.max(1, Math.ceil(ended - started));
          if (fromSqs) this.sqsDeletes += Math.ceil((records!.length - failed) / SQS_BATCH);
          this.timeline?.push({ t: ended, kind: 'invokeEnd', fn: name });
        }
      });
    }
    // Classifies what is dispatched, then hands it on unchanged (the adapter counts the requests).
    const { dispatch } = stack.runtime;
    const send = dispatch.dispatch.bind(dispatch);
    dispatch.dispatch = (items: DispatchItem[]) => {
      const now = Date.now();
      for (const { task, dueTime } of items) {
        // Past SQS's longest delay a task is no message but a due-time index item (`other` WCU).
        const delay = (dueTime ?? 0) - now;
        const when = delay > MAX_SQS_DELAY_SECONDS * 1000 ? ' (parked)' : delay > 0 ? ' (delayed)' : '';
        const kind = `${task.kind === 'system' ? `system:${task.op.type}` : task.kind}${when}`;
        this.messagesByKind[kind] = (this.messagesByKind[kind] ?? 0) + 1;
      }
      return send(items);
    };
    stack.runtime.dynamodb.middlewareStack.add(
      (next, context) => async (args) => {
        const command = context.commandName ?? '';
        const writes = WRITE_COMMANDS.has(command);
        const reads = READ_COMMANDS.has(command);
        if (writes) this.ddbWriteRequests++;
        else if (reads) this.ddbReadRequests++;
        // A call that does not ask for its capacity (the history store always does) is priced too.
        const input = args.input as { ReturnConsumedCapacity?: string };
        const unmetered = (writes || reads) && input.ReturnConsumedCapacity === undefined;
        if (unmetered) input.ReturnConsumedCapacity = 'TOTAL';
        const output = await next(args);
        if (unmetered && !this.invocationOf.getStore()?.endsWith('-sweeper')) {
          const consumed = (output.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] })
            .ConsumedCapacity;
          const units = [consumed ?? []].flat().reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0);
          if (writes) this.otherWriteUnits += units;
          else this.otherReadUnits += units;
        }
        if (writes) this.timeline?.push({ t: nowMs(), kind: 'writeDone' });
        return output;
      },
      { step: 'initialize', name: 'benchRequestCounter' },
    );
  }

  snapshot(): Counters {
    const { capacity } = this.stack.runtime.store;
    const { requests } = this.stack.runtime.dispatch;
    return {
      ddbWriteRequests: this.ddbWriteRequests,
      ddbReadRequests: this.ddbReadRequests,
      writeUnits: capacity.writeUnits + this.otherWriteUnits,
      readUnits: capacity.readUnits + this.otherReadUnits,
      otherWriteUnits: this.otherWriteUnits,
      otherReadUnits: this.otherReadUnits,
      byPurpose: Object.fromEntries(
        Object.entries(capacity.byPurpose ?? {}).map(([purpose, usage]) => [purpose, { ...usage }]),
      ),
      s3Puts: capacity.s3Puts,
      s3Gets: capacity.s3Gets,
      sqsSends: requests.sendBatches,
      messages: requests.messages,
      messagesByKind: { ...this.messagesByKind },
      sqsReceives: this.sqsReceives,
      sqsDeletes: this.sqsDeletes,
      invocations: { ...this.invocations },
      billedMs: { ...this.billedMs },
    };
  }

  /**
   * The message dwell times recorded since the last call, by function, and forgets them: send →
   * handler start, so SQS delivery plus any wait for one of the function's concurrency slots (and
   * a delayed message's delay).
   */
  takeDwellMs(): Record<string, number[]> {
    const taken = { ...this.dwell };
    for (const name of Object.keys(this.dwell)) delete this.dwell[name];
    return taken;
  }

  /** Milliseconds since the last invocation ended, or 0 while one runs. */
  idleMs(): number {
    return this.running > 0 ? 0 : nowMs() - this.lastActivity;
  }
}
