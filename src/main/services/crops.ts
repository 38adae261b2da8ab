// The stored digit crops back as network input. `cells.crop` is the PNG that page-reader.ts writes with
// sheets/png.ts (`digitImage`: the 28×28 normalised digit inverted for viewing, dark ink on white);
// this undoes it: pixels 0-1, white ink on black, as MNIST and the model have them. A small synchronous
// decoder for 8-bit greyscale PNG (all five row filters) is enough here and decodes thousands of crops
// in milliseconds, without a round trip through an image library.
import { inflateSync } from 'node:zlib';
import { MNIST_PIXELS } from '../../ml/data/mnist.js';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export interface Gray {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Decodes an 8-bit greyscale, non-interlaced PNG; throws on anything else. */
export function decodeGrayPng(png: Uint8Array): Gray {
  if (png.length < 8 || SIGNATURE.some((b, i) => png[i] !== b)) throw new Error('not a PNG');
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let width = 0;
  let height = 0;
  const idat: Uint8Array[] = [];
  for (let at = 8; at + 8 <= png.length; ) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    const body = png.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      const [depth, color, , , interlace] = body.subarray(8, 13);
      if (depth !== 8 || color !== 0 || interlace !== 0) throw new Error(`PNG crop: only 8-bit greyscale, non-interlaced (depth ${depth}, colour type ${color})`);
    } else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
    at += 12 + length;
  }
  if (width === 0 || height === 0) throw new Error('PNG crop: no IHDR');
  const raw = inflateSync(Buffer.concat(idat));
  if (raw.length < (width + 1) * height) throw new Error('PNG crop: image data too short');
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (width + 1)]!;
    const src = raw.subarray(y * (width + 1) + 1, (y + 1) * (width + 1));
    const row = out.subarray(y * width, (y + 1) * width);
    const up = y > 0 ? out.subarray((y - 1) * width, y * width) : new Uint8Array(width);
    for (let x = 0; x < width; x++) {
      const a = x > 0 ? row[x - 1]! : 0;
      const b = up[x]!;
      const c = x > 0 ? up[x - 1]! : 0;
      let p: number;
      if (filter === 0) p = 0;
      else if (filter === 1) p = a;
      else if (filter === 2) p = b;
      else if (filter === 3) p = (a + b) >> 1;
      else if (filter === 4) {
        const pa = Math.abs(b - c);
        const pb = Math.abs(a - c);
        const pc = Math.abs(a + b - 2 * c);
        p = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else throw new Error(`PNG crop: unknown row filter ${filter}`);
      row[x] = (src[x]! + p) & 0xff;
    }
  }
  return { width, height, data: out };
}

/** A stored crop as 784 network pixels (0-1, ink white on black), or null when it is not a 28×28 digit. */
export function cropPixels(png: Uint8Array): Float32Array | null {
  const img = decodeGrayPng(png);
  if (img.width !== 28 || img.height !== 28) return null;
  const out = new Float32Array(MNIST_PIXELS);
  for (let i = 0; i < MNIST_PIXELS; i++) out[i] = (255 - img.data[i]!) / 255;
  return out;
}
