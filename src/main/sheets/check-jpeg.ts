// JPEG structure: the marker walk from SOI to EOI.
import { Damage, type ImageInfo, ascii, be16, cleanDpi } from './byte-source.js';
import { exifDpi } from './check-tiff.js';

/** JPEG start-of-frame markers (C4 DHT, C8 JPG, CC DAC are not frames). */
const isSof = (m: number): boolean => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

/** Walks a JPEG's markers from SOI to EOI, skipping over entropy-coded data. */
export async function probeJpeg(buf: Uint8Array): Promise<ImageInfo> {
  const n = buf.length;
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const cut = (where: string): Damage => new Damage('truncated', `JPEG is cut short: it ends ${where}, without its end-of-image marker`);
  let width = 0;
  let height = 0;
  let jfifDpi: number | null = null;
  let exif: number | null = null;
  let sawScan = false;
  let pos = 2;
  for (;;) {
    // A marker: 0xFF (any number of fill bytes) then its code. Stray bytes are skipped, as libjpeg does.
    const ff = b.indexOf(0xff, pos);
    if (ff < 0) throw cut(sawScan ? 'inside the image data' : 'inside the headers');
    pos = ff;
    while (pos < n && b[pos] === 0xff) pos++;
    if (pos >= n) throw cut('inside a marker');
    const m = b[pos++]!;
    if (m === 0xd9) break; // EOI
    if (m === 0x01 || (m >= 0xd0 && m <= 0xd8)) continue; // markers without a length
    if (pos + 2 > n) throw cut('inside a marker');
    const length = be16(b, pos);
    if (length < 2) throw new Damage('corrupt', `JPEG marker ${m.toString(16)} at byte ${pos - 2} has a bad length`);
    const end = pos + length;
    if (end > n) throw cut(sawScan ? 'inside the image data' : 'inside the headers');
    const body = b.subarray(pos + 2, end);
    if (isSof(m) && body.length >= 5 && width === 0) {
      height = be16(body, 1);
      width = be16(body, 3);
    } else if (m === 0xe0 && ascii(body, 0, 5) === 'JFIF\0' && body.length >= 12) {
      const units = body[7];
      const x = be16(body, 8);
      if (x > 1 && units === 1) jfifDpi = x;
      else if (x > 1 && units === 2) jfifDpi = x * 2.54;
    } else if (m === 0xe1 && ascii(body, 0, 6) === 'Exif\0\0' && exif === null) {
      exif = await exifDpi(body.subarray(6));
    }
    pos = end;
    if (m === 0xda) {
      // Entropy-coded data: runs until a marker other than a stuffed 0xFF00 or a restart marker.
      sawScan = true;
      for (;;) {
        const q = b.indexOf(0xff, pos);
        if (q < 0 || q + 1 >= n) throw cut('inside the image data');
        const next = b[q + 1]!;
        if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) pos = q + 2;
        else if (next === 0xff) pos = q + 1;
        else {
          pos = q;
          break;
        }
      }
    }
  }
  if (width === 0) throw new Damage('corrupt', 'JPEG has no frame header');
  if (!sawScan) throw new Damage('corrupt', 'JPEG has no image data');
  return { width, height, dpi: cleanDpi(jfifDpi) ?? exif };
}
