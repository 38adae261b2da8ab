/**
 * Electron main process: a placeholder shell with one secure window. The real app (IPC services,
 * database, review UI) arrives in a later issue.
 */
import { app, BrowserWindow, session } from 'electron';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  isAllowedNavigation,
  webPreferences,
  windowOpenHandler,
  withContentSecurityPolicy,
} from './security.js';

const preloadPath = fileURLToPath(new URL('../preload/index.cjs', import.meta.url));
const rendererFile = fileURLToPath(new URL('../renderer/index.html', import.meta.url));
/** Set by `electron-vite dev`; absent in a built app. */
const devServerUrl = process.env['ELECTRON_RENDERER_URL'];

function appUrl(): string {
  return devServerUrl ?? pathToFileURL(rendererFile).href;
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

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1200,
    height: 800,
    show: false,
    title: 'Hoedown Scores',
    webPreferences: webPreferences(preloadPath),
  });

  const url = appUrl();
  win.webContents.setWindowOpenHandler(windowOpenHandler);
  win.webContents.on('will-navigate', (event, target) => {
    if (!isAllowedNavigation(target, url)) event.preventDefault();
  });
  win.webContents.on('will-redirect', (event, target) => {
    if (!isAllowedNavigation(target, url)) event.preventDefault();
  });
  win.webContents.on('will-attach-webview', (event) => event.preventDefault());
  win.once('ready-to-show', () => win.show());

  if (devServerUrl) void win.loadURL(devServerUrl);
  else void win.loadFile(rendererFile);
  return win;
}

app.enableSandbox();

void app.whenReady().then(() => {
  hardenSession();
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
