/**
 * The Electron IPC transport: one `ipcMain.handle` per contract method, each answering with the
 * api's envelope, and the api's events sent to every window. Free of Electron run-time imports (it
 * receives `ipcMain` and the windows), so it is tested under plain Node.
 *
 * Only the app's own page may call: the sending frame must be a window's top frame showing the app
 * (the built index.html or the dev server). A frame that navigated elsewhere despite security.ts, or an
 * embedded frame, gets an error envelope and the api never sees the call.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import type { ErrorEnvelope } from '../shared/contract.js';
import { METHOD_NAMES } from '../shared/methods.js';
import { isAllowedNavigation } from './security.js';
import type { ApiPort } from './transport.js';

/** The frame facts the check needs (Electron's WebFrameMain has them). */
export interface SenderFrame {
  url: string;
  parent: unknown;
}

/** Whether a call comes from the app's own top frame, `appUrl` being the page the window loaded. */
export function isAppFrame(frame: SenderFrame | null | undefined, appUrl: string): boolean {
  if (!frame || frame.parent !== null) return false;
  return isAllowedNavigation(frame.url, appUrl);
}

const refused = (method: string): ErrorEnvelope => ({
  error: { code: 'bad-request', message: `Refused "${method}": calls are accepted from the app's own window only.` },
});

/** Registers every contract method; returns the function that removes them again. */
export function registerIpc(ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>, api: ApiPort, appUrl: string): () => void {
  for (const method of METHOD_NAMES) {
    ipcMain.handle(method, async (event: IpcMainInvokeEvent, args: unknown) => {
      if (!isAppFrame(event.senderFrame, appUrl)) return refused(method);
      try {
        return await api.call(method, args);
      } catch (e) {
        // The api promises never to reject; should it, the window still gets an envelope.
        return { error: { code: 'internal', message: (e as Error).message || 'The call failed.' } } satisfies ErrorEnvelope;
      }
    });
  }
  return () => {
    for (const method of METHOD_NAMES) ipcMain.removeHandler(method);
  };
}

export interface EventTarget {
  webContents: Pick<WebContents, 'send' | 'isDestroyed'>;
  isDestroyed(): boolean;
}

/** Sends every api event to every live window (`webContents.send(event, payload)`). */
export function forwardEvents(api: ApiPort, windows: () => readonly EventTarget[]): () => void {
  return api.subscribe((event, payload) => {
    for (const win of windows()) {
      if (!win.isDestroyed() && !win.webContents.isDestroyed()) win.webContents.send(event, payload);
    }
  });
}
