// image.ts on real encoded images (made with sharp here): greyscale decoding of every colour kind,
// the pixel bound, errors, PNG encoding, resizing and rotation.
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ImageError, MAX_PIXELS, encodePng, metadata, resizeGray, rotateGray, toGray } from './image.js';
import type { GrayImage } from './types.js';
import { darkBox, hugePng } from './testing.js';

/** White w×h page with a black rectangle [x0, x1) × [y0, y1). */
function page(w: number, h: number, r: { x0: number; y0: number; x1: number; y1: number }): GrayImage {
  const data = new Uint8Array(w * h).fill(255);
  for (let y = r.y0; y < r.y1; y++) data.fill(0, y * w + r.x0, y * w + r.x1);
  return { width: w, height: h, data };
}


describe('toGray', () => {
  it('decodes a colour PNG to one grey channel with the ink where it was drawn', async () => {
    const grey = page(120, 80, { x0: 10, y0: 20, x1: 50, y1: 30 });
    const rgb = Buffer.alloc(120 * 80 * 3);
    for (let i = 0; i < grey.data.length; i++) rgb.fill(grey.data[i]!, i * 3, i * 3 + 3);
    rgb.fill(0, 0, 3); // pixel (0,0) pure black
    rgb[3] = 255; // pixel (1,0) pure red
    rgb[4] = 0;
    rgb[5] = 0;
    const png = await sharp(rgb, { raw: { width: 120, height: 80, channels: 3 } }).png().toBuffer();
    const img = await toGray(png);
    expect([img.width, img.height, img.data.length]).toEqual([120, 80, 120 * 80]);
    expect(darkBox(img)).toEqual({ x0: 0, y0: 0, x1: 49, y1: 29 });
    expect(img.data[0]).toBe(0);
    expect(img.data[1]).toBeGreaterThan(40); // red is mid grey, not black or white
    expect(img.data[1]).toBeLessThan(140);
    expect(img.data[119]).toBe(255);
  });

  it('flattens transparency on white', async () => {
    const rgba = Buffer.alloc(4 * 2 * 4);
    for (let i = 0; i < 8; i++) rgba.set([0, 0, 0, i < 4 ? 0 : 255], i * 4); // top row transparent black
    const png = await sharp(rgba, { raw: { width: 4, height: 2, channels: 4 } }).png().toBuffer();
    const img = await toGray(png);
    expect(Array.from(img.data)).toEqual([255, 255, 255, 255, 0, 0, 0, 0]);
  });

  it('scales 16-bit images down to 8 bits', async () => {
    const u16 = new Uint16Array([0, 65535, 32896, 65535]);
    const png = await sharp(u16, { raw: { width: 2, height: 2, channels: 1 } }).toColourspace('grey16').png().toBuffer();
    expect((await metadata(png)).format).toBe('png');
    const img = await toGray(png);
    expect(Array.from(img.data)).toEqual([0, 255, 128, 255]);
  });

  it('reads the asked page of a multi-page TIFF', async () => {
    const pages = [0, 1, 2].map((k) => page(60, 40, { x0: 5, y0: 5 + 10 * k, x1: 20, y1: 10 + 10 * k }));
    const tall = Buffer.concat(pages.map((p) => Buffer.from(p.data)));
    const tiff = await sharp(tall, { raw: { width: 60, height: 120, channels: 1, pageHeight: 40 } })
      .toColourspace('b-w')
      .tiff({ compression: 'lzw' })
      .toBuffer();
    expect((await metadata(tiff)).pages).toBe(3);
    for (const k of [2, 0, 1]) {
      const img = await toGray(tiff, { page: k });
      expect([img.width, img.height]).toEqual([60, 40]);
      expect(darkBox(img)).toEqual({ x0: 5, y0: 5 + 10 * k, x1: 19, y1: 9 + 10 * k });
    }
  });

  it('decodes a 1-bit CCITT G4 TIFF (a common scanner output) with black as 0', async () => {
    const p = page(64, 32, { x0: 8, y0: 8, x1: 24, y1: 16 });
    const g4 = await sharp(p.data, { raw: { width: 64, height: 32, channels: 1 } })
      .toColourspace('b-w')
      .tiff({ compression: 'ccittfax4', bitdepth: 1 })
      .toBuffer();
    const img = await toGray(g4);
    expect(Array.from(img.data)).toEqual(Array.from(p.data));
  });

  it('refuses an image over the pixel bound from its header alone', async () => {
    const err = await toGray(hugePng(100_000, 100_000)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageError);
    expect((err as ImageError).code).toBe('too-large');
    // And any smaller bound given.
    const small = await sharp(page(100, 100, { x0: 0, y0: 0, x1: 1, y1: 1 }).data, { raw: { width: 100, height: 100, channels: 1 } })
      .png()
      .toBuffer();
    await expect(toGray(small, { maxPixels: 9999 })).rejects.toMatchObject({ code: 'too-large' });
    await expect(toGray(small, { maxPixels: 10_000 })).resolves.toMatchObject({ width: 100 });
    expect(MAX_PIXELS).toBe(120_000_000);
  });

  it('says unsupported for bytes that are no image, truncated for a cut JPEG, unreadable for a missing file', async () => {
    await expect(toGray(Buffer.from('just some text, not an image'))).rejects.toMatchObject({ code: 'unsupported' });
    const jpeg = await sharp(page(200, 100, { x0: 0, y0: 0, x1: 100, y1: 50 }).data, { raw: { width: 200, height: 100, channels: 1 } })
      .jpeg()
      .toBuffer();
    const err = (await toGray(jpeg.subarray(0, jpeg.length >> 1)).catch((e: unknown) => e)) as ImageError;
    expect(err.code).toBe('truncated');
    expect(err.message).not.toContain('\n');
    await expect(toGray('/nonexistent/dir/page.png')).rejects.toMatchObject({ code: 'unreadable' });
  });
});

