import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

const ENSURE_CHROMIUM = fileURLToPath(new URL('../../scripts/ensure-chromium.mjs', import.meta.url));

/**
 * Debian's headless Chromium driven by playwright-core; installs it first (apt-get) where it is
 * missing, as on a fresh CI machine.
 */
export async function launchChromium(): Promise<Browser> {
  const lines = execFileSync(process.execPath, [ENSURE_CHROMIUM], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  const executablePath = lines.split('\n').at(-1)!;
  return chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
}

/** A page that records every console error and uncaught exception it sees. */
export interface WatchedPage {
  page: Page;
  /** Console errors and page errors so far, as text. */
  errors: string[];
}

/** Opens `url` in a new page of `browser` that records its console errors. */
export async function openPage(browser: Browser, url: string): Promise<WatchedPage> {
  // UTC, so a test can spell out the times the page shows.
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, timezoneId: 'UTC' });
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  await page.goto(url);
  return { page, errors };
}

/** A time as the UI shows it in UTC: `2026-12-01 14:17:22.561`. */
export function uiTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 23);
}

/**
 * The pages one test opens on a server: each records its console errors, and `closeAll` (in an
 * `afterEach`) closes them and hands back every error they saw, so a test fails on any.
 */
export class PageSession {
  private opened: WatchedPage[] = [];

  constructor(
    private readonly browser: Browser,
    private readonly baseUrl: string,
  ) {}

  /** Opens `path` on the server in a new watched page. */
  async open(path: string): Promise<Page> {
    const watched = await openPage(this.browser, `${this.baseUrl}${path}`);
    this.opened.push(watched);
    return watched.page;
  }

  /** The page opened last, with its errors (a test may take out the ones it provoked). */
  get last(): WatchedPage | undefined {
    return this.opened.at(-1);
  }

  /** Closes every page opened since the last call; resolves to their console and page errors. */
  async closeAll(): Promise<string[]> {
    const pages = this.opened.splice(0);
    await Promise.all(pages.map((watched) => watched.page.close()));
    return pages.flatMap((watched) => watched.errors);
  }
}
