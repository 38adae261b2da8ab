// Reverse-mode automatic differentiation over the graph's tape: each recorded op contributes the
// gradient nodes of its own backward rule; gradients of tensors used more than once are summed.
import type { Graph, Tensor } from './graph.js';

/**
 * Appends to `g` the nodes computing d`loss`/d`w` for every `w` in `wrt` and returns those tensors.
 * `loss` must be a scalar unless `seed` (its incoming gradient) is given.
 */
export function gradients(g: Graph, loss: Tensor, wrt: readonly Tensor[], seed?: Tensor): Tensor[] {
  // Only ops on a path from some `wrt` tensor to the loss need a backward pass.
  const live = new Set(wrt.map((t) => t.name));
  const tape = [...g.tape];
  for (const e of tape) {
    if (e.inputs.some((i) => live.has(i.name))) for (const o of e.outputs) live.add(o.name);
  }
  if (!live.has(loss.name)) throw new Error(`autodiff: '${loss.name}' does not depend on the requested tensors`);

  const grads = new Map<string, Tensor>([[loss.name, seed ?? g.scalar(1)]]);
  for (let k = tape.length - 1; k >= 0; k--) {
    const e = tape[k]!;
    const dOut = e.outputs.map((o) => grads.get(o.name));
    if (dOut.every((d) => d === undefined)) continue;
    const need = e.inputs.map((i) => live.has(i.name));
    if (!need.some(Boolean)) continue;
    const dIn = e.backward(g, dOut, need);
    e.inputs.forEach((input, j) => {
      const d = dIn[j];
      if (!need[j] || !d) return;
      const prev = grads.get(input.name);
      grads.set(input.name, prev ? g.op1('Add', [prev, d], {}, { name: `grad_${input.name}` }) : d);
    });
  }
  return wrt.map((w) => {
    const d = grads.get(w.name);
    if (!d) throw new Error(`autodiff: no gradient reaches '${w.name}'`);
    return d;
  });
}
