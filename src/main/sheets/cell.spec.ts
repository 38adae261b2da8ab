// Tests of the per-cell stage on synthetic score-sheet cells: real MNIST test digits drawn in ink on a
// ruled cell, with the nuisances of scans and photos (line widths, residual skew and bow, a box a few px
// off the lines, broken lines, shading, noise, blur, JPEG compression, faint and light pens).
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Digits, loadMnist } from '../../ml/data/mnist.js';
import { analyseCell, inspectCell } from './cell.js';
import type { Box, CellKind, GrayImage } from './types.js';

// --- A synthetic cell generator ---------------------------------------------------------------------

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An MNIST image drawn at `scale` cell px per MNIST px, its pixel (14, 14) at (cx, cy) in the cell. */
interface Glyph {
  img: Float32Array;
  cx: number;
  cy: number;
  scale: number;
  /** < 0: thinner pen (threshold the strokes), > 0: thicker (dilate by this radius). */
  pen?: number;
}
/** A pen stroke along a polyline, in cell coordinates. */
interface Stroke {
  pts: [number, number][];
  width: number;
}
interface CellSpec {
  W?: number;
  H?: number;
  margin?: number;
  lineWidth?: number;
  lineGrey?: number;
  /** Residual skew (px across the cell), bow (px at mid-cell), fraction of each line missing. */
  slant?: number;
  bow?: number;
  broken?: number;
  noLines?: boolean;
  /** Box offset from the line centres (grid finder error). */
  offset?: [number, number];
  paper?: number;
  ink?: number;
  shadeX?: number;
  shadeY?: number;
  noise?: number;
  blur?: boolean;
  /** JPEG quality (0 = none). */
  jpeg?: number;
  glyphs?: Glyph[];
  strokes?: Stroke[];
  seed?: number;
}

function glyphAlpha(g: Glyph, x: number, y: number): number {
  const u = (x + 0.5 - g.cx) / g.scale + 14;
  const v = (y + 0.5 - g.cy) / g.scale + 14;
  const i = Math.floor(u);
  const j = Math.floor(v);
  const fx = u - i;
  const fy = v - j;
  const at = (ii: number, jj: number): number => (ii < 0 || jj < 0 || ii > 27 || jj > 27 ? 0 : g.img[jj * 28 + ii]!);
  return (1 - fy) * ((1 - fx) * at(i, j) + fx * at(i + 1, j)) + fy * ((1 - fx) * at(i, j + 1) + fx * at(i + 1, j + 1));
}

function segDist(px: number, py: number, a: [number, number], b: [number, number]): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const l2 = dx * dx + dy * dy;
  const t = Math.max(0, Math.min(1, l2 > 0 ? ((px - a[0]) * dx + (py - a[1]) * dy) / l2 : 0));
  return Math.hypot(px - a[0] - t * dx, py - a[1] - t * dy);
}

