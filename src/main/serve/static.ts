/**
 * The built renderer (out/renderer) as static files. Only files inside that folder are served: a
 * path that climbs out of it (`..`, also percent-encoded or through a symbolic link) is refused, and
 * so are hidden files. index.html is never cached (it names the current hashed bundles); the hashed
 * files under assets/ are cached for good.
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, isAbsolute, join, relative, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

export function contentType(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

export type StaticResult = { file: string } | { status: 400 | 403 | 404; message: string };

/**
 * Maps a request path (still percent-encoded, as in the URL) to a file inside `root`, or says why
 * not. Pure apart from the file system look-ups, so hostile paths are easy to test.
 */
export async function resolveStatic(root: string, urlPath: string): Promise<StaticResult> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return { status: 400, message: 'Bad request: the path is not valid percent-encoding.' };
  }
  if (decoded.includes('\0')) return { status: 400, message: 'Bad request: the path holds a NUL byte.' };
  const segments = decoded.split(/[/\\]+/).filter((s) => s !== '');
  if (segments.some((s) => s === '..')) return { status: 403, message: 'Forbidden: the path leaves the app folder.' };
  if (segments.some((s) => s.startsWith('.'))) return { status: 404, message: 'Not found.' };
  if (decoded.endsWith('/') || segments.length === 0) segments.push('index.html');

  const file = join(root, ...segments);
  const inside = (base: string, path: string): boolean => {
    const rel = relative(base, path);
    return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
  };
  if (!inside(root, file)) return { status: 403, message: 'Forbidden: the path leaves the app folder.' };
  try {
    const [realRoot, realFile] = await Promise.all([realpath(root), realpath(file)]);
    if (!inside(realRoot, realFile)) return { status: 403, message: 'Forbidden: the path leaves the app folder.' };
    if (!(await stat(realFile)).isFile()) return { status: 404, message: 'Not found.' };
    return { file: realFile };
  } catch {
    return { status: 404, message: 'Not found.' };
  }
}

function cacheControl(root: string, file: string): string {
  if (file.endsWith('.html')) return 'no-store';
  // Vite puts content-hashed bundles under assets/: a changed file gets a new name.
  return relative(root, file).startsWith(`assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache';
}

/** Answers a GET or HEAD for a static file; `sendText` writes error answers. */
export async function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  root: string,
  urlPath: string,
  sendText: (status: number, message: string) => void,
): Promise<void> {
  const found = await resolveStatic(root, urlPath);
  if ('status' in found) {
    sendText(found.status, found.message);
    return;
  }
  const realRoot = await realpath(root);
  const { size } = await stat(found.file);
  res.writeHead(200, {
    'Content-Type': contentType(found.file),
    'Content-Length': size,
    'Cache-Control': cacheControl(realRoot, found.file),
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(found.file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