describe('metadata', () => {
  it('reads format, size, pages and density without decoding', async () => {
    const png = await sharp(Buffer.alloc(30 * 20, 255), { raw: { width: 30, height: 20, channels: 1 } })
      .withDensity(300)
      .png()
      .toBuffer();
    expect(await metadata(png)).toMatchObject({ format: 'png', width: 30, height: 20, pages: 1, density: 300 });
    expect(await metadata(hugePng(100_000, 100_000))).toMatchObject({ width: 100_000, height: 100_000 });
  });
});

describe('encodePng', () => {
  it('round-trips a grey image as a one-channel PNG', async () => {
    const img = page(37, 23, { x0: 3, y0: 4, x1: 9, y1: 20 });
    img.data[5] = 77;
    const png = await encodePng(img);
    expect(await metadata(png)).toMatchObject({ format: 'png', width: 37, height: 23, channels: 1 });
    expect(Array.from((await toGray(png)).data)).toEqual(Array.from(img.data));
  });

  it('downscales to maxSide keeping the aspect ratio, never upscales', async () => {
    const img = page(400, 100, { x0: 0, y0: 0, x1: 200, y1: 100 });
    const small = await toGray(await encodePng(img, { maxSide: 100 }));
    expect([small.width, small.height]).toEqual([100, 25]);
    expect(darkBox(small)).toMatchObject({ x0: 0, y0: 0, y1: 24 });
    expect(Math.abs(darkBox(small)!.x1 - 49)).toBeLessThanOrEqual(1);
    const same = await toGray(await encodePng(img, { maxSide: 1000 }));
    expect([same.width, same.height]).toEqual([400, 100]);
  });
});

describe('resizeGray', () => {
  it('resamples to the exact size asked', async () => {
    const img = page(200, 100, { x0: 100, y0: 0, x1: 200, y1: 100 });
    const out = await resizeGray(img, 50, 40);
    expect([out.width, out.height, out.data.length]).toEqual([50, 40, 2000]);
    expect(out.data[10 * 50 + 5]).toBe(255);
    expect(out.data[10 * 50 + 45]).toBe(0);
    const box = darkBox(out)!;
    expect(Math.abs(box.x0 - 25)).toBeLessThanOrEqual(1);
  });
});

