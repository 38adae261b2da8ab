// Worker entry in plain JS: registers the TypeScript loader inside the worker thread (loaders do not
// carry over from the parent), then runs the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./train-worker.ts');
