// Training data for the junk detector: MNIST digits as they are (label 0) against the things a judge
// writes in a cell that are not one digit (label 1): a digit struck through once or twice, crossed with
// an X or hatched over, a scribble, two digits side by side or written over each other. Each sample is
// drawn on a canvas and normalised exactly as a cell's ink is (normaliseDigit), so the detector sees
// what the reader sees. Seeded: the same seed gives the same set.
import type { Digits } from '../src/ml/data/mnist.js';
import { MNIST_PIXELS, MNIST_SIDE } from '../src/ml/data/mnist.js';
import { Rng } from '../src/ml/rng.js';
import { normaliseDigit } from '../src/main/sheets/normalise.js';

export const DIGIT = 0;
export const JUNK = 1;
const S = 72;

/**
 * How two-digit samples are placed: 'centred' by fixed centres only (the first detector's data), 'mixed'
 * half of them side by side by their ink (see abutting()).
 */
export type PairStyle = 'centred' | 'mixed';

export type JunkKind = 'strike' | 'double-strike' | 'x' | 'hatch' | 'zigzag' | 'curls' | 'two-digits';
const KINDS: [JunkKind, number][] = [
  ['strike', 0.2],
  ['double-strike', 0.1],
  ['x', 0.15],
  ['hatch', 0.1],
  ['zigzag', 0.12],
  ['curls', 0.1],
  ['two-digits', 0.23],
];

interface InkBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

// A top-level function, not a closure in the pixel loop: tsx wraps every closure creation in __name().
function at(img: Float32Array, x: number, y: number): number {
  return x < 0 || y < 0 || x >= MNIST_SIDE || y >= MNIST_SIDE ? 0 : img[y * MNIST_SIDE + x]!;
}

/** Draws MNIST digit `k` of `d` scaled by `scale` with its top-left at (ox, oy) (max blend). */
function drawDigit(canvas: Float32Array, d: Digits, k: number, scale: number, ox: number, oy: number): void {
  const img = d.images.subarray(k * MNIST_PIXELS, (k + 1) * MNIST_PIXELS);
  const size = Math.ceil(MNIST_SIDE * scale);
  for (let y = 0; y < size; y++) {
    const cy = oy + y;
    if (cy < 0 || cy >= S) continue;
    const sy = (y + 0.5) / scale - 0.5;
    const y0 = Math.floor(sy);
    const fy = sy - y0;
    for (let x = 0; x < size; x++) {
      const cx = ox + x;
      if (cx < 0 || cx >= S) continue;
      const sx = (x + 0.5) / scale - 0.5;
      const x0 = Math.floor(sx);
      const fx = sx - x0;
      const v = (1 - fy) * ((1 - fx) * at(img, x0, y0) + fx * at(img, x0 + 1, y0)) + fy * ((1 - fx) * at(img, x0, y0 + 1) + fx * at(img, x0 + 1, y0 + 1));
      const i = cy * S + cx;
      if (v > canvas[i]!) canvas[i] = v;
    }
  }
}

/** Anti-aliased pen stroke of radius `r` along the polyline `pts` (x, y pairs), max blend. */
function drawStroke(canvas: Float32Array, pts: number[], r: number): void {
  for (let s = 0; s + 3 < pts.length; s += 2) {
    const ax = pts[s]!, ay = pts[s + 1]!, bx = pts[s + 2]!, by = pts[s + 3]!;
    const dx = bx - ax, dy = by - ay;
    const len2 = dx * dx + dy * dy || 1;
    const xa = Math.max(0, Math.floor(Math.min(ax, bx) - r - 1)), xb = Math.min(S - 1, Math.ceil(Math.max(ax, bx) + r + 1));
    const ya = Math.max(0, Math.floor(Math.min(ay, by) - r - 1)), yb = Math.min(S - 1, Math.ceil(Math.max(ay, by) + r + 1));
    for (let y = ya; y <= yb; y++) {
      for (let x = xa; x <= xb; x++) {
        const t = Math.min(1, Math.max(0, ((x - ax) * dx + (y - ay) * dy) / len2));
        const dist = Math.hypot(x - ax - t * dx, y - ay - t * dy);
        const v = Math.min(1, Math.max(0, r + 0.5 - dist));
        const i = y * S + x;
        if (v > canvas[i]!) canvas[i] = v;
      }
    }
  }
}

