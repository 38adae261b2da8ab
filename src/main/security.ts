/**
 * Security settings of the desktop shell, kept free of Electron imports so they can be unit-tested
 * under plain Node (the Electron binary is not available everywhere we test).
 */
import type { WebPreferences } from 'electron';

/** Content Security Policy of the renderer: no remote code, no inline scripts, no eval. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
  "img-src 'self' data: blob:; connect-src 'self'";

/** webPreferences of every window; the caller adds the preload path. */
export const SECURE_WEB_PREFERENCES = Object.freeze({
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  experimentalFeatures: false,
  navigateOnDragDrop: false,
  spellcheck: false,
} satisfies WebPreferences);

export function webPreferences(preload: string): WebPreferences {
  return { ...SECURE_WEB_PREFERENCES, preload };
}

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * May the window navigate from the app to `url`? `appUrl` is the page the window loaded: the
 * dev-server URL (http://localhost:5173/) or the built index.html (file:///.../out/renderer/index.html).
 *
 * - http(s) app: same origin only (scheme, host and port), no credentials in the URL;
 * - file app: the very same file only (query and hash may differ);
 * - anything else (javascript:, data:, blob:, other files, other hosts, malformed URLs): no.
 */
export function isAllowedNavigation(url: string, appUrl: string): boolean {
  const target = parse(url);
  const app = parse(appUrl);
  if (!target || !app) return false;
  if (target.username !== '' || target.password !== '') return false;

  if (app.protocol === 'http:' || app.protocol === 'https:') {
    return target.protocol === app.protocol && target.origin === app.origin;
  }
  if (app.protocol === 'file:') {
    return target.protocol === 'file:' && target.host === app.host && target.pathname === app.pathname;
  }
  return false;
}

/** Opening new windows is never allowed; links to the outside world get no window either. */
export function windowOpenHandler(): { action: 'deny' } {
  return { action: 'deny' };
}

/**
 * Response headers with our CSP added (replacing any CSP the server sent), for
 * `session.webRequest.onHeadersReceived`. Header names are case-insensitive.
 */
export function withContentSecurityPolicy(
  headers: Record<string, string[] | string> | undefined,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() === 'content-security-policy') continue;
    out[name] = Array.isArray(value) ? value : [value];
  }
  out['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
  return out;
}
