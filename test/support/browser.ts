// A real browser for the dashboard's tests: headless Chromium from Debian's `chromium` package (the
// suite's globalSetup installs it when missing), driven by playwright-core, which downloads no browser.

import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's launcher script; it runs /usr/lib/chromium/chromium with the distribution's flags. */
export const CHROMIUM = '/usr/bin/chromium';

export interface WatchedPage {
  readonly page: Page;
  /** Console errors and uncaught exceptions, Content-Security-Policy violations included, as they came. */
  readonly problems: string[];
}

export async function launchBrowser(): Promise<Browser> {
  // playwright-core passes --no-sandbox (needed as root in containers) since chromiumSandbox is off by default.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, timeout: 15_000 });
}

/** A new page of a fixed size that records every console error and page error. */
export async function watchedPage(browser: Browser, viewport = { width: 1280, height: 900 }): Promise<WatchedPage> {
  const page = await browser.newPage({ viewport });
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return { page, problems };
}
