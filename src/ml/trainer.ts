// Runs the training step graph: holds the parameters and optimizer state on the host between steps,
// feeds a batch with its randomness (dropout masks, augmentation warps) from the seeded generator.
import { affineThetas, type AugmentOptions } from './data/augment.js';
import type { Batch } from './data/batches.js';
import { type Digits, MNIST_PIXELS } from './data/mnist.js';
import { type Arch, type StateDict, describe, initParams } from './nets.js';
import { type OptimizerConfig, stateNames } from './optim.js';
import type { Rng } from './rng.js';
import { type HostTensor, Session } from './runtime.js';
import { LOGITS, LOSS, LR, PIXELS, STEP, TARGET, THETA, buildEvalGraph, buildTrainStep, layerOf, maskInput, stateKey, updated } from './step.js';

export interface TrainerOptions {
  arch: Arch;
  optimizer: OptimizerConfig;
  /** Random affine warps per batch, or none. */
  augment?: AugmentOptions;
  threads?: number;
  profilePrefix?: string;
  /** Layers whose parameters stay as they are (fine-tuning the head only); they need no optimizer state. */
  frozen?: readonly string[];
}

export interface TrainerState {
  params: StateDict;
  /** Optimizer state by `param.state` key (PyTorch's names: exp_avg, exp_avg_sq, momentum_buffer). */
  optimizer: StateDict;
  /** Optimizer steps taken so far. */
  step: number;
}

export interface StepResult {
  loss: number;
  correct: number;
  /** The batch's logits under the weights before this step's update. */
  logits: Float32Array;
}

export class Trainer {
  private constructor(
    readonly o: TrainerOptions,
    private readonly stepSession: Session,
    private readonly evalSession: Session,
    private state: TrainerState,
  ) {}

  static async create(o: TrainerOptions, init: TrainerState | { rng: Rng }): Promise<Trainer> {
    const graph = buildTrainStep(o.arch, o.optimizer, { augment: Boolean(o.augment), frozen: o.frozen });
    const stepSession = await Session.create(graph.bytes, { threads: o.threads, profilePrefix: o.profilePrefix });
    const evalSession = await Session.create(buildEvalGraph(o.arch), { threads: o.threads });
    const state = 'rng' in init ? freshState(o, init.rng) : init;
    checkState(o, state);
    return new Trainer(o, stepSession, evalSession, state);
  }

  get params(): StateDict {
    return this.state.params;
  }

  snapshot(): TrainerState {
    return this.state;
  }

  /** One optimizer step on `batch`; `lr` may change between steps without a new graph. */
  async trainBatch(batch: Batch, rng: Rng, lr = this.o.optimizer.lr): Promise<StepResult> {
    const n = batch.size;
    const feeds: Record<string, HostTensor> = {
      [PIXELS]: { data: batch.x, dims: [n, 1, 28, 28] },
      [TARGET]: { data: batch.target, dims: [n, 10] },
      [LR]: { data: Float32Array.of(lr), dims: [] },
      [STEP]: { data: Float32Array.of(this.state.step + 1), dims: [] },
    };
    if (this.o.augment) feeds[THETA] = { data: affineThetas(rng, n, this.o.augment), dims: [n, 2, 3] };
    for (const d of describe(this.o.arch).dropouts) {
      const mask = new Float32Array(n * d.shape.reduce((a, b) => a * b, 1));
      rng.dropoutMask(mask, d.p);
      feeds[maskInput(d.name)] = { data: mask, dims: [n, ...d.shape] };
    }
    for (const [name, data] of this.state.params) feeds[name] = { data, dims: shapeOf(this.o.arch, name) };
    for (const [key, data] of this.state.optimizer) feeds[key] = { data, dims: shapeOf(this.o.arch, key) };

    const out = await this.stepSession.run(feeds);
    const params: StateDict = new Map();
    const optimizer: StateDict = new Map();
    for (const [name, old] of this.state.params) params.set(name, isFrozen(this.o, name) ? old : out[updated(name)]!.data);
    for (const key of this.state.optimizer.keys()) optimizer.set(key, out[updated(key)]!.data);
    this.state = { params, optimizer, step: this.state.step + 1 };
    const logits = out[LOGITS]!.data;
    return { loss: out[LOSS]!.data[0]!, correct: countCorrect(logits, batch.labels), logits };
  }

