// Optimizers as graph ops: the step graph takes each parameter, its gradient and its state and returns
// the updated parameter and state, with PyTorch's update rules and state names.
import { type Graph, type Tensor } from './graph.js';

export type OptimizerConfig =
  | { kind: 'sgd'; lr: number; momentum: number; weightDecay: number }
  | { kind: 'adam'; lr: number; beta1: number; beta2: number; eps: number; weightDecay: number };

export function defaultOptimizer(kind: 'sgd' | 'adam', lr: number): OptimizerConfig {
  return kind === 'sgd'
    ? { kind, lr, momentum: 0.9, weightDecay: 0 }
    : { kind, lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 };
}

/** The per-parameter state tensors, named as in PyTorch's optimizer state dict. */
export function stateNames(cfg: OptimizerConfig): string[] {
  if (cfg.kind === 'adam') return ['exp_avg', 'exp_avg_sq'];
  return cfg.momentum !== 0 ? ['momentum_buffer'] : [];
}

/** Scalar graph inputs shared by every parameter's update. */
export interface StepScalars {
  /** The learning rate (a graph input, so schedules need no new graph). */
  lr: Tensor;
  /** The 1-based step count as a float. */
  step: Tensor;
}

interface Shared {
  stepSize?: Tensor;
  invSqrtBc2?: Tensor;
}

const sharedByGraph = new WeakMap<Graph, Shared>();

export function applyUpdate(
  g: Graph,
  cfg: OptimizerConfig,
  param: Tensor,
  grad: Tensor,
  state: readonly Tensor[],
  s: StepScalars,
): { param: Tensor; state: Tensor[] } {
  const mul = (a: Tensor, b: Tensor): Tensor => g.op1('Mul', [a, b]);
  const add = (a: Tensor, b: Tensor): Tensor => g.op1('Add', [a, b]);
  let d = grad;
  if (cfg.weightDecay !== 0) d = add(d, mul(param, g.scalar(cfg.weightDecay)));

  if (cfg.kind === 'sgd') {
    if (cfg.momentum === 0) return { param: g.op1('Sub', [param, mul(d, s.lr)]), state: [] };
    const buf = add(mul(state[0]!, g.scalar(cfg.momentum)), d);
    return { param: g.op1('Sub', [param, mul(buf, s.lr)]), state: [buf] };
  }

  // Adam: the bias corrections are scalars, computed once per step graph.
  let shared = sharedByGraph.get(g);
  if (!shared) sharedByGraph.set(g, (shared = {}));
  if (!shared.stepSize || !shared.invSqrtBc2) {
    const bc = (beta: number): Tensor => g.op1('Sub', [g.scalar(1), g.op1('Pow', [g.scalar(beta), s.step])]);
    shared.stepSize = g.op1('Div', [s.lr, bc(cfg.beta1)], {}, { name: 'adam_step_size' });
    shared.invSqrtBc2 = g.op1('Reciprocal', [g.op1('Sqrt', [bc(cfg.beta2)])], {}, { name: 'adam_inv_sqrt_bc2' });
  }
  const m = add(mul(state[0]!, g.scalar(cfg.beta1)), mul(d, g.scalar(1 - cfg.beta1)));
  const v = add(mul(state[1]!, g.scalar(cfg.beta2)), mul(mul(d, d), g.scalar(1 - cfg.beta2)));
  const denom = add(mul(g.op1('Sqrt', [v]), shared.invSqrtBc2), g.scalar(cfg.eps));
  const update = mul(g.op1('Div', [m, denom]), shared.stepSize);
  return { param: g.op1('Sub', [param, update]), state: [m, v] };
}
