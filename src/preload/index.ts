/**
 * Preload script (sandboxed, CommonJS). Exposes one object, `window.api`, with a generic
 * `invoke` and `on` over IPC. The typed contract (method and event maps) will live in `src/shared`
 * and narrow these signatures; the renderer never sees `ipcRenderer` itself.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';

export interface HoedownApi {
  /** Calls a main-process method and resolves with its result. */
  invoke(method: string, ...args: unknown[]): Promise<unknown>;
  /** Subscribes to an event pushed by the main process; returns the unsubscribe function. */
  on(event: string, callback: (payload: unknown) => void): () => void;
}

function checkName(kind: string, name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new TypeError(`${kind} must be a non-empty string`);
  }
  return name;
}

const api: HoedownApi = {
  invoke(method, ...args) {
    return ipcRenderer.invoke(checkName('method', method), ...args);
  },
  on(event, callback) {
    const channel = checkName('event', event);
    if (typeof callback !== 'function') throw new TypeError('callback must be a function');
    // Never hand the IpcRendererEvent (and its `sender`) to the page.
    const listener = (_event: IpcRendererEvent, payload: unknown): void => callback(payload);
    ipcRenderer.on(channel, listener);
    return () => {
      ipcRenderer.removeListener(channel, listener);
    };
  },
};

contextBridge.exposeInMainWorld('api', api);
