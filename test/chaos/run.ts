// The chaos run (docs/chaos.md): a seeded workload on the local stack under a seeded fault injector,
// then the checks that nothing was lost, duplicated, corrupted or left behind.
import { Client } from 'cairnflow/client';
import {
  DEFAULT_FAULT_RATES,
  FaultInjector,
  type FaultKind,
  type FaultRates,
} from '../../local/fault-injector.ts';
import { startLocalStack } from '../../local/stack.ts';
import { chaosActivities } from './activities.ts';
import { ClockDriver } from './clock-driver.ts';
import { type EndState, inspectEndState } from './end-state.ts';
import * as workflows from './workflows.ts';
import {
  CHAOS_TASK_QUEUE,
  checkOutcome,
  driveWorkflow,
  type Observed,
  planWorkload,
  WORKFLOW_KINDS,
  type WorkflowKind,
} from './workload.ts';

export interface ChaosOptions {
  seed: number;
  workflows: number;
  /** Activities of the one fan-out (runs with ≥ 100 workflows). @default 1000 */
  fanOut?: number;
  /** Only these kinds of workflow (see `planWorkload`). @default every kind */
  kinds?: WorkflowKind[];
  /** Workflows a client drives at once. @default 50 */
  concurrency?: number;
  /** When the workload must be done by; past it, what is open counts as stuck. @default sized to the workload */
  deadlineMs?: number;
  rates?: Partial<FaultRates>;
  /** The local functions' timeout (visibility timeouts are six times it). @default 5 */
  functionTimeoutSeconds?: number;
  /** Progress lines (stderr for the CLI). @default none */
  progress?: (line: string) => void;
}

/** The run's one-line summary (`npm run chaos` prints it as JSON). */
export interface ChaosSummary {
  seed: number;
  workflows: number;
  started: number;
  completed: number;
  correct: number;
  violations: number;
  stuck: number;
  faults: Record<FaultKind, number>;
  activityExecutions: number;
  activityAttempts: number;
  /**
   * A workflow's start request to its outcome, as its client saw them (the long timers' included,
   * in real time: the clock jumps for them), with the client's result polling.
   */
  p50CompletionMs: number;
  p99CompletionMs: number;
  durationMs: number;
  /** Messages left in a queue (visible or in flight) after the drain. */
  messagesLeft: number;
  /** Messages found in a DLQ (none is expected: the workload has no poison). */
  deadLettered: number;
  /** Stream records the router gave up on. */
  discardedStreamRecords: number;
  /** Times the manual clock jumped 31 days ahead for the long timers (then the sweeper ran). */
  clockJumps: number;
  /** Whether the run passed: every workflow correct, nothing violated, stuck or left behind. */
  passed: boolean;
}

/** The summary and the descriptions of everything that went wrong (one line each). */
export interface ChaosReport {
  summary: ChaosSummary;
  problems: string[];
}

/** Long timers last 1–30 days; each jump brings every one committed before it due. */
const LONG_TIMER_JUMP_MS = 31 * 86_400_000;
/** Each jump times out the activity attempts running at that moment: not too often. */
const LONG_TIMER_JUMP_EVERY_MS = 10_000;
/** How long reading the histories and DLQs may take after the drain. */
const INSPECTION_MS = 180_000;
/** A century: the jumps of a long run stay far inside it. */
const RETENTION_DAYS = 36_500;

const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : 0;

/** The default deadline: generous for the machine the run shares, bounded all the same. */
function defaultDeadlineMs(options: ChaosOptions): number {
  return 120_000 + options.workflows * 600 + (options.workflows >= 100 ? (options.fanOut ?? 1000) * 60 : 0);
}

