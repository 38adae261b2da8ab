// The review flow end to end, as a person does it in Chromium against a real `hoedown serve` on a
// real database: generated scans imported through the Import page's file input, five flagged cells
// decided by keyboard only (a digit, Enter, U, Delete, a digit), Ctrl+Z taking back the last, the
// cells CSV downloaded from the Scores page and checked against those decisions and against
// `hoedown export` of the same database; then serve restarted on that database and Ctrl+Z in the
// browser taking back the decision made before the restart (nothing lost across it).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope, ReviewItem } from '../../src/shared/contract.js';
import { generateSheets } from '../fixtures/sheets/generator.js';
import { type Problems, type Serve, exportCli, importThroughPage, launchChromium, openPage, parseCsv, startServe } from './helpers.js';

let dir: string;
let dbPath: string;
let serve: Serve;
let browser: Browser | undefined;
let context: BrowserContext;
let page: Page;
let problems: Problems;
let sheetFiles: string[];

beforeAll(async () => {
  browser = await launchChromium();
  dir = mkdtempSync(join(tmpdir(), 'hoedown-e2e-review-'));
  dbPath = join(dir, 'app.db');
  // Seeded: the same scans (and so the same flagged cells) every run. PNG and a two-page PDF: both
  // decoders, several pages, enough flagged cells for the queue.
  const sheets = await generateSheets({ seed: 11, count: 4, outDir: join(dir, 'sheets'), formats: ['png', 'pdf'], dpi: [150, 150], pagesPerFile: [2, 2] });
  sheetFiles = sheets.files;
  serve = await startServe(dbPath);
  ({ context, page, problems } = await openPage(browser));
});

afterAll(async () => {
  await browser?.close();
  serve?.kill();
});

/** The cell on the review stage (its id), once the stage shows one. */
async function currentCellId(): Promise<number> {
  await page.getByTestId('crop').waitFor();
  return Number(await page.getByTestId('review-stage').getAttribute('data-cell-id'));
}

/** The number the "N cells left" count shows once every decision is saved. */
async function remainingWhenSaved(): Promise<number> {
  await expect.poll(() => page.getByTestId('saving').textContent()).toBe('all saved');
  const text = (await page.getByTestId('remaining').textContent()) ?? '';
  const m = /(\d+) cells? left/.exec(text);
  if (!m) throw new Error(`no count in "${text}"`);
  return Number(m[1]);
}

/** Presses `key` and waits until another cell than `cellId` is on the stage. */
async function pressAndAdvance(key: string, cellId: number): Promise<void> {
  await page.keyboard.press(key);
  await page.waitForFunction(
    (id) => {
      const v = document.querySelector('[data-testid="review-stage"]')?.getAttribute('data-cell-id');
      return v !== null && v !== undefined && v !== String(id) && document.querySelector('[data-testid="crop"]') !== null;
    },
    cellId,
  );
}

/** A cell as the api describes it (read from the page's own origin, as the app does). */
function reviewItem(cellId: number): Promise<ReviewItem> {
  return page.evaluate(async (id) => {
    const r = await fetch('/api/call/review.item', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cellId: id }) });
    const envelope = (await r.json()) as Envelope<ReviewItem>;
    if ('error' in envelope) throw new Error(envelope.error.message);
    return envelope.ok;
  }, cellId);
}

interface Decided {
  cellId: number;
  item: ReviewItem;
  /** What the cells CSV must then say. */
  status: string;
  value: string;
}

const key = (item: ReviewItem): string => `${item.fileName}/${item.page}/${item.cell.row}/${item.cell.col}`;
const rowKey = (r: Record<string, string>): string => `${r.file}/${r.page}/${r.row}/${r.col}`;

let initial: number;
const decided: Decided[] = [];

