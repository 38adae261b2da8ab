// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { CHUNK, LONG_STRING, jsonBody } from './json-body.js';

/** Reads a Blob as text (jsdom's Blob has no text()). */
function text(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsText(blob);
  });
}

describe('jsonBody', () => {
  it('keeps small bodies as the plain JSON string', async () => {
    const args = { cellId: 3, decision: { action: 'set', value: 7 }, note: 'a "quoted" é' };
    expect(await jsonBody(args)).toBe(JSON.stringify(args));
  });

  it('moves every long string into Blobs, a turn for each, and the whole still parses to the same value', async () => {
    const a = 'A'.repeat(LONG_STRING) + '==';
    // Not only base64: quotes, backslashes, control characters, non-ASCII and a NUL survive too.
    const b = `x"y\\z\n\u0000é€😀`.repeat(LONG_STRING / 8);
    const args = { sources: [{ kind: 'bytes', name: 'a.png', base64: a }, { kind: 'bytes', name: 'b "2".pdf', base64: b }], judge: 'Ann', headerRows: 1 };
    let turns = 0;
    const body = await jsonBody(args, async () => void turns++);
    expect(body).toBeInstanceOf(Blob);
    expect(turns).toBeGreaterThanOrEqual(2);
    const blob = body as Blob;
    expect(blob.type).toBe('application/json');
    const json = await text(blob);
    expect(JSON.parse(json)).toEqual(args);
    expect(json).toBe(JSON.stringify(args));
  });

  it('cuts strings longer than a chunk into pieces, never inside a surrogate pair', async () => {
    // Quoted, the emoji's first half is the chunk's last character.
    const long = `${'a'.repeat(CHUNK - 2)}😀${'b'.repeat(CHUNK)}`;
    const base64 = 'QUJD'.repeat(CHUNK / 2);
    let turns = 0;
    const body = (await jsonBody({ long, base64 }, async () => void turns++)) as Blob;
    expect(turns).toBe(1 + 3 + 1 + 2);
    expect(JSON.parse(await text(body))).toEqual({ long, base64 });
  });

  it('cannot be fooled by a short string that looks like a placeholder', async () => {
    const args = { a: '\u0000abc:0', b: 'B'.repeat(LONG_STRING) };
    expect(JSON.parse(await text((await jsonBody(args)) as Blob))).toEqual(args);
  });
});
