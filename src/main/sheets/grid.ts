// The ruled table: long horizontal and vertical ink runs, traced strip by strip into lines, each fitted
// with its own slope (so slight perspective is tolerated), then the set of lines that cross each
// other, from which every cell's box follows.
import type { Mask } from './binarise.js';
import type { Box } from './types.js';

/** y = a + b·x for a horizontal line; x = a + b·y for a vertical one; `from`..`to` its extent. */
export interface Line {
  a: number;
  b: number;
  from: number;
  to: number;
  /** Mean thickness in pixels. */
  thickness: number;
}

export interface Grid {
  /** Horizontal lines, top to bottom. */
  rows: Line[];
  /** Vertical lines, left to right. */
  cols: Line[];
}

export const lineAt = (l: Line, t: number): number => l.a + l.b * t;

/** Keeps the pixels of `mask` that lie in runs of at least `minRun` along x (dir 'h') or y ('v'). */
export function longRuns(mask: Mask, minRun: number, dir: 'h' | 'v', profiles?: StripProfiles): Uint8Array {
  const { width: w, height: h, data } = mask;
  const out = new Uint8Array(w * h);
  if (dir === 'h') {
    for (let y = 0; y < h; y++) {
      const row = y * w;
      let start = -1;
      for (let x = 0; x <= w; x++) {
        const on = x < w && data[row + x] === 1;
        if (on && start < 0) start = x;
        else if (!on && start >= 0) {
          if (x - start >= minRun) {
            out.fill(1, row + start, row + x);
            if (profiles) addSpan(profiles, y, start, x);
          }
          start = -1;
        }
      }
    }
    return out;
  }
  // Vertical runs, walked row by row (memory order) with one open run per column: a column-by-column
  // walk strides the whole width at every step and was the slowest part of finding the grid. (Inline,
  // not a closure: variables a closure captures are loaded from its context at every use in the loop.)
  const start = new Int32Array(w).fill(-1);
  for (let y = 0; y <= h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      const s = start[x]!;
      if (y < h && data[row + x] === 1) {
        if (s < 0) start[x] = y;
      } else if (s >= 0) {
        if (y - s >= minRun) {
          for (let k = s * w + x, end = y * w + x; k < end; k += w) out[k] = 1;
          if (profiles) addSpan(profiles, x, s, y);
        }
        start[x] = -1;
      }
    }
  }
  return out;
}

interface Peak {
  pos: number;
  thickness: number;
  strip: number;
}

/**
 * Per strip along a direction, per position across it, how many run pixels lie in the strip: the strip
 * profiles stripPeaks reads, added up run by run while longRuns finds the runs (few: ruling lines and
 * long strokes) instead of summing the whole run mask again.
 */
export interface StripProfiles {
  along: number;
  across: number;
  strips: number;
  /** Strip s covers positions size·s … size·(s + 1) − 1 along. */
  size: number;
  /** strips × across counts. */
  counts: Float32Array;
}

export function stripProfiles(along: number, across: number, strips: number): StripProfiles {
  return { along, across, strips, size: Math.ceil(along / strips), counts: new Float32Array(strips * across) };
}

/** Adds the run from `a` to `b` (exclusive, along) at position `at` (across) to the strips it crosses. */
function addSpan(p: StripProfiles, at: number, a: number, b: number): void {
  for (let k = Math.floor(a / p.size); k * p.size < b && k < p.strips; k++) {
    p.counts[k * p.across + at]! += Math.min(b, (k + 1) * p.size) - Math.max(a, k * p.size);
  }
}

/**
 * Positions across the strips where the runs cover most of the strip: for 'h', per vertical strip, the
 * rows whose count of run pixels exceeds `fill` of the strip width.
 */
function stripPeaks(p: StripProfiles, fill: number): Peak[][] {
  const { along, across, strips, size } = p;
  const out: Peak[][] = [];
  for (let s = 0; s < strips; s++) {
    const lo = s * size;
    const hi = Math.min(along, lo + size);
    const prof = p.counts.subarray(s * across, (s + 1) * across);
    const need = fill * (hi - lo);
    const peaks: Peak[] = [];
    for (let a = 0; a < across; a++) {
      if (prof[a]! < need) continue;
      // A band of consecutive rows above the bar is one line; its centre weighted by coverage.
      let wsum = 0;
      let psum = 0;
      const start = a;
      while (a < across && prof[a]! >= need * 0.5) {
        wsum += prof[a]!;
        psum += prof[a]! * a;
        a++;
      }
      peaks.push({ pos: psum / wsum, thickness: a - start, strip: s });
    }
    out.push(peaks);
  }
  return out;
}

