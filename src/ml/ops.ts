// Differentiable ops. Each appends its forward ONNX nodes and records a backward rule that appends the
// ONNX nodes of its gradient (checked against finite differences in ops.spec.ts).
import { DataType, type Dim, type Graph, type Tensor, attr } from './graph.js';

const outSize = (d: Dim, k: number, pad: number, stride: number): Dim =>
  typeof d === 'number' ? Math.floor((d + 2 * pad - k) / stride) + 1 : d;

/** The batch size of `x` as a float scalar, for means over the batch. */
function batchSize(g: Graph, x: Tensor): Tensor {
  const n = g.op1('Gather', [g.op1('Shape', [x], {}, { shapes: [[x.shape.length]], dtypes: [DataType.INT64] }), g.ints([0])], { axis: attr.i(0) }, { shapes: [[1]], dtypes: [DataType.INT64] });
  return g.op1('Cast', [n], { to: attr.i(DataType.FLOAT) }, { shapes: [[1]], dtypes: [DataType.FLOAT] });
}

function shapeOf(g: Graph, x: Tensor): Tensor {
  return g.op1('Shape', [x], {}, { shapes: [[x.shape.length]], dtypes: [DataType.INT64] });
}

/** `y = x·Wᵀ + b`, PyTorch's Linear: x (N, in), W (out, in), b (out). */
export function linear(g: Graph, x: Tensor, w: Tensor, b?: Tensor): Tensor {
  const inputs = b ? [x, w, b] : [x, w];
  const y = g.op1('Gemm', inputs, { transB: attr.i(1) }, { shapes: [[x.shape[0]!, w.shape[0]!]], name: 'linear' });
  g.record({
    op: 'linear',
    inputs,
    outputs: [y],
    backward(g, [dy], need) {
      const d = dy!;
      return [
        need[0] ? g.op1('Gemm', [d, w], {}, { shapes: [[...x.shape]], name: 'd_linear_x' }) : undefined,
        need[1] ? g.op1('Gemm', [d, x], { transA: attr.i(1) }, { shapes: [[...w.shape]], name: 'd_linear_w' }) : undefined,
        need[2] ? g.op1('ReduceSum', [d, g.ints([0])], { keepdims: attr.i(0) }, { shapes: [[w.shape[0]!]], name: 'd_linear_b' }) : undefined,
      ];
    },
  });
  return y;
}

/**
 * Patches of `x` (N, C, H, W) for a k×k window at stride 1, as one (C·k·k, N·Ho·Wo) matrix, built by
 * Pad + k² Slices + one Concat on the channel-major transpose of x: then the weight gradient of a
 * convolution is a single GEMM, with no gather and no reduction over the batch.
 */
function patches(g: Graph, x: Tensor, k: number, pad: number): Tensor {
  const [n, c, h, w] = x.shape as Dim[];
  const ho = outSize(h!, k, pad, 1);
  const wo = outSize(w!, k, pad, 1);
  const xt = g.op1('Transpose', [x], { perm: attr.ints([1, 0, 2, 3]) }, { shapes: [[c!, n!, h!, w!]] });
  const xp = pad > 0 ? g.op1('Pad', [xt, g.ints([0, 0, pad, pad, 0, 0, pad, pad])], {}, { shapes: [[c!, n!, '?', '?']] }) : xt;
  if (typeof ho !== 'number' || typeof wo !== 'number') throw new Error('conv2d: spatial sizes must be static');
  const slices: Tensor[] = [];
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      slices.push(g.op1('Slice', [xp, g.ints([i, j]), g.ints([i + ho, j + wo]), g.ints([2, 3])], {}, { shapes: [[c!, n!, ho, wo]] }));
    }
  }
  // Concatenating (C, N, Ho, Wo) slices on axis 1 lays memory out as (C, k·k, N, Ho, Wo).
  const cat = g.op1('Concat', slices, { axis: attr.i(1) }, { shapes: [[c!, '?', ho, wo]] });
  const rows = typeof c === 'number' ? c * k * k : -1;
  return g.op1('Reshape', [cat, g.ints([rows, -1])], {}, { shapes: [[rows, '?']], name: 'patches' });
}

