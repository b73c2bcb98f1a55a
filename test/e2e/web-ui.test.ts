import type { Client } from 'cairnflow/client';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, PageSession, uiTime } from '../support/browser.ts';
import { type DevProcess, EXAMPLE_WORKERS, startRepoDev } from '../support/dev-process.ts';
import { SCRIPT_INPUT, SEEDED, seedExamples } from '../support/seed-examples.ts';

let dev: DevProcess;
let browser: Browser;
let client: Client;
let pages: PageSession;

/** Polls `check` until it returns true or the deadline passes. */
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const open = (path: string): Promise<Page> => pages.open(path);

const runPage = (workflowId: string) => `/#/namespaces/default/workflows/${encodeURIComponent(workflowId)}`;
const timelineRow = (page: Page, name: string) =>
  page.locator(`[data-testid=timeline-row][data-name="${name}"]`);

beforeAll(async () => {
  browser = await launchChromium();
  dev = await startRepoDev(EXAMPLE_WORKERS);
  pages = new PageSession(browser, dev.endpoint);
  client = await seedExamples(dev.endpoint);
  for (const workflowId of [SEEDED.loan, SEEDED.orderShipped, SEEDED.orderDeclined]) {
    await until(
      async () => (await client.workflow.getHandle(workflowId).describe()).status !== 'Running',
      `${workflowId} to close`,
    );
  }
}, 180_000);

afterEach(async () => {
  expect(await pages.closeAll(), 'console errors on the pages this test opened').toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await dev?.stop();
});

