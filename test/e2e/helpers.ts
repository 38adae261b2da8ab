// Shared by the end-to-end specs (test/e2e) and `npm run bench:ui`: a real `hoedown serve` child
// process on a real database, Debian's Chromium driven by playwright-core, and the checks every page
// gets (no console errors, no CSP violations).
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';
import { parseCsvObjects } from '../../src/main/services/csv.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'hoedown.mjs');
/** Screenshots and other artifacts of a run (gitignored). */
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'e2e');

/** Debian's Chromium: playwright-core's own browser download cannot be had here (no network). */
export const CHROMIUM = '/usr/bin/chromium';
// Headless as root; without the background-networking flags Chromium keeps trying hosts this
// machine's closed network refuses.
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Starts Chromium, or fails with what to install: a missing browser must fail the suite (CI installs
 * it in .ci/run), never skip it silently.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `The end-to-end tests need Debian's Chromium at ${CHROMIUM}, which is missing: ` +
        'install it with `apt-get install -y --no-install-recommends chromium` (.ci/run does).',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export interface Serve {
  port: number;
  url: string;
  dbPath: string;
  stdout(): string;
  stderr(): string;
  /** Ctrl+C (SIGINT), then waits for the exit status. */
  stop(): Promise<number | null>;
  /** SIGKILL if still running (afterAll's safety net). */
  kill(): void;
}

/** `hoedown serve --db dbPath --port 0` as a user runs it (node directly, so signals reach it). */
export function startServe(dbPath: string): Promise<Serve> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [BIN, 'serve', '--db', dbPath, '--port', '0'], { cwd: ROOT });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const m = /is at (http:\/\/127\.0\.0\.1:(\d+)\/)/.exec(stdout);
      if (!m) return;
      resolve({
        port: Number(m[2]),
        url: m[1]!,
        dbPath,
        stdout: () => stdout,
        stderr: () => stderr,
        stop: () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
          return exited;
        },
        kill: () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        },
      });
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    void exited.then((code) => reject(new Error(`hoedown serve exited (${code}) before listening: ${stderr.trim()}`)));
  });
}

/** What went wrong in the pages of a context: console errors, uncaught exceptions, CSP violations. */
export interface Problems {
  list: string[];
}

/**
 * Records the problems of every page of `context` (call before opening pages). CSP violations show as
 * console errors too; the `securitypolicyviolation` event catches the ones a page reports silently.
 */
export async function watchProblems(context: BrowserContext): Promise<Problems> {
  const problems: Problems = { list: [] };
  await context.exposeBinding('__e2eReportCsp', (_source, text: string) => {
    problems.list.push(`CSP violation: ${text}`);
  });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      const report = (window as unknown as { __e2eReportCsp(text: string): void }).__e2eReportCsp;
      report(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'}`);
    });
  });
  const watch = (page: Page): void => {
    page.on('console', (m) => {
      if (m.type() === 'error') problems.list.push(`console error on ${page.url()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.list.push(`uncaught on ${page.url()}: ${e.stack ?? e.message}`));
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  return problems;
}

/** A new context with the size the screenshots are taken at, and its problems watched. */
export async function openPage(browser: Browser): Promise<{ context: BrowserContext; page: Page; problems: Problems }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const problems = await watchProblems(context);
  const page = await context.newPage();
  return { context, page, problems };
}

/** Saves a full-page screenshot under test-artifacts/e2e/NAME.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Imports `files` through the Import page's file input; resolves with each file's final status. */
export async function importThroughPage(page: Page, baseUrl: string, files: string[], judge?: string): Promise<string[]> {
  await page.goto(`${baseUrl}#/import`);
  await page.getByTestId('file-input').setInputFiles(files);
  if (judge !== undefined) await page.getByTestId('judge').fill(judge);
  await page.getByTestId('start-import').click();
  // The summary appears once the task has ended; by then every file has its final status.
  await page.getByTestId('import-summary').waitFor({ timeout: 300_000 });
  return page.getByTestId('file-status').evaluateAll((els) => els.map((e) => e.getAttribute('data-status') ?? ''));
}

/** `hoedown export --db PATH --format F` as a separate process (the CLI's view of the same database). */
export function exportCli(dbPath: string, format: 'cells' | 'scores'): string {
  const r = spawnSync(process.execPath, [BIN, 'export', '--db', dbPath, '--format', format], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`hoedown export exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** The rows of a cells or scores CSV as objects by header name (the product's RFC 4180 reader). */
export function parseCsv(text: string): Record<string, string>[] {
  return parseCsvObjects(text, [], 'export');
}