describe('review by keyboard, undo, export (Chromium, hoedown serve, real database)', () => {
  it('imports the generated sheets through the Import page', async () => {
    const statuses = await importThroughPage(page, serve.url, sheetFiles, 'Ann Smith');
    expect(statuses).toEqual(sheetFiles.map(() => 'done'));
    await expect.poll(() => page.getByTestId('import-summary').textContent()).toContain(`Finished: ${sheetFiles.length} files read`);
  });

  it('decides five flagged cells with the keyboard only: a digit, Enter, U, Delete, a digit', async () => {
    await page.getByTestId('nav-review').click();
    await page.getByTestId('crop').waitFor();
    initial = await remainingWhenSaved();
    expect(initial).toBeGreaterThanOrEqual(6);

    const plan = ['digit', 'accept', 'unresolved', 'empty', 'digit'] as const;
    for (const step of plan) {
      let cellId = await currentCellId();
      let item = await reviewItem(cellId);
      // Enter accepts a reading; a flagged cell without one is skipped (→) until one has a reading.
      for (let tries = 0; step === 'accept' && item.cell.readValue === null && tries < 20; tries++) {
        await pressAndAdvance('ArrowRight', cellId);
        cellId = await currentCellId();
        item = await reviewItem(cellId);
      }
      expect(item.cell.status).toBe('flagged');
      if (step === 'digit') {
        // A digit other than the reading, so the cell is `corrected` to exactly it.
        const digit = item.cell.readValue === null ? 7 : (item.cell.readValue + 1) % 10;
        await pressAndAdvance(String(digit), cellId);
        decided.push({ cellId, item, status: 'corrected', value: String(digit) });
      } else if (step === 'accept') {
        expect(item.cell.readValue).not.toBeNull();
        await pressAndAdvance('Enter', cellId);
        decided.push({ cellId, item, status: 'confirmed', value: String(item.cell.readValue) });
      } else if (step === 'unresolved') {
        await pressAndAdvance('u', cellId);
        decided.push({ cellId, item, status: 'unresolved', value: '' });
      } else {
        await pressAndAdvance('Delete', cellId);
        decided.push({ cellId, item, status: 'corrected', value: '' });
      }
    }
    expect(new Set(decided.map((d) => d.cellId)).size).toBe(5);
    expect(await remainingWhenSaved()).toBe(initial - 5);
    await expect.poll(() => page.getByTestId('previous').textContent()).toContain(`row ${decided[4]!.item.cell.row}, column ${decided[4]!.item.cell.col}`);
  });

  it('Ctrl+Z takes back the last decision: its cell is back on the stage and counted again', async () => {
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.getByTestId('review-stage').getAttribute('data-cell-id')).toBe(String(decided[4]!.cellId));
    expect(await remainingWhenSaved()).toBe(initial - 4);
    await expect.poll(() => page.getByTestId('review-notice').textContent()).toContain('Undone');
    // The one before it is now the previous decision.
    await expect.poll(() => page.getByTestId('previous').textContent()).toContain(`row ${decided[3]!.item.cell.row}, column ${decided[3]!.item.cell.col}`);
  });

  it('downloads the cells CSV from the Scores page with the four decisions kept and the undone cell flagged', async () => {
    await page.getByTestId('nav-scores').click();
    await page.getByTestId('score-row').first().waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-cells').click()]);
    const csv = readFileSync(await download.path(), 'utf8');
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const rows = new Map(parseCsv(csv).map((r) => [rowKey(r), r]));
    for (const d of decided.slice(0, 4)) {
      expect(rows.get(key(d.item)), key(d.item)).toMatchObject({ status: d.status, value: d.value });
    }
    expect(rows.get(key(decided[4]!.item))).toMatchObject({ status: 'flagged', value: '' });
    // Cells of the imported files only (a page whose table was not found exports none), and flagged
    // rows as many as the queue counts.
    const names = new Set(sheetFiles.map((f) => basename(f)));
    expect([...rows.values()].every((r) => names.has(r.file!))).toBe(true);
    expect([...rows.values()].filter((r) => r.status === 'flagged')).toHaveLength(initial - 4);
    // The browser's download and the command line's export of the same database agree byte for byte.
    expect(csv).toBe(exportCli(dbPath, 'cells'));
  });

  it('keeps every decision across a restart of serve, and Ctrl+Z then takes back the one before it', async () => {
    // Leave the app first: its event stream would otherwise log the server's absence as errors.
    await page.goto('about:blank');
    expect(await serve.stop()).toBe(0);
    serve = await startServe(dbPath);
    await page.goto(`${serve.url}#/review`);
    await page.getByTestId('crop').waitFor();
    expect(await remainingWhenSaved()).toBe(initial - 4);

    await page.keyboard.press('Control+z');
    await expect.poll(() => page.getByTestId('review-stage').getAttribute('data-cell-id')).toBe(String(decided[3]!.cellId));
    expect(await remainingWhenSaved()).toBe(initial - 3);
    const rows = new Map(parseCsv(exportCli(dbPath, 'cells')).map((r) => [rowKey(r), r]));
    expect(rows.get(key(decided[3]!.item))).toMatchObject({ status: 'flagged', value: '' });
    for (const d of decided.slice(0, 3)) expect(rows.get(key(d.item))).toMatchObject({ status: d.status, value: d.value });
  });

  it('logged no console errors and no CSP violations', async () => {
    await context.close();
    expect(problems.list).toEqual([]);
  });
});