/** PyTorch's Conv2d at stride 1 with zero padding: x (N, C, H, W), W (O, C, k, k), b (O). */
export function conv2d(g: Graph, x: Tensor, w: Tensor, b: Tensor | undefined, pad: number): Tensor {
  const k = w.shape[2] as number;
  const [n, , h, wd] = x.shape as Dim[];
  const o = w.shape[0] as number;
  const pads = attr.ints([pad, pad, pad, pad]);
  const inputs = b ? [x, w, b] : [x, w];
  const y = g.op1('Conv', inputs, { kernel_shape: attr.ints([k, k]), pads }, {
    shapes: [[n!, o, outSize(h!, k, pad, 1), outSize(wd!, k, pad, 1)]],
    name: 'conv',
  });
  g.record({
    op: 'conv2d',
    inputs,
    outputs: [y],
    backward(g, [dy], need) {
      const d = dy!;
      let dx: Tensor | undefined;
      let dw: Tensor | undefined;
      let db: Tensor | undefined;
      if (need[0] && pad <= k - 1) {
        // A convolution of dy with the kernel flipped and its channels swapped, padded k-1-pad: MLAS
        // runs it faster than ConvTranspose (BENCHMARKS.md).
        const swapped = g.op1('Transpose', [w], { perm: attr.ints([1, 0, 2, 3]) }, { shapes: [[w.shape[1]!, o, k, k]] });
        const flipped = g.op1('Slice', [swapped, g.ints([-1, -1]), g.ints([-(k + 1), -(k + 1)]), g.ints([2, 3]), g.ints([-1, -1])], {}, { shapes: [[w.shape[1]!, o, k, k]] });
        const q = k - 1 - pad;
        dx = g.op1('Conv', [d, flipped], { kernel_shape: attr.ints([k, k]), pads: attr.ints([q, q, q, q]) }, { shapes: [[...x.shape]], name: 'd_conv_x' });
      } else if (need[0]) {
        dx = g.op1('ConvTranspose', [d, w], { kernel_shape: attr.ints([k, k]), pads }, { shapes: [[...x.shape]], name: 'd_conv_x' });
      }
      if (need[1]) {
        const dyRows = g.op1('Reshape', [g.op1('Transpose', [d], { perm: attr.ints([1, 0, 2, 3]) }), g.ints([o, -1])], {}, { shapes: [[o, '?']] });
        const flat = g.op1('Gemm', [dyRows, patches(g, x, k, pad)], { transB: attr.i(1) }, { shapes: [[o, '?']] });
        dw = g.op1('Reshape', [flat, g.ints([...(w.shape as number[])])], {}, { shapes: [[...w.shape]], name: 'd_conv_w' });
      }
      if (need[2]) {
        db = g.op1('ReduceSum', [d, g.ints([0, 2, 3])], { keepdims: attr.i(0) }, { shapes: [[o]], name: 'd_conv_b' });
      }
      return [dx, dw, db];
    },
  });
  return y;
}

/** MaxPool2d; its backward routes each gradient to the argmax recorded by the same forward node. */
export function maxPool2d(g: Graph, x: Tensor, k: number, stride = k): Tensor {
  const [n, c, h, w] = x.shape as Dim[];
  const shape = [n!, c!, outSize(h!, k, 0, stride), outSize(w!, k, 0, stride)];
  const pool = { kernel_shape: attr.ints([k, k]), strides: attr.ints([stride, stride]) };
  // Without gradients, no Indices output: onnxruntime then runs its faster pooling kernel.
  if (!g.grad) return g.op1('MaxPool', [x], pool, { shapes: [shape], name: 'maxpool' });
  const [y, indices] = g.op('MaxPool', [x], pool, {
    shapes: [shape, shape],
    dtypes: [DataType.FLOAT, DataType.INT64],
    name: 'maxpool',
  });
  g.record({
    op: 'maxPool2d',
    inputs: [x],
    outputs: [y!],
    backward(g, [dy]) {
      if (stride === k) {
        // Non-overlapping windows: MaxUnpool puts each gradient at its argmax, zeros elsewhere.
        return [g.op1('MaxUnpool', [dy!, indices!, shapeOf(g, x)], { kernel_shape: attr.ints([k, k]), strides: attr.ints([stride, stride]) }, { shapes: [[...x.shape]], name: 'd_maxpool_x' })];
      }
      // Indices are offsets into the flattened input, so one 1-D scatter-add rebuilds the gradient
      // (the add makes overlapping windows correct too).
      const flat = g.ints([-1]);
      const zeros = g.op1('Reshape', [g.op1('ConstantOfShape', [shapeOf(g, x)], {}, { shapes: [[...x.shape]], dtypes: [DataType.FLOAT] }), flat], {}, { shapes: [['?']] });
      const scattered = g.op1(
        'ScatterElements',
        [zeros, g.op1('Reshape', [indices!, flat], {}, { shapes: [['?']] }), g.op1('Reshape', [dy!, flat], {}, { shapes: [['?']] })],
        { axis: attr.i(0), reduction: attr.s('add') },
      );
      return [g.op1('Reshape', [scattered, shapeOf(g, x)], {}, { shapes: [[...x.shape]], name: 'd_maxpool_x' })];
    },
  });
  return y!;
}

