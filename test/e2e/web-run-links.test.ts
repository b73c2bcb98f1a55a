// The run page on what the seed examples do not show: a parent with children and a continue-as-new
// chain, an activity waiting out a long retry backoff, an activity's heartbeat; and list paging.
import type { Client } from 'cairnflow/client';
import { Client as CairnClient } from 'cairnflow/client';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, PageSession, uiTime } from '../support/browser.ts';
import { type DevProcess, startRepoDev } from '../support/dev-process.ts';

let dev: DevProcess;
let browser: Browser;
let client: Client;
let pages: PageSession;

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const open = (path: string): Promise<Page> => pages.open(path);

const field = (page: Page, name: string) => page.locator(`dd[data-field="${name}"]`);

beforeAll(async () => {
  browser = await launchChromium();
  dev = await startRepoDev(['test/e2e/fixtures/ops-worker.ts']);
  pages = new PageSession(browser, dev.endpoint);
  client = new CairnClient({ endpoint: dev.endpoint });
}, 180_000);

afterEach(async () => {
  expect(await pages.closeAll(), 'console errors on the pages this test opened').toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await dev?.stop();
});

describe('the run page', () => {
  it('links a continue-as-new chain both ways, and parents and children', async () => {
    await client.workflow.start('family', { taskQueue: 'ops', workflowId: 'family', args: [2] });
    const last = await until(
      () => client.workflow.getHandle('family').describe(),
      (run) => run.status === 'Completed',
      'the chain to complete',
    );
    const { events } = await client.workflow.getHandle('family', last.runId).fetchHistory();
    const started = events[0]!;
    expect(started.type).toBe('WorkflowExecutionStarted');
    const firstRunId = started.type === 'WorkflowExecutionStarted' ? started.continuedFromRunId! : '';

    const page = await open(`/#/namespaces/default/workflows/family?runId=${last.runId}`);
    await field(page, 'Continued from').waitFor();
    await expect(field(page, 'Continued from').textContent()).resolves.toBe(firstRunId);
    await expect(page.locator('[data-testid=children]').textContent()).resolves.toContain('leaf-2');

    await field(page, 'Continued from').getByRole('link').click();
    await page.locator('.run-header [data-testid=status]', { hasText: 'ContinuedAsNew' }).waitFor();
    await expect(field(page, 'Run ID').textContent()).resolves.toBe(firstRunId);
    await expect(field(page, 'Continued as new').textContent()).resolves.toBe(last.runId);
    await page.locator('[data-testid=children]').getByRole('link', { name: 'leaf-1' }).click();

    await page.locator('h1', { hasText: 'leaf-1' }).waitFor();
    await expect(field(page, 'Parent').textContent()).resolves.toBe('family');
    await field(page, 'Parent').getByRole('link').click();
    await expect(page.locator('h1', { hasText: 'family' }).waitFor()).resolves.toBeUndefined();
    await expect(field(page, 'Run ID').textContent()).resolves.toBe(firstRunId);
  });

  it("shows a pending activity's attempt, last failure and next retry, and another's last heartbeat", async () => {
    const handle = await client.workflow.start('stalled', { taskQueue: 'ops', workflowId: 'stalled' });
    const described = await until(
      () => handle.describe(),
      (run) =>
        run.pendingActivities.some((activity) => activity.nextAttemptTime !== undefined) &&
        run.pendingActivities.some((activity) => activity.lastHeartbeatTime !== undefined),
      'a retry to be due and a heartbeat to be recorded',
    );
    const retrying = described.pendingActivities.find((activity) => activity.activityType === 'unreliable')!;
    expect(retrying.attempt).toBe(2);

    const page = await open('/#/namespaces/default/workflows/stalled');
    const rows = page.locator('[data-testid=pending-activity]');
    await rows.first().waitFor();
    const unreliable = rows.filter({ hasText: 'unreliable' });
    await expect(unreliable.locator('[data-testid=attempt]').textContent()).resolves.toBe('2');
    const nextRetry = await unreliable.locator('[data-testid=next-retry]').textContent();
    expect(nextRetry).toContain(uiTime(retrying.nextAttemptTime!));
    expect(nextRetry).toMatch(/\(in (59 m \d\d s|1 h 00 m)\)/);
    await expect(unreliable.locator('[data-testid=failure-chain]').textContent()).resolves.toContain(
      'UpstreamDown',
    );
    const heartbeat = await rows
      .filter({ hasText: 'progressing' })
      .locator('[data-testid=heartbeat]')
      .textContent();
    expect(heartbeat).toContain('"step": 3');
    expect(heartbeat).toContain('ago');

    // On the timeline: the failed attempt, then the wait for the next one, still open.
    const row = page.locator('[data-testid=timeline-row][data-name=unreliable]');
    await expect(row.locator('.bar-failed').count()).resolves.toBe(1);
    await expect(row.locator('.bar-waiting').count()).resolves.toBe(1);
    await handle.terminate('done looking');
  });
});

describe('the list', () => {
  it('pages through the runs that match, forwards and back', async () => {
    for (let n = 1; n <= 12; n++) {
      await client.workflow.start('leaf', { taskQueue: 'ops', workflowId: `page-${n}`, args: [n] });
    }
    const page = await open(
      `/#/namespaces/default/workflows?query=${encodeURIComponent("WorkflowId STARTS_WITH 'page-'")}&size=10`,
    );
    const rows = page.locator('table.runs tbody tr');
    await until(
      () => rows.count(),
      (count) => count === 10,
      'the first page',
    );
    const first = await rows.locator('a').allTextContents();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.locator('[data-testid=page-number]', { hasText: 'Page 2' }).waitFor();
    await until(
      () => rows.count(),
      (count) => count === 2,
      'the second page',
    );
    const second = await rows.locator('a').allTextContents();
    expect(new Set([...first, ...second]).size).toBe(12);
    await expect(page.getByRole('button', { name: 'Next' }).isDisabled()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Previous' }).click();
    await until(
      () => rows.count(),
      (count) => count === 10,
      'the first page again',
    );
    await expect(rows.locator('a').allTextContents()).resolves.toEqual(first);
  });
});