/** A slightly bowed line from (ax, ay) to (bx, by), as a polyline: hand-drawn lines are not straight. */
function bowed(rng: Rng, ax: number, ay: number, bx: number, by: number): number[] {
  const len = Math.hypot(bx - ax, by - ay);
  const bow = rng.normal() * 0.06 * len;
  const nx = -(by - ay) / (len || 1), ny = (bx - ax) / (len || 1);
  const pts: number[] = [];
  for (let i = 0; i <= 8; i++) {
    const t = i / 8;
    const b = 4 * t * (1 - t) * bow;
    pts.push(ax + t * (bx - ax) + nx * b, ay + t * (by - ay) + ny * b);
  }
  return pts;
}

function inkBox(canvas: Float32Array): InkBox {
  let x0 = S, y0 = S, x1 = -1, y1 = -1;
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      if (canvas[y * S + x]! < 0.3) continue;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
  }
  return x1 < 0 ? { x0: S / 2, y0: S / 2, x1: S / 2, y1: S / 2 } : { x0, y0, x1, y1 };
}

/** A line through the box's middle at `deg` from horizontal, reaching past the ink at both ends. */
function strikeThrough(rng: Rng, b: InkBox, deg: number, offset: number): number[] {
  const cx = (b.x0 + b.x1) / 2;
  const cy = (b.y0 + b.y1) / 2 + offset;
  const th = (deg * Math.PI) / 180;
  const w = b.x1 - b.x0 + 1, h = b.y1 - b.y0 + 1;
  // Half the ink's extent along the line, then past it by 10-45% on each side.
  const half = Math.max(Math.abs(Math.cos(th)) * w, Math.abs(Math.sin(th)) * h, 0.6 * h) / 2;
  const ea = half * (1 + rng.range(0.1, 0.45));
  const eb = half * (1 + rng.range(0.1, 0.45));
  return bowed(rng, cx - Math.cos(th) * ea, cy - Math.sin(th) * ea, cx + Math.cos(th) * eb, cy + Math.sin(th) * eb);
}

function placeDigit(rng: Rng, canvas: Float32Array, d: Digits, k: number, scale: number, cx: number, cy: number): void {
  const size = MNIST_SIDE * scale;
  drawDigit(canvas, d, k, scale, Math.round(cx - size / 2), Math.round(cy - size / 2 + rng.normal()));
}