export function relu(g: Graph, x: Tensor): Tensor {
  const y = g.op1('Relu', [x]);
  g.record({
    op: 'relu',
    inputs: [x],
    outputs: [y],
    backward(g, [dy]) {
      const positive = g.op1('Greater', [y, g.scalar(0)], {}, { dtypes: [DataType.BOOL] });
      return [g.op1('Where', [positive, dy!, g.scalar(0)], {}, { shapes: [[...x.shape]], dtypes: [DataType.FLOAT], name: 'd_relu_x' })];
    },
  });
  return y;
}

export function flatten(g: Graph, x: Tensor): Tensor {
  const [n, ...rest] = x.shape;
  const size = rest.every((d) => typeof d === 'number') ? (rest as number[]).reduce((a, b) => a * b, 1) : '?';
  const y = g.op1('Flatten', [x], { axis: attr.i(1) }, { shapes: [[n!, size]] });
  g.record({
    op: 'flatten',
    inputs: [x],
    outputs: [y],
    backward: (g, [dy]) => [g.op1('Reshape', [dy!, shapeOf(g, x)], {}, { shapes: [[...x.shape]], name: 'd_flatten_x' })],
  });
  return y;
}

/**
 * Inverted dropout with a mask made outside the graph (0 or 1/(1-p) per element) by the seeded
 * generator, so that a run is reproducible.
 */
export function dropout(g: Graph, x: Tensor, mask: Tensor): Tensor {
  const y = g.op1('Mul', [x, mask], {}, { name: 'dropout' });
  g.record({
    op: 'dropout',
    inputs: [x],
    outputs: [y],
    backward: (g, [dy]) => [g.op1('Mul', [dy!, mask], {}, { name: 'd_dropout_x' })],
  });
  return y;
}

/**
 * Mean cross-entropy of log-softmax(logits) against target distributions (one-hot rows, or smoothed
 * ones): a scalar. The backward rule is the fused one, (softmax − target) / N.
 */
export function crossEntropy(g: Graph, logits: Tensor, target: Tensor): Tensor {
  const logp = g.op1('LogSoftmax', [logits], { axis: attr.i(1) }, { name: 'logp' });
  const picked = g.op1('ReduceSum', [g.op1('Mul', [target, logp]), g.ints([1])], { keepdims: attr.i(0) }, { shapes: [[logits.shape[0]!]] });
  const mean = g.op1('ReduceMean', [picked, g.ints([0])], { keepdims: attr.i(0) }, { shapes: [[]] });
  const loss = g.op1('Neg', [mean], {}, { name: 'loss' });
  g.record({
    op: 'crossEntropy',
    inputs: [logits],
    outputs: [loss],
    backward(g, [dLoss]) {
      const scale = g.op1('Div', [dLoss!, batchSize(g, logits)], {}, { shapes: [[1]] });
      const diff = g.op1('Sub', [g.op1('Exp', [logp]), target]);
      return [g.op1('Mul', [diff, scale], {}, { name: 'd_ce_logits' })];
    },
  });
  return loss;
}

/** Pixels 0-1 to MNIST's normalised values; part of every graph so the shipped model takes raw pixels. */
export function normalise(g: Graph, x: Tensor, mean: number, std: number): Tensor {
  return g.op1('Div', [g.op1('Sub', [x, g.scalar(mean)]), g.scalar(std)], {}, { name: 'normalised' });
}
