// Shared set-up for the end-to-end tests: the real worker in workerd with an
// in-memory D1, and headless Debian Chromium driven by playwright-core.
import { chromium } from 'playwright-core';
import { startRuntime, seedDemo } from '../scripts/runtime.mjs';

/** The operator token the test runtime is started with. */
export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export async function startTestRuntime(vars = {}, { onOutput } = {}) {
  const runtime = await startRuntime({ port: 0, adminToken: ADMIN_TOKEN, vars, onOutput });
  await seedDemo(runtime.d1, runtime.url);
  return runtime;
}

/** A desktop Chrome user agent, for tests that act as a person. */
export const BROWSER_USER_AGENT =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';

export async function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    // Chromium's own background traffic would only hit the closed network.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      // The worker drops headless user agents as bots; these tests stand in for people.
      `--user-agent=${BROWSER_USER_AGENT}`,
      // For experiments, e.g. EXTRA_ARGS=--js-flags=--no-wasm-lazy-compilation.
      ...(process.env.EXTRA_ARGS ? process.env.EXTRA_ARGS.split(' ') : [])],
  });
}

/**
 * Waits for the next minute when less than `marginMs` of this one is left:
 * rate limits count per calendar minute, so a burst that must meet its
 * limit cannot straddle two windows, however slow the machine.
 */
export async function startOfMinute(marginMs = 20_000) {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

/**
 * Polls `check` until it returns a truthy value or `timeoutMs` passes. A
 * check that throws is tried again, and its error is thrown if it still
 * throws at the deadline.
 */
export async function eventually(check, timeoutMs = 5000, intervalMs = 50) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let value;
    try {
      value = await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (value) return value;
    if (Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * A page that looks like a person's browser to the recorder: Playwright sets
 * navigator.webdriver, and the recorder does not record automation.
 */
export async function newPersonPage(browser, options = {}) {
  const page = await browser.newPage(options);
  await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'webdriver', { get: () => false }));
  return page;
}