/** The page (cell plus margin, with the neighbouring lines) and the cell's box on it. */
function drawCell(s: CellSpec): { page: GrayImage; box: Box } {
  const W = s.W ?? 100, H = s.H ?? 80, m = s.margin ?? 16;
  const PW = W + 2 * m, PH = H + 2 * m;
  const r = rng(s.seed ?? 1);
  const gauss = (): number => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  const paper = s.paper ?? 235, ink = s.ink ?? 40;
  const lw = s.lineWidth ?? 3, lg = s.lineGrey ?? 60, slant = s.slant ?? 0, bow = s.bow ?? 0;
  const alpha = new Float32Array(PW * PH);
  for (const g of s.glyphs ?? []) {
    let a = new Float32Array(PW * PH);
    const pen = g.pen ?? 0;
    for (let y = 0; y < PH; y++) {
      for (let x = 0; x < PW; x++) {
        let v = glyphAlpha(g, x - m, y - m);
        if (pen < 0) v = Math.max(0, Math.min(1, (v - (0.5 - 0.45 * pen)) / 0.25 + 0.5));
        a[y * PW + x] = v;
      }
    }
    const rad = Math.max(0, Math.round(pen));
    if (rad > 0) {
      const b = new Float32Array(PW * PH);
      for (let y = 0; y < PH; y++) {
        for (let x = 0; x < PW; x++) {
          let mx = 0;
          for (let dy = -rad; dy <= rad; dy++) {
            for (let dx = -rad; dx <= rad; dx++) {
              const xx = x + dx, yy = y + dy;
              if (dx * dx + dy * dy <= rad * rad + rad && xx >= 0 && yy >= 0 && xx < PW && yy < PH) mx = Math.max(mx, a[yy * PW + xx]!);
            }
          }
          b[y * PW + x] = mx;
        }
      }
      a = b;
    }
    for (let i = 0; i < alpha.length; i++) alpha[i] = Math.max(alpha[i]!, a[i]!);
  }
  for (const st of s.strokes ?? []) {
    for (let y = 0; y < PH; y++) {
      for (let x = 0; x < PW; x++) {
        let d = Infinity;
        for (let k = 0; k + 1 < st.pts.length; k++) d = Math.min(d, segDist(x + 0.5 - m, y + 0.5 - m, st.pts[k]!, st.pts[k + 1]!));
        alpha[y * PW + x] = Math.max(alpha[y * PW + x]!, Math.max(0, Math.min(1, st.width / 2 + 0.5 - d)));
      }
    }
  }
  const gapAt = (k: number): boolean => rng((s.seed ?? 1) * 7919 + Math.floor(k / 3) * 104729)() < (s.broken ?? 0);
  const img = new Float32Array(PW * PH);
  for (let y = 0; y < PH; y++) {
    for (let x = 0; x < PW; x++) {
      let v = paper + (s.shadeX ?? 0) * ((x - m) / W - 0.5) + (s.shadeY ?? 0) * ((y - m) / H - 0.5);
      if (!s.noLines) {
        const tx = (x - m) / W, ty = (y - m) / H;
        let cov = 0;
        if (!gapAt(Math.floor(x / 3))) {
          for (const yc0 of [m + 0.5, m + H - 0.5]) {
            const yc = yc0 + slant * (tx - 0.5) + bow * 4 * tx * (1 - tx);
            cov = Math.max(cov, Math.max(0, Math.min(y + 1, yc + lw / 2) - Math.max(y, yc - lw / 2)));
          }
        }
        if (!gapAt(Math.floor(y / 3) + 977)) {
          for (const xc0 of [m + 0.5, m + W - 0.5]) {
            const xc = xc0 - slant * (ty - 0.5) + bow * 4 * ty * (1 - ty);
            cov = Math.max(cov, Math.max(0, Math.min(x + 1, xc + lw / 2) - Math.max(x, xc - lw / 2)));
          }
        }
        v -= cov * (v - lg);
      }
      img[y * PW + x] = v - alpha[y * PW + x]! * (v - ink);
    }
  }
  let out: Float32Array = img;
  if (s.blur) {
    out = new Float32Array(PW * PH);
    for (let y = 0; y < PH; y++) {
      for (let x = 0; x < PW; x++) {
        let acc = 0, n = 0;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const xx = x + dx, yy = y + dy;
            if (xx < 0 || yy < 0 || xx >= PW || yy >= PH) continue;
            const wgt = (dx === 0 ? 2 : 1) * (dy === 0 ? 2 : 1);
            acc += wgt * img[yy * PW + xx]!;
            n += wgt;
          }
        }
        out[y * PW + x] = acc / n;
      }
    }
  }
  for (let i = 0; i < out.length; i++) out[i] = Math.max(0, Math.min(255, out[i]! + (s.noise ?? 3) * gauss()));
  if (s.jpeg) out = jpegRoundTrip(out, PW, PH, s.jpeg);
  const data = new Uint8Array(PW * PH);
  for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.min(255, Math.round(out[i]!)));
  const [ox, oy] = s.offset ?? [0, 0];
  return { page: { width: PW, height: PH, data }, box: { x: m + ox, y: m + oy, w: W, h: H } };
}

