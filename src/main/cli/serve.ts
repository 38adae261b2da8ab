// `hoedown serve` (SPEC §2): the review app for a browser, on 127.0.0.1 only, until Ctrl+C.
import { resolve } from 'node:path';
import { createApi } from '../api/index.js';
import { defaultDbPath, ROOT } from '../paths.js';
import { rendererPaths } from '../serve/renderer-build.js';
import { serve } from '../serve/run.js';
import { type Command, type Io, int, parse } from './args.js';

/** Resolves on the first SIGINT/SIGTERM; a second one ends the process at once (a stuck close). */
function untilSignal(io: Io): { stopped: Promise<string>; dispose(): void } {
  let signals = 0;
  let done!: (signal: string) => void;
  const stopped = new Promise<string>((r) => (done = r));
  const onSignal = (signal: NodeJS.Signals): void => {
    signals++;
    if (signals === 1) done(signal);
    else {
      io.err('Stopped without waiting.');
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    stopped,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Serves the review app to a browser on this computer (127.0.0.1 only) until Ctrl+C.',
  usage: 'hoedown serve [--db PATH] [--port 5177]',
  help: `options:
  --db PATH     the database (default: the desktop app's, ${defaultDbPath()})
  --port N      the port on 127.0.0.1 (default 5177; 0 picks a free one)

Open the printed address in a browser. Only this computer can connect, and only the pages this server
serves may call it (requests naming another Host or coming from another origin are refused). The app's
pages are built first when they are missing or older than their sources. Ctrl+C stops the server.`,
  async run(argv, io) {
    const { values: v } = parse(argv, { db: { type: 'string' }, port: { type: 'string' } });
    const port = int(v.port ?? '5177', '--port', 0, 65535);
    const dbPath = resolve(typeof v.db === 'string' ? v.db : defaultDbPath());
    const signal = untilSignal(io);
    try {
      return await serve({ dbPath, port, renderer: rendererPaths(ROOT) }, io, createApi, signal.stopped);
    } finally {
      signal.dispose();
    }
  },
};
