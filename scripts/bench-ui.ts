// `npm run bench:ui`: how the review app feels in Chromium against a real `hoedown serve` (issue 5's
// targets). Imports 20 generated sheets through the Import page while recording the main thread's
// long tasks, then times 50 review key presses from keydown to the next crop painted. Prints one JSON
// object and writes it into BENCHMARKS.md ("Review UI: npm run bench:ui"). Not part of `npm test`:
// timings belong here, never in assertions.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { generateSheets } from '../test/fixtures/sheets/generator.js';
import { ROOT, launchChromium, startServe } from '../test/e2e/helpers.js';
import { type Instrumented, installProbes } from './bench-ui-probes.js';

const SHEETS = 20;
const PRESSES = 50;
const TARGET_KEYPRESS_MS = 50;
const TARGET_TASK_MS = 200;

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const round1 = (x: number): number => Math.round(x * 10) / 10;

/** Imports the files through the page; resolves with the seconds from the click to the summary. */
async function importSheets(page: Page, url: string, files: string[]): Promise<number> {
  await page.goto(`${url}#/import`);
  await page.getByTestId('file-input').setInputFiles(files);
  await page.getByTestId('judge').fill('Bench');
  await page.evaluate(() => (window as unknown as Instrumented).__bench.startImport());
  const t0 = performance.now();
  await page.getByTestId('start-import').click();
  await page.getByTestId('import-summary').waitFor({ timeout: 600_000 });
  const seconds = (performance.now() - t0) / 1000;
  await page.evaluate(() => (window as unknown as Instrumented).__bench.stopImport());
  const statuses = await page.getByTestId('file-status').evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
  if (statuses.length !== files.length || statuses.some((s) => s !== 'done')) throw new Error(`import ended with ${JSON.stringify(statuses)}`);
  return seconds;
}

/** Presses the review keys one after another; each delay runs from keydown to the next crop painted. */
async function timeKeyPresses(page: Page, url: string): Promise<number[]> {
  await page.goto(`${url}#/review`);
  await page.getByTestId('crop').waitFor();
  // Let the prefetch fill and its images decode, as when a person opens the queue and looks first.
  await page.waitForFunction(() => document.querySelector('[data-testid="saving"]')?.textContent === 'all saved');
  await page.waitForTimeout(500);
  const keys = ['3', '7', 'u', 'Delete', '1'];
  const delays: number[] = [];
  for (let i = 0; i < PRESSES; i++) {
    await page.evaluate(() => (window as unknown as Instrumented).__bench.armKey());
    await page.keyboard.press(keys[i % keys.length]!);
    const ms = await page.waitForFunction(() => (window as unknown as Instrumented).__bench.keyResult(), undefined, { timeout: 30_000 });
    delays.push((await ms.jsonValue()) as number);
  }
  return delays;
}

interface Result {
  longest_task_ms: number;
  longest_gap_ms: number;
  long_tasks: number;
  import_seconds: number;
  keypress_median_ms: number;
  keypress_p95_ms: number;
  keypress_max_ms: number;
  n: number;
}

/** Replaces (or appends) the measured part of BENCHMARKS.md's "Review UI" section with this run. */
function writeBenchmarks(result: Result, machine: string): void {
  const path = join(ROOT, 'BENCHMARKS.md');
  const heading = '## Review UI: `npm run bench:ui`';
  const ok = (met: boolean): string => (met ? 'met' : '**missed**');
  const section = `${heading}

Issue 5's targets, in Debian's Chromium (headless, playwright-core) against \`hoedown serve\` on a fresh
database: ${SHEETS} generated sheets (seeded; PNG and JPEG, 200 dpi, 10 × 6 data cells) imported through
the Import page's file input while a \`longtask\` PerformanceObserver (and, as a cross-check, the
largest gap between \`setTimeout(0)\` turns) watches the main thread; then ${PRESSES} review key presses
(digits, U, Delete in turn, as fast as the keyboard is driven), each timed in the page from its
keydown (a capture listener) to the next cell's crop painted (\`data-cell-id\` changed, the crop image
complete, then two animation frames).

Machine: ${machine}. Command: \`npm run bench:ui\` (${new Date().toISOString().slice(0, 10)}).

| measure | value | target |
| --- | --- | --- |
| longest main-thread task while ${SHEETS} sheets import | ${result.longest_task_ms} ms (${result.long_tasks} tasks over 50 ms; longest gap ${result.longest_gap_ms} ms) | ≤ ${TARGET_TASK_MS} ms: ${ok(result.longest_task_ms <= TARGET_TASK_MS)} |
| import, click to summary | ${result.import_seconds} s | — |
| key press → next crop painted, median | ${result.keypress_median_ms} ms | ≤ ${TARGET_KEYPRESS_MS} ms: ${ok(result.keypress_median_ms <= TARGET_KEYPRESS_MS)} |
| key press → next crop painted, p95 / max | ${result.keypress_p95_ms} / ${result.keypress_max_ms} ms (n = ${result.n}) | — |

\`\`\`json
${JSON.stringify(result)}
\`\`\`
`;
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf(heading);
  let next: string;
  if (start < 0) next = `${text.trimEnd()}\n\n${section}`;
  else {
    // The measured part ends at the next heading; notes under a ### heading of their own stay.
    const ends = ['\n## ', '\n### '].map((h) => text.indexOf(h, start + heading.length)).filter((i) => i >= 0);
    const end = ends.length ? Math.min(...ends) : -1;
    next = `${text.slice(0, start)}${section}${end < 0 ? '' : text.slice(end)}`;
  }
  writeFileSync(path, next.endsWith('\n') ? next : `${next}\n`);
}

async function main(): Promise<void> {
  // Other work on the machine stretches every timing here: the run says how busy it was.
  const load = loadavg()[0]!;
  const dir = mkdtempSync(join(tmpdir(), 'hoedown-bench-ui-'));
  console.error(`generating ${SHEETS} sheets in ${dir}…`);
  const sheets = await generateSheets({ seed: 2024, count: SHEETS, outDir: join(dir, 'sheets'), formats: ['png', 'jpeg'], dpi: [200, 200], rows: [10, 10], cols: [6, 6] });
  const serve = await startServe(join(dir, 'bench.db'));
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await installProbes(context);
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    console.error(`importing ${sheets.files.length} files through the Import page…`);
    const importSeconds = await importSheets(page, serve.url, sheets.files);
    const tasks = await page.evaluate(() => (window as unknown as Instrumented).__bench.importTasks());
    console.error(`timing ${PRESSES} key presses on the Review page…`);
    const delays = await timeKeyPresses(page, serve.url);
    const sorted = [...delays].sort((a, b) => a - b);
    const result: Result = {
      longest_task_ms: round1(tasks.longest),
      longest_gap_ms: round1(tasks.longestGap),
      long_tasks: tasks.count,
      import_seconds: round1(importSeconds),
      keypress_median_ms: round1(percentile(sorted, 50)),
      keypress_p95_ms: round1(percentile(sorted, 95)),
      keypress_max_ms: round1(sorted.at(-1)!),
      n: delays.length,
    };
    console.log(JSON.stringify(result));
    const machine =
      `${cpus().length}-core VM (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.version}, ` +
      `Chromium ${browser.version()}; load average ${load.toFixed(1)} at the start`;
    writeBenchmarks(result, machine);
    console.error(`written to BENCHMARKS.md (${machine})`);
    await context.close();
  } finally {
    await browser.close();
    await serve.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