/**
 * Chains peaks of neighbouring strips into lines and fits each with least squares. Each peak takes the
 * nearest open chain within `tolerance` that no earlier peak of the strip took, except that a chain
 * with a peak within `sure` of its last (a line's own continuation: a rule drifts far less than that
 * from one strip to the next) is given that peak first, nearest first.
 *
 * Without that first step, a digit stroke beside a ruling line, a few pixels closer to the top of the
 * page than the rule, peaked within the tolerance of the rule's chain and took it, and the rule's own
 * peak, a pixel from the chain, started a second chain. Both halves traced as the whole rule (their
 * extents are walked out on the run mask), a few pixels and a slope apart, with the stroke's short
 * line sorted between them so that they were never merged: one column became two and every column
 * after it was read one place off (a 174-dpi page, 4.5° skew). Pairing every peak with its nearest
 * chain instead went wrong the other way where peaks are all about as near (a rule along a shaded
 * header band, broken into several peaks): a pixel's difference sent the chain off into the band.
 */
function traceLines(peaks: Peak[][], along: number, tolerance: number, sure: number, minStrips: number): Line[] {
  const strips = peaks.length;
  const size = along / strips;
  const chains: Peak[][] = [];
  const open = new Map<Peak, Peak[]>();
  const pairs: { peak: number; chain: Peak[]; d: number }[] = [];
  for (let s = 0; s < strips; s++) {
    const ps = peaks[s]!;
    const next = new Map<Peak, Peak[]>();
    const taken = new Set<Peak[]>();
    const into: (Peak[] | undefined)[] = new Array<Peak[] | undefined>(ps.length);
    pairs.length = 0;
    for (let i = 0; i < ps.length; i++) {
      for (const [last, chain] of open) {
        const d = Math.abs(last.pos - ps[i]!.pos);
        if (s - last.strip <= 2 && d <= sure) pairs.push({ peak: i, chain, d });
      }
    }
    pairs.sort(byDistance);
    for (const q of pairs) {
      if (into[q.peak] || taken.has(q.chain)) continue;
      into[q.peak] = q.chain;
      taken.add(q.chain);
    }
    for (let i = 0; i < ps.length; i++) {
      const p = ps[i]!;
      let best = into[i];
      if (!best) {
        let bestD = tolerance;
        for (const [last, chain] of open) {
          // A chain may skip one strip (a gap in a broken line).
          if (s - last.strip > 2 || taken.has(chain)) continue;
          const d = Math.abs(last.pos - p.pos);
          if (d <= bestD) [best, bestD] = [chain, d];
        }
      }
      if (best) {
        if (!into[i]) taken.add(best);
        best.push(p);
      } else {
        best = [p];
        chains.push(best);
      }
      next.set(p, best);
    }
    for (const [last, chain] of open) if (!taken.has(chain) && s - last.strip < 2) next.set(last, chain);
    open.clear();
    for (const [k, v] of next) open.set(k, v);
  }
  const lines: Line[] = [];
  for (const c of chains) {
    if (c.length < minStrips) continue;
    const ts = c.map((p) => (p.strip + 0.5) * size);
    const n = c.length;
    const mt = ts.reduce((a, b) => a + b, 0) / n;
    const mp = c.reduce((a, p) => a + p.pos, 0) / n;
    let sxy = 0;
    let sxx = 0;
    c.forEach((p, i) => {
      sxy += (ts[i]! - mt) * (p.pos - mp);
      sxx += (ts[i]! - mt) ** 2;
    });
    const b = sxx > 0 ? sxy / sxx : 0;
    lines.push({
      a: mp - b * mt,
      b,
      from: c[0]!.strip * size,
      to: (c[c.length - 1]!.strip + 1) * size,
      thickness: c.reduce((a, p) => a + p.thickness, 0) / n,
    });
  }
  return lines;
}

const byDistance = (u: { d: number }, v: { d: number }): number => u.d - v.d;

/** Does the run mask have ink on line `l` at position `t` along it (within half its thickness + 2)? */
function onLine(l: Line, runs: Uint8Array, w: number, h: number, dir: 'h' | 'v'): (t: number) => boolean {
  const across = dir === 'h' ? h : w;
  const reach = Math.ceil(l.thickness / 2) + 2;
  return (t: number): boolean => {
    const c = Math.round(lineAt(l, t));
    for (let d = -reach; d <= reach; d++) {
      const q = c + d;
      if (q < 0 || q >= across) continue;
      if (dir === 'h' ? runs[q * w + t] : runs[t * w + q]) return true;
    }
    return false;
  };
}

/**
 * Strips only see where a line fills most of the strip, so a traced line stops up to a strip short of
 * its real ends; walk along the fitted line over the run mask to find them, bridging gaps < `gap`.
 */
