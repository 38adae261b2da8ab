/** Browser file helpers: reading picked or dropped files for `import.start`, and saving downloads. */
import type { ImportSource } from '../../shared/contract.js';

/** A file's bytes as base64 (without the data: prefix). */
export function readBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.onerror = () => reject(reader.error ?? new Error('the file could not be read'));
    reader.readAsDataURL(file);
  });
}

export async function toSource(file: File): Promise<ImportSource> {
  return { kind: 'bytes', name: file.name, base64: await readBase64(file) };
}

/** Saves text as a file through a Blob and a download link (works in browsers and in Electron). */
export function downloadText(fileName: string, text: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoke on the next turn: the download has taken the blob by then.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** Images decoded ahead of time; held so the browser keeps their decoded pixels. */
const warm: HTMLImageElement[] = [];

/** Starts decoding an image (a data: URL) so it paints at once when shown. */
export function warmImage(src: string | null | undefined): void {
  if (!src || typeof Image === 'undefined') return;
  const image = new Image();
  image.src = src;
  if (typeof image.decode === 'function') image.decode().catch(() => undefined);
  warm.push(image);
  if (warm.length > 64) warm.splice(0, warm.length - 64);
}