function junk(rng: Rng, canvas: Float32Array, d: Digits, pick: () => number, kind: JunkKind, pairs: PairStyle): void {
  const scale = rng.range(1.4, 2.0);
  const withDigit = kind !== 'zigzag' && kind !== 'curls' && kind !== 'two-digits';
  if (withDigit) placeDigit(rng, canvas, d, pick(), scale, S / 2, S / 2);
  const b = withDigit ? inkBox(canvas) : { x0: S / 2 - 10 * scale * 0.7, x1: S / 2 + 10 * scale * 0.7, y0: S / 2 - 10 * scale, y1: S / 2 + 10 * scale };
  const h = b.y1 - b.y0 + 1;
  const w = b.x1 - b.x0 + 1;
  const r = Math.max(0.8, h * rng.range(0.04, 0.075));
  switch (kind) {
    case 'strike':
      drawStroke(canvas, strikeThrough(rng, b, rng.range(-40, 40), rng.normal() * 0.12 * h), r);
      break;
    case 'double-strike': {
      const deg = rng.range(-30, 30);
      const gap = rng.range(0.12, 0.3) * h;
      drawStroke(canvas, strikeThrough(rng, b, deg, -gap / 2), r);
      drawStroke(canvas, strikeThrough(rng, b, deg + rng.normal() * 4, gap / 2), r);
      break;
    }
    case 'x': {
      const p = (): number => rng.range(-0.15, 0.1);
      drawStroke(canvas, bowed(rng, b.x0 - p() * w, b.y0 - p() * h, b.x1 + p() * w, b.y1 + p() * h), r);
      drawStroke(canvas, bowed(rng, b.x1 + p() * w, b.y0 - p() * h, b.x0 - p() * w, b.y1 + p() * h), r);
      break;
    }
    case 'hatch': {
      // Scribbled over: back-and-forth strokes across the digit.
      const n = 3 + rng.int(4);
      const pts: number[] = [];
      const slant = rng.range(-0.3, 0.3) * h;
      for (let i = 0; i <= n; i++) {
        const y = b.y0 + ((i + rng.range(-0.3, 0.3)) / n) * h;
        const left = i % 2 === 0;
        pts.push(left ? b.x0 - rng.range(0, 0.2) * w : b.x1 + rng.range(0, 0.2) * w, y + (left ? -slant : slant) / 2);
      }
      drawStroke(canvas, pts, r);
      break;
    }
    case 'zigzag': {
      const n = 4 + rng.int(6);
      const vertical = rng.uniform() < 0.3;
      const pts: number[] = [];
      for (let i = 0; i <= n; i++) {
        const a = (i + rng.range(-0.2, 0.2)) / n;
        const side = i % 2 === 0 ? rng.range(0, 0.2) : rng.range(0.8, 1);
        if (vertical) pts.push(b.x0 + a * w, b.y0 + side * h);
        else pts.push(b.x0 + side * w, b.y0 + a * h);
      }
      drawStroke(canvas, pts, r);
      break;
    }
    case 'curls': {
      // Loops travelling across or down the cell: a pen worrying at the paper. (Not wound round one
      // place: that is a '0' written over, which a person would read as a '0'.)
      const turns = 3 + rng.int(4);
      const wound = false;
      const across = rng.uniform() < 0.6;
      const rad = (wound ? rng.range(0.25, 0.45) : rng.range(0.15, 0.3)) * h;
      const pts: number[] = [];
      const steps = turns * 14;
      for (let i = 0; i <= steps; i++) {
        const t = (i / 14) * 2 * Math.PI;
        const f = i / steps;
        const cx = wound ? S / 2 : across ? b.x0 - 0.3 * w + f * 1.6 * w : S / 2;
        const cy = wound ? S / 2 : across ? S / 2 + rng.normal() * 0.5 : b.y0 + f * h;
        const rr = rad * (wound ? rng.range(0.6, 1) : 1);
        pts.push(cx + rr * Math.cos(t), cy + rr * 0.8 * Math.sin(t));
      }
      drawStroke(canvas, pts, r * rng.range(0.6, 1));
      break;
    }
    case 'two-digits': {
      const sc = rng.range(1.1, 1.5);
      if (pairs === 'centred' || rng.uniform() < 0.5) {
        const gap = rng.range(-0.15, 0.2) * 20 * sc;
        placeDigit(rng, canvas, d, pick(), sc, S / 2 - (10 * sc + gap) / 2 - 3, S / 2);
        placeDigit(rng, canvas, d, pick(), sc, S / 2 + (10 * sc + gap) / 2 + 3, S / 2);
      } else {
        abutting(rng, canvas, d, pick(), pick(), sc);
      }
      break;
    }
  }
}

const scratch = new Float32Array(S * S);

/**
 * Digits `ka` and `kb` side by side by their ink, from overlapping a little to a small gap, each at its own
 * height: a score of 10 or a correction written close beside a digit. Placed by the centres alone, narrow
 * pairs ('1', '4', '7') never touch, and a touching '43' was read as an 8.
 */