function refineExtent(l: Line, runs: Uint8Array, w: number, h: number, dir: 'h' | 'v', gap: number): Line {
  const along = dir === 'h' ? w : h;
  const hit = onLine(l, runs, w, h, dir);
  const walk = (start: number, step: number): number => {
    let last = start;
    for (let t = start, miss = 0; t >= 0 && t < along && miss <= gap; t += step) {
      if (hit(t)) {
        last = t;
        miss = 0;
      } else miss++;
    }
    return last;
  };
  const mid = Math.round((l.from + l.to) / 2);
  return { ...l, from: Math.min(l.from, walk(Math.round(l.from + (mid - l.from) / 2), -1)), to: Math.max(l.to, walk(Math.round(l.to - (l.to - mid) / 2), 1)) };
}

/** Fraction of `from`..`to` along line `l` where the run mask has ink on it. */
function coverage(l: Line, runs: Uint8Array, w: number, h: number, dir: 'h' | 'v', from: number, to: number): number {
  const along = dir === 'h' ? w : h;
  const hit = onLine(l, runs, w, h, dir);
  const a = Math.max(0, Math.round(from));
  const b = Math.min(along - 1, Math.round(to));
  let n = 0;
  for (let t = a; t <= b; t++) if (hit(t)) n++;
  return b >= a ? n / (b - a + 1) : 0;
}

export interface GridOptions {
  dpi: number;
}

/**
 * Finds the table's lines in a deskewed ink mask, or null when there is no table (fewer than two
 * rows or columns of crossing lines).
 */
export function findGrid(mask: Mask, o: GridOptions): Grid | null {
  const { width: w, height: h } = mask;
  const mm = o.dpi / 25.4;
  const minRun = Math.max(8, Math.round(3 * mm));
  const hProf = stripProfiles(w, h, Math.max(4, Math.round(w / (5 * mm))));
  const vProf = stripProfiles(h, w, Math.max(4, Math.round(h / (5 * mm))));
  const hRuns = longRuns(mask, minRun, 'h', hProf);
  const vRuns = longRuns(mask, minRun, 'v', vProf);
  // Strips about 5 mm wide: short enough that a slightly slanted line stays one peak in each.
  const tolerance = Math.max(3, 1.2 * mm);
  // A rule moves well under 0.15 mm from one strip to the next (a slope of 3%), and its peak's centre
  // by a pixel or so: a peak that near is the rule's (a pixel's floor: noise at low resolutions).
  const sure = Math.max(1, 0.15 * mm);
  const hLines = traceLines(stripPeaks(hProf, 0.6), w, tolerance, sure, 3).map((l) => refineExtent(l, hRuns, w, h, 'h', minRun));
  const vLines = traceLines(stripPeaks(vProf, 0.6), h, tolerance, sure, 3).map((l) => refineExtent(l, vRuns, w, h, 'v', minRun));
  // The page's own edges (a scanner's shadow, a dark bed around a small sheet) trace as long lines too,
  // and frame everything; a printed table never runs along the edge of the paper.
  const edge = 2 * mm;
  const inside = (l: Line, along: number, across: number): boolean => {
    const mid = lineAt(l, along / 2);
    return mid > edge && mid < across - edge;
  };
  const g = assemble(
    hLines.filter((l) => inside(l, w, h)),
    vLines.filter((l) => inside(l, h, w)),
    mm,
  );
  return g && ruledOnly(g, hRuns, vRuns, w, h);
}

/**
 * A printed ruling line is unbroken from one side of the table to the other; digit strokes that line up
 * down a column (a column of 1s, the right sides of 9s) leave gaps in empty cells and between digits,
 * however long their trace, and so do fragments of strokes along a border that were merged into one
 * long slanted "line". Keep lines covered over RULED_COVERAGE of the table, the outer ones included
 * (a border is printed too).
 *
 * The table's extent comes from the outer lines, so they are settled first, one at a time (the worst
 * covered outer line goes, then the extent is taken again), and the inner lines are judged only against
 * the settled extent. Judging everything at once let a false outer line condemn true ones: a big printed
 * title above the table traces as two rows crossed by its letters' strokes, stretches the table up to
 * the title, and every column then misses that stretch; the columns no letter stroke happened to line
 * up with fell under the bar in the same round as the title rows (a 198-dpi page lost two of eight).
 */
const RULED_COVERAGE = 0.85;

