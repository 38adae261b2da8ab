// Tests of the per-cell stage on synthetic score-sheet cells: real MNIST test digits drawn in ink on a
// ruled cell, with the nuisances of scans and photos (line widths, residual skew and bow, a box a few px
// off the lines, broken lines, shading, noise, blur, JPEG compression, faint and light pens).
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Digits, loadMnist } from '../../ml/data/mnist.js';
import { analyseCell, inspectCell } from './cell.js';
import { type CellSpec, crossedSpec, digitSpec, drawCell, emptySpec, mnistBox, rng, scribbleSpec, twoDigitSpec } from './cell-testing.js';
import type { CellKind } from './types.js';

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

  it('never calls a bold felt-pen digit filling the cell empty, however blocky its JPEG', () => {
    // The paper's noise is estimated from the cell, and ink over most of it (with JPEG ringing) once
    // inflated it so far that no ink could pass the high threshold.
    const r = rng(5);
    const specs: CellSpec[] = [];
    for (const n of [3, 10, 13, 25, 28, 55, 61, 69, 84, 110]) {
      const s = digitSpec(digit(n), r, 0);
      const g = s.glyphs![0]!;
      g.scale = 3.8;
      g.pen = 6;
      g.cx = s.W! / 2;
      g.cy = s.H! / 2;
      specs.push({ ...s, jpeg: 20, paper: 200, ink: 30, noise: 4 });
    }
    const t = tally(specs);
    console.info(`bold digits: ${t.digit} digit, ${t.junk} junk, ${t.empty} empty of ${specs.length}`);
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
