/**
 * Electron main process entry: the desktop shell (shell.ts) with the api over IPC on the app's
 * database.
 *
 * Packaged, the shipped model and sample scans sit beside app.asar (`process.resourcesPath`), not in
 * <app>/resources where paths.ts looks by default. paths.ts reads HOEDOWN_RESOURCES when it is first
 * evaluated, and worker threads copy this process's environment, so it is set before the rest of the
 * app is imported: dynamically, as static imports would run first. Electron emits `ready` only once
 * this module has finished, top-level awaits included, so nothing is missed meanwhile.
 */
import { app } from 'electron';

if (app.isPackaged && !process.env['HOEDOWN_RESOURCES']) process.env['HOEDOWN_RESOURCES'] = process.resourcesPath;

const [{ startShell }, { createApi }] = await Promise.all([import('./shell.js'), import('./api/index.js')]);

// Not awaited: startShell waits for `ready`, which comes only after this module is done.
startShell(createApi).catch((e: unknown) => {
  console.error('Hoedown Scores could not start:', e);
  app.exit(1);
});
