import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CONTENT_SECURITY_POLICY,
  SECURE_WEB_PREFERENCES,
  isAllowedNavigation,
  webPreferences,
  windowOpenHandler,
  withContentSecurityPolicy,
} from './security.js';

const FILE_APP = 'file:///opt/Hoedown%20Scores/resources/app.asar/out/renderer/index.html';
const DEV_APP = 'http://localhost:5173/';

describe('webPreferences', () => {
  it('isolates the renderer from Node', () => {
    const prefs = webPreferences('/app/out/preload/index.cjs');
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      preload: '/app/out/preload/index.cjs',
    });
  });

  it('cannot be changed by accident', () => {
    expect(Object.isFrozen(SECURE_WEB_PREFERENCES)).toBe(true);
    const prefs = webPreferences('/p.cjs');
    prefs.nodeIntegration = true;
    expect(SECURE_WEB_PREFERENCES.nodeIntegration).toBe(false);
  });
});

describe('isAllowedNavigation from a built app (file:)', () => {
  it('allows the app page itself, with a query or hash', () => {
    expect(isAllowedNavigation(FILE_APP, FILE_APP)).toBe(true);
    expect(isAllowedNavigation(`${FILE_APP}#/review`, FILE_APP)).toBe(true);
    expect(isAllowedNavigation(`${FILE_APP}?sheet=3`, FILE_APP)).toBe(true);
  });

  it.each([
    'file:///etc/passwd',
    'file:///opt/Hoedown%20Scores/resources/app.asar/out/renderer/other.html',
    'file:///opt/Hoedown%20Scores/resources/app.asar/out/renderer/index.html/../../../../etc/passwd',
    'file://evil.example/opt/Hoedown%20Scores/resources/app.asar/out/renderer/index.html',
    'https://evil.example/',
    'http://localhost:5173/',
    'javascript:alert(1)',
    'JAVASCRIPT:alert(document.cookie)',
    'data:text/html,<script>alert(1)</script>',
    'blob:file:///0b5a1f1e-0000-0000-0000-000000000000',
    'about:blank',
    'chrome://settings',
    'devtools://devtools/bundled/inspector.html',
    'smb://server/share',
    '',
    'not a url',
    '//evil.example/',
  ])('blocks %s', (url) => {
    expect(isAllowedNavigation(url, FILE_APP)).toBe(false);
  });
});

describe('isAllowedNavigation from the dev server (http:)', () => {
  it('allows pages of the same origin', () => {
    expect(isAllowedNavigation('http://localhost:5173/', DEV_APP)).toBe(true);
    expect(isAllowedNavigation('http://localhost:5173/index.html#/review', DEV_APP)).toBe(true);
    expect(isAllowedNavigation('HTTP://LOCALHOST:5173/', DEV_APP)).toBe(true);
  });

  it('reads URLs the way Chromium does (a backslash is a slash in http URLs)', () => {
    // Looks like credentials for evil.example, but is the path /@evil.example/ on the dev server.
    expect(new URL('http://localhost:5173\\@evil.example/').host).toBe('localhost:5173');
    expect(isAllowedNavigation('http://localhost:5173\\@evil.example/', DEV_APP)).toBe(true);
  });

  it.each([
    'http://localhost:5174/',
    'https://localhost:5173/',
    'http://127.0.0.1:5173/',
    'http://localhost:5173.evil.example/',
    'http://localhost:5173@evil.example/',
    'http://user:pass@localhost:5173/',
    'http://evil.example/?http://localhost:5173/',
    'ws://localhost:5173/',
    'file:///etc/passwd',
    'javascript:location="http://localhost:5173/"',
    'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
    'http://evil.example\\@localhost:5173/',
    'http://evil.example#@localhost:5173/',
    'http://localhost%3A5173@evil.example/',
    'http://LOCALHOST:5173.evil.example/',
  ])('blocks %s', (url) => {
    expect(isAllowedNavigation(url, DEV_APP)).toBe(false);
  });
});

describe('isAllowedNavigation with a bad app URL', () => {
  it.each(['', 'garbage', 'about:blank', 'data:text/html,x'])('allows nothing when the app URL is %j', (app) => {
    expect(isAllowedNavigation('about:blank', app)).toBe(false);
    expect(isAllowedNavigation('file:///index.html', app)).toBe(false);
  });
});

describe('new windows', () => {
  it('are always denied', () => {
    expect(windowOpenHandler()).toEqual({ action: 'deny' });
  });
});

describe('Content Security Policy', () => {
  it('allows no remote or inline script and no eval', () => {
    expect(CONTENT_SECURITY_POLICY).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'",
    );
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|\*|https?:/);
  });

  it('replaces any CSP header the server sent, whatever its case', () => {
    const headers = withContentSecurityPolicy({
      'content-security-policy': ["default-src *; script-src 'unsafe-inline'"],
      'Content-Type': 'text/html',
    });
    expect(headers).toEqual({
      'Content-Type': ['text/html'],
      'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
    });
    expect(withContentSecurityPolicy(undefined)).toEqual({ 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
  });

  it('is the same in index.html', () => {
    const html = readFileSync(new URL('../renderer/index.html', import.meta.url), 'utf8');
    const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/i.exec(html);
    expect(meta?.[1]).toBe(CONTENT_SECURITY_POLICY);
  });
});
