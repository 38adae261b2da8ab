// Reads a page's data cells with the digit model: decides the page's orientation, applies the card's
// temperature and flag threshold, and turns every cell into a status the export understands.
import { softmax } from '../../ml/metrics.js';
import { junkProbability } from '../../ml/junk.js';
import type { DigitReader } from '../../ml/reader.js';
import { type CellCut, type PageLayout, turn } from './page.js';
import type { Box } from './types.js';

export interface ReaderModel {
  version: number;
  reader: DigitReader;
  temperature: number;
  threshold: number;
  /** The junk detector and its threshold: a cell it finds not one digit is flagged whatever the reader says. */
  junk?: { reader: DigitReader; threshold: number };
}

export type CellStatus = 'auto' | 'flagged' | 'empty';

export interface CellReading {
  /** 1-based data-cell coordinates (header rows and columns excluded). */
  row: number;
  col: number;
  box: Box;
  status: CellStatus;
  /** The accepted value (auto only). */
  value: number | null;
  /** What the model read (argmax), whatever the status; null for empty cells. */
  read: number | null;
  /** Calibrated probability of `read`. */
  confidence: number | null;
  probs: Float32Array | null;
  reason: string | null;
  pixels: Float32Array | null;
}

export interface PageReading {
  layout: PageLayout;
  rows: number;
  cols: number;
  cells: CellReading[];
}

const isData = (cut: CellCut, rows: number, cols: number, hr: number, hc: number): boolean => cut.r >= hr && cut.c >= hc && cut.r < rows && cut.c < cols;

/** Digit cells read half-turned to check that a page is upright; all of them when that sample is unsure. */
const ORIENTATION_SAMPLE = 12;
const ORIENTATION_SURE = 0.1;
/**
 * A "scribble" or "crossed out" shape verdict stands unless the junk detector finds the cell this unlikely to
 * be junk. On generated sheets (BENCHMARKS.md), junk those rules caught scored ≥ 0.93 with the detector and
 * the digits they caught (bold eights, open fours, crossed sevens) ≤ 0.25 in all but one case.
 */
const OVERRULE_BELOW = 0.3;

/** Up to `n` of `list`, spread evenly over it. */
const spread = <T>(list: T[], n: number): T[] => (list.length <= n ? list : Array.from({ length: n }, (_, i) => list[Math.floor(((i + 0.5) * list.length) / n)]!));

/** The digit cells that are data cells if the page is upright, and those that are if it is upside down. */
function orientationCells(layout: PageLayout, hr: number, hc: number): { upright: CellCut[]; turned: CellCut[] } {
  const g = layout.grid!;
  const rows = g.rows.length - 1;
  const cols = g.cols.length - 1;
  return {
    upright: layout.cells.filter((c) => isData(c, rows, cols, hr, hc) && c.verdict.kind === 'digit'),
    // Turned, the data cells are those that end up below and right of the headers.
    turned: layout.cells.filter((c) => c.r < rows - hr && c.c < cols - hc && c.verdict.kind === 'digit'),
  };
}

async function meanConfidences(upright: CellCut[], turned: CellCut[], m: ReaderModel): Promise<[number, number]> {
  if (upright.length + turned.length === 0) return [0, 0];
  const batch = new Float32Array((upright.length + turned.length) * 784);
  upright.forEach((c, i) => batch.set(c.verdict.pixels!, i * 784));
  turned.forEach((c, i) => batch.set(c.verdict.pixels!.slice().reverse(), (upright.length + i) * 784));
  const probs = softmax(await m.reader.logits(batch), m.temperature);
  const mean = (from: number, n: number): number => {
    let s = 0;
    for (let i = from; i < from + n; i++) s += Math.max(...probs.subarray(i * 10, i * 10 + 10));
    return n ? s / n : 0;
  };
  return [mean(0, upright.length), mean(upright.length, turned.length)];
}

/**
 * Where the printed titles are, when that is plain: the header rows and columns hold several printed
 * marks side by side (names, column titles), which the cell analysis calls junk, while data cells are
 * mostly single digits or empty. Most title cells junk on one side (TITLES_PLAIN) and few on the other
 * (TITLES_FEW) decides; anything else (no header rows or columns, titles of one digit) is left to the
 * model. The digits alone misled it on upside-down pages in a bold felt pen, whose digits it read
 * about as surely either way up; a model fine-tuned on such hands (issue 6) misread one such page
 * whole that the shipped model had read right.
 */
const TITLES_PLAIN = 0.6;
const TITLES_FEW = 0.3;

export function titlesSay(layout: PageLayout, hr: number, hc: number): 'upright' | 'turned' | null {
  if (!layout.grid || hr + hc === 0) return null;
  const rows = layout.grid.rows.length - 1;
  const cols = layout.grid.cols.length - 1;
  if (rows <= 2 * hr || cols <= 2 * hc) return null;
  const junkShare = (title: (c: CellCut) => boolean): number => {
    const cells = layout.cells.filter(title);
    return cells.length ? cells.filter((c) => c.verdict.kind === 'junk').length / cells.length : 0;
  };
  const upright = junkShare((c) => c.r < hr || c.c < hc);
  const turned = junkShare((c) => c.r >= rows - hr || c.c >= cols - hc);
  if (upright >= TITLES_PLAIN && turned <= TITLES_FEW) return 'upright';
  if (turned >= TITLES_PLAIN && upright <= TITLES_FEW) return 'turned';
  return null;
}

