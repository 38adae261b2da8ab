// PNG structure: the chunk walk from IHDR to IEND.
import { type ByteSource, Damage, type ImageInfo, ascii, be32, cleanDpi } from './byte-source.js';
import { exifDpi } from './check-tiff.js';

/** Walks a PNG's chunks from IHDR to IEND (CRCs are left to libpng). */
export async function probePng(src: ByteSource): Promise<ImageInfo> {
  const cut = (where: string): Damage => new Damage('truncated', `PNG is cut short: it ends at byte ${src.size}, ${where}`);
  const ihdr = await src.read(8, 8 + 13).catch(() => {
    throw cut('inside its header');
  });
  if (ascii(ihdr, 4, 8) !== 'IHDR' || be32(ihdr, 0) !== 13) throw new Damage('corrupt', 'PNG does not start with its IHDR header');
  const info: ImageInfo = { width: be32(ihdr, 8), height: be32(ihdr, 12), dpi: null };
  if (info.width < 1 || info.height < 1) throw new Damage('corrupt', `PNG header says ${info.width}×${info.height} pixels`);
  let physDpi: number | null = null;
  let exif: number | null = null;
  let sawData = false;
  let offset = 8;
  for (;;) {
    if (offset + 8 > src.size) throw cut(sawData ? 'without its IEND chunk' : 'before any image data');
    const h = await src.read(offset, 8);
    const length = be32(h, 0);
    const type = ascii(h, 4, 8);
    if (length > 0x7fffffff || !/^[A-Za-z]{4}$/.test(type)) throw new Damage('corrupt', `PNG chunk at byte ${offset} is not a chunk`);
    if (offset + 12 + length > src.size) throw cut(`inside its ${type} chunk`);
    if (type === 'IDAT') sawData = true;
    else if (type === 'pHYs' && length === 9) {
      const p = await src.read(offset + 8, 9);
      if (p[8] === 1) physDpi = be32(p, 0) * 0.0254; // pixels per metre
    } else if (type === 'eXIf' && length <= 1 << 20) {
      exif = await exifDpi(await src.read(offset + 8, length));
    } else if (type === 'IEND') break;
    offset += 12 + length;
  }
  if (!sawData) throw new Damage('corrupt', 'PNG has no image data');
  info.dpi = cleanDpi(physDpi) ?? exif;
  return info;
}
