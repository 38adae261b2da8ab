// The three graphs built from one network description: the training step (forward, loss, backward
// and optimizer update in one ONNX graph), the evaluation forward with parameters as inputs, and the
// exported inference model with parameters as initializers.
import { gradients } from './autodiff.js';
import { DataType, Graph, type Tensor, attr } from './graph.js';
import { type Arch, type StateDict, describe, forward } from './nets.js';
import { crossEntropy, normalise } from './ops.js';
import { type OptimizerConfig, applyUpdate, stateNames } from './optim.js';
import { MNIST_MEAN, MNIST_STD } from './data/mnist.js';

export const N = 'N';
export const PIXELS = 'pixels';
export const LOGITS = 'logits';
export const TARGET = 'target';
export const THETA = 'theta';
export const LOSS = 'loss';
export const LR = 'lr';
export const STEP = 'step';
export const maskInput = (layer: string): string => `mask.${layer}`;
export const stateKey = (param: string, state: string): string => `${param}.${state}`;
export const updated = (name: string): string => `new.${name}`;

export function pixelsInput(g: Graph): Tensor {
  return g.input(PIXELS, [N, 1, 28, 28]);
}

/** Random affine warps (rotation, scale, shift) of the batch, drawn outside the graph as `theta`. */
function augment(g: Graph, x: Tensor): Tensor {
  const theta = g.input(THETA, [N, 2, 3]);
  const size = g.op1('Shape', [x], {}, { shapes: [[4]], dtypes: [DataType.INT64] });
  const grid = g.op1('AffineGrid', [theta, size], { align_corners: attr.i(0) }, { shapes: [[N, 28, 28, 2]] });
  return g.op1('GridSample', [x, grid], { mode: attr.s('linear'), padding_mode: attr.s('zeros'), align_corners: attr.i(0) }, { shapes: [[N, 1, 28, 28]] });
}

export interface StepGraph {
  bytes: Uint8Array;
  /** Names of the parameters the step updates, in state-dict order (all but frozen layers'). */
  params: string[];
  /** Optimizer state keys (`param.state`) in order. */
  states: string[];
  /** Dropout layers whose masks are inputs. */
  dropouts: ReturnType<typeof describe>['dropouts'];
  augment: boolean;
}

/** The layer a parameter belongs to: `conv1` of `conv1.weight`. */
export const layerOf = (param: string): string => param.slice(0, param.lastIndexOf('.'));

/**
 * The training step; parameters of `frozen` layers are inputs of the forward pass only: no gradient,
 * no optimizer state, no update (and no backward pass below the lowest trained layer).
 */
export function buildTrainStep(arch: Arch, opt: OptimizerConfig, o: { augment?: boolean; frozen?: readonly string[] } = {}): StepGraph {
  const g = new Graph(`${arch.name}-train-step`);
  const { params: all, dropouts } = describe(arch);
  const specs = all.filter((p) => !o.frozen?.includes(layerOf(p.name)));
  if (specs.length === 0) throw new Error(`buildTrainStep: every layer of ${arch.name} is frozen`);
  let x = pixelsInput(g);
  if (o.augment) x = augment(g, x);
  const target = g.input(TARGET, [N, 10]);
  const lr = g.input(LR, []);
  const step = g.input(STEP, []);
  const masks = new Map(dropouts.map((d) => [d.name, g.input(maskInput(d.name), [N, ...d.shape])]));
  const params = new Map(all.map((p) => [p.name, g.input(p.name, p.shape)]));
  const names = stateNames(opt);
  const states = new Map(specs.map((p) => [p.name, names.map((s) => g.input(stateKey(p.name, s), p.shape))]));

  const logits = forward(g, arch, normalise(g, x, MNIST_MEAN, MNIST_STD), params, { masks });
  const loss = crossEntropy(g, logits, target);
  const grads = gradients(g, loss, specs.map((p) => params.get(p.name)!));

  g.output(loss, LOSS);
  g.output(logits, LOGITS);
  specs.forEach((p, k) => {
    const next = applyUpdate(g, opt, params.get(p.name)!, grads[k]!, states.get(p.name)!, { lr, step });
    g.output(next.param, updated(p.name));
    next.state.forEach((t, j) => g.output(t, updated(stateKey(p.name, names[j]!))));
  });
  return {
    bytes: g.toBytes(),
    params: specs.map((p) => p.name),
    states: specs.flatMap((p) => names.map((s) => stateKey(p.name, s))),
    dropouts,
    augment: Boolean(o.augment),
  };
}

/** Forward in eval mode with the parameters as inputs, so one session evaluates any weights. */
export function buildEvalGraph(arch: Arch): Uint8Array {
  const g = new Graph(`${arch.name}-eval`, false);
  const x = pixelsInput(g);
  const params = new Map(describe(arch).params.map((p) => [p.name, g.input(p.name, p.shape)]));
  g.output(forward(g, arch, normalise(g, x, MNIST_MEAN, MNIST_STD), params), LOGITS);
  return g.toBytes();
}

/**
 * The arch's parameters as initializers of `g`, by the names forward() asks for; stored under
 * `prefix` + name, so several networks' weights can share one graph.
 */
export function paramInitializers(g: Graph, arch: Arch, weights: StateDict, prefix = ''): Map<string, Tensor> {
  return new Map(
    describe(arch).params.map((p) => {
      const w = weights.get(p.name);
      if (!w) throw new Error(`export: missing parameter '${prefix}${p.name}'`);
      return [p.name, g.initializer(`${prefix}${p.name}`, p.shape, w)];
    }),
  );
}

/**
 * The shipped form: the same forward subgraph with the trained parameters as initializers; input
 * `pixels` (N, 1, 28, 28) in 0-1 with the normalisation inside, output `logits` (N, 10).
 */
export function buildInferenceModel(arch: Arch, weights: StateDict, metadata: Record<string, string> = {}): Uint8Array {
  const g = new Graph(`${arch.name}-digits`, false);
  const x = pixelsInput(g);
  g.output(forward(g, arch, normalise(g, x, MNIST_MEAN, MNIST_STD), paramInitializers(g, arch, weights)), LOGITS);
  return g.toBytes({ arch: arch.name, ...metadata }, `Hoedown Scores digit reader (${arch.description})`);
}
