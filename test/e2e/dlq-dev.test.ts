// `cairn dlq list|redrive` against `cairn dev`: a workflow task its worker cannot commit is set aside
// with its reason, and after the worker entry is fixed (and reloaded) a redrive makes the run complete.
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

async function cairn(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await run(REPO_CAIRN, [...cli, ...args, '--endpoint', dev!.endpoint], {
      cwd: repo,
      timeout: 60_000,
    });
    return { code: 0, output: stdout.trim() };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, output: `${stdout}${stderr}` };
  }
}

/** Polls until `check` holds, failing after a deadline (never a bare sleep). */
async function until<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * A worker whose payload codec encrypts each payload directly with KMS (as it were), so a payload
 * over 4096 bytes cannot be written: the workflow task that schedules an activity with a large input
 * fails on every receive. The fixed version uses envelope encryption: no limit.
 */
function writeWorker(dir: string, limited: boolean): string {
  const entry = join(dir, 'worker.ts');
  writeFileSync(
    entry,
    `import { createWorker } from 'cairnflow/worker';
import * as activities from './activities.ts';
import * as workflows from './workflows.ts';

const LIMIT = ${limited ? 4096 : 'Number.POSITIVE_INFINITY'};
const codec = {
  async encode(payloads: { data?: Uint8Array | null }[]) {
    for (const p of payloads)
      if ((p.data?.length ?? 0) > LIMIT)
        throw new Error(\`Cannot encrypt a \${p.data!.length}-byte payload: KMS Encrypt takes at most 4096 bytes\`);
    return payloads;
  },
  async decode(payloads: unknown[]) {
    return payloads;
  },
};
export const handler = createWorker({
  taskQueue: 'loud',
  workflows,
  activities,
  dataConverter: { payloadCodecs: [codec as never] },
});
`,
  );
  return entry;
}

describe('cairn dlq on cairn dev', () => {
  it('lists a set-aside workflow task with its reason and redrives it once the worker is fixed', async () => {
    const dir = join(scratch, 'app');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'workflows.ts'),
      `import { proxyActivities } from 'cairnflow/workflow';
import type * as activities from './activities.ts';
const { shout } = proxyActivities<typeof activities>({ startToCloseTimeout: '10 minutes' });
export async function loud(text: string): Promise<string> {
  return shout(text);
}
`,
    );
    writeFileSync(
      join(dir, 'activities.ts'),
      "export async function shout(text: string): Promise<string> {\n  return [text.length, text.slice(0, 3).toUpperCase()].join(':');\n}\n",
    );
    const entry = writeWorker(dir, true);
    // One-second functions: a message that always fails is dead-lettered within about 30 s.
    dev = await startDev(
      REPO_CAIRN,
      [...cli, 'dev', '--in-memory', '--function-timeout', '1', '--worker', entry],
      {
        cwd: repo,
      },
    );

    const big = JSON.stringify(['abc'.repeat(2000)]);
    const started = await cairn('workflow', 'start', '-t', 'loud', '-q', 'loud', '-w', 'big', '-a', big);
    expect(started.code).toBe(0);
    expect((await cairn('dlq', 'list')).output).toMatch(
      /^Nothing set aside \(looked at system-dlq, wf-loud-dlq/,
    );

    const listed = await until(async () => {
      const { output } = await cairn('dlq', 'list');
      return output.includes('wf-loud-dlq\tworkflow\tbig') ? output : undefined;
    }, 'dead-lettering');
    const [header, line] = listed.split('\n');
    expect(header).toBe('QUEUE\tTASK\tWORKFLOW ID\tRUN ID\tEVENT\tRECEIVES\tWHEN\tREASON');
    expect(line).toMatch(
      /^wf-loud-dlq\tworkflow\tbig\t[0-9a-f-]{36}\t\d+\t\d+\t\d{4}-\d\d-\d\dT[^\t]+\tworkflow task moved to the dead-letter queue after repeated failures: .*KMS Encrypt takes at most 4096 bytes/,
    );
    const json = JSON.parse((await cairn('dlq', 'list', '--json', '-w', 'big')).output) as {
      deadLetters: { kind: string; receiveCount: number }[];
    };
    expect(json.deadLetters).toEqual([expect.objectContaining({ kind: 'workflow' })]);
    expect(json.deadLetters[0]!.receiveCount).toBeGreaterThanOrEqual(5);
    const described = JSON.parse((await cairn('workflow', 'describe', 'big')).output) as {
      workflowTaskFailure?: { cause: string };
    };
    expect(described.workflowTaskFailure?.cause).toBe('DeadLettered');

    // Bad input: exit code 1 and the API's message.
    const unknown = await cairn('dlq', 'list', '--queue', 'nope');
    expect(unknown.code).toBe(1);
    expect(unknown.output).toMatch(
      /Unknown queue 'nope'; the engine's dead-letter queues are: system-dlq, wf-loud-dlq/,
    );
    const badLimit = await cairn('dlq', 'redrive', '--limit', 'all');
    expect(badLimit.code).toBe(1);
    expect(badLimit.output).toContain('--limit must be a whole number');

    // Fixed: the entry is rewritten, cairn dev reloads it; then the redrive.
    writeWorker(dir, false);
    await until(
      async () => (dev!.output().includes(`Reloaded ${entry}`) ? true : undefined),
      'the reload',
      30_000,
    );
    const redriven = await cairn('dlq', 'redrive');
    expect(redriven.code).toBe(0);
    expect(redriven.output).toMatch(/^Redrove 1 message\(s\)\nwf-loud-dlq\tworkflow\tbig\t/);
    expect((await cairn('workflow', 'result', 'big')).output).toBe('6000:ABC');

    expect((await cairn('dlq', 'redrive')).output).toBe('Redrove 0 message(s)');
    expect((await cairn('dlq', 'list')).output).toMatch(/^Nothing set aside/);
  }, 240_000);
});
