// Networks as plain lists of layer specs: shapes, PyTorch-style parameter names and init, and the
// forward pass appended to a graph. The same forward serves the training step, evaluation and export.
import { type Graph, type Tensor } from './graph.js';
import { conv2d, dropout, flatten, linear, maxPool2d, relu } from './ops.js';
import type { Rng } from './rng.js';

export type Layer =
  | { kind: 'linear'; name: string; in: number; out: number }
  | { kind: 'conv2d'; name: string; in: number; out: number; k: number; pad: number }
  | { kind: 'relu' }
  | { kind: 'maxpool'; k: number }
  | { kind: 'flatten' }
  | { kind: 'dropout'; name: string; p: number };

export interface Arch {
  name: string;
  description: string;
  layers: Layer[];
}

const lin = (name: string, i: number, o: number): Layer => ({ kind: 'linear', name, in: i, out: o });
const conv = (name: string, i: number, o: number, k: number, pad: number): Layer => ({ kind: 'conv2d', name, in: i, out: o, k, pad });
const RELU: Layer = { kind: 'relu' };

export const ARCHS: Record<string, Arch> = {
  mlp: {
    name: 'mlp',
    description: 'the course network: Linear 784-1000-500-200-10 with ReLU',
    layers: [{ kind: 'flatten' }, lin('layer1', 784, 1000), RELU, lin('layer2', 1000, 500), RELU, lin('layer3', 500, 200), RELU, lin('layer4', 200, 10)],
  },
  'cnn-s': {
    name: 'cnn-s',
    description: 'the reference CNN of torch_ref.py: conv5x5 16, pool, conv5x5 32, pool, Linear 1568-128-10',
    layers: [
      conv('conv1', 1, 16, 5, 2), RELU, { kind: 'maxpool', k: 2 },
      conv('conv2', 16, 32, 5, 2), RELU, { kind: 'maxpool', k: 2 },
      { kind: 'flatten' }, lin('fc1', 1568, 128), RELU, lin('fc2', 128, 10),
    ],
  },
  'cnn-m': {
    name: 'cnn-m',
    description: 'the shipped reader: two 3x3 conv pairs (32, 64) with pooling and dropout, Linear 3136-256-10 with dropout',
    layers: [
      conv('conv1', 1, 32, 3, 1), RELU, conv('conv2', 32, 32, 3, 1), RELU, { kind: 'maxpool', k: 2 }, { kind: 'dropout', name: 'drop1', p: 0.25 },
      conv('conv3', 32, 64, 3, 1), RELU, conv('conv4', 64, 64, 3, 1), RELU, { kind: 'maxpool', k: 2 }, { kind: 'dropout', name: 'drop2', p: 0.25 },
      { kind: 'flatten' }, lin('fc1', 3136, 256), RELU, { kind: 'dropout', name: 'drop3', p: 0.5 }, lin('fc2', 256, 10),
    ],
  },
};

export function getArch(name: string): Arch {
  const a = ARCHS[name];
  if (!a) throw new Error(`unknown arch '${name}' (known: ${Object.keys(ARCHS).join(', ')})`);
  return a;
}

export const INPUT_SHAPE = [1, 28, 28];

export interface ParamSpec {
  name: string;
  shape: number[];
  fanIn: number;
}

export interface DropoutSpec {
  name: string;
  p: number;
  /** Per-sample shape of the mask. */
  shape: number[];
}

