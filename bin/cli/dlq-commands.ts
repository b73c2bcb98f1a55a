import { Connection, type DeadLetter, type DeadLetterFilter, sigv4Signer } from 'cairnflow/client';
import type { Command } from 'commander';
import { print, reporting, withEndpointOptions } from './workflow-commands.ts';

interface FilterFlags {
  queue?: string;
  workflowId?: string;
  runId?: string;
  limit?: string;
  json?: boolean;
}

function filterOf(flags: FilterFlags): DeadLetterFilter {
  let limit: number | undefined;
  if (flags.limit !== undefined) {
    limit = Number(flags.limit);
    if (!Number.isInteger(limit) || limit < 1)
      throw new Error(`--limit must be a whole number ≥ 1: got ${flags.limit}`);
  }
  return { queue: flags.queue, workflowId: flags.workflowId, runId: flags.runId, limit };
}

/** One line per message: queue, kind, run, event, receives, when, and why. */
function line(d: DeadLetter): string {
  const when = new Date(d.deadLetteredTime ?? d.sentTime).toISOString();
  const task = d.kind === 'system' ? `system:${d.operation}` : d.kind;
  return [
    d.queue,
    task,
    d.workflowId ?? '-',
    d.runId ?? '-',
    d.eventId ?? '-',
    d.receiveCount,
    when,
    d.reason,
  ].join('\t');
}

const HEADER = ['QUEUE', 'TASK', 'WORKFLOW ID', 'RUN ID', 'EVENT', 'RECEIVES', 'WHEN', 'REASON'].join('\t');

/** Adds `cairn dlq list|redrive`: work set aside after repeated failures, and putting it back. */
export function addDlqCommands(program: Command): void {
  const dlq = withEndpointOptions(
    program
      .command('dlq')
      .description('work set aside after repeated failures (dead-letter queues), and redrive'),
  );
  const service = () => {
    const options = dlq.opts<{ endpoint: string; namespace: string; sigv4?: boolean; region?: string }>();
    const signer = options.sigv4 ? sigv4Signer({ region: options.region ?? 'us-east-1' }) : undefined;
    return {
      api: Connection.lazy({ address: options.endpoint, signer }).service,
      namespace: options.namespace,
    };
  };
  const filterOptions = (cmd: Command) =>
    cmd
      .option(
        '--queue <queue>',
        "only this queue, e.g. 'act-orders-dlq', 'wf-orders-dlq', 'system-dlq', 'router-failures'",
      )
      .option('-w, --workflow-id <workflowId>', 'only messages of this workflow id')
      .option('-r, --run-id <runId>', 'only messages of this run')
      .option('--limit <n>', 'most messages to read (1–100, default 100)')
      .option('--json', 'print the answer as JSON');

  filterOptions(
    dlq
      .command('list')
      .description('list the messages waiting in the dead-letter queues, with why they were set aside'),
  ).action(
    reporting(async (flags: FilterFlags) => {
      const { api, namespace } = service();
      const page = await api.listDeadLetters(namespace, filterOf(flags));
      if (flags.json) return print(page);
      if (!page.deadLetters.length) {
        print(`Nothing set aside (looked at ${page.queues.join(', ') || 'no queues'})`);
        return;
      }
      print(HEADER);
      for (const d of page.deadLetters) print(line(d));
      if (page.truncated)
        print(`(limit reached: more may wait; narrow with --queue, --workflow-id or --run-id)`);
    }),
  );

  filterOptions(
    dlq
      .command('redrive')
      .description(
        'put set-aside messages back once the cause is fixed: tasks to their queues, router failures routed again',
      ),
  ).action(
    reporting(async (flags: FilterFlags) => {
      const { api, namespace } = service();
      const result = await api.redriveDeadLetters(namespace, filterOf(flags));
      if (flags.json) return print(result);
      print(`Redrove ${result.redriven.length} message(s)`);
      for (const d of result.redriven) print(line(d));
      if (result.skipped.length) {
        print(`Left ${result.skipped.length} message(s) where they are:`);
        for (const d of result.skipped) print(line(d));
      }
      if (result.truncated) print('(limit reached: run redrive again for the rest)');
    }),
  );
}
