// The inference side: an exported digit model (SPEC §4) loaded from a file, read in batches.
import { readFileSync } from 'node:fs';
import { type Digits, MNIST_PIXELS } from './data/mnist.js';
import { Session } from './runtime.js';
import { LOGITS, PIXELS } from './step.js';

export class DigitReader {
  private constructor(private readonly session: Session) {}

  static async open(model: string | Uint8Array, threads = 0): Promise<DigitReader> {
    let bytes: Uint8Array;
    try {
      bytes = typeof model === 'string' ? readFileSync(model) : model;
    } catch (e) {
      throw new Error(`cannot read model ${String(model)}: ${(e as Error).message}`, { cause: e });
    }
    let session: Session;
    try {
      session = await Session.create(bytes, { threads });
    } catch (e) {
      throw new Error(`${typeof model === 'string' ? model : 'model'} is not a valid ONNX model: ${(e as Error).message}`, { cause: e });
    }
    if (!session.inputNames.includes(PIXELS) || !session.outputNames.includes(LOGITS)) {
      await session.release();
      throw new Error(`model must take '${PIXELS}' and give '${LOGITS}' (has inputs ${session.inputNames.join(', ')})`);
    }
    return new DigitReader(session);
  }

  /** Logits (n × 10) of `n` 28×28 images given as pixels 0-1, white ink on black. */
  async logits(pixels: Float32Array, chunk = 1000): Promise<Float32Array> {
    const count = pixels.length / MNIST_PIXELS;
    if (!Number.isInteger(count)) throw new Error(`reader: ${pixels.length} pixels is not a whole number of 28x28 images`);
    const out = new Float32Array(count * 10);
    for (let start = 0; start < count; start += chunk) {
      const n = Math.min(chunk, count - start);
      const r = await this.session.run({ [PIXELS]: { data: pixels.subarray(start * MNIST_PIXELS, (start + n) * MNIST_PIXELS), dims: [n, 1, 28, 28] } });
      out.set(r[LOGITS]!.data, start * 10);
    }
    return out;
  }

  async readDigits(d: Digits): Promise<Float32Array> {
    return this.logits(d.images);
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