/** Walks the layers' per-sample shapes, listing parameters and dropout masks in order. */
export function describe(arch: Arch): { params: ParamSpec[]; dropouts: DropoutSpec[]; outShape: number[] } {
  let shape = [...INPUT_SHAPE];
  const params: ParamSpec[] = [];
  const dropouts: DropoutSpec[] = [];
  for (const l of arch.layers) {
    switch (l.kind) {
      case 'linear':
        if (shape.length !== 1 || shape[0] !== l.in) throw new Error(`${arch.name}.${l.name}: expects ${l.in} features, gets [${shape}]`);
        params.push({ name: `${l.name}.weight`, shape: [l.out, l.in], fanIn: l.in }, { name: `${l.name}.bias`, shape: [l.out], fanIn: l.in });
        shape = [l.out];
        break;
      case 'conv2d': {
        if (shape.length !== 3 || shape[0] !== l.in) throw new Error(`${arch.name}.${l.name}: expects ${l.in} channels, gets [${shape}]`);
        const fanIn = l.in * l.k * l.k;
        params.push({ name: `${l.name}.weight`, shape: [l.out, l.in, l.k, l.k], fanIn }, { name: `${l.name}.bias`, shape: [l.out], fanIn });
        shape = [l.out, shape[1]! + 2 * l.pad - l.k + 1, shape[2]! + 2 * l.pad - l.k + 1];
        break;
      }
      case 'maxpool':
        shape = [shape[0]!, Math.floor(shape[1]! / l.k), Math.floor(shape[2]! / l.k)];
        break;
      case 'flatten':
        shape = [shape.reduce((a, b) => a * b, 1)];
        break;
      case 'dropout':
        dropouts.push({ name: l.name, p: l.p, shape: [...shape] });
        break;
      case 'relu':
        break;
    }
  }
  return { params, dropouts, outShape: shape };
}

export function paramCount(arch: Arch): number {
  return describe(arch).params.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
}

export type StateDict = Map<string, Float32Array>;

/**
 * PyTorch's default init for Linear and Conv2d (kaiming_uniform with a = √5, which comes to
 * U(−1/√fan_in, 1/√fan_in) for weights, and the same bound for biases).
 */
export function initParams(arch: Arch, rng: Rng): StateDict {
  const out: StateDict = new Map();
  for (const p of describe(arch).params) {
    const bound = 1 / Math.sqrt(p.fanIn);
    const data = new Float32Array(p.shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = rng.range(-bound, bound);
    out.set(p.name, data);
  }
  return out;
}

export interface ForwardOptions {
  /** Dropout masks by layer name; without them dropout layers are the identity (eval mode). */
  masks?: Map<string, Tensor>;
}

/** Appends the forward pass; `x` is the normalised input (N, 1, 28, 28). Returns the logits. */
export function forward(g: Graph, arch: Arch, x: Tensor, params: Map<string, Tensor>, o: ForwardOptions = {}): Tensor {
  const p = (name: string): Tensor => {
    const t = params.get(name);
    if (!t) throw new Error(`forward: missing parameter '${name}'`);
    return t;
  };
  let h = x;
  const layers = poolBeforeRelu(arch.layers);
  for (const l of layers) {
    switch (l.kind) {
      case 'linear':
        h = linear(g, h, p(`${l.name}.weight`), p(`${l.name}.bias`));
        break;
      case 'conv2d':
        h = conv2d(g, h, p(`${l.name}.weight`), p(`${l.name}.bias`), l.pad);
        break;
      case 'relu':
        h = relu(g, h);
        break;
      case 'maxpool':
        h = maxPool2d(g, h, l.k);
        break;
      case 'flatten':
        h = flatten(g, h);
        break;
      case 'dropout': {
        const mask = o.masks?.get(l.name);
        if (mask) h = dropout(g, h, mask);
        break;
      }
    }
  }
  return h;
}

/**
 * ReLU then max-pooling equals max-pooling then ReLU (both are monotone), and so do their gradients
 * (each routes to the window's first maximum when it is positive); pooling first runs the ReLU and
 * its gradient on a quarter of the values.
 */
export function poolBeforeRelu(layers: readonly Layer[]): Layer[] {
  const out = [...layers];
  for (let i = 0; i + 1 < out.length; i++) {
    if (out[i]!.kind === 'relu' && out[i + 1]!.kind === 'maxpool') [out[i], out[i + 1]] = [out[i + 1]!, out[i]!];
  }
  return out;
}
