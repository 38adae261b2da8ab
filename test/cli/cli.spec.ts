// The `hoedown` command as a user runs it (a real process through bin/hoedown.mjs): help, usage errors
// with exit status 1, and a tiny train → eval round trip with --json output.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'hoedown.mjs');

function hoedown(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 300_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('hoedown CLI', () => {
  it('lists its commands with --help and exits 0', () => {
    const r = hoedown('--help');
    expect(r.status).toBe(0);
    for (const c of ['train', 'eval', 'bench']) expect(r.stdout).toMatch(new RegExp(`^  ${c}\\b`, 'm'));
  });

  it('prints each command\'s options with --help', () => {
    for (const [cmd, flag] of [['train', '--resume'], ['eval', '--model'], ['bench', '--batch-size']] as const) {
      const r = hoedown(cmd, ...(cmd === 'bench' ? ['train'] : []), '--help');
      expect(r.status).toBe(0);
      expect(r.stdout).toContain(flag);
    }
  });

  it('rejects bad usage with exit status 1 and a one-line reason', () => {
    for (const args of [['frobnicate'], ['train', '--epochs', 'two'], ['train', '--arch', 'resnet'], ['train', '--bogus'], ['bench', 'train'], ['bench', 'sheets-nope']]) {
      const r = hoedown(...args);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stdout).toBe('');
    }
  });

  it('says clearly when a model file is missing or not a model', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hoedown-cli-'));
    expect(hoedown('eval', '--model', join(dir, 'none.onnx')).stderr).toMatch(/no model at/);
    writeFileSync(join(dir, 'junk.onnx'), 'not a protobuf');
    const r = hoedown('eval', '--model', join(dir, 'junk.onnx'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/not a valid ONNX model/);
  });

  it('trains a tiny model, then evaluates it with --json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hoedown-cli-'));
    const t = hoedown('train', '--arch', 'mlp', '--epochs', '1', '--limit', '2000', '--val', '500', '--out', dir, '--json');
    expect(t.status, t.stderr).toBe(0);
    const lines = t.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ epoch: 1 });
    expect(lines.at(-1)).toMatchObject({ arch: 'mlp', model: join(dir, 'model.onnx') });
    expect(existsSync(join(dir, 'epoch-001.safetensors'))).toBe(true);

    const e = hoedown('eval', '--model', join(dir, 'model.onnx'), '--json');
    expect(e.status, e.stderr).toBe(0);
    const report = JSON.parse(e.stdout) as { test_accuracy: number; per_class_accuracy: number[]; ece: number; model: string };
    expect(report.model).toBe(join(dir, 'model.onnx'));
    expect(report.test_accuracy).toBeGreaterThan(0.85);
    expect(report.test_accuracy).toBe((lines.at(-1) as { test_accuracy: number }).test_accuracy);
    expect(report.per_class_accuracy).toHaveLength(10);
    expect(report.ece).toBeGreaterThanOrEqual(0);
  });
});
