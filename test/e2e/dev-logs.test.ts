// `cairn dev`'s handler logs: readable lines by default, the cloud's JSON with `--json-logs`; both
// carry the run's ids.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { type DevProcess, REPO_CAIRN, REPO_CAIRN_ARGS, startDev } from '../support/dev-process.ts';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../', import.meta.url));
const cli = REPO_CAIRN_ARGS;

// Inside the repository, so that `cairnflow/worker` resolves (to the sources) as in a user's project.
const scratch = mkdtempSync(join(repo, '.cairn-test-'));
let dev: DevProcess | undefined;

afterAll(async () => {
  await dev?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

/** A worker whose workflow logs one line through the workflow logger. */
function writeWorker(): string {
  const dir = join(scratch, 'app');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'workflows.ts'),
    `import { log } from 'cairnflow/workflow';
export async function greet(name: string): Promise<string> {
  log.info('greeting someone', { name });
  return \`Hi, \${name}\`;
}
`,
  );
  const entry = join(dir, 'worker.ts');
  writeFileSync(
    entry,
    `import { createWorker } from 'cairnflow/worker';
import * as workflows from './workflows.ts';
export const handler = createWorker({ taskQueue: 'greetings', workflows, activities: {} });
`,
  );
  return entry;
}

async function greet(endpoint: string, workflowId: string): Promise<void> {
  const args = ['workflow', 'execute', '--endpoint', endpoint, '-t', 'greet', '-q', 'greetings'];
  const { stdout } = await run(REPO_CAIRN, [...cli, ...args, '-w', workflowId, '-a', '["ada"]'], {
    cwd: repo,
    timeout: 60_000,
  });
  expect(stdout.trim()).toBe('Hi, ada');
}

/** The first line of the output that mentions `text`, waiting for it (logs may trail the result). */
async function lineWith(text: string): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const line = dev!
      .output()
      .split('\n')
      .find((l) => l.includes(text));
    if (line || Date.now() > deadline) return line ?? '';
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('cairn dev log lines', () => {
  it('prints readable lines with the time, level, message and run ids by default', async () => {
    dev = await startDev(REPO_CAIRN, [...cli, 'dev', '--in-memory', '--worker', writeWorker()], {
      cwd: repo,
    });
    await greet(dev.endpoint, 'greet-text');
    const line = await lineWith('greeting someone');
    expect(line).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} INFO {2}greeting someone workflowId=greet-text runId=[\w-]+ taskQueue=greetings /,
    );
    expect(line.startsWith('{')).toBe(false);
    await dev.stop();
    dev = undefined;
  }, 120_000);

  it('prints one JSON object per line with timestamp and run ids with --json-logs', async () => {
    dev = await startDev(
      REPO_CAIRN,
      [...cli, 'dev', '--in-memory', '--json-logs', '--worker', writeWorker()],
      {
        cwd: repo,
      },
    );
    await greet(dev.endpoint, 'greet-json');
    const entry = JSON.parse(await lineWith('greeting someone')) as Record<string, unknown>;
    expect(entry).toMatchObject({
      level: 'INFO',
      message: 'greeting someone',
      workflowId: 'greet-json',
      taskQueue: 'greetings',
    });
    expect(entry.runId).toEqual(expect.any(String));
    expect(Number.isNaN(Date.parse(String(entry.timestamp)))).toBe(false);
    await dev.stop();
    dev = undefined;
  }, 120_000);
});
