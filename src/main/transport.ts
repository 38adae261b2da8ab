/**
 * What the two transports (Electron IPC in `ipc.ts`, HTTP in `serve/`) need of the main side's api:
 * `src/main/api`'s `Api` has this shape. Keeping the transports on this narrow interface lets their
 * specs drive them with a small stand-in, without a database.
 */
import type { Envelope, EventName, Events } from '../shared/contract.js';

export type ApiListener = <E extends EventName>(event: E, payload: Events[E]) => void;

export interface ApiPort {
  /** Validates `args` itself and never rejects: every failure comes back as an error envelope. */
  call(method: string, args: unknown): Promise<Envelope<unknown>>;
  subscribe(listener: ApiListener): () => void;
  close(): Promise<void>;
}
