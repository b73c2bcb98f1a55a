import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { PortInUseError, startLocalStack } from '../../local/stack.ts';
import { type LoadedWorkerEntry, loadWorkerEntry } from '../../local/worker-entry.ts';
import { loadUi } from '../../web/ui-assets.ts';

interface DevFlags {
  worker: string[];
  port: string;
  stateDir: string;
  inMemory?: boolean;
  jsonLogs?: boolean;
  functionTimeout: string;
}

async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(port) : error),
    );
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}

/** `cairn dev`: the embedded AWS stack hosting the user's own worker entries. */
export function addDevCommand(program: Command): void {
  program
    .command('dev')
    .description(
      'start the embedded AWS stack (DynamoDB Local, SQS/S3 emulator, local Lambda host) on 127.0.0.1 with your workers',
    )
    .option(
      '-w, --worker <entry>',
      'a worker entry file (export const handler = createWorker(...)), .ts or .js; repeat for each task queue',
      (entry: string, entries: string[]) => [...entries, entry],
      [] as string[],
    )
    .option('-p, --port <port>', 'port of the HTTP API on 127.0.0.1', '4680')
    .option('--state-dir <dir>', 'where the stack keeps its state across restarts', '.cairn')
    .addOption(
      new Option('--in-memory', 'keep no state: everything is gone when dev stops').conflicts('stateDir'),
    )
    .option('--json-logs', "print the handlers' log lines as JSON (as in the cloud) instead of readable text")
    .option(
      '--function-timeout <seconds>',
      "the local functions' timeout; queue visibility timeouts are six times it, so a failing message is redelivered (and dead-lettered after 5 receives) sooner when it is short",
      '30',
    )
    .action(async (flags: DevFlags) => {
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 1 || port > 65_535) {
        throw new Error(`--port must be a port number (1–65535), got '${flags.port}'`);
      }
      const functionTimeoutSeconds = Number(flags.functionTimeout);
      if (
        !Number.isInteger(functionTimeoutSeconds) ||
        functionTimeoutSeconds < 1 ||
        functionTimeoutSeconds > 900
      ) {
        throw new Error(
          `--function-timeout must be whole seconds from 1 to 900 (Lambda's limit), got '${flags.functionTimeout}'`,
        );
      }
      // Fail before anything starts, not after DynamoDB Local's seconds of start-up.
      await assertPortFree(port);
      const ui = await loadUi();
      const stateDir = flags.inMemory ? undefined : resolve(flags.stateDir);
      // Compiled entries live in the state directory, or (in memory) in a folder removed at stop.
      const scratch = stateDir ? undefined : await mkdtemp(join(tmpdir(), 'cairn-dev-'));
      const outDir = join(stateDir ?? scratch!, 'build');
      const entries: LoadedWorkerEntry[] = [];
      const stopEntries = async () => {
        await Promise.all(entries.map((entry) => entry.dispose()));
        if (scratch) await rm(scratch, { recursive: true, force: true });
      };
      let replace: ((handler: LoadedWorkerEntry['handler']) => void) | undefined;
      try {
        for (const entry of flags.worker) {
          const loaded = await loadWorkerEntry(entry, {
            outDir,
            onReload: (handler) => {
              try {
                replace?.(handler);
                console.log(`Reloaded ${entry} (task queue '${handler.taskQueue}')`);
              } catch (error) {
                console.error(`Could not reload ${entry}: ${(error as Error).message} (restart cairn dev)`);
              }
            },
            onReloadError: (error) => console.error(`${error.message}\nStill running the previous version.`),
          });
          entries.push(loaded);
        }
      } catch (error) {
        await stopEntries();
        throw error;
      }
      const stack = await startLocalStack({
        workers: entries.map((entry) => entry.handler),
        port,
        functionTimeoutSeconds,
        stateDir: stateDir && join(stateDir, 'stack'),
        logLevel: 'info',
        logFormat: flags.jsonLogs ? 'json' : 'text',
        ui,
      }).catch(async (error: unknown) => {
        await stopEntries();
        throw error;
      });
      replace = stack.replaceWorker;
      console.log(
        `Cairn is running. HTTP API: ${stack.endpoint} (OpenAPI: ${stack.endpoint}/v1/openapi.json)`,
      );
      if (entries.length === 0) {
        console.log('No workers: pass --worker <entry> (a file that exports handler = createWorker(...)).');
      }
      for (const entry of entries) {
        console.log(
          `Worker for task queue '${entry.handler.taskQueue}': ${relative(process.cwd(), entry.entry)} (reloads on change)`,
        );
      }
      console.log(
        stateDir
          ? `State: ${relative(process.cwd(), stateDir) || '.'} (kept across restarts)`
          : 'State: in memory',
      );
      console.log(`Web UI: ${stack.endpoint}/`);
      console.log('Ctrl-C stops it.');
      let stopping = false;
      const stop = async () => {
        if (stopping) return;
        stopping = true;
        await stopEntries();
        await stack.stop();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
