import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

/**
 * `cairn` from this repository's sources: the command and the arguments before the CLI's own. Node
 * itself with tsx's loader and the `source` condition, one process per command (`npx tsx` adds
 * npm's process and tsx's own before the CLI's: ~0.4 s more CPU for every command a test runs).
 */
export const REPO_CAIRN = process.execPath;
export const REPO_CAIRN_ARGS: readonly string[] = [
  '--conditions=source',
  '--import',
  pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href,
  fileURLToPath(new URL('../../bin/cairn.ts', import.meta.url)),
];

/** What a CLI command printed, and its exit code. */
export interface CliOutcome {
  stdout: string;
  stderr: string;
  code: number;
}

/** Runs `cairn <args>` from this repository's sources to its end; a failing command resolves too. */
export async function runRepoCairn(args: readonly string[]): Promise<CliOutcome> {
  try {
    const { stdout, stderr } = await promisify(execFile)(REPO_CAIRN, [...REPO_CAIRN_ARGS, ...args], {
      timeout: 60_000,
    });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const failed = error as CliOutcome;
    return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code };
  }
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** A `cairn dev` running as its own process group. */
export interface DevProcess {
  endpoint: string;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Ctrl-C, as a user stops it; resolves when it has exited. */
  stop(): Promise<void>;
}

/**
 * Starts `command args… --port <free port>` (a `cairn dev`) in `cwd` and resolves once it says it
 * is running; rejects with its output if it exits or has not started within `timeoutMs`.
 */
export async function startDev(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<DevProcess> {
  const port = await freePort();
  const child: ChildProcess = spawn(command, [...args, '--port', String(port)], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const timeoutMs = options.timeoutMs ?? 90_000;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`cairn dev did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const check = () => {
      // The last line of its banner: everything it says about its workers is printed by then.
      if (output.includes('Ctrl-C stops it')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`cairn dev exited with ${code}:\n${output}`));
    });
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null && child.pid)
        process.kill(-child.pid, 'SIGINT');
      const killer = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** The worker entries of the seed examples, as `cairn dev --worker` takes them. */
export const EXAMPLE_WORKERS = [
  'examples/loan/worker.ts',
  'examples/order-saga/worker.ts',
  'examples/approval/worker.ts',
];

/** `cairn dev --in-memory` from this repository's sources, hosting the given worker entries. */
export function startRepoDev(
  workers: readonly string[],
  options: { cwd?: string } = {},
): Promise<DevProcess> {
  return startDev(
    REPO_CAIRN,
    [...REPO_CAIRN_ARGS, 'dev', '--in-memory', ...workers.flatMap((entry) => ['--worker', entry])],
    options,
  );
}