/** Runs the workload under faults on a fresh local stack and checks the end state. */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  for (const [name, value] of [
    ['seed', options.seed],
    ['workflows', options.workflows],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < (name === 'seed' ? 0 : 1))
      throw new RangeError(
        `--${name} must be a whole number${name === 'seed' ? ' ≥ 0' : ' ≥ 1'}, got ${value}`,
      );
  }
  const unknown = options.kinds?.filter((kind) => !WORKFLOW_KINDS.includes(kind));
  if (unknown?.length || options.kinds?.length === 0)
    throw new RangeError(
      `--kinds takes some of ${WORKFLOW_KINDS.join(', ')}; got '${options.kinds?.join(',')}'`,
    );
  const began = Date.now();
  const progress = options.progress ?? (() => {});
  const deadline = began + (options.deadlineMs ?? defaultDeadlineMs(options));
  const faults = new FaultInjector({
    seed: options.seed,
    rates: { ...DEFAULT_FAULT_RATES, ...options.rates },
  });
  const { activities, executions } = chaosActivities(faults);
  const worker = { taskQueue: CHAOS_TASK_QUEUE, workflows, activities };
  // Long timers move the clock by weeks at a time: closed runs must outlive the jumps to be checked.
  const retention = process.env.CAIRN_RETENTION_DAYS;
  process.env.CAIRN_RETENTION_DAYS = String(RETENTION_DAYS);
  const stack = await startLocalStack({
    workers: [worker],
    functionTimeoutSeconds: options.functionTimeoutSeconds ?? 5,
    logLevel: 'error',
    faults: faults.hooks,
    clock: 'manual',
  }).catch((error: unknown) => {
    restoreRetention(retention);
    throw error;
  });
  const clock = new ClockDriver(stack, LONG_TIMER_JUMP_MS, LONG_TIMER_JUMP_EVERY_MS);
  clock.start();
  try {
    const specs = planWorkload(options);
    const client = new Client({ endpoint: stack.endpoint, retry: { maxAttempts: 12 } });
    const observed = new Map<string, Observed>();
    const elapsed = new Map<string, number>();
    let started = 0;
    let next = 0;
    const driver = async () => {
      while (next < specs.length && Date.now() < deadline) {
        const spec = specs[next++];
        const driver = { onStarted: () => started++, waitingOnLongTimer: () => clock.waitingOnLongTimer() };
        const t0 = Date.now();
        observed.set(spec.id, await driveWorkflow(client, spec, driver));
        elapsed.set(spec.id, Date.now() - t0);
        if (observed.size % 50 === 0) progress(`${observed.size}/${specs.length} workflows done`);
      }
    };
    const drivers = Promise.all(
      Array.from({ length: Math.min(options.concurrency ?? 50, specs.length) }, driver),
    );
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      drivers,
      new Promise((resolve) => (timer = setTimeout(resolve, deadline - Date.now()))),
    ]);
    clearTimeout(timer);
    clock.stop();
    faults.stop();
    progress(`workload over after ${Math.round((Date.now() - began) / 1000)} s; draining and checking`);

    const problems: string[] = [];
    let completed = 0;
    let correct = 0;
    for (const spec of specs) {
      const seen = observed.get(spec.id);
      if (!seen) continue;
      if ('error' in seen) {
        problems.push(`${spec.id}: the client failed: ${seen.error}`);
        continue;
      }
      completed++;
      const mismatch = checkOutcome(spec, seen);
      if (mismatch) problems.push(mismatch);
      else correct++;
    }
    const drainUntil = Math.max(deadline, Date.now() + 60_000);
    const end = await boundedInspection(
      inspectEndState(
        stack,
        worker,
        drainUntil,
        progress,
        specs
          .filter((spec) => observed.has(spec.id) && !('error' in observed.get(spec.id)!))
          .map((spec) => spec.id),
      ),
      drainUntil + INSPECTION_MS - Date.now(),
    );
    const durations = specs.flatMap((spec) =>
      observed.has(spec.id) && !('error' in observed.get(spec.id)!) ? [elapsed.get(spec.id)!] : [],
    );
    problems.push(...end.violations, ...end.stuck, ...end.leftovers);
    const notDone = specs.filter((spec) => !observed.has(spec.id));
    for (const spec of notDone) problems.push(`${spec.id}: no outcome by the deadline`);
    durations.sort((a, b) => a - b);
    const stuck = end.stuck.length + notDone.length;
    const summary: ChaosSummary = {
      seed: options.seed,
      workflows: specs.length,
      started,
      completed,
      correct,
      violations: end.violations.length,
      stuck,
      faults: { ...faults.counts },
      activityExecutions: executions(),
      activityAttempts: end.activityAttempts,
      p50CompletionMs: percentile(durations, 50),
      p99CompletionMs: percentile(durations, 99),
      durationMs: Date.now() - began,
      messagesLeft: end.messagesLeft,
      deadLettered: end.deadLettered,
      discardedStreamRecords: end.discardedStreamRecords,
      clockJumps: clock.jumps,
      passed: false,
    };
    summary.passed =
      started === specs.length &&
      completed === started &&
      correct === completed &&
      summary.violations === 0 &&
      stuck === 0 &&
      end.leftovers.length === 0;
    return { summary, problems };
  } finally {
    clock.stop();
    await stack.stop();
    restoreRetention(retention);
  }
}

/**
 * The end-state inspection, bounded: a stack still churning through a backlog may read histories
 * slowly. Past the bound the run reports that it could not inspect, and fails.
 */
async function boundedInspection(inspection: Promise<EndState>, ms: number): Promise<EndState> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<EndState>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          violations: [],
          stuck: [
            `the end state could not be inspected within ${Math.round(ms / 1000)} s (a backlog still churns)`,
          ],
          leftovers: ['queues, DLQs and histories not inspected'],
          messagesLeft: -1,
          deadLettered: -1,
          discardedStreamRecords: -1,
          activityAttempts: -1,
        }),
      Math.max(0, ms),
    );
  });
  try {
    return await Promise.race([inspection, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

function restoreRetention(value: string | undefined): void {
  if (value === undefined) delete process.env.CAIRN_RETENTION_DAYS;
  else process.env.CAIRN_RETENTION_DAYS = value;
}