function abutting(rng: Rng, canvas: Float32Array, d: Digits, ka: number, kb: number, sc: number): void {
  const boxes: InkBox[] = [];
  for (const k of [ka, kb]) {
    scratch.fill(0);
    drawDigit(scratch, d, k, sc, 0, 0);
    boxes.push(inkBox(scratch));
  }
  const [a, b] = boxes as [InkBox, InkBox];
  const wa = a.x1 - a.x0 + 1, wb = b.x1 - b.x0 + 1;
  const gap = rng.range(-0.05, 0.12) * 20 * sc;
  const left = Math.round(S / 2 - (wa + gap + wb) / 2);
  const top = Math.round(S / 2 - (MNIST_SIDE * sc) / 2);
  const shift = (): number => Math.round(rng.normal() * 1.5 * sc);
  drawDigit(canvas, d, ka, sc, left - a.x0, top + shift());
  drawDigit(canvas, d, kb, sc, Math.round(left + wa + gap) - b.x0, top + shift());
}

function pickKind(rng: Rng): JunkKind {
  let u = rng.uniform();
  for (const [k, p] of KINDS) {
    if ((u -= p) < 0) return k;
  }
  return 'strike';
}

/** 3×3 grey dilation (`grow`) or erosion of the canvas: a broader or finer pen. */
function morph(canvas: Float32Array, grow: boolean): void {
  const src = canvas.slice();
  for (let y = 1; y < S - 1; y++) {
    for (let x = 1; x < S - 1; x++) {
      let v = src[y * S + x]!;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const u = src[(y + dy) * S + x + dx]!;
          v = grow ? Math.max(v, u) : Math.min(v, u);
        }
      }
      canvas[y * S + x] = v;
    }
  }
}

/** One pass of a [1 2 1]/4 blur across and down. */
function blur(canvas: Float32Array): void {
  const t = canvas.slice();
  for (let y = 0; y < S; y++) for (let x = 1; x < S - 1; x++) t[y * S + x] = (canvas[y * S + x - 1]! + 2 * canvas[y * S + x]! + canvas[y * S + x + 1]!) / 4;
  for (let y = 1; y < S - 1; y++) for (let x = 0; x < S; x++) canvas[y * S + x] = (t[(y - 1) * S + x]! + 2 * t[y * S + x]! + t[(y + 1) * S + x]!) / 4;
}

/**
 * The same random pen for every sample, digit or junk: broader or finer, softer or harder edged. The
 * cells the detector reads come from real pens through a threshold (hard edges), MNIST's from scanned
 * pencil (soft): without this the detector learns "not MNIST's texture" instead of "not one digit".
 */
function pen(rng: Rng, canvas: Float32Array): void {
  const u = rng.uniform();
  if (u < 0.3) morph(canvas, true);
  else if (u < 0.4) morph(canvas, false);
  for (let n = rng.int(3); n > 0; n--) blur(canvas);
  const lo = rng.range(0, 0.25);
  const hi = lo + rng.range(0.15, 0.65);
  for (let i = 0; i < canvas.length; i++) canvas[i] = Math.min(1, Math.max(0, (canvas[i]! - lo) / (hi - lo)));
}

/**
 * `count` samples, half digits (label 0) and half junk (label 1), drawn from the digits of `d` (MNIST
 * train for training, MNIST test for the held-out check), as a `Digits` set the trainer takes as is.
 */
export function junkSet(d: Digits, count: number, seed: number, pairs: PairStyle = 'mixed'): Digits & { kinds: (JunkKind | 'digit')[] } {
  const rng = new Rng(seed);
  const images = new Float32Array(count * MNIST_PIXELS);
  const labels = new Uint8Array(count);
  const kinds: (JunkKind | 'digit')[] = [];
  const pick = (): number => rng.int(d.count);
  const canvas = new Float32Array(S * S);
  for (let i = 0; i < count; i++) {
    canvas.fill(0);
    if (i % 2 === 0) {
      placeDigit(rng, canvas, d, pick(), rng.range(1.4, 2.0), S / 2, S / 2);
      labels[i] = DIGIT;
      kinds.push('digit');
    } else {
      const kind = pickKind(rng);
      junk(rng, canvas, d, pick, kind, pairs);
      labels[i] = JUNK;
      kinds.push(kind);
    }
    pen(rng, canvas);
    images.set(normaliseDigit(canvas, S, S), i * MNIST_PIXELS);
  }
  return { count, images, labels, kinds };
}

