// `npm run chaos -- --seed <n> --workflows <n>`: see docs/chaos.md.
import { Command, InvalidArgumentError } from 'commander';
import { NO_FAULTS } from '../../local/fault-injector.ts';
import { runChaos } from './run.ts';
import { WORKFLOW_KINDS, type WorkflowKind } from './workload.ts';

const whole = (name: string, min: number) => (text: string) => {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min)
    throw new InvalidArgumentError(`${name} must be a whole number ≥ ${min}, got '${text}'`);
  return value;
};

const program = new Command('chaos')
  .description('A seeded run of mixed workflows on the local stack under injected faults (docs/chaos.md)')
  .requiredOption('--seed <n>', 'seed of the workload and the fault plan', whole('--seed', 0))
  .option('--workflows <n>', 'workflows to run', whole('--workflows', 1), 100)
  .option(
    '--fan-out <n>',
    "activities of the run's one fan-out (with ≥ 100 workflows)",
    whole('--fan-out', 1),
    1000,
  )
  .option(
    '--kinds <list>',
    `only these kinds of workflow, comma-separated (${WORKFLOW_KINDS.join(', ')})`,
    (text) => text.split(',').map((kind) => kind.trim()) as WorkflowKind[],
  )
  .option('--concurrency <n>', 'workflows driven at once', whole('--concurrency', 1), 50)
  .option(
    '--deadline-s <n>',
    'overall deadline in seconds (default: sized to the workload)',
    whole('--deadline-s', 1),
  )
  .option('--no-faults', 'run the workload without injecting faults (a baseline)')
  .showHelpAfterError();

const options = program.parse().opts<{
  seed: number;
  workflows: number;
  fanOut: number;
  concurrency: number;
  deadlineS?: number;
  kinds?: WorkflowKind[];
  faults: boolean;
}>();

const { summary, problems } = await runChaos({
  seed: options.seed,
  workflows: options.workflows,
  fanOut: options.fanOut,
  kinds: options.kinds,
  concurrency: options.concurrency,
  deadlineMs: options.deadlineS === undefined ? undefined : options.deadlineS * 1000,
  rates: options.faults ? undefined : NO_FAULTS,
  progress: (line) => process.stderr.write(`chaos: ${line}\n`),
});
for (const problem of problems) process.stderr.write(`chaos: ${problem}\n`);
process.stdout.write(`${JSON.stringify(summary)}\n`);
process.exit(summary.passed ? 0 : 1);
