// The CLI says why: a failed workflow's whole cause chain, a failing workflow task while execute
// waits, and a start on a task queue no worker serves. The CLI runs as its own process against a
// local stack (the example workers) started by this file.
import { type ChildProcess, spawn } from 'node:child_process';
import type { TestWorkflowEnvironment } from 'cairnflow/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleWorkers } from '../../examples/workers.ts';
import { REPO_CAIRN, REPO_CAIRN_ARGS, runRepoCairn } from '../support/dev-process.ts';
import { eventually, localEnv } from '../support/local-env.ts';

let env: TestWorkflowEnvironment;
const children: ChildProcess[] = [];

function cliArgs(...args: string[]): string[] {
  return [...REPO_CAIRN_ARGS, 'workflow', '--endpoint', env.endpoint, ...args];
}

/** Runs a CLI command to its end; resolves with its output and exit code (failures included). */
const cairn = (...args: string[]) => runRepoCairn(['workflow', '--endpoint', env.endpoint, ...args]);

beforeAll(async () => {
  env = await localEnv({ workers: exampleWorkers() });
}, 60_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGTERM');
  await env?.teardown();
});

describe('the cairn CLI when things go wrong', () => {
  it('prints a failed workflow’s whole cause chain, down to the activity’s own error', async () => {
    // No applicant: the identity check reads applicant.ssn of undefined (three attempts).
    const { stdout, stderr, code } = await cairn(
      'execute',
      '-t',
      'loanApplication',
      '-q',
      'loans',
      '-w',
      'cli-no-applicant',
      '-a',
      '[{"applicationId":"x","amount":1}]',
    );
    expect(code).toBe(1);
    expect(stdout).toBe('');
    const lines = stderr.trim().split('\n');
    expect(lines[0]).toBe('WorkflowFailedError: Workflow execution failed: Activity task failed');
    expect(lines[1]).toMatch(
      /^ {2}caused by ActivityFailure \(activity verifyIdentity, MaximumAttemptsReached\): Activity task failed$/,
    );
    expect(lines[2]).toBe(
      "    caused by ApplicationFailure (TypeError): Cannot read properties of undefined (reading 'ssn')",
    );
    // describe of the failed run includes the failure too.
    const described = JSON.parse((await cairn('describe', 'cli-no-applicant')).stdout);
    expect(described.status).toBe('Failed');
    expect(described.failure.cause.message).toBe("Cannot read properties of undefined (reading 'ssn')");
  }, 90_000);

  it('reports a misspelled workflow type on stderr while execute waits, once', async () => {
    const child = spawn(
      REPO_CAIRN,
      cliArgs('execute', '-t', 'loanAplication', '-q', 'loans', '-w', 'cli-typo'),
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      },
    );
    children.push(child);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    await eventually(async () => stderr.includes('UnknownWorkflowType'), 60_000);
    // Usually attempt 1; on a loaded machine the CLI's first poll may only see the retry (after 1 s).
    expect(stderr).toMatch(
      /workflow cli-typo \(run [\w-]+\) is still running, but its workflow task keeps failing \(UnknownWorkflowType, attempt \d+\): .*Workflow type 'loanAplication' is not registered on task queue 'loans' \(registered: loanApplication\)/,
    );
    // The task is retried (after 1 s, 2 s); the CLI does not repeat itself.
    const handle = env.client.workflow.getHandle('cli-typo');
    await eventually(async () => ((await handle.describe()).workflowTaskFailure?.attempt ?? 0) >= 3, 30_000);
    expect(stderr.match(/is still running/g)).toHaveLength(1);
    expect(child.exitCode).toBeNull();
    await handle.terminate('test over');
    const code = await new Promise<number | null>((resolve) => {
      if (child.exitCode !== null) resolve(child.exitCode);
      else child.once('exit', resolve);
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/WorkflowFailedError: Workflow execution terminated: test over/);
  }, 90_000);

  it('refuses a start on a task queue no worker serves, naming the ones that have a worker', async () => {
    const { stderr, code } = await cairn('execute', '-t', 'loanApplication', '-q', 'lons', '-w', 'cli-lons');
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(
      "UnknownTaskQueueError: No worker serves task queue 'lons' (task queues with a worker: loans, orders, approvals). " +
        "Use one of those task queues, or add a worker for 'lons' (engine.addWorker, cairn dev --worker).",
    );
  }, 60_000);
});
