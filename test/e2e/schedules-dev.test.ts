// Schedules on `cairn dev` (the embedded AWS stack), through the CLI: an interval schedule fires on
// time and keeps firing across a restart with its state directory.
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
const scratch = mkdtempSync(join(repo, '.cairn-test-'));
let dev: DevProcess | undefined;

afterAll(async () => {
  await dev?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

async function cairn(...args: string[]): Promise<string> {
  const { stdout } = await run(REPO_CAIRN, [...cli, ...args, '--endpoint', dev!.endpoint], {
    cwd: repo,
    timeout: 60_000,
  });
  return stdout.trim();
}

async function cairnFails(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    await run(REPO_CAIRN, [...cli, ...args, '--endpoint', dev!.endpoint], { cwd: repo, timeout: 60_000 });
    return { code: 0, output: '' };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, output: `${stdout}${stderr}` };
  }
}

interface Described {
  state: { paused: boolean };
  info: {
    numActions: number;
    recentActions: { scheduledAt: string; takenAt: string; action: { workflow: { workflowId: string } } }[];
  };
}
const describeSchedule = async () =>
  JSON.parse(await cairn('schedule', 'describe', '-s', 'every-5s')) as Described;

/** Polls the schedule until `done` holds, failing after a deadline (never a bare sleep). */
async function until(done: (d: Described) => boolean, timeoutMs = 60_000): Promise<Described> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const described = await describeSchedule();
    if (done(described)) return described;
    if (Date.now() > deadline)
      throw new Error(`schedule did not get there: ${JSON.stringify(described.info)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function writeWorker(): string {
  const dir = join(scratch, 'app');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'workflows.ts'), 'export async function tick(n: number) { return n + 1; }\n');
  const entry = join(dir, 'worker.ts');
  writeFileSync(
    entry,
    `import { createWorker } from 'cairnflow/worker';
import * as workflows from './workflows.ts';
export const handler = createWorker({ taskQueue: 'ticks', workflows, activities: {} });
`,
  );
  return entry;
}

describe('schedules on cairn dev', () => {
  it('fires an interval schedule on time, and keeps firing across a restart with its state directory', async () => {
    const entry = writeWorker();
    const state = join(scratch, 'state');
    const start = () =>
      startDev(REPO_CAIRN, [...cli, 'dev', '--state-dir', state, '--worker', entry], { cwd: repo });
    dev = await start();

    const bad = await cairnFails(
      'schedule',
      'create',
      '-s',
      'bad',
      '--cron',
      '0 9 * *',
      '-t',
      'tick',
      '-q',
      'ticks',
    );
    expect(bad.code).toBe(1);
    expect(bad.output).toContain("cronExpressions[0] '0 9 * *' has 4 fields");

    // Its first action is due after a restart: the tick it waits for was a delayed message in the
    // SQS emulator, which a restart forgets; the stack sends it again from the schedule's record.
    const startAt = new Date(Math.ceil((Date.now() + 20_000) / 5000) * 5000).toISOString();
    const created = await cairn(
      ...['schedule', 'create', '-s', 'every-5s', '--interval', '5s', '--start-at', startAt],
      ...['-t', 'tick', '-q', 'ticks', '-w', 'tick', '-a', '[1]'],
    );
    expect(created).toBe('Created schedule every-5s');
    expect(await cairn('schedule', 'list')).toMatch(/^every-5s\ttick\tactive\t\d{4}-/);
    await dev.stop();
    dev = await start();

    const before = await until((d) => d.info.numActions >= 2);
    for (const action of before.info.recentActions) {
      const scheduledAt = Date.parse(action.scheduledAt);
      // On the 5-second grid from startAt, named by it, and taken within the sweeper's resolution
      // (one minute; a wait under SQS's 15-minute delay limit is a delayed message, so ~1 s).
      expect(scheduledAt % 5000).toBe(0);
      expect(scheduledAt).toBeGreaterThanOrEqual(Date.parse(startAt));
      expect(action.action.workflow.workflowId).toBe(
        `tick-${new Date(scheduledAt).toISOString().replace('.000Z', 'Z')}`,
      );
      expect(Date.parse(action.takenAt) - scheduledAt).toBeLessThan(60_000);
    }
    const firstRun = before.info.recentActions[0]!.action.workflow.workflowId;
    expect(JSON.parse(await cairn('workflow', 'result', firstRun))).toBe(2);

    await dev.stop();
    dev = await start();
    const taken = before.info.numActions;
    const after = await until((d) => d.info.numActions >= taken + 2);
    const ids = after.info.recentActions.map((a) => a.action.workflow.workflowId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain(before.info.recentActions.at(-1)!.action.workflow.workflowId);

    expect(await cairn('schedule', 'pause', '-s', 'every-5s', '--note', 'done')).toBe(
      'Paused schedule every-5s',
    );
    expect((await describeSchedule()).state.paused).toBe(true);
    expect(await cairn('schedule', 'delete', '-s', 'every-5s')).toBe('Deleted schedule every-5s');
    const gone = await cairnFails('schedule', 'describe', '-s', 'every-5s');
    expect(gone.output).toContain('Schedule every-5s not found');
    await dev.stop();
    dev = undefined;
  }, 240_000);
});
