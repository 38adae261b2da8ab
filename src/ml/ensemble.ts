// Several trained two-way detectors of one arch exported as one model: each member's forward part, and
// as the output the member most sure the sample is junk. Used for the junk detector, whose members are
// trained on different draws of junk and miss different things (one a strike through an 8, the other two
// digits touching); the combined file reads exactly like a single detector (input `pixels`, output
// `logits` [N, 10], junkProbability on outputs 0 and 1), so nothing that reads it changes.
import { Graph, attr } from './graph.js';
import { MNIST_MEAN, MNIST_STD } from './data/mnist.js';
import { type Arch, type StateDict, forward } from './nets.js';
import { normalise } from './ops.js';
import { LOGITS, paramInitializers, pixelsInput } from './step.js';

/**
 * The inference model whose output 1 minus output 0 is the largest of the members' (so its junk
 * probability, a sigmoid of that difference, is the largest of theirs) and whose other outputs are 0.
 */
export function buildMaxEnsemble(arch: Arch, members: StateDict[], metadata: Record<string, string> = {}): Uint8Array {
  if (members.length < 1) throw new Error('ensemble: no members');
  const g = new Graph(`${arch.name}-ensemble`, false);
  const x = normalise(g, pixelsInput(g), MNIST_MEAN, MNIST_STD);
  const margins = members.map((weights, k) => {
    const params = paramInitializers(g, arch, weights, `m${k}.`);
    const logits = forward(g, arch, x, params);
    const col = (i: number) => g.op1('Slice', [logits, g.ints([i]), g.ints([i + 1]), g.ints([1])], {}, { shapes: [['N', 1]] });
    return g.op1('Sub', [col(1), col(0)], {}, { shapes: [['N', 1]] });
  });
  const top = margins.length === 1 ? margins[0]! : g.op1('Max', margins, {}, { shapes: [['N', 1]] });
  const zero = g.op1('Sub', [top, top], {}, { shapes: [['N', 1]] });
  const out = g.op1('Concat', [zero, top, ...Array.from({ length: 8 }, () => zero)], { axis: attr.i(1) }, { shapes: [['N', 10]] });
  g.output(out, LOGITS);
  return g.toBytes({ arch: arch.name, members: String(members.length), ...metadata }, `Hoedown Scores junk detector (${members.length} × ${arch.description}, the surest member)`);
}
