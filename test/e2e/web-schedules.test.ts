import { Client, ScheduleOverlapPolicy } from 'cairnflow/client';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, PageSession } from '../support/browser.ts';
import { type DevProcess, EXAMPLE_WORKERS, startRepoDev } from '../support/dev-process.ts';

let dev: DevProcess;
let browser: Browser;
let client: Client;
let pages: PageSession;

beforeAll(async () => {
  browser = await launchChromium();
  dev = await startRepoDev(EXAMPLE_WORKERS);
  pages = new PageSession(browser, dev.endpoint);
  client = new Client({ endpoint: dev.endpoint });
}, 180_000);

afterEach(async () => {
  expect(await pages.closeAll(), 'console errors on the pages this test opened').toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await dev?.stop();
});

describe('the web UI lists schedules', () => {
  it('shows each schedule with its state, spec, next action and latest run, linked to the run', async () => {
    const request = { requestId: 'r-1', description: 'weekly budget', approvers: ['ada'] };
    const nightly = await client.schedule.create({
      scheduleId: 'nightly-approval',
      spec: { cronExpressions: ['0 2 * * *'], timezone: 'Europe/Berlin' },
      action: {
        type: 'startWorkflow',
        workflowType: 'approval',
        args: [request],
        taskQueue: 'approvals',
        workflowId: 'nightly',
      },
      policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL },
    });
    await client.schedule.create({
      scheduleId: 'hourly-approval',
      spec: { intervals: [{ every: '1 hour' }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'approval',
        args: [request],
        taskQueue: 'approvals',
        workflowId: 'hourly',
      },
      state: { paused: true, note: 'on hold' },
    });
    await nightly.trigger();
    const deadline = Date.now() + 30_000;
    while ((await nightly.describe()).info.recentActions.length === 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 200));
    const [taken] = (await nightly.describe()).info.recentActions;
    expect(taken).toBeDefined();

    const page = await pages.open('/');
    await page.getByRole('link', { name: 'Schedules' }).click();
    const rows = page.locator('[data-testid=schedule-row]');
    await rows.nth(1).waitFor();
    // By id, as the API lists them.
    expect(await rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-schedule-id')))).toEqual([
      'hourly-approval',
      'nightly-approval',
    ]);
    const hourly = page.locator('[data-schedule-id=hourly-approval]');
    await expect(hourly.locator('[data-testid=schedule-state]').textContent()).resolves.toBe('Paused');
    await expect(hourly.textContent()).resolves.toContain('on hold');
    await expect(hourly.locator('[data-testid=schedule-spec]').textContent()).resolves.toBe('every 1 h 00 m');
    const row = page.locator('[data-schedule-id=nightly-approval]');
    await expect(row.locator('[data-testid=schedule-state]').textContent()).resolves.toBe('Active');
    await expect(row.locator('[data-testid=schedule-spec]').textContent()).resolves.toBe(
      '0 2 * * * (Europe/Berlin)',
    );
    await expect(row.locator('[data-testid=schedule-next]').textContent()).resolves.toMatch(
      /^\d{4}-\d\d-\d\d 0?\d:00:00\.000 \(in /,
    );

    await row.getByRole('link', { name: taken!.action.workflow.workflowId }).click();
    await page.waitForURL(new RegExp(`/workflows/${encodeURIComponent(taken!.action.workflow.workflowId)}`));
    await page.locator('[data-testid=status]').first().waitFor();
  });
});
