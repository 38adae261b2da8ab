// TIFF structure (TIFF files, and the EXIF blocks of JPEG and PNG, which are TIFF inside): the directory walk.
import { type ByteSource, Damage, PastEnd, be16, be32, bufferSource, cleanDpi } from './byte-source.js';

export interface TiffPage {
  width: number;
  height: number;
  dpi: number | null;
  /** Why this page cannot be read, found from the structure alone. */
  damage: Damage | null;
}

const TIFF_TYPE_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8, 17: 8, 18: 8 };

interface TiffEntry {
  type: number;
  count: number;
  /** Where the value is: inline in the entry or at an offset. */
  at: number;
  inline: Uint8Array | null;
}

class TiffReader {
  private constructor(
    private readonly src: ByteSource,
    private readonly le: boolean,
    private readonly big: boolean,
    readonly firstIfd: number,
  ) {}

  static async open(src: ByteSource): Promise<TiffReader> {
    const h = await src.read(0, 8).catch(() => {
      throw new Damage('truncated', 'TIFF header is cut short');
    });
    const le = h[0] === 0x49;
    const magic = le ? h[2]! | (h[3]! << 8) : be16(h, 2);
    if (!(h[0] === h[1] && (h[0] === 0x49 || h[0] === 0x4d)) || (magic !== 42 && magic !== 43)) throw new Damage('corrupt', 'not a TIFF header');
    const probe = new TiffReader(src, le, magic === 43, 0);
    if (magic === 42) return new TiffReader(src, le, false, probe.u32(h, 4));
    const h2 = await src.read(0, 16).catch(() => {
      throw new Damage('truncated', 'BigTIFF header is cut short');
    });
    return new TiffReader(src, le, true, probe.u64(h2, 8));
  }

