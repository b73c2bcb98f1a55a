import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { benchBundles } from './bundles.ts';
import { benchBurst } from './burst.ts';
import { benchDeterminismOverhead } from './determinism-overhead.ts';
import { benchFanOut } from './fan-out.ts';
import { recordSequentialHistory } from './histories.ts';
import { benchLocalFanOut } from './local-fan-out.ts';
import { benchLocalStack } from './local-stack.ts';
import { nowMs } from './measure.ts';
import { benchReplayTime } from './replay-time.ts';
import { type BenchResult, meets, mergeResults, printTable } from './results.ts';
import { benchTaskCpu } from './task-cpu.ts';
import { benchThroughput } from './throughput.ts';
import { benchUi } from './ui.ts';
import { benchWaitingClients } from './waiting-clients.ts';

/**
 * `npm run bench`: the engine's performance figures (DESIGN.md, "Performance and cost are
 * features"). Prints a table and merges the figures into bench/results.json by name. Each benchmark
 * bounds its own loops in count and time: the in-memory ones take well under a minute, the local
 * stack's (DynamoDB Local, SQS emulator, real handlers) about a minute and a half, the Lambda
 * bundles' (esbuild, then fresh Node processes) about fifteen seconds, the web UI's (10,000 runs on
 * a second local stack, then headless Chromium) about two and a half minutes. The 10,000-workflow
 * burst (`--only burst`) runs only when named: it takes ten minutes or more on two cores.
 */

/** Activities of the recorded run: 6 events each, so a little over the 10,000 events replay needs. */
const HISTORY_ACTIVITIES = 1_700;
const RESULTS_PATH = fileURLToPath(new URL('./results.json', import.meta.url));
/**
 * Every stage bounds its own loops; this is the backstop should the engine hang. The UI stage alone
 * may take up to about nine minutes (five to create its runs, three for them to close, its loads);
 * the burst, when named, has 25 minutes of its own.
 */
const HARD_LIMIT_MS = 1_200_000 + (process.argv.some((arg) => arg.includes('burst')) ? 1_500_000 : 0);

type History = Awaited<ReturnType<typeof recordSequentialHistory>>;

/** Stages that run only when `--only` names them (too long for every run). */
const ON_DEMAND = new Set(['burst']);

/** The stages in the order they run: key (for `--only`), label, and the stage itself. */
function stagesOf(history: () => Promise<History>): [string, string, () => Promise<BenchResult[]>][] {
  return [
    ['replay-time', 'replay time by history length', async () => benchReplayTime(await history())],
    ['task-cpu', 'engine CPU per workflow task', async () => benchTaskCpu(await history())],
    [
      'determinism',
      'determinism mechanism overhead (child processes)',
      async () => benchDeterminismOverhead(await history()),
    ],
    ['fan-out', '1,000-activity fan-out', () => benchFanOut()],
    ['throughput', 'throughput of 32 concurrent workflows', () => benchThroughput()],
    ['local-stack', 'local stack: per-step cost, latency and throughput', () => benchLocalStack()],
    ['local-fan-out', 'local stack: 1,000-activity fan-out', () => benchLocalFanOut()],
    [
      'waiting-clients',
      'local stack: what a client waiting on result() costs per hour',
      () => benchWaitingClients(),
    ],
    ['bundles', 'Lambda bundle sizes and cold init times', () => benchBundles()],
    ['ui', 'web UI at 10,000 runs: first pages in headless Chromium, bundle size', () => benchUi()],
    [
      'burst',
      'local stack: 10,000 workflows started in a burst, each awaited with result()',
      () => benchBurst(),
    ],
  ];
}

/**
 * `npm run bench -- --only local-stack[,fan-out]`: runs only the named stages (their figures are
 * merged into results.json by name, the others kept). Undefined: every stage.
 */
function selectedStages(args: string[]): string[] | undefined {
  const index = args.indexOf('--only');
  const inline = args.find((arg) => arg.startsWith('--only='));
  const value = inline ? inline.slice('--only='.length) : index >= 0 ? args[index + 1] : undefined;
  if (index < 0 && !inline) {
    if (args.length) throw new Error(`bench: unknown arguments ${args.join(' ')}; use --only <stage,...>`);
    return undefined;
  }
  const known = stagesOf(() => Promise.reject(new Error('unused'))).map(([key]) => key);
  const keys = (value ?? '').split(',').filter(Boolean);
  const unknown = keys.filter((key) => !known.includes(key));
  if (!keys.length || unknown.length) {
    throw new Error(
      `bench: --only takes stage names separated by commas (${known.join(', ')})${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}`,
    );
  }
  return keys;
}

async function main(): Promise<void> {
  const started = nowMs();
  const log = (message: string) =>
    process.stderr.write(`[bench ${((nowMs() - started) / 1000).toFixed(1)}s] ${message}\n`);
  const machine = `node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'})`;
  const loadAtStart = loadavg()[0]!;
  log(`${machine}, load average ${loadAtStart.toFixed(2)}`);

  const only = selectedStages(process.argv.slice(2));
  // The recorded history feeds the replay stages only: recorded once, when one of them runs.
  let recorded: Promise<Awaited<ReturnType<typeof recordSequentialHistory>>> | undefined;
  const history = () => {
    if (!recorded) {
      log(`recording a history of ${HISTORY_ACTIVITIES} sequential activities`);
      recorded = recordSequentialHistory(HISTORY_ACTIVITIES);
    }
    return recorded;
  };
  const results: BenchResult[] = [];
  for (const [key, label, stage] of stagesOf(history)) {
    if (only ? !only.includes(key) : ON_DEMAND.has(key)) continue;
    log(label);
    results.push(...(await stage()));
  }

  log(`done in ${((nowMs() - started) / 1000).toFixed(1)} s`);
  printTable(results);
  // Wall-clock figures suffer when other processes compete for the same cores: say so beside them.
  const loadAtEnd = loadavg()[0]!;
  console.log(
    `\nMachine: ${machine}; 1-minute load average ${loadAtStart.toFixed(2)} at start, ${loadAtEnd.toFixed(2)} at end` +
      (Math.max(loadAtStart, loadAtEnd) > cpus().length * 0.75
        ? ' - other processes competed for the CPUs, so wall-clock figures are pessimistic (see the *_per_cpu_s and p10 figures).'
        : '.'),
  );
  mergeResults(RESULTS_PATH, results);
  const missed = results.filter((result) => meets(result) === false).map((result) => result.name);
  console.log(`\nWrote ${RESULTS_PATH}. Targets not met: ${missed.length ? missed.join(', ') : 'none'}.`);
}

const backstop = setTimeout(() => {
  process.stderr.write(`bench: gave up after ${HARD_LIMIT_MS / 1000} s; a stage did not finish\n`);
  process.exit(1);
}, HARD_LIMIT_MS);
await main();
clearTimeout(backstop);
// A stage that gave up at its own deadline may leave clients retrying (the burst's): the figures are
// written, so nothing is left to wait for.
process.exit();
