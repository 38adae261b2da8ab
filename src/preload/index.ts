/**
 * Preload script (sandboxed, CommonJS). Exposes one object, `window.api`, with the typed `invoke`
 * and `on` of the contract (src/shared/contract.ts) and nothing else: the page never sees
 * `ipcRenderer`, and only the contract's method and event names pass, so a compromised page cannot
 * reach other IPC channels through this bridge.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ArgsOf, Envelope, ErrorEnvelope, EventName, Events, MethodName, ResultOf } from '../shared/contract.js';
import { isEventName, isMethodName } from '../shared/methods.js';

export interface HoedownBridge {
  /** Calls a main-side method; resolves with its envelope (an unknown method gets an error envelope). */
  invoke<M extends MethodName>(method: M, args: ArgsOf<M>): Promise<Envelope<ResultOf<M>>>;
  /** Subscribes to an event pushed by the main side; returns the unsubscribe function. */
  on<E extends EventName>(event: E, callback: (payload: Events[E]) => void): () => void;
}

const api: HoedownBridge = {
  invoke(method, args) {
    if (!isMethodName(method)) {
      const error: ErrorEnvelope = { error: { code: 'bad-request', message: `There is no method "${String(method)}".` } };
      return Promise.resolve(error);
    }
    // Exactly one argument goes over: the contract's methods take one object.
    return ipcRenderer.invoke(method, args) as Promise<Envelope<ResultOf<typeof method>>>;
  },
  on(event, callback) {
    if (!isEventName(event)) throw new TypeError(`There is no event "${String(event)}".`);
    if (typeof callback !== 'function') throw new TypeError('callback must be a function');
    // Never hand the IpcRendererEvent (and its `sender`) to the page.
    const listener = (_event: IpcRendererEvent, payload: unknown): void => callback(payload as Events[typeof event]);
    ipcRenderer.on(event, listener);
    return () => {
      ipcRenderer.removeListener(event, listener);
    };
  },
};

contextBridge.exposeInMainWorld('api', api);
