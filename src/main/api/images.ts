// Page images for the review UI: the stored page PNGs decoded once and kept in a small LRU (successive
// review items of one page then cost a crop and a small PNG each, well under a millisecond), cell and
// header crops as PNG data URLs, and page thumbnails (cached too). Crops use the synchronous
// greyscale PNG writer (zlib); decoding and resizing go through sheets/image.ts (sharp).
import { type Db, pages } from '../store/index.js';
import { resizeGray, toGray } from '../sheets/image.js';
import { crop, encodeGrayPng } from '../sheets/png.js';
import type { Box, GrayImage } from '../sheets/types.js';

export const pngDataUrl = (png: Uint8Array): string => `data:image/png;base64,${Buffer.from(png.buffer, png.byteOffset, png.byteLength).toString('base64')}`;

/** A PNG's size from its header (IHDR), without decoding it. */
export function pngSize(png: Uint8Array): { width: number; height: number } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  if (png.byteLength < 24) throw new Error('not a PNG image');
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** A stored page as decoded, with the scale from page pixels (where boxes live) to its pixels. */
export interface PageImage {
  img: GrayImage;
  scale: number;
}

class Lru<V> {
  readonly #map = new Map<string, V>();
  constructor(readonly size: number) {}
  get(key: string): V | undefined {
    const v = this.#map.get(key);
    if (v !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, v);
    }
    return v;
  }
  set(key: string, v: V): void {
    this.#map.delete(key);
    this.#map.set(key, v);
    while (this.#map.size > this.size) this.#map.delete(this.#map.keys().next().value!);
  }
  deleteWhere(test: (key: string) => boolean): void {
    for (const k of [...this.#map.keys()]) if (test(k)) this.#map.delete(k);
  }
}

export class PageImages {
  /** Decoded pages (≈2 MB each at 1600 px), promises so concurrent asks share one decode. */
  readonly #decoded = new Lru<Promise<PageImage>>(8);
  readonly #thumbs = new Lru<string>(500);

  constructor(private readonly db: Db) {}

  /** The stored page decoded, or undefined when there is no such page. */
  page(pageId: number): Promise<PageImage> | undefined {
    const key = String(pageId);
    let p = this.#decoded.get(key);
    if (!p) {
      const row = pages.get(this.db, pageId);
      const png = pages.getImage(this.db, pageId);
      if (!row || !png) return undefined;
      p = toGray(png).then((img) => ({ img, scale: img.width / row.width }));
      p.catch(() => this.#decoded.deleteWhere((k) => k === key));
      this.#decoded.set(key, p);
    }
    return p;
  }

  async thumbnail(pageId: number, width: number): Promise<string | undefined> {
    const key = `${pageId}:${width}`;
    const hit = this.#thumbs.get(key);
    if (hit) return hit;
    const page = await this.page(pageId);
    if (!page) return undefined;
    const { img } = page;
    const w = Math.min(width, img.width);
    const small = w === img.width ? img : await resizeGray(img, w, Math.max(1, Math.round((img.height * w) / img.width)), { kernel: 'linear' });
    const url = pngDataUrl(encodeGrayPng(small));
    this.#thumbs.set(key, url);
    return url;
  }

  /** Forgets a page's images (after a reread changed them). */
  invalidate(pageId: number): void {
    this.#decoded.deleteWhere((k) => k === String(pageId));
    this.#thumbs.deleteWhere((k) => k.startsWith(`${pageId}:`));
  }
}

/** A box of page pixels in the stored image's pixels, grown by `margin` stored pixels each side. */
export function scaleBox(b: Box, scale: number, margin = 0): Box {
  return { x: b.x * scale - margin, y: b.y * scale - margin, w: b.w * scale + 2 * margin, h: b.h * scale + 2 * margin };
}

/** A box (stored-image pixels) of the page as a PNG data URL; null when it falls outside the image. */
export function cropUrl(img: GrayImage, b: Box): string | null {
  const part = crop(img, b.x, b.y, b.w, b.h);
  // zlib level 1: a row strip encodes in ~2 ms instead of ~10 at the default, for a few % more bytes.
  return part.width > 0 && part.height > 0 ? pngDataUrl(encodeGrayPng(part, { level: 1 })) : null;
}
