import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { NODE_FLAGS } from '../lib/node-flags.ts';
import type { HistoryEvent } from '../sdk/engine/events.ts';
import type { ArmResult } from './determinism/child.ts';
import { median } from './measure.ts';
import type { BenchResult } from './results.ts';
import { COLD_TASK_EVENTS } from './task-cpu.ts';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./determinism/child.ts', import.meta.url));
const ROUNDS = 3;
const CHILD_TIMEOUT_MS = 20_000;
/** The flags the deployed functions run with (Node 22's opt-in AsyncLocalStorage on V8's continuation data, Node 24's default). */
const ASYNC_CONTEXT_FRAME = NODE_FLAGS.join(' ');

/**
 * The determinism mechanism's overhead on a cold workflow task (~1,000-event replay + activation).
 *
 * What is compared: the same cold task, timed in fresh child processes that differ in one thing.
 *   - `als`: the engine as shipped: the current run in an AsyncLocalStorage, and Date, Math.random,
 *     timers and I/O globals replaced process-wide by versions that consult it.
 *   - `plain`: `sdk/engine/current-run.ts` and `global-overrides.ts` resolved (by a module resolve
 *     hook, engine files untouched) to stand-ins: the run in a plain module variable and Node's
 *     globals left alone. Correct for one run at a time, as the benchmark replays: the floor any
 *     slot can reach.
 * Overhead = (als - plain) / plain. Per process, the 10th-percentile wall time of its timed runs
 * (the runs least disturbed by whatever else the machine is doing: the mechanism's cost is CPU work,
 * interference only adds); per arm, the median over the interleaved rounds. The same comparison on
 * median wall time and on mean CPU time is reported beside it. Also run, for information: `als`
 * under Node 22's --experimental-async-context-frame.
 */
export async function benchDeterminismOverhead(history: readonly HistoryEvent[]): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-'));
  try {
    const historyPath = join(dir, 'history.json');
    writeFileSync(historyPath, JSON.stringify(history.slice(0, COLD_TASK_EVENTS + 1)));
    const arms = { als: [] as ArmResult[], plain: [] as ArmResult[], frame: [] as ArmResult[] };
    for (let round = 0; round < ROUNDS; round++) {
      arms.als.push(await runArm('als', historyPath));
      arms.plain.push(await runArm('plain', historyPath));
      arms.frame.push(await runArm('als', historyPath, [...NODE_FLAGS]));
    }
    const wall = (results: ArmResult[]) => median(results.map((result) => result.wallP10Ms));
    const wallMedian = (results: ArmResult[]) => median(results.map((result) => result.wallMedianMs));
    const cpu = (results: ArmResult[]) => median(results.map((result) => result.cpuMeanMs));
    const pct = (value: number, base: number) => ((value - base) / base) * 100;
    const counts = arms.plain[0]!.counts!;
    const results: BenchResult[] = [
      {
        name: 'determinism.cold_task.overhead',
        value: pct(wall(arms.als), wall(arms.plain)),
        unit: '%',
        note:
          'Node 22 without flags (a test process, cairn dev): ' +
          'same cold task (new Replayer, ~1,000-event replay, activateNew) in fresh processes: engine as shipped ' +
          '(AsyncLocalStorage slot + context-aware globals) vs a plain-variable slot and untouched globals ' +
          `swapped in by a module resolve hook; 10th-percentile wall time per process, median of ${ROUNDS} interleaved rounds`,
      },
      {
        name: 'determinism.cold_task.overhead_median_wall',
        value: pct(wallMedian(arms.als), wallMedian(arms.plain)),
        unit: '%',
      },
      { name: 'determinism.cold_task.overhead_cpu', value: pct(cpu(arms.als), cpu(arms.plain)), unit: '%' },
      { name: 'determinism.cold_task.als.wall_p10', value: wall(arms.als), unit: 'ms' },
      { name: 'determinism.cold_task.plain_slot.wall_p10', value: wall(arms.plain), unit: 'ms' },
      {
        name: 'determinism.cold_task.promises',
        value: counts.promises,
        unit: 'promises',
        note:
          `per cold task: ${counts.promises} promises created, each paying AsyncLocalStorage's promise hook; ` +
          `${counts.slotEntries} slot entry and ${counts.slotLookups} slot lookups by workflow code`,
      },
    ];
    results.push({
      name: 'determinism.cold_task.overhead_async_context_frame',
      value: pct(wall(arms.frame), wall(arms.plain)),
      unit: '%',
      // What the deployed functions run: the constructs start Node with this flag (lib/node-flags.ts).
      target: { op: '<=', value: 10 },
      note: `the engine as deployed: under node ${ASYNC_CONTEXT_FRAME} (the Lambda exec wrapper's flag) vs the same baseline`,
    });
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runArm(
  mode: ArmResult['mode'],
  historyPath: string,
  flags: string[] = [],
): Promise<ArmResult> {
  const { stdout } = await run(
    process.execPath,
    [...process.execArgv, ...flags, CHILD, mode, historyPath, String(COLD_TASK_EVENTS)],
    { timeout: CHILD_TIMEOUT_MS },
  );
  const last = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as ArmResult;
}
