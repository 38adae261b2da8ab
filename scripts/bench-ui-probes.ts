// The in-page half of `npm run bench:ui`: probes installed before the app's own scripts run, so the
// timings are taken by the page itself (Playwright's round trips would otherwise be in them).
import type { BrowserContext } from 'playwright-core';

export interface BenchProbes {
  /** Starts watching the main thread (long tasks, gaps between timer turns) for the import. */
  startImport(): void;
  stopImport(): void;
  importTasks(): { longest: number; longestGap: number; count: number };
  /** Arms the next key press: its keydown starts the clock, the next crop painted stops it. */
  armKey(): void;
  /** The armed key press's delay in ms once the next crop is painted, else false. */
  keyResult(): number | false;
}

export interface Instrumented {
  __bench: BenchProbes;
}

/** Runs in the page before anything else (addInitScript); self-contained, no closures from Node. */
function probes(): void {
  const longTasks: { start: number; duration: number }[] = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    // No longtask support: the timer-gap measure below still says how long the thread was blocked.
  }

  let window0 = 0;
  let window1 = Infinity;
  let gapLoop = false;
  let longestGap = 0;
  const tick = (last: number): void => {
    if (!gapLoop) return;
    setTimeout(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      tick(now);
    }, 0);
  };

  let armed: { t0: number | null; painted: number | null; prevId: string | null; waiting: boolean } | null = null;
  const stageId = (): string | null => document.querySelector('[data-testid="review-stage"]')?.getAttribute('data-cell-id') ?? null;
  // Capture on window: the first listener to see the key, before the app's own.
  window.addEventListener(
    'keydown',
    () => {
      if (armed && armed.t0 === null) armed.t0 = performance.now();
    },
    true,
  );
  const painted = (): void => {
    requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        if (armed) armed.painted = performance.now();
      }),
    );
  };
  new MutationObserver(() => {
    if (!armed || armed.t0 === null || armed.waiting) return;
    const id = stageId();
    if (id === null || id === armed.prevId) return;
    armed.waiting = true;
    const crop = document.querySelector<HTMLImageElement>('[data-testid="crop"]');
    if (!crop || crop.complete) painted();
    else crop.addEventListener('load', painted, { once: true });
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-cell-id', 'src'] });

  const bench: BenchProbes = {
    startImport() {
      window0 = performance.now();
      window1 = Infinity;
      longestGap = 0;
      gapLoop = true;
      tick(performance.now());
    },
    stopImport() {
      window1 = performance.now();
      gapLoop = false;
    },
    importTasks() {
      const during = longTasks.filter((t) => t.start + t.duration > window0 && t.start < window1);
      return { longest: Math.max(0, ...during.map((t) => t.duration)), longestGap, count: during.length };
    },
    armKey() {
      armed = { t0: null, painted: null, prevId: stageId(), waiting: false };
    },
    keyResult() {
      if (!armed || armed.t0 === null || armed.painted === null) return false;
      return Math.max(0.001, armed.painted - armed.t0);
    },
  };
  (window as unknown as Instrumented).__bench = bench;
}

export async function installProbes(context: BrowserContext): Promise<void> {
  // tsx (esbuild's keepNames) wraps named functions in a `__name` helper the page does not have.
  await context.addInitScript({ content: 'globalThis.__name = (f) => f;' });
  await context.addInitScript(probes);
}
