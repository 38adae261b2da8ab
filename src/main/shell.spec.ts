// The desktop shell's wiring under a mocked `electron` (the binary cannot be had everywhere we test):
// the api on the default database, one IPC handler per contract method, calls from foreign frames
// refused, events pushed to windows, a locked-down window, the api closed before quitting.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Envelope } from '../shared/contract.js';
import { METHOD_NAMES } from '../shared/methods.js';
import type { ApiListener, ApiPort } from './transport.js';

type Handler = (...args: unknown[]) => unknown;

/** A tiny event emitter standing in for Electron's objects. */
class Emitter {
  listeners = new Map<string, Handler[]>();
  on(name: string, fn: Handler): this {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), fn]);
    return this;
  }
  once(name: string, fn: Handler): this {
    return this.on(name, fn);
  }
  emit(name: string, ...args: unknown[]): void {
    for (const fn of this.listeners.get(name) ?? []) fn(...args);
  }
}

const electron = vi.hoisted(() => ({ windows: [] as unknown[], handlers: new Map<string, (...args: unknown[]) => unknown>() }));

vi.mock('electron', () => {
  class FakeWebContents extends Emitter {
    sent: [string, unknown][] = [];
    openHandler: unknown;
    send(channel: string, payload: unknown): void {
      this.sent.push([channel, payload]);
    }
    isDestroyed(): boolean {
      return false;
    }
    setWindowOpenHandler(fn: unknown): void {
      this.openHandler = fn;
    }
  }
  class BrowserWindow extends Emitter {
    static getAllWindows = (): unknown[] => electron.windows;
    webContents = new FakeWebContents();
    loaded: string | null = null;
    constructor(readonly options: { webPreferences: Record<string, unknown> }) {
      super();
      electron.windows.push(this);
    }
    loadFile(file: string): Promise<void> {
      this.loaded = file;
      return Promise.resolve();
    }
    loadURL(url: string): Promise<void> {
      this.loaded = url;
      return Promise.resolve();
    }
    isDestroyed(): boolean {
      return false;
    }
    isMinimized(): boolean {
      return false;
    }
    restore(): void {}
    focus(): void {}
    show(): void {}
  }
  const app = Object.assign(new Emitter(), {
    isPackaged: false,
    quitCalls: 0,
    requestSingleInstanceLock: () => true,
    enableSandbox: vi.fn(),
    whenReady: () => Promise.resolve(),
    quit() {
      app.quitCalls++;
    },
  });
  const ipcMain = {
    handle: (channel: string, fn: (...args: unknown[]) => unknown) => electron.handlers.set(channel, fn),
    removeHandler: (channel: string) => electron.handlers.delete(channel),
  };
  const session = {
    defaultSession: {
      webRequest: { onHeadersReceived: vi.fn() },
      setPermissionRequestHandler: vi.fn(),
      setPermissionCheckHandler: vi.fn(),
    },
  };
  return { app, BrowserWindow, ipcMain, session, dialog: { showErrorBox: vi.fn() }, default: {} };
});

const { app } = await import('electron');
const { startShell } = await import('./shell.js');
const { defaultDbPath } = await import('./paths.js');

class FakeApi implements ApiPort {
  calls: [string, unknown][] = [];
  listener: ApiListener | null = null;
  closed = 0;
  async call(method: string, args: unknown): Promise<Envelope<unknown>> {
    this.calls.push([method, args]);
    return { ok: `${method} done` };
  }
  subscribe(listener: ApiListener): () => void {
    this.listener = listener;
    return () => (this.listener = null);
  }
  async close(): Promise<void> {
    this.closed++;
  }
}

const RENDERER = '/opt/hoedown/out/renderer/index.html';
const APP_URL = `file://${RENDERER}`;
const api = new FakeApi();
const factory = vi.fn(() => api);
const oldXdg = process.env['XDG_CONFIG_HOME'];
type FakeWindow = {
  options: { webPreferences: Record<string, unknown> };
  loaded: string;
  webContents: Emitter & { sent: [string, unknown][]; openHandler: () => unknown };
};