const LUMA = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68,
  109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];

/** Baseline-JPEG-like round trip: 8×8 DCT, quantisation with the standard luminance table, inverse DCT. */
function jpegRoundTrip(img: Float32Array, w: number, h: number, quality: number): Float32Array {
  const scale = quality < 50 ? 5000 / quality : 200 - 2 * quality;
  const qt = LUMA.map((v) => Math.max(1, Math.floor((v * scale + 50) / 100)));
  const cos = new Float64Array(64);
  for (let x = 0; x < 8; x++) for (let u = 0; u < 8; u++) cos[x * 8 + u] = Math.cos(((2 * x + 1) * u * Math.PI) / 16);
  const cu = (u: number): number => (u === 0 ? Math.SQRT1_2 : 1);
  const out = new Float32Array(w * h);
  const blk = new Float64Array(64);
  const co = new Float64Array(64);
  for (let by = 0; by < h; by += 8) {
    for (let bx = 0; bx < w; bx += 8) {
      for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) blk[y * 8 + x] = img[Math.min(h - 1, by + y) * w + Math.min(w - 1, bx + x)]! - 128;
      for (let v = 0; v < 8; v++) {
        for (let u = 0; u < 8; u++) {
          let acc = 0;
          for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) acc += blk[y * 8 + x]! * cos[x * 8 + u]! * cos[y * 8 + v]!;
          const q = qt[v * 8 + u]!;
          co[v * 8 + u] = Math.round((0.25 * cu(u) * cu(v) * acc) / q) * q;
        }
      }
      for (let y = 0; y < 8; y++) {
        for (let x = 0; x < 8; x++) {
          let acc = 0;
          for (let v = 0; v < 8; v++) for (let u = 0; u < 8; u++) acc += cu(u) * cu(v) * co[v * 8 + u]! * cos[x * 8 + u]! * cos[y * 8 + v]!;
          if (by + y < h && bx + x < w) out[(by + y) * w + bx + x] = 0.25 * acc + 128;
        }
      }
    }
  }
  return out;
}

function mnistBox(img: Float32Array): { x0: number; y0: number; x1: number; y1: number } {
  let x0 = 28, y0 = 28, x1 = -1, y1 = -1;
  for (let j = 0; j < 28; j++) {
    for (let i = 0; i < 28; i++) {
      if (img[j * 28 + i]! <= 0) continue;
      x0 = Math.min(x0, i);
      x1 = Math.max(x1, i);
      y0 = Math.min(y0, j);
      y1 = Math.max(y1, j);
    }
  }
  return { x0, y0, x1, y1 };
}

/**
 * A cell holding MNIST digit `img`, 100×80 px at 200 dpi (12.7 × 10.2 mm), with random nuisances: digit
 * 4.8-8.1 mm tall, off centre, touching a line in 15% of cells; lines 1-6 px, grey 20-140, skewed up to
 * ±2 px; paper 180-250 with shading; dark (60%), light (30%, e.g. blue ballpoint) or faint (10%) ink; thin
 * or thick pens; noise σ 1-6; blur; JPEG quality 15-70 in 30%.
 */
