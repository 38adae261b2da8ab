// A one-line progress bar on stderr, drawn only when stderr is a terminal.
import type { Io } from './args.js';

export function progressBar(io: Io, width = 30): { update(label: string, done: number, total: number): void; end(): void } {
  let drawn = false;
  return {
    update(label, done, total) {
      if (!io.tty) return;
      const f = total > 0 ? Math.min(1, done / total) : 0;
      const bar = '#'.repeat(Math.round(f * width)).padEnd(width, '.');
      process.stderr.write(`\r${label} [${bar}] ${done}/${total}`);
      drawn = true;
    },
    end() {
      if (drawn) process.stderr.write('\n');
      drawn = false;
    },
  };
}
