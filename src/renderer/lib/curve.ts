/** Reading the model's risk-coverage table at any threshold. */
import type { ModelDetail } from '../../shared/contract.js';

export type Curve = ModelDetail['riskCoverage'];

/** Coverage and error at `threshold`, interpolated between the listed thresholds around it. */
export function pointAt(curve: Curve, threshold: number): { coverage: number; error: number } | null {
  if (curve.length === 0) return null;
  const sorted = [...curve].sort((a, b) => a.threshold - b.threshold);
  if (threshold <= sorted[0]!.threshold) return { coverage: sorted[0]!.coverage, error: sorted[0]!.error };
  const last = sorted.at(-1)!;
  if (threshold >= last.threshold) return { coverage: last.coverage, error: last.error };
  const i = sorted.findIndex((p) => p.threshold >= threshold);
  const hi = sorted[i]!;
  const lo = sorted[i - 1]!;
  const t = (threshold - lo.threshold) / (hi.threshold - lo.threshold || 1);
  return { coverage: lo.coverage + t * (hi.coverage - lo.coverage), error: lo.error + t * (hi.error - lo.error) };
}