function digitSpec(img: Float32Array, r: () => number, touchRate = 0.15): CellSpec {
  const W = 100, H = 80;
  const scale = 1.9 + r() * 1.3;
  const b = mnistBox(img);
  const lw = 1 + Math.floor(r() * 6);
  const inset = lw / 2 - 1 + r() * 3;
  const minCx = inset + (14 - b.x0) * scale, maxCx = W - inset - (b.x1 + 1 - 14) * scale;
  const minCy = inset + (14 - b.y0) * scale, maxCy = H - inset - (b.y1 + 1 - 14) * scale;
  let cx = W / 2 + (r() - 0.5) * 0.5 * Math.max(0, maxCx - minCx);
  let cy = H / 2 + (r() - 0.5) * 0.5 * Math.max(0, maxCy - minCy);
  if (r() < touchRate) {
    const side = Math.floor(r() * 4);
    if (side === 0) cy = minCy - lw / 2;
    else if (side === 1) cy = maxCy + lw / 2;
    else if (side === 2) cx = minCx - lw / 2;
    else cx = maxCx + lw / 2;
  }
  const dark = r();
  const paper = 180 + r() * 70;
  return {
    W, H, lineWidth: lw, lineGrey: 20 + r() * 120, slant: (r() - 0.5) * 4,
    paper, ink: paper * (dark < 0.6 ? 0.1 + r() * 0.25 : dark < 0.9 ? 0.45 + r() * 0.25 : 0.7 + r() * 0.12),
    noise: 1 + r() * 5, shadeX: (r() - 0.5) * 30, shadeY: (r() - 0.5) * 20,
    glyphs: [{ img, cx, cy, scale, pen: r() < 0.2 ? -0.6 : r() < 0.2 ? 1 : 0 }],
    jpeg: r() < 0.3 ? Math.round(15 + r() * 55) : 0, blur: r() < 0.5, seed: Math.floor(r() * 1e9),
  };
}

/** An empty cell: the digit spec's nuisances plus a box off the lines, bowed and broken lines, JPEG in half. */
function emptySpec(r: () => number): CellSpec {
  const s = digitSpec(new Float32Array(784), r);
  s.glyphs = [];
  s.offset = [Math.round((r() - 0.5) * 5), Math.round((r() - 0.5) * 5)];
  s.bow = (r() - 0.5) * 3;
  s.broken = r() < 0.3 ? r() * 0.4 : 0;
  s.jpeg = r() < 0.5 ? Math.round(10 + r() * 60) : 0;
  s.noise = 1 + r() * 7;
  return s;
}

/** A digit struck through: near horizontal (50%), a diagonal slash (30%) or an X (20%), reaching past it. */
function crossedSpec(img: Float32Array, r: () => number): CellSpec {
  const s = digitSpec(img, r);
  const g = s.glyphs![0]!;
  g.pen = 0;
  const b = mnistBox(img);
  const ex0 = g.cx + (b.x0 - 14) * g.scale, ex1 = g.cx + (b.x1 + 1 - 14) * g.scale;
  const ey0 = g.cy + (b.y0 - 14) * g.scale, ey1 = g.cy + (b.y1 + 1 - 14) * g.scale;
  const mx = (ex0 + ex1) / 2, my = (ey0 + ey1) / 2 + (r() - 0.5) * 0.3 * (ey1 - ey0);
  const width = 2 + r() * 5;
  const strokes: Stroke[] = [];
  const line = (deg: number, ext: number): void => {
    const th = (deg * Math.PI) / 180;
    const half = 0.5 * ext * Math.max(ex1 - ex0, Math.abs(Math.sin(th)) * (ey1 - ey0) + Math.abs(Math.cos(th)) * (ex1 - ex0));
    const dx = Math.cos(th) * half, dy = Math.sin(th) * half;
    const bow = (r() - 0.5) * 3;
    strokes.push({ pts: [[mx - dx, my - dy], [mx - 0.1 * dx - (dy / half) * bow, my - 0.1 * dy + (dx / half) * bow], [mx + dx, my + dy]], width });
  };
  const kind = r();
  if (kind < 0.5) line((r() - 0.5) * 30, 1.15 + r() * 0.4);
  else if (kind < 0.8) line((r() < 0.5 ? -1 : 1) * (25 + r() * 25), 1.1 + r() * 0.3);
  else {
    const a = 30 + r() * 20;
    line(a, 1.1 + r() * 0.2);
    line(-a, 1.1 + r() * 0.2);
  }
  s.strokes = strokes;
  return s;
}

