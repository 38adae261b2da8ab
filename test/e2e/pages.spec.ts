// Every page of the app in Chromium against a real `hoedown serve` on a real database, as a new user
// meets it: the empty app offers the sample scans, they are imported, then Import, Sheets, a sheet,
// Review, Scores and Model are each shown and kept as a screenshot (test-artifacts/e2e/*.png) with no
// console error, uncaught exception or CSP violation on the way. Then what a hostile or broken caller
// gets: a malformed call from the page's own origin is a clear error envelope, and a request naming a
// foreign Host (DNS rebinding) or coming from a foreign Origin (another site's page) is refused.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callJson, raw } from '../../src/main/serve/testing.js';
import { type Problems, type Serve, launchChromium, openPage, screenshot, startServe } from './helpers.js';

let serve: Serve;
let browser: Browser | undefined;
let context: BrowserContext;
let page: Page;
let problems: Problems;

beforeAll(async () => {
  browser = await launchChromium();
  const dir = mkdtempSync(join(tmpdir(), 'hoedown-e2e-pages-'));
  serve = await startServe(join(dir, 'app.db'));
  ({ context, page, problems } = await openPage(browser));
});

afterAll(async () => {
  await browser?.close();
  serve?.kill();
});

/** Waits until every image on the page has loaded and decoded (thumbnails, crops, page images). */
async function imagesLoaded(): Promise<void> {
  await page.waitForFunction(() =>
    [...document.images].every((img) => img.complete && img.naturalWidth > 0) &&
    [...document.querySelectorAll('image')].every((img) => (img as SVGImageElement).href.baseVal !== ''),
  );
}

async function show(name: string, route: string, ready: () => Promise<unknown>): Promise<void> {
  await page.getByTestId(`nav-${route}`).click();
  await ready();
  await imagesLoaded();
  await screenshot(page, name);
}

describe('every page in Chromium (hoedown serve, real database)', () => {
  it('starts an empty app on Import, offering the sample sheets', async () => {
    await page.goto(serve.url);
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/import');
    await page.getByTestId('try-samples').waitFor();
    await screenshot(page, 'import-empty');
  });

  it('imports the samples with one click and shows each file done (Import)', async () => {
    await page.getByTestId('try-samples').click();
    await page.getByTestId('import-summary').waitFor({ timeout: 120_000 });
    const statuses = await page.getByTestId('file-status').evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 'done')).toBe(true);
    await screenshot(page, 'import');
  });

  it('shows the sheets with thumbnails (Sheets)', async () => {
    await show('sheets', 'sheets', () => page.getByTestId('sheet-card').first().waitFor());
    expect(await page.getByTestId('sheet-card').count()).toBeGreaterThan(1);
  });

  it('shows a sheet with its grid (Sheet view)', async () => {
    await page.getByTestId('sheet-card').first().getByRole('link').click();
    await page.getByTestId('sheet-stage').waitFor();
    await page.locator('[data-testid^="cell-"]').first().waitFor();
    await imagesLoaded();
    await screenshot(page, 'sheet');
    // The page is as large as the window's height allows within its column (it once stayed at the
    // 300 px default of a replaced element).
    const size = await page.evaluate(() => {
      const svg = document.querySelector('[data-testid="page-canvas"]')!;
      const column = parseFloat(getComputedStyle(svg.closest('[data-testid="sheet-stage"]')!.parentElement!).gridTemplateColumns);
      const [, , w, h] = svg.getAttribute('viewBox')!.split(' ').map(Number);
      const rem = parseFloat(getComputedStyle(document.documentElement).fontSize);
      const expected = Math.min(column, Math.max(20 * rem, (innerHeight - 7 * rem) * (w! / h!)));
      return { width: svg.getBoundingClientRect().width, expected };
    });
    expect(size.expected).toBeGreaterThan(400);
    expect(size.width).toBeCloseTo(size.expected, 0);
  });

  it('shows a flagged cell in its context (Review)', async () => {
    await show('review', 'review', () => page.getByTestId('crop').waitFor());
    expect(await page.getByTestId('remaining').textContent()).toMatch(/\d+ cells? left/);
    await page.getByTestId('key-legend').waitFor();
    // P shows the whole page beside the cell, the cell outlined.
    await page.keyboard.press('p');
    await page.getByTestId('review-page').getByTestId('page-canvas').waitFor();
    await imagesLoaded();
    await screenshot(page, 'review-page');
  });

  it('shows the scores per judge (Scores)', async () => {
    await show('scores', 'scores', () => page.getByTestId('score-row').first().waitFor());
  });

  it('shows the model card, confusion matrix and risk-coverage curve (Model)', async () => {
    // The first visit measures the model on MNIST test (a few seconds, once per model).
    await show('model', 'model', () => page.getByTestId('threshold-slider').waitFor({ timeout: 120_000 }));
    await page.getByTestId('model-card').waitFor();
  });

  it('logged no console errors and no CSP violations on any page', async () => {
    await context.close();
    expect(problems.list).toEqual([]);
  });
});

describe('malformed calls and foreign callers', () => {
  it('answers a malformed call from the page with a clear error envelope', async () => {
    // A context of its own: the browser logs every 4xx answer as a console error, expected here.
    ({ context, page } = await openPage(browser!));
    await page.goto(serve.url);
    const answers = await page.evaluate(async () => {
      const post = async (method: string, body: string): Promise<{ status: number; body: unknown }> => {
        const r = await fetch(`/api/call/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        return { status: r.status, body: (await r.json()) as unknown };
      };
      return {
        notJson: await post('pages.get', '{"pageId":'),
        unknownMethod: await post('pages.drop', '{}'),
        badArgs: await post('review.decide', JSON.stringify({ cellId: 1, decision: { action: 'set', value: 12 } })),
      };
    });
    expect(answers.notJson).toEqual({ status: 400, body: { error: { code: 'bad-request', message: expect.stringMatching(/^The request body is not valid JSON: /) } } });
    expect(answers.unknownMethod).toEqual({ status: 400, body: { error: { code: 'bad-request', message: 'There is no method "pages.drop".' } } });
    expect(answers.badArgs).toEqual({ status: 200, body: { error: { code: 'bad-request', message: 'review.decide: decision.value must be a digit 0-9 (got 12)' } } });
    await context.close();
  });

  it('refuses a foreign Host (DNS rebinding) and a foreign Origin (another site) with 403', async () => {
    const port = serve.port;
    const host = await callJson(port, 'app.info', {}, { host: `rebind.example:${port}` });
    expect(host.status).toBe(403);
    expect(host.json).toEqual({ error: { code: 'bad-request', message: `Refused: Host "rebind.example:${port}" is not this server (use http://127.0.0.1:${port}/).` } });
    const origin = await callJson(port, 'app.info', {}, { origin: 'http://attacker.example' });
    expect(origin.status).toBe(403);
    expect(origin.body).toContain('only pages served by this server may call it');
    // The event stream and the app's page are guarded the same way.
    expect((await raw(port, { path: '/api/events', headers: { origin: 'http://attacker.example' } })).status).toBe(403);
    expect((await raw(port, { path: '/', headers: { host: `rebind.example:${port}` } })).status).toBe(403);
    // Its own callers still get through.
    expect((await callJson(port, 'app.info', {}, { origin: `http://127.0.0.1:${port}` })).status).toBe(200);
  });
});
