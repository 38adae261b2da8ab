/**
 * Imported first by index.ts, for its side effect: in a packaged app the shipped model and sample
 * scans sit beside app.asar (`process.resourcesPath`), not in <app>/resources where paths.ts looks
 * by default. paths.ts reads HOEDOWN_RESOURCES when it is first evaluated, and worker threads copy
 * this process's environment, so it must be set before anything imports paths.ts: this module
 * imports nothing of ours, and ES modules run their imports in order.
 */
import { app } from 'electron';

if (app.isPackaged && !process.env['HOEDOWN_RESOURCES']) process.env['HOEDOWN_RESOURCES'] = process.resourcesPath;
