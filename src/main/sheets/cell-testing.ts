// Synthetic score-sheet cells for the cell stage's specs: real MNIST test digits drawn in ink on a ruled
// cell, with the nuisances of scans and photos (line widths, residual skew and bow, a box a few px off
// the lines, broken lines, shading, noise, blur, JPEG compression, faint and light pens), and junk.
import type { Box, GrayImage } from './types.js';

// --- A synthetic cell generator ---------------------------------------------------------------------

export function rng(seed: number): () => number {
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
export interface Glyph {
  img: Float32Array;
  cx: number;
  cy: number;
  scale: number;
  /** < 0: thinner pen (threshold the strokes), > 0: thicker (dilate by this radius). */
  pen?: number;
}
/** A pen stroke along a polyline, in cell coordinates. */
export interface Stroke {
  pts: [number, number][];
  width: number;
}
export interface CellSpec {
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
export function drawCell(s: CellSpec): { page: GrayImage; box: Box } {
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

export function mnistBox(img: Float32Array): { x0: number; y0: number; x1: number; y1: number } {
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
export function digitSpec(img: Float32Array, r: () => number, touchRate = 0.15): CellSpec {
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
export function emptySpec(r: () => number): CellSpec {
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
export function crossedSpec(img: Float32Array, r: () => number): CellSpec {
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
export function twoDigitSpec(a: Float32Array, b: Float32Array, r: () => number): CellSpec {
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
export function scribbleSpec(r: () => number): CellSpec {
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
