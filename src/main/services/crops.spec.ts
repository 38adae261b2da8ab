// Stored crops back to network pixels: the PNG decoder against our encoder and against sharp's
// (which filters rows), and the inversion digitImage applies.
import { describe, expect, it } from 'vitest';
import { encodePng } from '../sheets/image.js';
import { encodeGrayPng } from '../sheets/png.js';
import { cropPixels, decodeGrayPng } from './crops.js';
import { cropPng, digitPixels, mnistTrain } from './testing-crops.js';

const gradient = (w: number, h: number): Uint8Array => Uint8Array.from({ length: w * h }, (_, i) => (i * 37 + (i % w) * 11) & 0xff);

describe('stored crops', () => {
  it('decode what encodeGrayPng wrote', () => {
    const data = gradient(31, 17);
    expect(decodeGrayPng(encodeGrayPng({ width: 31, height: 17, data }))).toEqual({ width: 31, height: 17, data });
  });

  it('decode every row filter (sharp chooses them adaptively)', async () => {
    const data = gradient(40, 30);
    for (const fast of [false, true]) {
      const png = await encodePng({ width: 40, height: 30, data }, { fast });
      expect(decodeGrayPng(png).data).toEqual(data);
    }
  });

  it('come back as the pixels the model read, to 1/255', () => {
    const pixels = digitPixels(mnistTrain(), 0);
    const back = cropPixels(cropPng(pixels))!;
    for (let i = 0; i < 784; i++) expect(Math.abs(back[i]! - pixels[i]!)).toBeLessThanOrEqual(0.5 / 255 + 1e-6);
  });

  it('refuse what is not a 28×28 greyscale PNG', async () => {
    expect(cropPixels(encodeGrayPng({ width: 30, height: 28, data: new Uint8Array(30 * 28) }))).toBeNull();
    expect(() => decodeGrayPng(Uint8Array.from([1, 2, 3]))).toThrow(/not a PNG/);
    const rgb = encodeGrayPng({ width: 2, height: 2, data: new Uint8Array(4) });
    rgb[25] = 2; // IHDR colour type: truecolour
    expect(() => decodeGrayPng(rgb)).toThrow(/8-bit greyscale/);
  });
});
