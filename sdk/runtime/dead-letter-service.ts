import type { CommittedBatch, DispatchItem, ParkedMessage, ParkingQueue, RunRef } from '../backend/ports.ts';
import { InvalidArgumentError } from '../common/errors.ts';
import {
  type DeadLetter,
  type DeadLetterFilter,
  type DeadLetterPage,
  deadLetterFilterSchema,
  type RedriveResult,
} from '../common/wire/dead-letters.ts';
import type { RuntimeDeps } from './deps.ts';
import { routeBatches } from './route.ts';

/**
 * `cairn dlq list|redrive`: work set aside in the engine's dead-letter queues and the router's
 * failure destination, with its reason, and putting it back (as Step Functions' and SQS's redrive
 * do). A listed message is received and made visible again; its reason is the failure its run
 * recorded when it was dead-lettered (`dead-letter.ts`), or what the failure destination says.
 */

/** How long a message read by a list or redrive stays invisible before it is released (or moved). */
const HOLD_SECONDS = 30;
/** Most messages one request receives, matching or not: a request stays bounded in time. */
const MAX_SCAN = 500;

type Filter = ReturnType<typeof deadLetterFilterSchema.parse>;
type Deps = Pick<
  RuntimeDeps,
  'deadLetters' | 'store' | 'dispatch' | 'clock' | 'logger' | 'metrics' | 'knownTaskQueues' | 'retentionMs'
>;

function parseFilter(input: DeadLetterFilter | undefined): Filter {
  const parsed = deadLetterFilterSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidArgumentError(`Dead-letter filter: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  return parsed.data;
}

function selectQueues(deps: Deps, queue: string | undefined): ParkingQueue[] {
  const all = deps.deadLetters?.queues() ?? [];
  if (queue === undefined) return all;
  const match = all.find((q) => q.id === queue || q.name === queue);
  if (!match) {
    const known = all.map((q) => q.id).join(', ');
    throw new InvalidArgumentError(
      known
        ? `Unknown queue '${queue}'; the engine's dead-letter queues are: ${known}`
        : `Unknown queue '${queue}': this engine has no queues (time skipping), so nothing is set aside`,
    );
  }
  return [match];
}

/** The event a task is for: its scheduled or initiated event. */
function eventIdOf(item: DispatchItem): number | undefined {
  const { task } = item;
  if (task.kind !== 'system') return task.scheduledEventId;
  const op = task.op as Record<string, unknown>;
  for (const key of ['scheduledEventId', 'startedEventId', 'initiatedEventId'])
    if (typeof op[key] === 'number') return op[key] as number;
  return undefined;
}

const matches = (
  filter: Filter,
  namespace: string,
  ref: Pick<RunRef, 'namespace' | 'workflowId' | 'runId'>,
) =>
  ref.namespace === namespace &&
  (filter.workflowId === undefined || ref.workflowId === filter.workflowId) &&
  (filter.runId === undefined || ref.runId === filter.runId);

/** A parked message as the list shows it (none: not this namespace's, or not matching the filter). */
interface Described {
  entries: DeadLetter[];
  /** A router failure's batches; undefined when the stream no longer holds them. */
  batches?: CommittedBatch[];
}

async function describeTask(deps: Deps, namespace: string, filter: Filter, message: ParkedMessage) {
  const item = message.item;
  if (!item || !matches(filter, namespace, item.task.ref)) return { entries: [] };
  const { ref } = item.task;
  const failure = await deps.store.getWorkflowTaskFailure(ref.namespace, ref.runId);
  const deadLettered = failure?.cause === 'DeadLettered';
  const entry: DeadLetter = {
    queue: message.queue.id,
    sourceQueue: message.queue.sourceId,
    messageId: message.messageId,
    kind: item.task.kind,
    workflowId: ref.workflowId,
    runId: ref.runId,
    eventId: eventIdOf(item),
    taskQueue: item.task.kind === 'system' ? undefined : item.task.taskQueue,
    operation: item.task.kind === 'system' ? item.task.op.type : undefined,
    attempt: item.task.kind === 'activity' ? item.task.attempt : undefined,
    receiveCount: message.receiveCount,
    sentTime: message.sentTime,
    deadLetteredTime: deadLettered ? failure.time : undefined,
    reason: deadLettered
      ? failure.failure.message
      : failure
        ? `${failure.cause}: ${failure.failure.message}`
        : 'The run records no failure for it: its handler may have timed out or crashed on every receive, or the run closed since (see the function logs)',
  };
  return { entries: [entry] };
}