  /** Logits of the current weights in eval mode (no dropout, no augmentation), `n × 10`. */
  async logits(d: Digits, indices?: Uint32Array, chunk = 1000): Promise<Float32Array> {
    const count = indices ? indices.length : d.count;
    const out = new Float32Array(count * 10);
    const weights: Record<string, HostTensor> = {};
    for (const [name, data] of this.state.params) weights[name] = { data, dims: shapeOf(this.o.arch, name) };
    for (let start = 0; start < count; start += chunk) {
      const n = Math.min(chunk, count - start);
      let x: Float32Array;
      if (indices) {
        x = new Float32Array(n * MNIST_PIXELS);
        for (let i = 0; i < n; i++) x.set(d.images.subarray(indices[start + i]! * MNIST_PIXELS, (indices[start + i]! + 1) * MNIST_PIXELS), i * MNIST_PIXELS);
      } else {
        x = d.images.subarray(start * MNIST_PIXELS, (start + n) * MNIST_PIXELS);
      }
      const r = await this.evalSession.run({ ...weights, [PIXELS]: { data: x, dims: [n, 1, 28, 28] } });
      out.set(r[LOGITS]!.data, start * 10);
    }
    return out;
  }

  async accuracy(d: Digits, indices?: Uint32Array): Promise<number> {
    const labels = indices ? Uint8Array.from(indices, (i) => d.labels[i]!) : d.labels;
    return labels.length === 0 ? 0 : countCorrect(await this.logits(d, indices), labels) / labels.length;
  }

  endProfiling(): void {
    this.stepSession.endProfiling();
  }

  async release(): Promise<void> {
    await this.stepSession.release();
    await this.evalSession.release();
  }
}

const shapes = new WeakMap<Arch, Map<string, number[]>>();

/** The shape of a parameter or of one of its optimizer states (`param.state`). */
export function shapeOf(arch: Arch, key: string): number[] {
  let m = shapes.get(arch);
  if (!m) {
    m = new Map(describe(arch).params.map((p) => [p.name, p.shape]));
    shapes.set(arch, m);
  }
  const direct = m.get(key);
  if (direct) return direct;
  const param = m.get(key.slice(0, key.lastIndexOf('.')));
  if (!param) throw new Error(`trainer: no shape for '${key}'`);
  return param;
}

function freshState(o: TrainerOptions, rng: Rng): TrainerState {
  const params = initParams(o.arch, rng);
  return { params, optimizer: zeroOptimizerState(o, params), step: 0 };
}

/** The optimizer's state at step 0 (zeros) for every parameter the step trains. */
export function zeroOptimizerState(o: Pick<TrainerOptions, 'optimizer' | 'frozen'>, params: StateDict): StateDict {
  const state: StateDict = new Map();
  for (const [name, w] of params) if (!isFrozen(o, name)) for (const s of stateNames(o.optimizer)) state.set(stateKey(name, s), new Float32Array(w.length));
  return state;
}

const isFrozen = (o: Pick<TrainerOptions, 'frozen'>, param: string): boolean => o.frozen?.includes(layerOf(param)) ?? false;

/** Refuses a state that does not fit the network and optimizer (e.g. a checkpoint of another arch). */
function checkState(o: TrainerOptions, s: TrainerState): void {
  const names = stateNames(o.optimizer);
  for (const p of describe(o.arch).params) {
    const size = p.shape.reduce((a, b) => a * b, 1);
    const w = s.params.get(p.name);
    if (!w || w.length !== size) throw new Error(`state does not fit ${o.arch.name}: parameter '${p.name}' ${w ? `has ${w.length} values, expected ${size}` : 'is missing'}`);
    if (isFrozen(o, p.name)) continue;
    for (const n of names) {
      const t = s.optimizer.get(stateKey(p.name, n));
      if (!t || t.length !== size) throw new Error(`state does not fit the ${o.optimizer.kind} optimizer: '${stateKey(p.name, n)}' is missing or has the wrong size`);
    }
  }
}

export function countCorrect(logits: Float32Array, labels: Uint8Array): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (argmax(logits, i * 10, 10) === labels[i]) correct++;
  return correct;
}

export function argmax(a: Float32Array, offset: number, n: number): number {
  let best = 0;
  for (let k = 1; k < n; k++) if (a[offset + k]! > a[offset + best]!) best = k;
  return best;
}
