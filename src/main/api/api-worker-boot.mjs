// Api worker entry in plain JS: registers the TypeScript loader in this thread, then runs the worker.
import { register } from 'tsx/esm/api';

register();
await import('./api-worker.ts');
