// The `hoedown` command line (SPEC §2): dispatches to one module per command. Exit status 0 when the
// command did its job, 1 on bad usage or input (one-line reason on stderr), 2 when a batch partly failed.
import { type Command, type Io, UsageError, helpText } from './args.js';
import { benchCommand } from './bench.js';
import { evalCommand } from './eval.js';
import { exportCommand } from './export.js';
import { modelCommand } from './model.js';
import { processCommand } from './process.js';
import { rereadCommand } from './reread.js';
import { reviewCommand } from './review.js';
import { serveCommand } from './serve.js';
import { trainCommand } from './train.js';

const COMMANDS: Command[] = [processCommand, exportCommand, reviewCommand, rereadCommand, modelCommand, serveCommand, trainCommand, evalCommand, benchCommand];

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'usage: hoedown <command> [options]   (hoedown <command> --help for its options)',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

export async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(overview());
    return name === undefined ? 1 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(`hoedown: unknown command '${name}' (try hoedown --help)`);
    return 1;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(helpText(command));
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    const err = e as Error;
    io.err(`hoedown ${name}: ${err.message}`);
    if (process.env['HOEDOWN_DEBUG'] && !(err instanceof UsageError)) io.err(err.stack ?? '');
    return 1;
  }
}

const io: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  tty: Boolean(process.stderr.isTTY),
};

// `hoedown export ... | head`: the reader closing the pipe means it has read enough, not a failure.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

process.exitCode = await main(process.argv.slice(2), io);