/** Two smaller MNIST digits side by side, from a few px apart to just touching. */
function twoDigitSpec(a: Float32Array, b: Float32Array, r: () => number): CellSpec {
  const s = digitSpec(a, r);
  const scale = 1.5 + r() * 0.7;
  const gap = (r() - 0.2) * 10;
  const ba = mnistBox(a), bb = mnistBox(b);
  const wa = (ba.x1 + 1 - ba.x0) * scale, wb = (bb.x1 + 1 - bb.x0) * scale;
  const left = (100 - (wa + wb + gap)) / 2 + (r() - 0.5) * 8;
  const cy = 40 + (r() - 0.5) * 8;
  s.glyphs = [
    { img: a, scale, cx: left + (14 - ba.x0) * scale, cy },
    { img: b, scale, cx: left + wa + gap + (14 - bb.x0) * scale, cy: cy + (r() - 0.5) * 6 },
  ];
  return s;
}

/** A scribble: a zigzag (either way) or a coil, 2-6 px pen. */
function scribbleSpec(r: () => number): CellSpec {
  const s = digitSpec(new Float32Array(784), r);
  s.glyphs = [];
  const cx = 50 + (r() - 0.5) * 20, cy = 40 + (r() - 0.5) * 10;
  const sw = 12 + r() * 25, sh = 25 + r() * 25;
  const pts: [number, number][] = [];
  const kind = r();
  const n = 8 + Math.floor(r() * 10);
  if (kind < 0.4) {
    for (let i = 0; i <= n; i++) pts.push([cx + (i % 2 === 0 ? -1 : 1) * sw * (0.7 + 0.3 * r()), cy - sh / 2 + (sh * i) / n + (r() - 0.5) * 3]);
  } else if (kind < 0.7) {
    for (let i = 0; i <= n; i++) pts.push([cx - sw + (2 * sw * i) / n + (r() - 0.5) * 3, cy + (i % 2 === 0 ? -1 : 1) * (sh / 2) * (0.7 + 0.3 * r())]);
  } else {
    const turns = 4 + r() * 4, rad = 8 + r() * 8;
    for (let t = 0; t <= turns * 24; t++) {
      const a = (t / 24) * 2 * Math.PI;
      pts.push([cx - sw + (2 * sw * t) / (turns * 24) + rad * Math.cos(a), cy + rad * 1.3 * Math.sin(a)]);
    }
  }
  s.strokes = [{ pts, width: 2 + r() * 4 }];
  return s;
}

// --- Tests ---------------------------------------------------------------------------------------------

const DPI = { dpi: 200 };
let mnist: Digits;
const digit = (n: number): Float32Array => mnist.images.subarray(n * 784, (n + 1) * 784);

function tally(specs: CellSpec[], o = DPI): Record<CellKind, number> & { reasons: string[] } {
  const t = { empty: 0, digit: 0, junk: 0, reasons: [] as string[] };
  for (const s of specs) {
    const { page, box } = drawCell(s);
    const v = analyseCell(page, box, o);
    t[v.kind]++;
    if (v.reason !== undefined) t.reasons.push(v.reason);
  }
  return t;
}

beforeAll(() => {
  mnist = loadMnist('test');
});