interface LayoutRead {
  layout: PageLayout;
  data: CellCut[];
  byCell: Map<CellCut, number>;
  probs: Float64Array;
  /** Mean confidence of the cells judged to hold one digit. */
  digitConfidence: number;
}

/** Every inked data cell of `layout` through the reader (and the junk detector). */
async function readLayout(layout: PageLayout, m: ReaderModel, headerRows: number, headerCols: number): Promise<LayoutRead> {
  const g = layout.grid!;
  const data = layout.cells.filter((c) => isData(c, g.rows.length - 1, g.cols.length - 1, headerRows, headerCols));
  // Cells with ink the model can read; a junk cell without pixels (a cell too small to cut) is flagged unread.
  const inked = data.filter((c) => c.verdict.kind !== 'empty' && c.verdict.pixels);
  const batch = new Float32Array(inked.length * 784);
  inked.forEach((c, i) => batch.set(c.verdict.pixels!, i * 784));
  const probs = inked.length ? softmax(await m.reader.logits(batch), m.temperature) : new Float64Array(0);
  let sum = 0;
  let n = 0;
  inked.forEach((c, i) => {
    if (c.verdict.kind !== 'digit') return;
    sum += Math.max(...probs.subarray(i * 10, i * 10 + 10));
    n++;
  });
  return { layout, data, byCell: new Map(inked.map((c, i) => [c, i])), probs, digitConfidence: n ? sum / n : 0 };
}

export async function readPage(layout0: PageLayout, m: ReaderModel, headerRows: number, headerCols: number): Promise<PageReading> {
  if (!layout0.grid) return { layout: layout0, rows: 0, cols: 0, cells: [] };
  // Read as it is, and a sample of digit cells half-turned: an upright page's digits read far better as
  // they are. Only when they do not (an upside-down page, or a page of digits the model finds hard),
  // every digit cell is read both ways and the better way wins. (Upside down, 0, 1, 8 and 6/9 still
  // read as digits, so "confident as it is" alone does not prove a page upright.)
  // The printed titles decide first when they are plain (titlesSay); the model only when they are not.
  const titles = titlesSay(layout0, headerRows, headerCols);
  let r = await readLayout(titles === 'turned' ? turn(layout0) : layout0, m, headerRows, headerCols);
  const cand = orientationCells(layout0, headerRows, headerCols);
  const [, turnedSample] = titles ? [0, 0] : await meanConfidences([], spread(cand.turned, ORIENTATION_SAMPLE), m);
  if (!titles && cand.turned.length > 0 && turnedSample > r.digitConfidence - ORIENTATION_SURE) {
    const [up, down] = await meanConfidences(cand.upright, cand.turned, m);
    if (down > up + 0.02) r = await readLayout(turn(layout0), m, headerRows, headerCols);
  }
  const { layout, data, byCell, probs } = r;
  const inked = [...byCell.keys()];
  const batch = new Float32Array(inked.length * 784);
  inked.forEach((c, i) => batch.set(c.verdict.pixels!, i * 784));
  const junkP = inked.length && m.junk ? junkProbability(await m.junk.reader.logits(batch)) : null;
  const g = layout.grid!;
  const tableRows = g.rows.length - 1;
  const tableCols = g.cols.length - 1;
  const cells = data.map((c): CellReading => {
    const base = { row: c.r - headerRows + 1, col: c.c - headerCols + 1, box: c.box, pixels: c.verdict.pixels ?? null };
    const i = byCell.get(c);
    if (i === undefined && c.verdict.kind === 'junk') return { ...base, status: 'flagged', value: null, read: null, confidence: null, probs: null, reason: c.verdict.reason ?? 'does not look like one digit' };
    if (i === undefined) return { ...base, status: 'empty', value: null, read: null, confidence: null, probs: null, reason: null };
    const p = Float32Array.from(probs.subarray(i * 10, i * 10 + 10));
    let read = 0;
    for (let k = 1; k < 10; k++) if (p[k]! > p[read]!) read = k;
    const confidence = p[read]!;
    const pj = junkP?.[i] ?? 0;
    const overruled = c.verdict.overrulable === true && junkP !== null && pj < OVERRULE_BELOW;
    if (c.verdict.kind === 'junk' && !overruled) return { ...base, status: 'flagged', value: null, read, confidence, probs: p, reason: c.verdict.reason ?? 'does not look like one digit' };
    if (m.junk && pj >= m.junk.threshold) return { ...base, status: 'flagged', value: null, read, confidence, probs: p, reason: `does not look like one digit (junk detector ${pj.toFixed(2)})` };
    if (confidence < m.threshold) return { ...base, status: 'flagged', value: null, read, confidence, probs: p, reason: `low confidence (${confidence.toFixed(3)})` };
    return { ...base, status: 'auto', value: read, read, confidence, probs: p, reason: null };
  });
  return { layout, rows: tableRows - headerRows, cols: tableCols - headerCols, cells };
}
