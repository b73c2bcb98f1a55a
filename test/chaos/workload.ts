// The chaos run's workload: a seeded mix of workflows, what each must return, and how a client
// drives each one (signals, updates, cancellation) while the faults hit.
import {
  CancelledFailure,
  type Client,
  WorkflowFailedError,
  WorkflowUpdateFailedError,
} from 'cairnflow/client';
import { seededRandom } from '../../sdk/engine/prng.ts';
import { blobOf, checksumOf } from './activities.ts';
import * as workflows from './workflows.ts';

/** The task queue every chaos workflow runs on. */
export const CHAOS_TASK_QUEUE = 'chaos';

/** One workflow of the run: its kind and the inputs its result follows from. */
export type WorkflowSpec = { id: string } & (
  | { kind: 'retried'; value: number; failures: number }
  | { kind: 'heartbeats'; steps: number }
  | { kind: 'timers'; delaysMs: number[]; value: number }
  | { kind: 'signals'; values: number[]; gapsMs: number[] }
  | { kind: 'updates'; values: number[] }
  | { kind: 'child'; n: number }
  | { kind: 'continueAsNew'; n: number }
  | { kind: 'cancellation'; value: number; cancelAfterMs: number }
  | { kind: 'fanOut'; count: number }
  | { kind: 'large'; textBytes: number; blobBytes: number }
  | { kind: 'longTimer'; days: number; value: number }
);

export type WorkflowKind = WorkflowSpec['kind'];

/** Every kind, for validating a `kinds` option. */
export const WORKFLOW_KINDS: readonly WorkflowKind[] = [
  'retried',
  'heartbeats',
  'timers',
  'signals',
  'updates',
  'child',
  'continueAsNew',
  'cancellation',
  'fanOut',
  'large',
  'longTimer',
];

/** How often each kind is drawn (the fan-out is not drawn: one per run, see `planWorkload`). */
const WEIGHTS: [Exclude<WorkflowKind, 'fanOut'>, number][] = [
  ['retried', 3],
  ['heartbeats', 1],
  ['timers', 2],
  ['signals', 2],
  ['updates', 2],
  ['child', 1],
  ['continueAsNew', 1],
  ['cancellation', 1],
  ['large', 1],
  ['longTimer', 1],
];

export interface WorkloadOptions {
  seed: number;
  workflows: number;
  /** Activities of the run's one fan-out, which runs when `workflows` ≥ 100. @default 1000 */
  fanOut?: number;
  /** Only these kinds (to reproduce a finding in fewer workflows). @default every kind */
  kinds?: WorkflowKind[];
}

/** The run's workflows, the same for the same seed and count. */
export function planWorkload(options: WorkloadOptions): WorkflowSpec[] {
  const random = seededRandom(`${options.seed}/workload`);
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const weights = WEIGHTS.filter(([kind]) => !options.kinds || options.kinds.includes(kind));
  const total = weights.reduce((sum, [, weight]) => sum + weight, 0);
  const specs: WorkflowSpec[] = [];
  for (let i = 0; i < options.workflows; i++) {
    const id = (kind: string) => `chaos-${options.seed}-${i}-${kind}`;
    const only = options.kinds;
    if (only?.length === 1 && only[0] === 'fanOut') {
      specs.push({ id: id('fanOut'), kind: 'fanOut', count: options.fanOut ?? 1000 });
      continue;
    }
    if (i === 0 && options.workflows >= 100 && (!only || only.includes('fanOut'))) {
      specs.push({ id: id('fanOut'), kind: 'fanOut', count: options.fanOut ?? 1000 });
      continue;
    }
    let pick = random() * total;
    const kind = weights.find(([, weight]) => (pick -= weight) < 0)?.[0] ?? weights[0][0];
    const list = (length: number, min: number, max: number) => Array.from({ length }, () => int(min, max));
    switch (kind) {
      case 'retried':
        specs.push({ id: id(kind), kind, value: int(1, 1000), failures: int(0, 3) });
        break;
      case 'heartbeats':
        specs.push({ id: id(kind), kind, steps: int(3, 15) });
        break;
      case 'timers':
        specs.push({ id: id(kind), kind, delaysMs: list(int(1, 3), 50, 1500), value: int(1, 100) });
        break;
      case 'signals': {
        const count = int(1, 5);
        specs.push({ id: id(kind), kind, values: list(count, 1, 50), gapsMs: list(count, 0, 300) });
        break;
      }
      case 'updates':
        specs.push({ id: id(kind), kind, values: list(int(1, 4), 1, 50) });
        break;
      case 'child':
        specs.push({ id: id(kind), kind, n: int(1, 4) });
        break;
      case 'continueAsNew':
        specs.push({ id: id(kind), kind, n: int(2, 4) });
        break;
      case 'cancellation':
        specs.push({ id: id(kind), kind, value: int(1, 100), cancelAfterMs: int(0, 1500) });
        break;
      case 'large':
        specs.push({ id: id(kind), kind, textBytes: int(70_000, 90_000), blobBytes: int(70_000, 100_000) });
        break;
      case 'longTimer':
        specs.push({ id: id(kind), kind, days: int(1, 30), value: int(1, 100) });
        break;
    }
  }
  return specs;
}

const sumOfSquares = (n: number) => (n * (n + 1) * (2 * n + 1)) / 6;
const largeText = (spec: { id: string; textBytes: number }) => `${spec.id}:${'y'.repeat(spec.textBytes)}`;

/** What the client must see: the workflow's result (and updates' results), or a cancellation. */
export type Expected = { result: unknown } | { cancelled: true };

