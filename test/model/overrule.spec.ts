// The shape rules' suspicions ("scribble", "crossed out") and the shipped junk detector together, on the
// real models: a plain digit a suspicion caught (as bold eights and open fours are) is read when the
// detector finds it a digit; struck-through ink stays flagged; the hard rules (two digits) stand whatever
// the detector says; and without a detector every suspicion stands.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMnist, MNIST_PIXELS } from '../../src/ml/data/mnist.js';
import { DigitReader } from '../../src/ml/reader.js';
import { junkModel } from '../../src/main/services/junk-model.js';
import { readCard } from '../../src/ml/card.js';
import { SHIPPED_CARD, SHIPPED_MODEL } from '../../src/main/paths.js';
import type { CellCut, PageLayout } from '../../src/main/sheets/page.js';
import { type ReaderModel, readPage } from '../../src/main/sheets/reading.js';
import type { CellVerdict } from '../../src/main/sheets/types.js';
import { junkSet } from '../../training/junk-data.js';

const line = (a: number): { a: number; b: number; from: number; to: number; thickness: number } => ({ a, b: 0, from: 0, to: 400, thickness: 2 });

/** One table row of cells 100 px wide, each with the given verdict (no header row or column). */
function layoutOf(verdicts: CellVerdict[]): PageLayout {
  const cells: CellCut[] = verdicts.map((verdict, c) => ({ r: 0, c, box: { x: c * 100 + 2, y: 2, w: 96, h: 96 }, verdict }));
  return {
    dpi: 200,
    skew: 0,
    turned: false,
    upright: { width: 100 * verdicts.length, height: 100, data: new Uint8Array(100 * 100 * verdicts.length) },
    grid: { rows: [line(0), line(100)], cols: verdicts.map((_, c) => line(100 * c)).concat(line(100 * verdicts.length)) },
    cells,
  };
}

describe('shape suspicions and the junk detector', () => {
  let model: ReaderModel;
  let plain: Float32Array;
  let plainValue: number;
  let struck: Float32Array;

  beforeAll(async () => {
    const card = readCard(SHIPPED_CARD);
    const junk = junkModel();
    if (!junk) throw new Error('the shipped junk detector is missing');
    model = { version: 1, reader: await DigitReader.open(SHIPPED_MODEL), temperature: card.temperature, threshold: card.threshold, junk: { reader: await DigitReader.open(junk.path), threshold: junk.threshold } };
    const test = loadMnist('test');
    plain = test.images.slice(0, MNIST_PIXELS);
    plainValue = test.labels[0]!;
    const set = junkSet(test, 200, 99);
    const k = set.kinds.indexOf('double-strike');
    struck = set.images.slice(k * MNIST_PIXELS, (k + 1) * MNIST_PIXELS);
  });
  afterAll(async () => {
    await model.reader.close();
    await model.junk?.reader.close();
  });

  const suspect = (pixels: Float32Array, reason: string): CellVerdict => ({ kind: 'junk', reason, overrulable: true, pixels, ink: 0.1 });

  it('reads a plain digit that only a suspicion caught, and keeps struck-through ink and two digits flagged', async () => {
    const page = await readPage(
      layoutOf([suspect(plain, 'scribble (ink fills 72% of its box)'), suspect(struck, 'crossed out (straight stroke at 6° through the ink)'), { kind: 'junk', reason: 'ink too wide for one digit (1.60 × its height)', overrulable: false, pixels: plain, ink: 0.1 }]),
      model,
      0,
      0,
    );
    const [a, b, c] = page.cells;
    expect(a).toMatchObject({ status: 'auto', value: plainValue, reason: null });
    expect(b).toMatchObject({ status: 'flagged', value: null, reason: 'crossed out (straight stroke at 6° through the ink)' });
    expect(c).toMatchObject({ status: 'flagged', value: null, reason: 'ink too wide for one digit (1.60 × its height)' });
  });

  it('lets every suspicion stand when there is no junk detector', async () => {
    const page = await readPage(layoutOf([suspect(plain, 'scribble (ink fills 72% of its box)')]), { ...model, junk: undefined }, 0, 0);
    expect(page.cells[0]).toMatchObject({ status: 'flagged', value: null, read: plainValue, reason: 'scribble (ink fills 72% of its box)' });
  });
});
