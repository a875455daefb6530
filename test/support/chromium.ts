/**
 * Headless Chromium for the page tests, driven by playwright-core: Debian's `chromium`, installed
 * by scripts/chromium.sh (CI runs it before the unit tests). Found through ALAKAI_CHROMIUM, else
 * /usr/bin/chromium. In CI a missing browser fails the test file; elsewhere the tests are skipped
 * with a line that says how to install it.
 */
import { accessSync, constants, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export function chromiumPath(): string | undefined {
  for (const p of [process.env['ALAKAI_CHROMIUM'], '/usr/bin/chromium']) {
    if (!p) continue;
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // next candidate
    }
  }
  return undefined;
}

/** The browser's path, or undefined (outside CI only) after saying why the tests are skipped. */
export function requireChromium(): string | undefined {
  const path = chromiumPath();
  if (path) return path;
  const why = 'no Chromium at $ALAKAI_CHROMIUM or /usr/bin/chromium (scripts/chromium.sh install puts it there)';
  if (process.env['CI']) throw new Error(`browser tests need Chromium in CI: ${why}`);
  process.stderr.write(`\nSKIPPED: the HTML page tests in a real browser: ${why}\n\n`);
  return undefined;
}

export async function launch(path: string): Promise<Browser> {
  // As root (CI, these machines) Chromium refuses to start with its sandbox.
  return chromium.launch({ executablePath: path, args: ['--no-sandbox'], headless: true });
}

/** What a page did while it loaded: console errors, dialogs, requests that left file://. */
export interface PageWatch {
  errors: string[];
  dialogs: string[];
  requests: string[];
}

/** A page with the network cut: only file:// loads; anything else is aborted and recorded. */
export async function offlinePage(browser: Browser): Promise<{ page: Page; watch: PageWatch }> {
  const context = await browser.newContext({ offline: true, viewport: { width: 1280, height: 900 } });
  const watch: PageWatch = { errors: [], dialogs: [], requests: [] };
  await context.route('**/*', (route) =>
    route.request().url().startsWith('file:') ? route.continue() : route.abort('blockedbyclient'),
  );
  const page = await context.newPage();
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) watch.requests.push(r.url());
  });
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') watch.errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => watch.errors.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => {
    watch.dialogs.push(d.message());
    void d.dismiss();
  });
  return { page, watch };
}

/** Where screenshots go: $ALAKAI_TEST_ARTIFACTS, else test-artifacts/ in the repo (git-ignored). */
export function artifactPath(name: string): string {
  const dir = process.env['ALAKAI_TEST_ARTIFACTS'] ?? join(import.meta.dirname, '../../test-artifacts');
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}