  u16(b: Uint8Array, i: number): number {
    return this.le ? b[i]! | (b[i + 1]! << 8) : be16(b, i);
  }
  u32(b: Uint8Array, i: number): number {
    return this.le ? (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0 : be32(b, i);
  }
  u64(b: Uint8Array, i: number): number {
    const lo = this.u32(b, this.le ? i : i + 4);
    const hi = this.u32(b, this.le ? i + 4 : i);
    return hi * 2 ** 32 + lo;
  }

  /** The entries of the directory at `offset` and the offset of the next one (0: none). */
  async directory(offset: number): Promise<{ entries: Map<number, TiffEntry>; next: number }> {
    const countSize = this.big ? 8 : 2;
    const entrySize = this.big ? 20 : 12;
    const head = await this.src.read(offset, countSize);
    const n = this.big ? this.u64(head, 0) : this.u16(head, 0);
    if (n === 0 || n > 4096) throw new Damage('corrupt', `TIFF directory at byte ${offset} has ${n} entries`);
    const body = await this.src.read(offset + countSize, n * entrySize + (this.big ? 8 : 4));
    const entries = new Map<number, TiffEntry>();
    for (let k = 0; k < n; k++) {
      const e = k * entrySize;
      const tag = this.u16(body, e);
      const type = this.u16(body, e + 2);
      const count = this.big ? this.u64(body, e + 4) : this.u32(body, e + 4);
      const valueAt = e + (this.big ? 12 : 8);
      const bytes = (TIFF_TYPE_SIZE[type] ?? 0) * count;
      const slot = this.big ? 8 : 4;
      entries.set(tag, {
        type,
        count,
        at: bytes <= slot ? -1 : this.big ? this.u64(body, valueAt) : this.u32(body, valueAt),
        inline: bytes <= slot ? body.subarray(valueAt, valueAt + slot) : null,
      });
    }
    const nextAt = n * entrySize;
    return { entries, next: this.big ? this.u64(body, nextAt) : this.u32(body, nextAt) };
  }

  /** An entry's numbers (integers; rationals as num/den); at most `max` of them. */
  async values(e: TiffEntry, max = 1 << 20): Promise<number[]> {
    const size = TIFF_TYPE_SIZE[e.type];
    if (size === undefined || e.count > max) throw new Damage('corrupt', 'TIFF tag with an unexpected type or size');
    const b = e.inline ?? (await this.src.read(e.at, size * e.count));
    const out: number[] = [];
    for (let k = 0; k < e.count; k++) {
      const i = k * size;
      switch (e.type) {
        case 1:
        case 7:
          out.push(b[i]!);
          break;
        case 3:
          out.push(this.u16(b, i));
          break;
        case 4:
        case 13:
          out.push(this.u32(b, i));
          break;
        case 16:
        case 18:
          out.push(this.u64(b, i));
          break;
        case 5: {
          const den = this.u32(b, i + 4);
          out.push(den === 0 ? NaN : this.u32(b, i) / den);
          break;
        }
        default:
          throw new Damage('corrupt', `TIFF tag of type ${e.type} where a number was expected`);
      }
    }
    return out;
  }

  async first(entries: Map<number, TiffEntry>, tag: number): Promise<number | null> {
    const e = entries.get(tag);
    if (!e || e.count < 1) return null;
    const v = await this.values({ ...e, count: e.type === 5 ? 1 : Math.min(e.count, 1) });
    return v[0] ?? null;
  }

  /** XResolution with ResolutionUnit (2 inch, the default; 3 cm; 1 none), as pixels per inch. */
  async resolution(entries: Map<number, TiffEntry>): Promise<number | null> {
    const x = await this.first(entries, 282);
    const unit = (await this.first(entries, 296)) ?? 2;
    if (x === null || unit === 1) return null;
    return cleanDpi(unit === 3 ? x * 2.54 : x);
  }
}

/** Largest end (offset + byte count) of a page's strips or tiles, or null when the file does not say. */
async function imageDataEnd(t: TiffReader, entries: Map<number, TiffEntry>): Promise<number | null> {
  for (const [offTag, countTag] of [
    [273, 279],
    [324, 325],
  ] as const) {
    const offE = entries.get(offTag);
    if (!offE) continue;
    const offs = await t.values(offE);
    const countE = entries.get(countTag);
    const counts = countE ? await t.values(countE) : offs.map(() => 1);
    let end = 0;
    for (let k = 0; k < offs.length; k++) end = Math.max(end, offs[k]! + (counts[k] ?? 1));
    return end;
  }
  return null;
}

/**
 * Every page of a TIFF file. The walk stops at the first page whose directory is cut off or
 * unreadable; that page is listed with its damage (pages before it stay readable).
 */
export async function probeTiff(src: ByteSource): Promise<TiffPage[]> {
  const t = await TiffReader.open(src);
  const pages: TiffPage[] = [];
  const seen = new Set<number>();
  let offset = t.firstIfd;
  while (offset !== 0) {
    const k = pages.length + 1;
    const broken = (d: Damage): TiffPage[] => {
      pages.push({ width: 0, height: 0, dpi: null, damage: d });
      return pages;
    };
    if (seen.has(offset)) break; // a loop: libtiff stops there too
    seen.add(offset);
    if (pages.length >= 10_000) return broken(new Damage('corrupt', 'TIFF has more than 10000 pages'));
    let dir: Awaited<ReturnType<TiffReader['directory']>>;
    try {
      dir = await t.directory(offset);
    } catch (err) {
      if (err instanceof PastEnd) return broken(new Damage('truncated', `TIFF is cut short: it ends at byte ${src.size}, before page ${k}'s directory (at byte ${offset})`));
      if (err instanceof Damage) return broken(err);
      throw err;
    }
    let page: TiffPage;
    try {
      const width = (await t.first(dir.entries, 256)) ?? 0;
      const height = (await t.first(dir.entries, 257)) ?? 0;
      const end = await imageDataEnd(t, dir.entries);
      let damage: Damage | null = null;
      if (width < 1 || height < 1) damage = new Damage('corrupt', `page ${k} has no size`);
      else if (end !== null && end > src.size) damage = new Damage('truncated', `TIFF is cut short: it ends at byte ${src.size}, inside page ${k}'s image data (which runs to byte ${end})`);
      page = { width, height, dpi: await t.resolution(dir.entries), damage };
    } catch (err) {
      if (err instanceof PastEnd) page = { width: 0, height: 0, dpi: null, damage: new Damage('truncated', `TIFF is cut short: it ends inside page ${k}'s directory`) };
      else if (err instanceof Damage) page = { width: 0, height: 0, dpi: null, damage: err };
      else throw err;
    }
    pages.push(page);
    if (page.damage) break;
    offset = dir.next;
  }
  if (pages.length === 0) throw new Damage('corrupt', 'TIFF has no pages');
  return pages;
}

/** The resolution stated by an EXIF block (TIFF inside), or null. Never throws. */
export async function exifDpi(blob: Uint8Array): Promise<number | null> {
  try {
    const src = bufferSource(blob);
    const t = await TiffReader.open(src);
    if (t.firstIfd === 0) return null;
    return await t.resolution((await t.directory(t.firstIfd)).entries);
  } catch {
    return null;
  }
}