describe('rotateGray', () => {
  /** Ink-weighted centre of the pixels within r of (x, y). */
  function centroid(img: GrayImage, x: number, y: number, r = 4): [number, number] {
    let sx = 0;
    let sy = 0;
    let sw = 0;
    for (let yy = Math.round(y) - r; yy <= Math.round(y) + r; yy++) {
      for (let xx = Math.round(x) - r; xx <= Math.round(x) + r; xx++) {
        if (xx < 0 || yy < 0 || xx >= img.width || yy >= img.height) continue;
        const v = 255 - img.data[yy * img.width + xx]!;
        sx += v * xx;
        sy += v * yy;
        sw += v;
      }
    }
    return [sx / sw, sy / sw];
  }

  function dots(w: number, h: number, pts: [number, number][]): GrayImage {
    const data = new Uint8Array(w * h).fill(255);
    for (const [x, y] of pts) for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) data[(y + dy) * w + x + dx] = 0;
    return { width: w, height: h, data };
  }

  const W = 301;
  const H = 200;
  const PTS: [number, number][] = [
    [60, 40],
    [250, 50],
    [150, 100],
    [80, 160],
  ];

  for (const deg of [0.5, 2, -3.3, 5, 37]) {
    it(`turns ${deg}° clockwise about the centre on the same canvas, to within 0.1 px`, () => {
      const out = rotateGray(dots(W, H, PTS), deg);
      expect([out.width, out.height]).toEqual([W, H]);
      const t = (deg * Math.PI) / 180;
      for (const [x, y] of PTS) {
        const dx = x - (W - 1) / 2;
        const dy = y - (H - 1) / 2;
        const ex = Math.cos(t) * dx - Math.sin(t) * dy + (W - 1) / 2;
        const ey = Math.sin(t) * dx + Math.cos(t) * dy + (H - 1) / 2;
        if (ex < 5 || ey < 5 || ex > W - 6 || ey > H - 6) continue; // turned off the canvas
        const [cx, cy] = centroid(out, ex, ey);
        expect(Math.abs(cx - ex)).toBeLessThan(0.1);
        expect(Math.abs(cy - ey)).toBeLessThan(0.1);
      }
    });
  }

  it('grows the canvas to hold the whole image when asked, filling with the background', () => {
    const img = page(100, 50, { x0: 0, y0: 0, x1: 100, y1: 50 }); // all black
    const out = rotateGray(img, 30, 200, { expand: true });
    const c = Math.cos(Math.PI / 6);
    const s = Math.sin(Math.PI / 6);
    expect(out.width).toBe(Math.ceil(100 * c + 50 * s));
    expect(out.height).toBe(Math.ceil(100 * s + 50 * c));
    expect(out.data[0]).toBe(200); // corner: background
    expect(out.data[Math.floor(out.height / 2) * out.width + Math.floor(out.width / 2)]).toBe(0);
  });

  it('is exact for quarter and half turns', () => {
    const img = { width: 3, height: 2, data: Uint8Array.from([1, 2, 3, 4, 5, 6]) };
    expect(rotateGray(img, 90, 255, { expand: true })).toEqual({ width: 2, height: 3, data: Uint8Array.from([4, 1, 5, 2, 6, 3]) });
    expect(rotateGray(img, -90, 255, { expand: true })).toEqual({ width: 2, height: 3, data: Uint8Array.from([3, 6, 2, 5, 1, 4]) });
    expect(rotateGray(img, 180)).toEqual({ width: 3, height: 2, data: Uint8Array.from([6, 5, 4, 3, 2, 1]) });
    expect(rotateGray(img, 360)).toEqual(img);
    const copy = rotateGray(img, 0);
    expect(copy.data).not.toBe(img.data);
  });

  it('undoes itself away from the corners', () => {
    const img = page(120, 90, { x0: 40, y0: 30, x1: 80, y1: 60 });
    const back = rotateGray(rotateGray(img, 4), -4);
    let worst = 0;
    for (let y = 15; y < 75; y++) for (let x = 15; x < 105; x++) worst = Math.max(worst, Math.abs(back.data[y * 120 + x]! - img.data[y * 120 + x]!));
    expect(worst).toBeLessThan(140); // edges soften; nothing moves
    expect(darkBox(back)).toEqual({ x0: 40, y0: 30, x1: 79, y1: 59 });
  });

  it('samples where the exact rotation says, on a side longer than the fixed-point range too', () => {
    // A smooth ramp, so bilinear sampling is exact: each output pixel must hold the ramp's value at the
    // point the rotation maps it from (to a grey level), from one end of a 40,000-pixel row to the other.
    const W = 40000;
    const H = 64;
    const img = { width: W, height: H, data: new Uint8Array(W * H) };
    const ramp = (x: number, y: number): number => 40 + (x / W) * 150 + y;
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) img.data[y * W + x] = Math.round(ramp(x, y));
    const deg = 0.05;
    const out = rotateGray(img, deg);
    const t = (deg * Math.PI) / 180;
    let worst = 0;
    for (let x = 100; x < W - 100; x += 997) {
      const y = 32;
      // sample = centre + Rᵀ·(out − centre), R = [c −s; s c]
      const sx = (W - 1) / 2 + Math.cos(t) * (x - (W - 1) / 2) + Math.sin(t) * (y - (H - 1) / 2);
      const sy = (H - 1) / 2 - Math.sin(t) * (x - (W - 1) / 2) + Math.cos(t) * (y - (H - 1) / 2);
      if (sy < 1 || sy > H - 2) continue;
      worst = Math.max(worst, Math.abs(out.data[y * W + x]! - ramp(sx, sy)));
    }
    expect(worst).toBeLessThanOrEqual(1.5);
  });
});
