/**
 * The desktop shell: one secure window showing the renderer, the api on the app's database behind
 * IPC (ipc.ts), its events pushed to the window, the api closed before the app quits. The api runs
 * long jobs (import, training, re-reading) on worker threads itself, so this main thread stays free.
 * `index.ts` starts it with the real api; the spec starts it with a mocked `electron` and a stand-in.
 */
import { app, BrowserWindow, dialog, ipcMain, session } from 'electron';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { forwardEvents, registerIpc } from './ipc.js';
import { defaultDbPath } from './paths.js';
import { isAllowedNavigation, webPreferences, windowOpenHandler, withContentSecurityPolicy } from './security.js';
import type { ApiPort } from './transport.js';

export type ApiFactory = (options: { dbPath: string; transport: 'ipc'; resourcesDir?: string }) => ApiPort;

export interface ShellPaths {
  /** The built preload (CommonJS, for the sandbox). */
  preload: string;
  /** The built renderer's index.html. */
  rendererFile: string;
  /** Set by `electron-vite dev`; absent in a built app. */
  devServerUrl?: string;
}

/** Where electron-vite puts things, seen from out/main/. */
export function builtPaths(base: string | URL = import.meta.url): ShellPaths {
  return {
    preload: fileURLToPath(new URL('../preload/index.cjs', base)),
    rendererFile: fileURLToPath(new URL('../renderer/index.html', base)),
    devServerUrl: process.env['ELECTRON_RENDERER_URL'],
  };
}

function hardenSession(): void {
  const ses = session.defaultSession;
  // The CSP is also in index.html's meta tag; the header covers pages served over http (dev server).
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders) });
  });
  ses.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
}

function createWindow(paths: ShellPaths, appUrl: string): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 860,
    show: false,
    title: 'Hoedown Scores',
    webPreferences: webPreferences(paths.preload),
  });
  win.webContents.setWindowOpenHandler(windowOpenHandler);
  win.webContents.on('will-navigate', (event, target) => {
    if (!isAllowedNavigation(target, appUrl)) event.preventDefault();
  });
  win.webContents.on('will-redirect', (event, target) => {
    if (!isAllowedNavigation(target, appUrl)) event.preventDefault();
  });
  win.webContents.on('will-attach-webview', (event) => event.preventDefault());
  win.once('ready-to-show', () => win.show());
  if (paths.devServerUrl) void win.loadURL(paths.devServerUrl);
  else void win.loadFile(paths.rendererFile);
  return win;
}

/** Starts the app; resolves once the first window is created (or the app gave up). */
export async function startShell(createApi: ApiFactory, paths: ShellPaths = builtPaths()): Promise<void> {
  // Two instances would write one SQLite database from two processes: hand over to the first one.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.enableSandbox();
  const appUrl = paths.devServerUrl ?? pathToFileURL(paths.rendererFile).href;
  let api: ApiPort | null = null;
  let closed = false;

  app.on('second-instance', () => {
    const win = BrowserWindow.getAllWindows()[0];
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  // Let the api finish its transaction and stop its workers before the process goes.
  app.on('will-quit', (event) => {
    if (!api || closed) return;
    event.preventDefault();
    const closing = api;
    api = null;
    void closing
      .close()
      .catch((e: unknown) => console.error('closing the api failed:', e))
      .finally(() => {
        closed = true;
        app.quit();
      });
  });

  await app.whenReady();
  hardenSession();
  try {
    const dbPath = defaultDbPath();
    mkdirSync(dirname(dbPath), { recursive: true });
    // Packaged, the model and samples sit beside app.asar (electron-builder.yml extraResources).
    api = createApi({ dbPath, transport: 'ipc', resourcesDir: app.isPackaged ? process.resourcesPath : undefined });
  } catch (e) {
    dialog.showErrorBox('Hoedown Scores cannot start', (e as Error).message);
    app.quit();
    return;
  }
  registerIpc(ipcMain, api, appUrl);
  forwardEvents(api, () => BrowserWindow.getAllWindows());
  createWindow(paths, appUrl);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow(paths, appUrl);
  });
}