describe('analyseCell on plain digits', () => {
  it('reads at least 97% of 500 MNIST test digits drawn in cells as a digit, and none as empty', () => {
    const r = rng(11);
    const t = tally(Array.from({ length: 500 }, (_, n) => digitSpec(digit(n), r)));
    console.info(`plain digits: ${t.digit} digit, ${t.junk} junk, ${t.empty} empty of 500`);
    expect(t.empty).toBe(0);
    expect(t.digit).toBeGreaterThanOrEqual(485);
  });

  it('never calls a faint digit empty: pencil at 12% contrast, a light blue pen, shaded paper', () => {
    const r = rng(3);
    const specs: CellSpec[] = [];
    for (let n = 0; n < 60; n++) {
      const s = digitSpec(digit(500 + n), r, 0);
      s.ink = s.paper! * 0.88; // faint pencil: 12% darker than the paper
      specs.push(s);
      specs.push({ ...digitSpec(digit(600 + n), r, 0), paper: 240, ink: 150 }); // light blue ballpoint
      specs.push({ ...digitSpec(digit(700 + n), r, 0), paper: 180, ink: 120, shadeX: 30 }); // in a shadow
    }
    const t = tally(specs);
    console.info(`faint digits: ${t.digit} digit, ${t.junk} junk, ${t.empty} empty of ${specs.length}`);
    expect(t.empty).toBe(0);
  });

  it('keeps a digit that touches the ruling line mostly intact', () => {
    for (const n of [0, 1, 2, 3, 4, 7, 11, 18]) {
      const img = digit(n);
      const b = mnistBox(img);
      const scale = 2.6;
      // Bottom of the ink 1 px into the 4 px bottom line (whose inner edge is at y = 78.5).
      const glyph = { img, cx: 50, cy: 80 - 1.5 - (b.y1 + 1 - 14) * scale, scale };
      const lined = drawCell({ glyphs: [glyph], lineWidth: 4, seed: n });
      const clean = drawCell({ glyphs: [glyph], noLines: true, seed: n });
      const a = inspectCell(lined.page, lined.box, DPI);
      const c = inspectCell(clean.page, clean.box, DPI);
      expect(a.verdict.kind).toBe('digit');
      let both = 0, either = 0;
      for (let i = 0; i < a.mask.length; i++) {
        if (a.mask[i] && c.mask[i]) both++;
        if (a.mask[i] || c.mask[i]) either++;
      }
      expect(both / either).toBeGreaterThan(0.85);
    }
  });

  it('gives pixels normalised like MNIST: centred, 20 px, about the same ink', () => {
    let diff = 0;
    for (let n = 0; n < 100; n++) {
      const img = digit(n);
      const { page, box } = drawCell({ glyphs: [{ img, cx: 50, cy: 40, scale: 2.5 }], lineWidth: 2, noise: 2, blur: true, seed: n });
      const v = analyseCell(page, box, DPI);
      expect(v.kind).not.toBe('empty');
      const p = v.pixels!;
      expect(p).toHaveLength(784);
      let m = 0, mo = 0, sx = 0, sy = 0, x0 = 28, x1 = -1, y0 = 28, y1 = -1;
      for (let y = 0; y < 28; y++) {
        for (let x = 0; x < 28; x++) {
          const q = p[y * 28 + x]!;
          expect(q).toBeGreaterThanOrEqual(0);
          expect(q).toBeLessThanOrEqual(1);
          mo += img[y * 28 + x]!;
          diff += Math.abs(q - img[y * 28 + x]!) / 784;
          if (q <= 0) continue;
          m += q;
          sx += q * x;
          sy += q * y;
          x0 = Math.min(x0, x);
          x1 = Math.max(x1, x);
          y0 = Math.min(y0, y);
          y1 = Math.max(y1, y);
        }
      }
      expect(Math.abs(sx / m - 14)).toBeLessThanOrEqual(0.75);
      expect(Math.abs(sy / m - 14)).toBeLessThanOrEqual(0.75);
      expect(Math.max(x1 - x0, y1 - y0) + 1).toBeGreaterThanOrEqual(19);
      expect(Math.max(x1 - x0, y1 - y0) + 1).toBeLessThanOrEqual(21);
      expect(m / mo).toBeGreaterThan(0.8);
      expect(m / mo).toBeLessThan(1.45);
    }
    expect(diff / 100).toBeLessThan(0.06);
  });
});