describe('the web UI on cairn dev', () => {
  it('is served at the dev server’s own / and named in its banner before the last line', async () => {
    const lines = dev.output().split('\n');
    const last = lines.indexOf('Ctrl-C stops it.');
    expect(last).toBeGreaterThan(0);
    expect(lines[last - 1]).toBe(`Web UI: ${dev.endpoint}/`);
    const page = await open('/');
    await expect(page.title()).resolves.toBe('Cairn');
    await page.locator('table.runs tbody tr').first().waitFor();
  });

  it('finds the failed order saga by its status filter and shows its cause chain and compensations', async () => {
    const page = await open('/');
    await page.locator('[data-status=Failed]').click();
    await page.locator('[data-testid=effective-query]', { hasText: "ExecutionStatus = 'Failed'" }).waitFor();
    const rows = page.locator('table.runs tbody tr');
    await until(async () => (await rows.count()) === 1, 'one failed run');
    await expect(rows.first().textContent()).resolves.toContain(SEEDED.orderDeclined);
    await page.locator('[data-status=Failed] .count', { hasText: /^1$/ }).waitFor();

    await page.getByRole('link', { name: SEEDED.orderDeclined }).click();
    const chain = page.locator('[data-testid=failure-chain] > li');
    await chain.first().waitFor();
    const links = await chain.allTextContents();
    expect(links).toHaveLength(3);
    expect(links[0]).toContain('OrderFailed');
    expect(links[0]).toContain('Order o-2 failed and was rolled back');
    expect(links[1]).toContain('activity chargePayment');
    expect(links[2]).toContain('PaymentDeclined');
    expect(links[2]).toContain('Card declined for 900');

    // The compensation ran after the failed step, and the timeline shows it.
    const names = await page
      .locator('[data-testid=timeline-row]')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-name')));
    expect(names).toEqual(['reserveInventory', 'chargePayment', 'releaseInventory']);
    await expect(timelineRow(page, 'chargePayment').locator('.row-outcome').textContent()).resolves.toBe(
      'failed',
    );
    await expect(timelineRow(page, 'releaseInventory').locator('.row-outcome').textContent()).resolves.toBe(
      'completed',
    );
  });

  it("shows the flaky credit bureau's failed attempt and when the retry was due", async () => {
    const { events } = await client.workflow.getHandle(SEEDED.loan).fetchHistory();
    const failed = events.filter((event) => event.type === 'ActivityTaskFailed');
    expect(failed.length).toBeGreaterThan(0);
    const page = await open(runPage(SEEDED.loan));
    const row = timelineRow(page, 'getCreditScore');
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain(`${failed.length + 1} attempts`);
    const notes = await row.locator('.timeline-notes li').allTextContents();
    expect(notes).toHaveLength(failed.length);
    for (const [index, event] of failed.entries()) {
      expect(event.type === 'ActivityTaskFailed' && event.nextAttemptTime).toBeTruthy();
      if (event.type !== 'ActivityTaskFailed') continue;
      expect(notes[index]).toContain(`attempt ${event.attempt} failed: BureauUnavailable`);
      expect(notes[index]).toContain(`next retry at ${uiTime(event.nextAttemptTime!)}`);
    }
    // One bar per attempt and one for each wait between them.
    await expect(row.locator('.bar-failed').count()).resolves.toBe(failed.length);
    await expect(row.locator('.bar-waiting').count()).resolves.toBe(failed.length);
    await expect(row.locator('.bar-completed').count()).resolves.toBe(1);
  });

  it("shows the waiting approval's pending timer, then sends the approval signal and watches it complete", async () => {
    const page = await open(runPage(SEEDED.approval));
    const timers = page.locator('[data-testid=pending-timers]');
    await timers.waitFor();
    const started = (await client.workflow.getHandle(SEEDED.approval).fetchHistory()).events.find(
      (event) => event.type === 'TimerStarted',
    );
    expect(started?.type).toBe('TimerStarted');
    if (started?.type !== 'TimerStarted') return;
    await expect(timers.textContent()).resolves.toContain(`fires ${uiTime(started.fireTime)}`);
    await expect(timers.textContent()).resolves.toMatch(/in 29 d 23 h/);

    await page.getByRole('button', { name: 'Query', exact: true }).click();
    const query = page.locator('[data-testid=action-query]');
    await query.locator('input[name=name]').fill('status');
    await query.getByRole('button', { name: 'Run query…' }).click();
    await query.getByRole('button', { name: 'Confirm query' }).click();
    await expect(query.locator('[data-testid=action-outcome]').textContent()).resolves.toContain('"waiting"');

    await page.getByRole('button', { name: 'Signal', exact: true }).click();
    const signal = page.locator('[data-testid=action-signal]');
    await signal.locator('input[name=name]').fill('decide');
    await signal.locator('textarea[name=args]').fill('{ "approve": true, "by": "grace", "comment": "ok" }');
    await signal.getByRole('button', { name: 'Send signal…' }).click();
    // It asks first: nothing is sent until the confirmation.
    await signal.getByRole('alertdialog').waitFor();
    const before = await client.workflow.getHandle(SEEDED.approval).fetchHistory();
    expect(before.events.some((event) => event.type === 'WorkflowExecutionSignaled')).toBe(false);
    await signal.getByRole('button', { name: 'Confirm signal' }).click();
    await expect(signal.locator('[data-testid=action-outcome]').textContent()).resolves.toBe(
      "Signal 'decide' sent.",
    );

    await page
      .locator('.run-header [data-testid=status]', { hasText: 'Completed' })
      .waitFor({ timeout: 30_000 });
    await expect(page.locator('[data-testid=result]').textContent()).resolves.toContain('"approved"');
  });

  it('terminates a run from the UI, with a reason, only once confirmed', async () => {
    const page = await open(runPage(SEEDED.approvalToTerminate));
    await page.getByRole('button', { name: 'Terminate', exact: true }).click();
    const form = page.locator('[data-testid=action-terminate]');
    await form.locator('input[name=reason]').fill('duplicate request');
    await form.getByRole('button', { name: 'Terminate…' }).click();
    await form.getByRole('alertdialog').waitFor();
    const handle = client.workflow.getHandle(SEEDED.approvalToTerminate);
    expect((await handle.describe()).status).toBe('Running');
    await form.getByRole('button', { name: 'Confirm terminate' }).click();

    await page
      .locator('.run-header [data-testid=status]', { hasText: 'Terminated' })
      .waitFor({ timeout: 30_000 });
    await page.getByText('Terminated: duplicate request').waitFor();
    expect((await handle.describe()).status).toBe('Terminated');
  });

  it('requests cancellation from the UI, and the run closes as Canceled', async () => {
    const request = { requestId: 'r-9', description: 'to cancel', approvers: ['grace'] };
    await client.workflow.start('approval', {
      taskQueue: 'approvals',
      workflowId: 'approval-cancel',
      args: [request],
    });
    const page = await open(runPage('approval-cancel'));
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    const form = page.locator('[data-testid=action-cancel]');
    await form.locator('input[name=reason]').fill('no longer needed');
    await form.getByRole('button', { name: 'Request cancellation…' }).click();
    await form.getByRole('button', { name: 'Confirm cancel' }).click();
    await page
      .locator('.run-header [data-testid=status]', { hasText: 'Canceled' })
      .waitFor({ timeout: 30_000 });
    const { events } = await client.workflow.getHandle('approval-cancel').fetchHistory();
    expect(events.find((event) => event.type === 'WorkflowExecutionCancelRequested')).toMatchObject({
      reason: 'no longer needed',
    });
  });

  it("shows the API's answer when an update has no handler, and the run goes on", async () => {
    const page = await open(runPage(SEEDED.scriptInput));
    await page.getByRole('button', { name: 'Update', exact: true }).click();
    const form = page.locator('[data-testid=action-update]');
    await form.locator('input[name=name]').fill('rename');
    await form.locator('textarea[name=args]').fill('["new name"]');
    await form.getByRole('button', { name: 'Run update…' }).click();
    await form.getByRole('button', { name: 'Confirm update' }).click();
    const outcome = form.locator('[data-testid=action-error], [data-testid=failure-chain]');
    await outcome.first().waitFor({ timeout: 30_000 });
    await expect(outcome.first().textContent()).resolves.toMatch(/rename/);
    expect((await client.workflow.getHandle(SEEDED.scriptInput).describe()).status).toBe('Running');
  });

  it('says why a stuck run does not move: a workflow type no worker registers', async () => {
    await client.workflow.start('loanAplication', {
      taskQueue: 'loans',
      workflowId: 'loan-typo',
      args: [{}],
    });
    const page = await open(runPage('loan-typo'));
    const stuck = page.locator('[data-testid=stuck]');
    await stuck.waitFor({ timeout: 30_000 });
    await expect(stuck.locator('h2').textContent()).resolves.toBe('Stuck: UnknownWorkflowType');
    const text = await stuck.textContent();
    expect(text).toContain('No worker of this task queue registers the workflow type');
    expect(text).toContain('loanAplication');
    expect(text).toMatch(/Attempt \d+, last at \d{4}-/);
  });

  it('renders a workflow input that contains <script> as text and runs none of it', async () => {
    const page = await open(runPage(SEEDED.scriptInput));
    const input = page.locator('[data-testid=input]');
    await input.waitFor();
    await expect(input.textContent()).resolves.toContain(JSON.stringify(SCRIPT_INPUT).slice(1, -1));
    await expect(page.locator('#app script, #app img').count()).resolves.toBe(0);
    await expect(page.evaluate(() => (window as { __cairnInjected?: number }).__cairnInjected)).resolves.toBe(
      undefined,
    );
  });

  it('filters the list with the query language and shows each run’s search attributes', async () => {
    const page = await open('/');
    await page.locator('input[name=query]').fill("WorkflowType = 'approval' AND Team = 'finance'");
    await page.getByRole('button', { name: 'Search' }).click();
    const rows = page.locator('table.runs tbody tr');
    await until(async () => (await rows.count()) === 1, 'the one finance approval');
    await expect(rows.first().textContent()).resolves.toContain(SEEDED.approval);
    await expect(rows.first().locator('.tag').textContent()).resolves.toBe('Team=finance');

    await page.locator('input[name=query]').fill("WorkflowType = 'approval' AND");
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/Invalid list query/);
    // Chromium logs each 4xx answer of a fetch; these (the list and its counts, and their live
    // refreshes) are the ones asked for. Closed first, so no later refresh adds one after the check.
    const errors = await pages.closeAll();
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((error) => error.includes('status of 400 (Bad Request)'))).toBe(true);
  });

  it('refreshes the list by itself: a run started meanwhile appears, and the counts follow', async () => {
    const page = await open(`/#/namespaces/default/workflows?type=approval`);
    const rows = page.locator('table.runs tbody tr');
    await rows.first().waitFor();
    const before = await rows.count();
    const request = { requestId: 'r-live', description: 'appears live', approvers: ['grace'] };
    await client.workflow.start('approval', {
      taskQueue: 'approvals',
      workflowId: 'approval-live',
      args: [request],
    });
    await page.getByRole('link', { name: 'approval-live' }).waitFor({ timeout: 15_000 });
    await expect(rows.count()).resolves.toBe(before + 1);
    await page
      .locator('[data-status=All] .count', { hasText: String(before + 1) })
      .waitFor({ timeout: 15_000 });
  });

  it('shows every history event with its JSON', async () => {
    const page = await open(runPage(SEEDED.orderShipped));
    await page.getByRole('button', { name: /^Events/ }).click();
    const rows = page.locator('[data-testid=event-row]');
    await rows.first().waitFor();
    const { events } = await client.workflow.getHandle(SEEDED.orderShipped).fetchHistory();
    await expect(rows.count()).resolves.toBe(events.length);
    await rows.first().click();
    const json = JSON.parse((await page.locator('.event-json').textContent()) ?? '');
    expect(json).toEqual(events[0]);
  });
});
