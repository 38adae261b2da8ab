// The graph builder: symbolic tensors with shapes, ONNX nodes appended by ops, and a tape of
// differentiable ops that autodiff.ts walks backwards. Everything numeric happens later, in onnxruntime.
import {
  type AttrValue,
  DataType,
  type Dim,
  type NodeSpec,
  type TensorSpec,
  type ValueInfoSpec,
  encodeModel,
  floatTensor,
  int64Tensor,
} from './onnx/proto.js';

export { DataType, type Dim };

export interface Tensor {
  readonly name: string;
  readonly shape: readonly Dim[];
  readonly dtype: DataType;
}

/** One differentiable op as recorded for reverse mode: how to turn output grads into input grads. */
export interface TapeEntry {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  readonly outputs: readonly Tensor[];
  /** Emits the gradient nodes; `need[k]` says whether input k's gradient is wanted. */
  backward(g: Graph, dOut: readonly (Tensor | undefined)[], need: readonly boolean[]): (Tensor | undefined)[];
}

/** Attribute constructors, so that an int and a float attribute cannot be confused. */
export const attr = {
  i: (value: number): AttrValue => ({ kind: 'int', value }),
  f: (value: number): AttrValue => ({ kind: 'float', value }),
  s: (value: string): AttrValue => ({ kind: 'string', value }),
  ints: (value: number[]): AttrValue => ({ kind: 'ints', value }),
  floats: (value: number[]): AttrValue => ({ kind: 'floats', value }),
};

export interface OpOptions {
  /** Shapes of the outputs, as far as they are known; one entry per output. */
  shapes?: Dim[][];
  dtypes?: DataType[];
  /** Base for the generated output names. */
  name?: string;
}

export const OPSET = 20;
export const IR_VERSION = 9;

export class Graph {
  readonly nodes: NodeSpec[] = [];
  readonly inputs: ValueInfoSpec[] = [];
  readonly outputs: ValueInfoSpec[] = [];
  readonly initializers: TensorSpec[] = [];
  readonly tape: TapeEntry[] = [];
  private readonly names = new Set<string>();
  private readonly constants = new Map<string, Tensor>();
  /** Tensors whose producing node output was renamed by output(); later ops read the new name. */
  private readonly renamed = new Map<string, string>();

  /**
   * @param grad whether ops record backward rules (and keep what those need, such as MaxPool's
   *   indices); eval and inference graphs are built without.
   */
  constructor(
    readonly name = 'hoedown',
    readonly grad = true,
  ) {}

  /** A name not used yet in this graph, derived from `base`. */
  unique(base: string): string {
    let name = base;
    for (let k = 1; this.names.has(name); k++) name = `${base}_${k}`;
    this.names.add(name);
    return name;
  }

  private claim(name: string): string {
    if (this.names.has(name)) throw new Error(`graph: the name '${name}' is taken`);
    this.names.add(name);
    return name;
  }

  input(name: string, shape: Dim[], dtype: DataType = DataType.FLOAT): Tensor {
    const t = { name: this.claim(name), shape, dtype };
    this.inputs.push({ name, shape, dataType: dtype });
    return t;
  }

  initializer(name: string, dims: number[], data: Float32Array): Tensor {
    return this.addFloat(this.claim(name), dims, data);
  }

  private addFloat(name: string, dims: number[], data: Float32Array): Tensor {
    this.initializers.push(floatTensor(name, dims, data));
    return { name, shape: dims, dtype: DataType.FLOAT };
  }

  /** A float constant of any shape (a scalar by default), shared between uses. */
  scalar(value: number): Tensor {
    const key = `f:${value}`;
    let t = this.constants.get(key);
    if (!t) {
      t = this.addFloat(this.unique('const_f'), [], Float32Array.of(value));
      this.constants.set(key, t);
    }
    return t;
  }

  /** A 1-D int64 constant (shapes, axes, pads), shared between uses. */
  ints(values: number[]): Tensor {
    const key = `i:${values.join(',')}`;
    let t = this.constants.get(key);
    if (!t) {
      const name = this.unique('const_i');
      this.initializers.push(int64Tensor(name, [values.length], values));
      t = { name, shape: [values.length], dtype: DataType.INT64 };
      this.constants.set(key, t);
    }
    return t;
  }

  /** Appends one ONNX node; an empty-string input stands for an omitted optional input. */
  op(opType: string, inputs: (Tensor | '')[], attributes: Record<string, AttrValue> = {}, o: OpOptions = {}): Tensor[] {
    const shapes = o.shapes ?? [[]];
    const base = o.name ?? opType.toLowerCase();
    const outputs = shapes.map((shape, k) => ({
      name: this.unique(base),
      shape,
      dtype: o.dtypes?.[k] ?? (inputs[0] ? inputs[0].dtype : DataType.FLOAT),
    }));
    this.nodes.push({
      opType,
      inputs: inputs.map((t) => (t === '' ? '' : (this.renamed.get(t.name) ?? t.name))),
      outputs: outputs.map((t) => t.name),
      name: this.unique(`n_${base}`),
      attributes,
    });
    return outputs;
  }

  /** `op` for the common single-output case; the shape defaults to the first input's. */
  op1(opType: string, inputs: (Tensor | '')[], attributes: Record<string, AttrValue> = {}, o: OpOptions = {}): Tensor {
    const first = inputs.find((t): t is Tensor => t !== '');
    const shapes = o.shapes ?? [first ? [...first.shape] : []];
    return this.op(opType, inputs, attributes, { ...o, shapes })[0]!;
  }

  record(entry: TapeEntry): void {
    if (this.grad) this.tape.push(entry);
  }

  /**
   * Makes `t` a graph output called `name`. A node's own output is renamed in place (an Identity
   * would cost a copy per step); inputs, initializers and tensors already output get an Identity.
   */
  output(t: Tensor, name: string = t.name): Tensor {
    const current = this.renamed.get(t.name) ?? t.name;
    const producer = this.nodes.find((n) => n.outputs.includes(current));
    const isOutput = this.outputs.some((o) => o.name === current);
    if (name !== current) {
      this.claim(name);
      if (producer && !isOutput) {
        producer.outputs = producer.outputs.map((o) => (o === current ? name : o));
        for (const n of this.nodes) n.inputs = n.inputs.map((i) => (i === current ? name : i));
        this.renamed.set(t.name, name);
      } else {
        this.nodes.push({ opType: 'Identity', inputs: [current], outputs: [name], name: this.unique('n_out'), attributes: {} });
      }
    }
    this.outputs.push({ name, shape: [...t.shape], dataType: t.dtype });
    return { name, shape: t.shape, dtype: t.dtype };
  }

  toBytes(metadata?: Record<string, string>, docString?: string): Uint8Array {
    return encodeModel({
      graph: {
        name: this.name,
        nodes: this.nodes,
        inputs: this.inputs,
        outputs: this.outputs,
        initializers: this.initializers,
      },
      opset: OPSET,
      irVersion: IR_VERSION,
      producer: 'hoedown-scores',
      metadata,
      docString,
    });
  }
}