describe('analyseCell on empty cells', () => {
  it('calls blank cells empty despite line remnants, box offsets, bowed and broken lines, noise, shading, JPEG', () => {
    const r = rng(7);
    const t = tally(Array.from({ length: 300 }, () => emptySpec(r)));
    console.info(`empty cells: ${t.empty} empty, ${t.digit} digit, ${t.junk} junk of 300`);
    expect(t.empty).toBeGreaterThanOrEqual(297);
  });

  it('calls the hard cases empty', () => {
    const hard: CellSpec[] = [
      { lineWidth: 6, lineGrey: 10, offset: [3, 3] }, // thick black lines, box 3 px off: a whole line inside
      { lineWidth: 6, lineGrey: 10, offset: [-3, -2], slant: 2, bow: 1.5 },
      { lineWidth: 3, broken: 0.4, seed: 5 }, // dashed-looking lines
      { lineWidth: 2, lineGrey: 190, paper: 240 }, // faint printed rules
      { noise: 8, lineWidth: 3 }, // a noisy scan
      { jpeg: 15, lineWidth: 4, noise: 2 }, // a badly compressed photo
      { jpeg: 30, lineWidth: 2, blur: true, noise: 4 },
      { paper: 240, shadeX: 60, shadeY: 40, lineWidth: 3 }, // strong shading across the cell
      { paper: 170, lineGrey: 60, noise: 5, jpeg: 25 },
      // A neighbour's stroke crossing the line, 1 mm into the cell.
      { lineWidth: 3, strokes: [{ pts: [[40, -12], [44, 8]], width: 3 }] },
    ];
    hard.forEach((s, i) => {
      const { page, box } = drawCell({ seed: 100 + i, ...s });
      expect(analyseCell(page, box, DPI).kind, `hard empty case ${i}`).toBe('empty');
    });
  });
});

describe('analyseCell on junk', () => {
  it('flags two digits side by side', () => {
    const r = rng(7);
    const t = tally(Array.from({ length: 100 }, (_, n) => twoDigitSpec(digit(n), digit(n + 5000), r)));
    console.info(`two digits: ${t.junk} junk, ${t.digit} digit, ${t.empty} empty of 100`);
    expect(t.junk).toBeGreaterThanOrEqual(92);
    expect(t.reasons.every((s) => /side by side|bridge|too wide/.test(s))).toBe(true);
  });

  it('flags crossed-out digits', () => {
    const r = rng(7);
    const t = tally(Array.from({ length: 100 }, (_, n) => crossedSpec(digit(n), r)));
    console.info(`crossed out: ${t.junk} junk, ${t.digit} digit, ${t.empty} empty of 100`);
    expect(t.empty).toBe(0);
    expect(t.junk).toBeGreaterThanOrEqual(75);
  });

  it('flags scribbles', () => {
    const r = rng(7);
    const t = tally(Array.from({ length: 100 }, () => scribbleSpec(r)));
    console.info(`scribbles: ${t.junk} junk, ${t.digit} digit, ${t.empty} empty of 100`);
    expect(t.empty).toBe(0);
    expect(t.junk).toBeGreaterThanOrEqual(90);
  });

  it('explains itself and still gives pixels', () => {
    const { page, box } = drawCell(twoDigitSpec(digit(0), digit(1), rng(1)));
    const v = analyseCell(page, box, DPI);
    expect(v.kind).toBe('junk');
    expect(v.reason).toMatch(/\w/);
    expect(v.pixels).toHaveLength(784);
    expect(v.ink).toBeGreaterThan(0);
  });
});

