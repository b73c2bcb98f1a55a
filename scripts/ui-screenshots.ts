// Screenshots of the web UI for the docs: starts `cairn dev` with the example workers, starts the
// seed examples, and saves the list and run pages as PNGs in docs/images/.
// Run: npx tsx --conditions=source scripts/ui-screenshots.ts
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launchChromium, openPage } from '../test/support/browser.ts';
import { EXAMPLE_WORKERS, startRepoDev } from '../test/support/dev-process.ts';
import { SEEDED, seedExamples } from '../test/support/seed-examples.ts';

const images = fileURLToPath(new URL('../docs/images/', import.meta.url));
mkdirSync(images, { recursive: true });

const dev = await startRepoDev(EXAMPLE_WORKERS);
const browser = await launchChromium();
try {
  const client = await seedExamples(dev.endpoint);
  const deadline = Date.now() + 60_000;
  for (const workflowId of [SEEDED.loan, SEEDED.orderShipped, SEEDED.orderDeclined]) {
    while ((await client.workflow.getHandle(workflowId).describe()).status === 'Running') {
      if (Date.now() > deadline) throw new Error(`${workflowId} did not close within a minute`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  const shots: [string, string, string][] = [
    ['ui-list.png', '/', 'table.runs tbody tr'],
    ['ui-run.png', `/#/namespaces/default/workflows/${SEEDED.orderDeclined}`, '[data-testid=timeline-row]'],
    ['ui-run-retries.png', `/#/namespaces/default/workflows/${SEEDED.loan}`, '[data-testid=timeline-row]'],
    [
      'ui-run-waiting.png',
      `/#/namespaces/default/workflows/${SEEDED.approval}`,
      '[data-testid=pending-timers]',
    ],
  ];
  for (const [file, path, ready] of shots) {
    const { page, errors } = await openPage(browser, `${dev.endpoint}${path}`);
    await page.locator(ready).first().waitFor();
    // The counts and every row are in once the list's second load has answered.
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: `${images}${file}`, fullPage: true });
    if (errors.length > 0) throw new Error(`${path}: ${errors.join('\n')}`);
    await page.close();
    console.log(`docs/images/${file}`);
  }
} finally {
  await browser.close();
  await dev.stop();
}
