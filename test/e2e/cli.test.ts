import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DevProcess,
  EXAMPLE_WORKERS,
  REPO_CAIRN,
  REPO_CAIRN_ARGS,
  startRepoDev,
} from '../support/dev-process.ts';

const run = promisify(execFile);
let dev: DevProcess;
let endpoint: string;

function cairn(...args: string[]) {
  return run(REPO_CAIRN, [...REPO_CAIRN_ARGS, 'workflow', '--endpoint', endpoint, ...args], {
    timeout: 60_000,
  });
}

beforeAll(async () => {
  dev = await startRepoDev(EXAMPLE_WORKERS);
  endpoint = dev.endpoint;
}, 120_000);

afterAll(async () => {
  await dev?.stop();
});

describe('the cairn CLI against cairn dev', () => {
  it('executes, shows, describes and lists a workflow', async () => {
    const args = JSON.stringify([
      { applicationId: 'cli-1', applicant: { name: 'grace', ssn: '123-45-6789', email: 'g@x' }, amount: 10 },
    ]);
    const executed = await cairn(
      'execute',
      '-t',
      'loanApplication',
      '-q',
      'loans',
      '-w',
      'cli-loan',
      '-a',
      args,
    );
    expect(JSON.parse(executed.stdout)).toMatchObject({ approved: true, creditScore: 801 });
    const shown = await cairn('show', 'cli-loan');
    expect(shown.stdout).toMatch(/WorkflowExecutionStarted\s+loanApplication/);
    expect(shown.stdout).toMatch(/ActivityTaskFailed\s+attempt 1: Credit bureau unavailable/);
    expect(shown.stdout).toMatch(/WorkflowExecutionCompleted/);
    expect(JSON.parse((await cairn('describe', 'cli-loan')).stdout)).toMatchObject({
      status: 'Completed',
      type: 'loanApplication',
    });
    expect((await cairn('list', '--query', "WorkflowType = 'loanApplication'")).stdout).toMatch(
      /cli-loan\s+loanApplication\s+Completed/,
    );
  }, 90_000);

  it('signals and queries a waiting workflow, and reports a missing one clearly', async () => {
    await cairn(
      'start',
      '-t',
      'approval',
      '-q',
      'approvals',
      '-w',
      'cli-approval',
      '-a',
      '[{"requestId":"R","description":"d","approvers":["carol"]}]',
    );
    expect(JSON.parse((await cairn('query', 'cli-approval', 'status')).stdout)).toMatchObject({
      state: 'waiting',
    });
    await cairn('signal', 'cli-approval', 'decide', '-a', '[{"approve":false,"by":"carol"}]');
    expect(JSON.parse((await cairn('result', 'cli-approval')).stdout)).toEqual({
      state: 'rejected',
      by: 'carol',
    });
    const missing = await cairn('describe', 'no-such-workflow').catch(
      (error: { stderr: string; code: number }) => error,
    );
    expect((missing as { code: number }).code).toBe(1);
    expect((missing as { stderr: string }).stderr).toMatch(
      /WorkflowNotFoundError: Workflow 'no-such-workflow' not found/,
    );
  }, 90_000);
});