async function describeStreamFailure(
  deps: Deps,
  namespace: string,
  filter: Filter,
  message: ParkedMessage,
): Promise<Described> {
  const record = await deps.deadLetters!.readStreamFailure(message);
  const base = {
    queue: message.queue.id,
    messageId: message.messageId,
    kind: 'stream' as const,
    receiveCount: message.receiveCount,
    sentTime: message.sentTime,
    deadLetteredTime: record.failedTime,
  };
  if (!record.batches) {
    // Which runs it concerned is gone with the records; only an unfiltered look shows it.
    if (filter.workflowId !== undefined || filter.runId !== undefined) return { entries: [] };
    return {
      entries: [
        {
          ...base,
          reason: `${record.reason}. The stream no longer holds these records (DynamoDB keeps them 24 hours)`,
        },
      ],
    };
  }
  const entries = record.batches
    .filter((batch) => matches(filter, namespace, batch))
    .map((batch) => ({
      ...base,
      workflowId: batch.workflowId,
      runId: batch.runId,
      eventId: batch.events[0]?.eventId,
      taskQueue: batch.taskQueue,
      reason: record.reason,
    }));
  return { entries, batches: record.batches };
}

function describe(deps: Deps, namespace: string, filter: Filter, message: ParkedMessage): Promise<Described> {
  return message.queue.sourceId
    ? describeTask(deps, namespace, filter, message)
    : describeStreamFailure(deps, namespace, filter, message);
}

/**
 * Walks the parking queues: receives each queue's messages (held invisible for the walk) and hands
 * each to `visit`, which says whether it keeps the message (to be made visible again). Stops once
 * `enough()` or after `MAX_SCAN` messages; answers whether it stopped with messages left unread.
 */
async function walk(
  deps: Deps,
  queues: ParkingQueue[],
  enough: () => boolean,
  visit: (message: ParkedMessage) => Promise<'keep' | 'gone'>,
): Promise<boolean> {
  let scanned = 0;
  for (const queue of queues) {
    const held: ParkedMessage[] = [];
    try {
      for (;;) {
        if (enough() || scanned >= MAX_SCAN) return true;
        const batch = await deps.deadLetters!.receive(queue, 10, HOLD_SECONDS);
        if (!batch.length) break;
        scanned += batch.length;
        for (const message of batch) {
          if (enough()) held.push(message);
          else if ((await visit(message)) === 'keep') held.push(message);
        }
      }
    } finally {
      await deps.deadLetters!.release(held);
    }
  }
  return false;
}

/** Lists what waits in the dead-letter queues for `namespace`, with why, up to `limit` messages. */
export async function listDeadLetters(
  deps: Deps,
  namespace: string,
  input?: DeadLetterFilter,
): Promise<DeadLetterPage> {
  const filter = parseFilter(input);
  const queues = selectQueues(deps, filter.queue);
  const deadLetters: DeadLetter[] = [];
  const truncated = await walk(
    deps,
    queues,
    () => deadLetters.length >= filter.limit,
    async (message) => {
      const { entries } = await describe(deps, namespace, filter, message);
      deadLetters.push(...entries);
      return 'keep';
    },
  );
  return { deadLetters: deadLetters.slice(0, filter.limit), queues: queues.map((q) => q.id), truncated };
}

/** Clears a run's dead-letter mark (`describe`), now that its task is back on its queue. */
async function clearDeadLetterMark(deps: Deps, ref: RunRef): Promise<void> {
  const failure = await deps.store.getWorkflowTaskFailure(ref.namespace, ref.runId);
  if (failure?.cause === 'DeadLettered')
    await deps.store.setWorkflowTaskFailure(ref.namespace, ref.runId, null);
}

/**
 * Puts set-aside work of `namespace` back: a DLQ message goes back to its source queue (and its
 * run's dead-letter mark is cleared); a router failure's records are routed again, read back from
 * the stream (routing is idempotent on run and event id, so a batch routed twice is harmless).
 * Up to `limit` messages; what cannot be put back stays, listed in `skipped` with why.
 */
export async function redriveDeadLetters(
  deps: Deps,
  namespace: string,
  input?: DeadLetterFilter,
): Promise<RedriveResult> {
  const filter = parseFilter(input);
  const queues = selectQueues(deps, filter.queue);
  const redriven: DeadLetter[] = [];
  const skipped: DeadLetter[] = [];
  const truncated = await walk(
    deps,
    queues,
    () => redriven.length >= filter.limit,
    async (message) => {
      const { entries, batches } = await describe(deps, namespace, filter, message);
      if (!entries.length) return 'keep';
      if (message.item) {
        await deps.deadLetters!.returnToSource(message);
        await clearDeadLetterMark(deps, message.item.task.ref);
      } else {
        if (!batches) {
          skipped.push(...entries);
          return 'keep';
        }
        // Every record the failure names is routed again, as the mapping would have: other runs' too.
        await routeBatches(deps, batches);
        await deps.deadLetters!.remove(message);
      }
      deps.logger('info', 'dead letter redriven', {
        queue: message.queue.id,
        messageId: message.messageId,
        runs: entries.map((entry) => entry.runId),
      });
      redriven.push(...entries);
      return 'gone';
    },
  );
  return { redriven, skipped, truncated };
}