function ruledOnly(g: Grid, hRuns: Uint8Array, vRuns: Uint8Array, w: number, h: number): Grid | null {
  let { rows, cols } = g;
  const rowCover = (l: Line): number => coverage(l, hRuns, w, h, 'h', intersect(l, cols[0]!).x, intersect(l, cols[cols.length - 1]!).x);
  const colCover = (l: Line): number => coverage(l, vRuns, w, h, 'v', intersect(rows[0]!, l).y, intersect(rows[rows.length - 1]!, l).y);
  // Each round drops one outer line, so the loop ends after at most rows + cols rounds.
  while (rows.length >= 2 && cols.length >= 2) {
    const outer = [rowCover(rows[0]!), rowCover(rows[rows.length - 1]!), colCover(cols[0]!), colCover(cols[cols.length - 1]!)];
    let worst = 0;
    for (let i = 1; i < 4; i++) if (outer[i]! < outer[worst]!) worst = i;
    if (outer[worst]! >= RULED_COVERAGE) break;
    if (worst === 0) rows = rows.slice(1);
    else if (worst === 1) rows = rows.slice(0, -1);
    else if (worst === 2) cols = cols.slice(1);
    else cols = cols.slice(0, -1);
  }
  if (rows.length < 2 || cols.length < 2) return null;
  // Inner lines do not change the extent: one pass settles them.
  const last = { rows: rows.length - 1, cols: cols.length - 1 };
  return {
    rows: rows.filter((l, i) => i === 0 || i === last.rows || rowCover(l) >= RULED_COVERAGE),
    cols: cols.filter((l, i) => i === 0 || i === last.cols || colCover(l) >= RULED_COVERAGE),
  };
}

/** The largest set of horizontal and vertical lines that cross one another: the table. */
function assemble(hLines: Line[], vLines: Line[], mm: number): Grid | null {
  const slack = 3 * mm;
  const crosses = (hl: Line, vl: Line): boolean => {
    // Intersection point: y = a_h + b_h x, x = a_v + b_v y.
    const y = (hl.a + hl.b * vl.a) / (1 - hl.b * vl.b);
    const x = vl.a + vl.b * y;
    return x >= hl.from - slack && x <= hl.to + slack && y >= vl.from - slack && y <= vl.to + slack;
  };
  // Keep lines that cross at least two lines of the other direction, until stable.
  let hs = hLines;
  let vs = vLines;
  for (let round = 0; round < 4; round++) {
    const nh = hs.filter((hl) => vs.filter((vl) => crosses(hl, vl)).length >= 2);
    const nv = vs.filter((vl) => nh.filter((hl) => crosses(hl, vl)).length >= 2);
    if (nh.length === hs.length && nv.length === vs.length) break;
    hs = nh;
    vs = nv;
  }
  hs = mergeClose(hs.sort((p, q) => p.a - q.a), 1.5 * mm);
  vs = mergeClose(vs.sort((p, q) => p.a - q.a), 1.5 * mm);
  if (hs.length < 2 || vs.length < 2) return null;
  // A ruling line runs across the table; a pen stroke that happens to line up over a few cells does
  // not. Keep lines spanning most of the table.
  const span = (ls: Line[]): number => Math.max(...ls.map((l) => l.a)) - Math.min(...ls.map((l) => l.a));
  const width = span(vs);
  const height = span(hs);
  hs = hs.filter((l) => l.to - l.from >= 0.7 * width);
  vs = vs.filter((l) => l.to - l.from >= 0.7 * height);
  if (hs.length < 2 || vs.length < 2) return null;
  return { rows: hs, cols: vs };
}

/** Two detections closer than `gap` (e.g. the two edges of a thick line) are one line. */
function mergeClose(lines: Line[], gap: number): Line[] {
  const out: Line[] = [];
  for (const l of lines) {
    const prev = out[out.length - 1];
    if (prev && Math.abs(lineAt(prev, (l.from + l.to) / 2) - lineAt(l, (l.from + l.to) / 2)) < gap) {
      const take = prev.to - prev.from >= l.to - l.from ? prev : l;
      out[out.length - 1] = { ...take, from: Math.min(prev.from, l.from), to: Math.max(prev.to, l.to), thickness: Math.max(prev.thickness, l.thickness) };
    } else out.push(l);
  }
  return out;
}

/** Where horizontal line `hl` meets vertical line `vl`. */
export function intersect(hl: Line, vl: Line): { x: number; y: number } {
  const y = (hl.a + hl.b * vl.a) / (1 - hl.b * vl.b);
  return { x: vl.a + vl.b * y, y };
}

/** The box of the cell between rows r, r+1 and columns c, c+1 (line centre to line centre). */
export function cellBox(g: Grid, r: number, c: number): Box {
  const pts = [intersect(g.rows[r]!, g.cols[c]!), intersect(g.rows[r]!, g.cols[c + 1]!), intersect(g.rows[r + 1]!, g.cols[c]!), intersect(g.rows[r + 1]!, g.cols[c + 1]!)];
  const x0 = Math.min(...pts.map((p) => p.x));
  const x1 = Math.max(...pts.map((p) => p.x));
  const y0 = Math.min(...pts.map((p) => p.y));
  const y1 = Math.max(...pts.map((p) => p.y));
  return { x: Math.round(x0), y: Math.round(y0), w: Math.round(x1 - x0), h: Math.round(y1 - y0) };
}