describe('analyseCell, other conditions', () => {
  it('works at 150 and 300 dpi, and with the line width given', () => {
    for (const dpi of [150, 300]) {
      const k = dpi / 200;
      const r = rng(9);
      const specs = Array.from({ length: 60 }, (_, n) => {
        const s = digitSpec(digit(n), r, 0);
        const g = s.glyphs![0]!;
        return { ...s, W: Math.round(100 * k), H: Math.round(80 * k), margin: Math.round(16 * k), lineWidth: Math.max(1, Math.round(s.lineWidth! * k)), glyphs: [{ ...g, cx: g.cx * k, cy: g.cy * k, scale: g.scale * k }] };
      });
      const t = tally(specs, { dpi });
      expect(t.empty, `${dpi} dpi`).toBe(0);
      expect(t.digit, `${dpi} dpi`).toBeGreaterThanOrEqual(57);
      const e = tally(Array.from({ length: 30 }, () => ({ ...emptySpec(r), W: Math.round(100 * k), H: Math.round(80 * k), margin: Math.round(16 * k) })), { dpi });
      expect(e.empty, `${dpi} dpi`).toBe(30);
    }
    const r = rng(5);
    for (let n = 0; n < 20; n++) {
      const s = digitSpec(digit(n), r, 0);
      const { page, box } = drawCell(s);
      expect(analyseCell(page, box, { dpi: 200, lineWidth: s.lineWidth! }).kind).not.toBe('empty');
    }
  });

  it('reports the ink fraction, and no pixels for an empty cell', () => {
    const e = drawCell({});
    const ve = analyseCell(e.page, e.box, DPI);
    expect(ve).toMatchObject({ kind: 'empty' });
    expect(ve.pixels).toBeUndefined();
    expect(ve.ink).toBeLessThan(0.005);
    const d = drawCell({ glyphs: [{ img: digit(0), cx: 50, cy: 40, scale: 2.5 }] });
    const vd = analyseCell(d.page, d.box, DPI);
    expect(vd.kind).toBe('digit');
    expect(vd.ink).toBeGreaterThan(0.03);
    expect(vd.ink).toBeLessThan(0.3);
  });

  it('clips a box that runs off the page, rejects a cell too small to hold a digit', () => {
    const { page } = drawCell({ glyphs: [{ img: digit(0), cx: 50, cy: 40, scale: 2.5 }] });
    expect(analyseCell(page, { x: 16, y: 16, w: 500, h: 500 }, DPI).kind).not.toBe('empty');
    const tiny = analyseCell(page, { x: 20, y: 20, w: 8, h: 6 }, DPI);
    expect(tiny.kind).toBe('junk');
    expect(tiny.reason).toMatch(/too small/);
    expect(() => analyseCell(page, { x: 0, y: 0, w: 50, h: 50 }, { dpi: 0 })).toThrow(/dpi/);
  });
});

// The real network, when a model is there: accuracy on drawn cells against the raw MNIST images.
const MODEL = process.env.HOEDOWN_DIGITS_MODEL ?? 'resources/models/digits.onnx';
describe.skipIf(!existsSync(MODEL))('analyseCell with the digit network', () => {
  it('reads drawn cells nearly as well as the raw MNIST images', async () => {
    const { DigitReader } = await import('../../ml/reader.js');
    const reader = await DigitReader.open(MODEL, 1);
    try {
      const N = 500;
      const argmax = (l: Float32Array, i: number): number => {
        let b = 0;
        for (let k = 1; k < 10; k++) if (l[i * 10 + k]! > l[i * 10 + b]!) b = k;
        return b;
      };
      const raw = await reader.logits(mnist.images.subarray(0, N * 784));
      const rows: string[] = [];
      let rawOk = 0;
      for (let i = 0; i < N; i++) if (argmax(raw, i) === mnist.labels[i]) rawOk++;
      for (const [name, touch] of [['not touching the lines', 0], ['touching a line', 1]] as const) {
        const r = rng(21);
        const pixels = new Float32Array(N * 784);
        const read: boolean[] = [];
        for (let n = 0; n < N; n++) {
          const { page, box } = drawCell(digitSpec(digit(n), r, touch));
          const v = analyseCell(page, box, DPI);
          read.push(v.kind === 'digit');
          if (v.pixels) pixels.set(v.pixels, n * 784);
        }
        const lg = await reader.logits(pixels);
        let ok = 0, count = 0;
        for (let i = 0; i < N; i++) {
          if (!read[i]) continue;
          count++;
          if (argmax(lg, i) === mnist.labels[i]) ok++;
        }
        rows.push(`${name}: ${((100 * ok) / count).toFixed(1)}% of ${count} digit cells`);
        if (touch === 0) expect(ok / count).toBeGreaterThan(rawOk / N - 0.03);
      }
      console.info(`network accuracy: raw MNIST ${((100 * rawOk) / N).toFixed(1)}%; drawn cells ${rows.join('; ')}`);
    } finally {
      await reader.close();
    }
  });
});
