// `cairn dev` as a user meets it: their own worker entry, reloaded when it changes, and clear
// errors for what they get wrong.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { type DevProcess, freePort, REPO_CAIRN, REPO_CAIRN_ARGS, startDev } from '../support/dev-process.ts';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../', import.meta.url));
const cli = REPO_CAIRN_ARGS;

/** Runs the CLI and returns its exit code and output (it is expected to fail). */
async function cairnFails(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    await run(REPO_CAIRN, [...cli, ...args], { cwd: repo, timeout: 60_000 });
    return { code: 0, output: '' };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, output: `${stdout}${stderr}` };
  }
}

// Inside the repository, so that `cairnflow/worker` resolves (to the sources) as in a user's project.
const scratch = mkdtempSync(join(repo, '.cairn-test-'));
let dev: DevProcess | undefined;
let busy: Server | undefined;

afterAll(async () => {
  await dev?.stop();
  busy?.close();
  rmSync(scratch, { recursive: true, force: true });
});

function writeWorker(dir: string, greeting: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'workflows.ts'),
    `import { proxyActivities } from 'cairnflow/workflow';
import type * as activities from './activities.ts';
const { shout } = proxyActivities<typeof activities>({ startToCloseTimeout: '10 seconds' });
export async function hello(name: string): Promise<string> {
  return \`${greeting}, \${await shout(name)}\`;
}
`,
  );
  writeFileSync(
    join(dir, 'activities.ts'),
    'export async function shout(name: string) { return name.toUpperCase(); }\n',
  );
  const entry = join(dir, 'worker.ts');
  writeFileSync(
    entry,
    `import { createWorker } from 'cairnflow/worker';
import * as activities from './activities.ts';
import * as workflows from './workflows.ts';
export const handler = createWorker({ taskQueue: 'hellos', workflows, activities });
`,
  );
  return entry;
}

describe('cairn dev with the user’s own worker', () => {
  it('runs the entry’s workflows and reloads them when a file changes', async () => {
    const dir = join(scratch, 'app');
    const entry = writeWorker(dir, 'Hello');
    dev = await startDev(REPO_CAIRN, [...cli, 'dev', '--in-memory', '--worker', entry], { cwd: repo });
    expect(dev.output()).toContain("Worker for task queue 'hellos'");
    const execute = async (workflowId: string) =>
      (
        await run(
          REPO_CAIRN,
          [
            ...cli,
            'workflow',
            'execute',
            '--endpoint',
            dev!.endpoint,
            '-t',
            'hello',
            '-q',
            'hellos',
            '-w',
            workflowId,
            '-a',
            '["ada"]',
          ],
          { cwd: repo, timeout: 60_000 },
        )
      ).stdout.trim();
    expect(await execute('hello-1')).toBe('Hello, ADA');

    writeWorker(dir, 'Welcome');
    const deadline = Date.now() + 30_000;
    while (!dev.output().includes('Reloaded') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(dev.output()).toContain(`Reloaded`);
    expect(await execute('hello-2')).toBe('Welcome, ADA');
    await dev.stop();
    dev = undefined;
  }, 120_000);

  it('names the entry that does not exist', async () => {
    const { code, output } = await cairnFails('dev', '--in-memory', '--worker', 'no/such/worker.ts');
    expect(code).toBe(1);
    expect(output).toContain("WorkerEntryError: Worker entry 'no/such/worker.ts' does not exist");
  });

  it('says what an entry must export when it exports no worker handler', async () => {
    const { code, output } = await cairnFails('dev', '--in-memory', '--worker', 'examples/loan/workflows.ts');
    expect(code).toBe(1);
    expect(output).toContain('does not export handler = createWorker(');
    expect(output).toContain('its exports: loanApplication');
  });

  it('reports an entry that does not compile with its file and line', async () => {
    const broken = join(scratch, 'broken.ts');
    writeFileSync(
      broken,
      "import { createWorker } from 'cairnflow/worker';\nexport const handler = createWorker({;\n",
    );
    const { code, output } = await cairnFails('dev', '--in-memory', '--worker', broken);
    expect(code).toBe(1);
    expect(output).toContain('does not compile');
    expect(output).toContain('broken.ts:2');
  });

  it('says which flag to use when the port is taken', async () => {
    const port = await freePort();
    busy = createServer().listen(port, '127.0.0.1');
    await new Promise((resolve) => busy!.once('listening', resolve));
    const { code, output } = await cairnFails('dev', '--in-memory', '--port', String(port));
    expect(code).toBe(1);
    expect(output).toContain(`PortInUseError: Port ${port} on 127.0.0.1 is already in use`);
    expect(output).toContain('--port <n>');
  });

  it('refuses contradictory and malformed flags', async () => {
    expect((await cairnFails('dev', '--in-memory', '--state-dir', 'x')).output).toContain(
      "option '--in-memory' cannot be used with option '--state-dir <dir>'",
    );
    expect((await cairnFails('dev', '--port', 'abc')).output).toContain(
      "--port must be a port number (1–65535), got 'abc'",
    );
  });

  it('cairn init refuses a folder that is not empty', async () => {
    const full = join(scratch, 'full');
    mkdirSync(full);
    writeFileSync(join(full, 'keep.txt'), 'mine');
    const { code, output } = await cairnFails('init', full);
    expect(code).toBe(1);
    expect(output).toContain('is not empty');
  });
});
