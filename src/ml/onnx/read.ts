// A minimal protobuf reader for what fine-tuning needs of an exported model: the float initializers
// (the trained weights) and the metadata (the arch). The shipped model exists only as .onnx (its
// checkpoints stay in the release run), so starting a fine-tune from it means reading the weights
// back out of the file. Field numbers follow onnx/onnx.proto, as in proto.ts (the writer).
import { DataType } from './proto.js';

export interface ReadTensor {
  name: string;
  dims: number[];
  dataType: number;
  /** Float data (FLOAT tensors only; others are listed without data). */
  data: Float32Array | null;
}

export interface ReadModel {
  initializers: Map<string, ReadTensor>;
  metadata: Record<string, string>;
}

class Reader {
  pos = 0;
  constructor(private readonly buf: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  varint(): number {
    // Values here (dims, tags, lengths, enums) fit in 53 bits; wider ones only in skipped fields.
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) throw new Error('onnx: truncated varint');
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
    throw new Error('onnx: varint longer than 10 bytes');
  }

  bytes(): Uint8Array {
    const n = this.varint();
    if (this.pos + n > this.buf.length) throw new Error('onnx: field runs past the end of the message');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw new Error(`onnx: unsupported wire type ${wire}`);
  }

  /** Calls `on(field, wire)` per field; `on` must consume the value or return false to skip it. */
  fields(on: (field: number, wire: number) => boolean): void {
    while (!this.done) {
      const tag = this.varint();
      const field = Math.floor(tag / 8);
      const wire = tag & 7;
      if (!on(field, wire)) this.skip(wire);
    }
  }
}

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

function readTensor(buf: Uint8Array): ReadTensor {
  const r = new Reader(buf);
  const t: ReadTensor = { name: '', dims: [], dataType: 0, data: null };
  let raw: Uint8Array | null = null;
  const floats: number[] = [];
  r.fields((field, wire) => {
    if (field === 1 && wire === 0) t.dims.push(r.varint());
    else if (field === 1 && wire === 2) {
      // Packed dims (what protobuf writers other than ours emit).
      const p = new Reader(r.bytes());
      while (!p.done) t.dims.push(p.varint());
    } else if (field === 2 && wire === 0) t.dataType = r.varint();
    else if (field === 8 && wire === 2) t.name = text(r.bytes());
    else if (field === 9 && wire === 2) raw = r.bytes();
    else if (field === 4 && wire === 2) {
      const b = r.bytes();
      const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
      for (let i = 0; i + 4 <= b.length; i += 4) floats.push(v.getFloat32(i, true));
    } else if (field === 4 && wire === 5) {
      floats.push(new DataView(buf.buffer, buf.byteOffset + r.pos, 4).getFloat32(0, true));
      r.pos += 4;
    } else return false;
    return true;
  });
  if (t.dataType === DataType.FLOAT) {
    const size = t.dims.reduce((a, b) => a * b, 1);
    const src = raw as Uint8Array | null;
    if (src) {
      if (src.length !== size * 4) throw new Error(`onnx: initializer '${t.name}' has ${src.length} bytes for ${size} floats`);
      // Copy: the bytes may be unaligned inside the file buffer, and the caller owns the result.
      const data = new Float32Array(size);
      new Uint8Array(data.buffer).set(src);
      if (new Uint8Array(Uint16Array.of(1).buffer)[0] !== 1) throw new Error('onnx: big-endian machines are not supported');
      t.data = data;
    } else {
      if (floats.length !== size) throw new Error(`onnx: initializer '${t.name}' has ${floats.length} floats for ${size}`);
      t.data = Float32Array.from(floats);
    }
  }
  return t;
}

/** The initializers and metadata of an .onnx file's bytes. */
export function readModel(bytes: Uint8Array): ReadModel {
  const model: ReadModel = { initializers: new Map(), metadata: {} };
  const r = new Reader(bytes);
  let sawGraph = false;
  r.fields((field, wire) => {
    if (field === 7 && wire === 2) {
      sawGraph = true;
      const g = new Reader(r.bytes());
      g.fields((gf, gw) => {
        if (gf !== 5 || gw !== 2) return false;
        const t = readTensor(g.bytes());
        model.initializers.set(t.name, t);
        return true;
      });
    } else if (field === 14 && wire === 2) {
      const e = new Reader(r.bytes());
      let key = '';
      let value = '';
      e.fields((ef, ew) => {
        if (ew !== 2 || (ef !== 1 && ef !== 2)) return false;
        if (ef === 1) key = text(e.bytes());
        else value = text(e.bytes());
        return true;
      });
      model.metadata[key] = value;
    } else return false;
    return true;
  });
  if (!sawGraph) throw new Error('onnx: no graph in the model (not an ONNX file?)');
  return model;
}