/** The outcome each spec must have, computed from its inputs alone. */
export function expectedOutcome(spec: WorkflowSpec): Expected {
  switch (spec.kind) {
    case 'retried':
      return { result: spec.value * 2 + 1 };
    case 'heartbeats':
      return { result: (spec.steps * (spec.steps + 1)) / 2 };
    case 'timers':
      return { result: spec.value * spec.value + spec.delaysMs.length };
    case 'signals':
      return { result: spec.values.reduce((a, b) => a + b, 0) };
    case 'updates': {
      let total = 0;
      const totals = spec.values.map((value) => (total += value));
      return { result: { updates: totals, result: total } };
    }
    case 'child':
      return { result: sumOfSquares(spec.n) + 1 };
    case 'continueAsNew':
      return { result: sumOfSquares(spec.n) };
    case 'cancellation':
      return { cancelled: true };
    case 'fanOut':
      return { result: sumOfSquares(spec.count - 1) };
    case 'longTimer':
      return { result: spec.value * spec.value + spec.days };
    case 'large': {
      const text = largeText(spec);
      return { result: { checksum: checksumOf(blobOf(spec.blobBytes) + text), echo: text } };
    }
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends an update again, with its id, when its request failed for a reason other than the update's
 * own (a worker invocation that timed out or crashed answers 500): the id makes the resend safe, as
 * a real client would resend it. Bounded: five attempts.
 */
async function withUpdateRetries<T>(send: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      if (attempt >= 5 || error instanceof WorkflowUpdateFailedError) throw error;
      await pause(500 * attempt);
    }
  }
}

/** What a workflow's driver tells the run. */
export interface WorkflowDriver {
  /** The engine accepted the start. */
  onStarted(): void;
  /** The workflow waits on a long timer (the clock must move); call the result when it no longer does. */
  waitingOnLongTimer(): () => void;
}

/** What the client saw of one workflow. */
export type Observed = { result: unknown } | { cancelled: true } | { error: string };

/**
 * Starts the spec's workflow (`onStarted` once the engine accepted it) and drives it to its end as a
 * client would (signals, updates, a cancellation), then waits for its result.
 */
export async function driveWorkflow(
  client: Client,
  spec: WorkflowSpec,
  driver: WorkflowDriver,
): Promise<Observed> {
  const onStarted = () => driver.onStarted();
  const options = { taskQueue: CHAOS_TASK_QUEUE, workflowId: spec.id };
  const start = async <F extends (...args: never[]) => Promise<unknown>>(
    workflow: F,
    ...args: Parameters<F>
  ) => {
    const handle = await client.workflow.start(workflow, { ...options, args } as never);
    onStarted();
    return handle;
  };
  try {
    switch (spec.kind) {
      case 'retried':
        return { result: await (await start(workflows.retried, spec.value, spec.failures)).result() };
      case 'heartbeats':
        return { result: await (await start(workflows.heartbeats, spec.steps)).result() };
      case 'timers':
        return { result: await (await start(workflows.timers, spec.delaysMs, spec.value)).result() };
      case 'signals': {
        const handle = await start(workflows.signals, spec.values.length);
        for (const [i, value] of spec.values.entries()) {
          await pause(spec.gapsMs[i]);
          await handle.signal(workflows.add, value);
        }
        return { result: await handle.result() };
      }
      case 'updates': {
        const handle = await start(workflows.updates);
        const totals: number[] = [];
        for (const [i, value] of spec.values.entries()) {
          const updateId = `${spec.id}-u${i}`;
          totals.push(
            await withUpdateRetries(() =>
              handle.executeUpdate(workflows.deposit, { args: [value], updateId }),
            ),
          );
        }
        await handle.signal(workflows.finish);
        return { result: { updates: totals, result: await handle.result() } };
      }
      case 'child':
        return { result: await (await start(workflows.parent, spec.n)).result() };
      case 'continueAsNew':
        return { result: await (await start(workflows.chain, spec.n, 0)).result() };
      case 'cancellation': {
        const handle = await start(workflows.cancellable, spec.value);
        await pause(spec.cancelAfterMs);
        await handle.cancel();
        return { result: await handle.result() };
      }
      case 'fanOut':
        return { result: await (await start(workflows.fanOut, spec.count)).result() };
      case 'large':
        return { result: await (await start(workflows.large, largeText(spec), spec.blobBytes)).result() };
      case 'longTimer': {
        const handle = await start(workflows.longTimer, spec.days, spec.value);
        // The clock moves on only for a committed timer: a jump before it would not bring it due.
        for (let i = 0; i < 600; i++) {
          const { events } = await handle.fetchHistory();
          if (events.some((event) => event.type === 'TimerStarted')) break;
          await pause(200);
        }
        const done = driver.waitingOnLongTimer();
        try {
          return { result: await handle.result() };
        } finally {
          done();
        }
      }
    }
  } catch (error) {
    if (error instanceof WorkflowFailedError && error.cause instanceof CancelledFailure)
      return { cancelled: true };
    return { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

/** Whether what the client saw is what the spec must give; the mismatch described if not. */
export function checkOutcome(spec: WorkflowSpec, observed: Observed): string | undefined {
  const expected = expectedOutcome(spec);
  if (JSON.stringify(observed) === JSON.stringify(expected)) return undefined;
  const text = (value: unknown) => {
    const json = JSON.stringify(value);
    return json.length > 200 ? `${json.slice(0, 200)}… (${json.length} chars)` : json;
  };
  return `${spec.id}: expected ${text(expected)}, got ${text(observed)}`;
}
