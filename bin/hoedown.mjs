#!/usr/bin/env node
// The `hoedown` command: runs the TypeScript CLI directly through tsx's ESM loader.
import { register } from 'tsx/esm/api';

register();
await import('../src/main/cli/index.ts');
