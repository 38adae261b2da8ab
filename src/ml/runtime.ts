// The one module that imports onnxruntime-node: sessions for training steps, evaluation and the
// shipped reader all go through here.
import ort from 'onnxruntime-node';

export interface HostTensor {
  data: Float32Array;
  dims: readonly number[];
}

export interface SessionOptions {
  /** Threads for one op (MLAS); 0 lets onnxruntime decide. */
  threads?: number;
  /** Writes an onnxruntime profile (JSON) with this file prefix. */
  profilePrefix?: string;
}

export class Session {
  private constructor(private readonly inner: ort.InferenceSession) {}

  static async create(model: Uint8Array | string, o: SessionOptions = {}): Promise<Session> {
    const options: ort.InferenceSession.SessionOptions = {
      intraOpNumThreads: o.threads ?? 0,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      // Warnings only: our declared output shapes are hints, and onnxruntime's lenient merge is fine.
      logSeverityLevel: 3,
      enableProfiling: Boolean(o.profilePrefix),
      profileFilePrefix: o.profilePrefix,
    };
    const inner = typeof model === 'string' ? await ort.InferenceSession.create(model, options) : await ort.InferenceSession.create(model, options);
    return new Session(inner);
  }

  get inputNames(): readonly string[] {
    return this.inner.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.inner.outputNames;
  }

  async run(feeds: Record<string, HostTensor>, outputs?: readonly string[]): Promise<Record<string, HostTensor>> {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor('float32', t.data, t.dims);
    const result = outputs ? await this.inner.run(ortFeeds, outputs as string[]) : await this.inner.run(ortFeeds);
    const out: Record<string, HostTensor> = {};
    for (const [name, t] of Object.entries(result)) {
      if (t.type !== 'float32') throw new Error(`runtime: output '${name}' is ${t.type}, expected float32`);
      out[name] = { data: t.data as Float32Array, dims: t.dims };
    }
    return out;
  }

  /** Ends profiling, returning the profile file's path. */
  endProfiling(): void {
    this.inner.endProfiling();
  }

  async release(): Promise<void> {
    await this.inner.release();
  }
}

export const runtimeVersion = (): string => ort.env.versions.common;
