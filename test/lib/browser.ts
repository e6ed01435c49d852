/**
 * A headless Chromium for the browser tests: Debian's package (`apt-get install chromium`, which
 * .ci/run does), driven by playwright-core; never a downloaded browser build. CHROMIUM_PATH names
 * another one (the GitHub runners have Google Chrome).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import type { Page } from 'playwright-core';

/** The browser the tests drive. */
export const chromiumPath: string = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Starts Chromium with a fresh profile and hands its page to `use`, then closes it and removes the
 * profile. Without Chromium the test skips with a one-line reason, or fails when CI=true.
 */
export async function withBrowserPage(
  t: TestContext,
  viewport: { width: number; height: number },
  use: (page: Page) => Promise<void>,
): Promise<void> {
  if (!existsSync(chromiumPath)) {
    if (process.env.CI === 'true')
      assert.fail(`${chromiumPath} is missing, and CI=true: install Debian's chromium (.ci/run does)`);
    t.skip(`${chromiumPath} is missing: apt-get install chromium to run the browser test`);
    return;
  }
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(path.join(os.tmpdir(), 'e2e-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    viewport,
  });
  try {
    await use(browser.pages()[0] ?? (await browser.newPage()));
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
