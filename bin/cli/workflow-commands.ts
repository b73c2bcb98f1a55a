import {
  Client,
  DEFAULT_ENDPOINT,
  formatWorkflowTaskFailure,
  sigv4Signer,
  type WorkflowHandle,
} from 'cairnflow/client';
import type { Command } from 'commander';
import { formatFailureChain, formatTimeline } from './timeline.ts';

/** Where `cairn dev` serves the HTTP API by default, and where the workflow commands look. */
export { DEFAULT_ENDPOINT };

interface GlobalOptions {
  endpoint: string;
  namespace: string;
  sigv4?: boolean;
  region?: string;
}

export function parseJson(text: string | undefined, what: string): unknown[] {
  if (text === undefined) return [];
  try {
    const value = JSON.parse(text) as unknown;
    return Array.isArray(value) ? value : [value];
  } catch {
    throw new Error(`${what} must be JSON (an array of arguments, or one value): got ${text}`);
  }
}

export function print(value: unknown): void {
  console.log(typeof value === 'string' ? value : JSON.stringify(value, null, 2));
}

/**
 * Runs a command's action; a failure is printed to stderr with its whole cause chain (a failed
 * workflow says which activity failed and why, not only "Activity task failed"), exit code 1.
 */
export function reporting<A extends unknown[]>(action: (...args: A) => Promise<void>) {
  return async (...args: A) => {
    try {
      await action(...args);
    } catch (error) {
      console.error(formatFailureChain(error));
      process.exitCode = 1;
    }
  };
}

/** The options every API command group takes: where the API is, the namespace, SigV4. */
export function withEndpointOptions(group: Command): Command {
  return group
    .option(
      '-e, --endpoint <url>',
      'base URL of the HTTP API',
      process.env.CAIRN_ENDPOINT ?? DEFAULT_ENDPOINT,
    )
    .option('-n, --namespace <namespace>', 'namespace', 'default')
    .option('--sigv4', 'sign requests with AWS SigV4 (credentials from the usual AWS chain)')
    .option('--region <region>', 'AWS region for SigV4', process.env.AWS_REGION ?? 'us-east-1');
}

/** A client for a command group's endpoint options. */
export function clientFor(group: Command): Client {
  const options = group.opts<GlobalOptions>();
  return new Client({
    endpoint: options.endpoint,
    namespace: options.namespace,
    signer: options.sigv4 ? sigv4Signer({ region: options.region ?? 'us-east-1' }) : undefined,
    // While execute/result wait, say why nothing happens (once per distinct failure), and keep waiting.
    onWorkflowTaskFailure: (report) => {
      console.error(formatWorkflowTaskFailure(report));
      if (report.failure.cause) console.error(formatFailureChain(report.failure.cause, '  caused by '));
    },
  });
}

/** Adds `cairn workflow …`: every client operation, against any endpoint. */
export function addWorkflowCommands(program: Command): void {
  const workflow = withEndpointOptions(
    program.command('workflow').description('start and manage workflows over the HTTP API'),
  );
  const client = () => clientFor(workflow);
  const startOptions = (cmd: Command) =>
    cmd
      .requiredOption('-t, --type <workflowType>', 'workflow type (the exported function name)')
      .requiredOption('-q, --task-queue <taskQueue>', 'task queue')
      .requiredOption('-w, --workflow-id <workflowId>', 'workflow id')
      .option('-a, --args <json>', 'arguments as a JSON array');
  type StartFlags = { type: string; taskQueue: string; workflowId: string; args?: string };

  startOptions(workflow.command('start').description('start a workflow and print its run id')).action(
    reporting(async (flags: StartFlags) => {
      const handle = await client().workflow.start(flags.type, {
        taskQueue: flags.taskQueue,
        workflowId: flags.workflowId,
        args: parseJson(flags.args, '--args'),
      });
      print({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId });
    }),
  );
  startOptions(workflow.command('execute').description('start a workflow and wait for its result')).action(
    reporting(async (flags: StartFlags) => {
      print(
        await client().workflow.execute(flags.type, {
          taskQueue: flags.taskQueue,
          workflowId: flags.workflowId,
          args: parseJson(flags.args, '--args'),
        }),
      );
    }),
  );
  /** A `<name> <workflowId> [--run-id]` command that acts on that run's handle. */
  const runCommand = (name: string, description: string, act: (handle: WorkflowHandle) => Promise<void>) =>
    workflow
      .command(`${name} <workflowId>`)
      .option('-r, --run-id <runId>')
      .description(description)
      .action(
        reporting(async (id: string, flags: { runId?: string }) =>
          act(client().workflow.getHandle(id, flags.runId)),
        ),
      );
  runCommand('describe', 'show status, pending activities and search attributes', async (handle) =>
    print(await handle.describe()),
  );
  runCommand('show', 'draw the history as a timeline', async (handle) => {
    const { events } = await handle.fetchHistory();
    console.log(formatTimeline(events));
  });
  runCommand('result', 'wait for the result (following continue-as-new)', async (handle) =>
    print(await handle.result()),
  );
  /** A `<kind> <workflowId> <name> [--args]` command that sends the run a message of that kind. */
  const messageCommand = (
    kind: 'signal' | 'query' | 'update',
    send: (handle: WorkflowHandle, name: string, args: () => unknown[]) => Promise<void>,
  ) =>
    workflow
      .command(`${kind} <workflowId> <${kind}>`)
      .option('-a, --args <json>', 'arguments as a JSON array')
      .action(
        reporting(async (id: string, name: string, flags: { args?: string }) =>
          send(client().workflow.getHandle(id), name, () => parseJson(flags.args, '--args')),
        ),
      );
  messageCommand('signal', async (handle, name, args) => {
    await handle.signal(name, ...args());
    print('signalled');
  });
  messageCommand('query', async (handle, name, args) => print(await handle.query(name, ...args())));
  messageCommand('update', async (handle, name, args) =>
    print(await handle.executeUpdate(name, { args: args() })),
  );
  workflow.command('cancel <workflowId>').action(
    reporting(async (id: string) => {
      await client().workflow.getHandle(id).cancel();
      print('cancel requested');
    }),
  );
  workflow
    .command('terminate <workflowId>')
    .option('--reason <reason>')
    .action(
      reporting(async (id: string, flags: { reason?: string }) => {
        await client().workflow.getHandle(id).terminate(flags.reason);
        print('terminated');
      }),
    );
  workflow
    .command('list')
    .option('--query <query>', 'visibility query, e.g. "ExecutionStatus = \'Running\'"')
    .option('--limit <n>', 'at most this many', '50')
    .action(
      reporting(async (flags: { query?: string; limit: string }) => {
        let shown = 0;
        for await (const run of client().workflow.list({ query: flags.query })) {
          console.log(
            `${run.workflowId.padEnd(28)} ${run.type.padEnd(20)} ${run.status.padEnd(14)} ${run.startTime.toISOString()}`,
          );
          if (++shown >= Number(flags.limit)) break;
        }
      }),
    );
}