beforeAll(async () => {
  process.env['XDG_CONFIG_HOME'] = mkdtempSync(join(tmpdir(), 'hoedown-shell-'));
  await startShell(factory, { preload: '/opt/hoedown/out/preload/index.cjs', rendererFile: RENDERER });
});

afterAll(() => {
  if (oldXdg === undefined) delete process.env['XDG_CONFIG_HOME'];
  else process.env['XDG_CONFIG_HOME'] = oldXdg;
});

const invoke = (method: string, frame: unknown, args: unknown = {}): unknown => electron.handlers.get(method)!({ senderFrame: frame }, args);

describe('desktop shell', () => {
  it('opens the api on the default database over IPC, with the sandbox on', () => {
    expect(factory).toHaveBeenCalledTimes(1);
    expect(factory).toHaveBeenCalledWith({ dbPath: defaultDbPath(), transport: 'ipc', resourcesDir: undefined });
    expect(defaultDbPath().startsWith(process.env['XDG_CONFIG_HOME']!)).toBe(true);
    expect(app.enableSandbox).toHaveBeenCalled();
  });

  it('registers one handler per contract method, and nothing else', () => {
    expect([...electron.handlers.keys()].sort()).toEqual([...METHOD_NAMES].sort());
  });

  it("passes calls from the app's own top frame to the api and returns its envelope", async () => {
    await expect(invoke('pages.get', { url: APP_URL, parent: null }, { pageId: 2 })).resolves.toEqual({ ok: 'pages.get done' });
    await expect(invoke('app.info', { url: `${APP_URL}#/review`, parent: null })).resolves.toEqual({ ok: 'app.info done' });
    expect(api.calls).toEqual([
      ['pages.get', { pageId: 2 }],
      ['app.info', {}],
    ]);
  });

  it('refuses calls from other pages, embedded frames and vanished frames', async () => {
    const before = api.calls.length;
    for (const frame of [
      { url: 'https://evil.example/', parent: null },
      { url: 'file:///tmp/other.html', parent: null },
      { url: APP_URL, parent: { url: APP_URL } },
      null,
    ]) {
      await expect(invoke('app.info', frame), JSON.stringify(frame)).resolves.toMatchObject({
        error: { code: 'bad-request', message: expect.stringContaining("app's own window") },
      });
    }
    expect(api.calls.length).toBe(before);
  });

  it('creates one locked-down window showing the built renderer', () => {
    expect(electron.windows).toHaveLength(1);
    const win = electron.windows[0] as FakeWindow;
    expect(win.options.webPreferences).toMatchObject({
      preload: '/opt/hoedown/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    });
    expect(win.loaded).toBe(RENDERER);
    expect(win.webContents.openHandler()).toEqual({ action: 'deny' });
    const navigation = { prevented: false, preventDefault() { this.prevented = true; } };
    win.webContents.emit('will-navigate', navigation, 'https://evil.example/');
    expect(navigation.prevented).toBe(true);
  });

  it('pushes api events to the window', () => {
    api.listener!('cells.changed', { pageIds: [1] });
    const win = electron.windows[0] as FakeWindow;
    expect(win.webContents.sent).toEqual([['cells.changed', { pageIds: [1] }]]);
  });

  it('closes the api before quitting', async () => {
    const quits = (app as unknown as { quitCalls: number }).quitCalls;
    const event = { prevented: false, preventDefault() { this.prevented = true; } };
    (app as unknown as Emitter).emit('will-quit', event);
    expect(event.prevented).toBe(true);
    await vi.waitFor(() => expect((app as unknown as { quitCalls: number }).quitCalls).toBe(quits + 1));
    expect(api.closed).toBe(1);
    const again = { prevented: false, preventDefault() { this.prevented = true; } };
    (app as unknown as Emitter).emit('will-quit', again);
    expect(again.prevented).toBe(false);
  });
});
