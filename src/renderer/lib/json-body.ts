/**
 * A call's JSON body for `fetch`, built so that large uploads do not freeze the window.
 *
 * Importing 20 scans sends ~60 MB of base64 in one `import.start` call. As one string body, Chromium
 * spent ~1.5 s in `fetch` itself (copying the string out of the JS heap) after ~0.2 s in
 * `JSON.stringify`, all in one task: the page froze (npm run bench:ui). Here every long string goes
 * into Blobs of CHUNK characters, one per task with a yield between them (copying a string into a
 * Blob costs ~15 ms a MB here), the rest is stringified with short placeholders, and `fetch` gets a
 * Blob of the parts, which it uploads without touching the main thread. Small bodies stay strings.
 */

/** Strings at least this long travel as Blobs. */
export const LONG_STRING = 64 * 1024;

/** Characters copied into one Blob per task: ~10 ms of the main thread each. */
export const CHUNK = 512 * 1024;

/** Text JSON carries as it is inside quotes (base64 among it). */
const PLAIN = /^[A-Za-z0-9+/=_\-.:,; ]*$/;

/** Splits text into CHUNK-sized pieces, never between the two halves of a surrogate pair. */
function* chunks(text: string): Generator<string> {
  for (let at = 0; at < text.length; ) {
    let end = Math.min(text.length, at + CHUNK);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end++;
    yield text.slice(at, end);
    at = end;
  }
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** JSON of `value`, as a string, or as a Blob when it holds strings of LONG_STRING characters or more. */
export async function jsonBody(value: unknown, yieldTurn: () => Promise<void> = nextTurn): Promise<string | Blob> {
  const long: string[] = [];
  // A placeholder no real string can spell: NUL, then a per-call random tag.
  const tag = `\u0000${Math.random().toString(36).slice(2)}:`;
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== 'string' || v.length < LONG_STRING) return v;
    long.push(v);
    return `${tag}${long.length - 1}`;
  });
  if (long.length === 0) return text;
  // JSON.stringify wrote each placeholder as a quoted string with the NUL escaped.
  const quotedTag = JSON.stringify(tag).slice(0, -1);
  const parts: BlobPart[] = [];
  let at = 0;
  for (let i = 0; i < long.length; i++) {
    const placeholder = `${quotedTag}${i}"`;
    const where = text.indexOf(placeholder, at);
    parts.push(text.slice(at, where));
    await yieldTurn();
    // Base64 (the uploads) needs no escaping; anything else is quoted and escaped by JSON.stringify.
    const quoted = PLAIN.test(long[i]!) ? null : JSON.stringify(long[i]);
    if (quoted === null) parts.push('"');
    for (const chunk of chunks(quoted ?? long[i]!)) {
      parts.push(new Blob([chunk]));
      await yieldTurn();
    }
    if (quoted === null) parts.push('"');
    at = where + placeholder.length;
  }
  parts.push(text.slice(at));
  return new Blob(parts, { type: 'application/json' });
}
