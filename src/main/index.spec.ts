// The Electron entry under a mocked `electron`: packaged, it points HOEDOWN_RESOURCES at the
// resources beside app.asar before paths.ts is evaluated, then starts the shell with the real
// createApi.
import { afterAll, describe, expect, it, vi } from 'vitest';

const seen = vi.hoisted(() => ({ resourcesWhenPathsLoaded: undefined as string | undefined, started: [] as unknown[] }));

vi.mock('electron', () => ({ app: { isPackaged: true, exit: vi.fn() } }));
vi.mock('./shell.js', () => ({ startShell: (factory: unknown) => (seen.started.push(factory), Promise.resolve()) }));
vi.mock('./api/index.js', async () => {
  // paths.ts is evaluated through the api's imports: record what it sees at that moment.
  seen.resourcesWhenPathsLoaded = process.env['HOEDOWN_RESOURCES'];
  return { createApi: 'the real createApi' };
});

const before = process.env['HOEDOWN_RESOURCES'];
(process as { resourcesPath?: string }).resourcesPath = '/opt/Hoedown Scores/resources';
delete process.env['HOEDOWN_RESOURCES'];
await import('./index.js');

afterAll(() => {
  if (before === undefined) delete process.env['HOEDOWN_RESOURCES'];
  else process.env['HOEDOWN_RESOURCES'] = before;
});

describe('Electron entry', () => {
  it('sets HOEDOWN_RESOURCES to process.resourcesPath before the app is imported, when packaged', () => {
    expect(seen.resourcesWhenPathsLoaded).toBe('/opt/Hoedown Scores/resources');
  });

  it('starts the shell with createApi', () => {
    expect(seen.started).toEqual(['the real createApi']);
  });
});
