// Network descriptions: PyTorch's parameter names, shapes and counts, init bounds, and the
// pool-before-ReLU rewrite.
import { describe as suite, expect, it } from 'vitest';
import { ARCHS, describe, getArch, initParams, paramCount, poolBeforeRelu } from './nets.js';
import { Rng } from './rng.js';

suite('networks', () => {
  it('have the parameter counts of their PyTorch twins', () => {
    // torch: sum(p.numel() for p in torch_ref.network(arch).parameters())
    expect(paramCount(getArch('cnn-s'))).toBe(215_370);
    expect(paramCount(getArch('mlp'))).toBe(1_387_710);
  });

  it('name parameters like a PyTorch state dict', () => {
    expect(describe(getArch('cnn-s')).params.map((p) => `${p.name}:${p.shape.join('x')}`)).toEqual([
      'conv1.weight:16x1x5x5', 'conv1.bias:16', 'conv2.weight:32x16x5x5', 'conv2.bias:32',
      'fc1.weight:128x1568', 'fc1.bias:128', 'fc2.weight:10x128', 'fc2.bias:10',
    ]);
  });

  it('all end in ten logits', () => {
    for (const a of Object.values(ARCHS)) expect(describe(a).outShape).toEqual([10]);
  });

  it('initialise like PyTorch: U(-1/sqrt(fan_in), 1/sqrt(fan_in)), seeded', () => {
    const a = initParams(getArch('cnn-s'), new Rng(1));
    const b = initParams(getArch('cnn-s'), new Rng(1));
    const w = a.get('conv2.weight')!;
    const bound = 1 / Math.sqrt(16 * 25);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.95 * bound);
    expect(b.get('conv2.weight')).toEqual(w);
  });

  it('refuse a layer that does not fit its input', () => {
    expect(() => describe({ name: 'bad', description: '', layers: [{ kind: 'linear', name: 'l', in: 100, out: 10 }] })).toThrow(/expects 100 features/);
  });

  it('move max-pooling before a ReLU that precedes it, and nothing else', () => {
    const moved = poolBeforeRelu(getArch('cnn-s').layers).map((l) => l.kind);
    expect(moved).toEqual(['conv2d', 'maxpool', 'relu', 'conv2d', 'maxpool', 'relu', 'flatten', 'linear', 'relu', 'linear']);
    expect(poolBeforeRelu(getArch('mlp').layers)).toEqual(getArch('mlp').layers);
  });
});
