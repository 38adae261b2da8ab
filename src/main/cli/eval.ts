// `hoedown eval`: a model on the 10,000 MNIST test digits: accuracy, per class, confusion, ECE and
// the risk-coverage table, with the temperature of the model's card when it has one.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { evalReport, readCard } from '../../ml/card.js';
import { loadMnist } from '../../ml/data/mnist.js';
import { DigitReader } from '../../ml/reader.js';
import { SHIPPED_MODEL, cardPathFor } from '../paths.js';
import { type Command, UsageError, parse } from './args.js';

const pct = (x: number, digits = 2): string => `${(x * 100).toFixed(digits)}%`;

export const evalCommand: Command = {
  name: 'eval',
  summary: 'Evaluates a digit model on the 10,000 MNIST test images.',
  usage: 'hoedown eval [--model PATH] [--json]',
  help: `options:
  --model PATH   an ONNX model with input 'pixels' and output 'logits' (default: the shipped
                 resources/models/digits.onnx); its card (x.card.json or model-card.json beside it)
                 supplies the calibration temperature
  --json         one JSON object: model, test_accuracy, per_class_accuracy, ece (calibrated),
                 ece_uncalibrated, temperature, confusion, risk_coverage`,
  async run(argv, io) {
    const { values: v } = parse(argv, { model: { type: 'string' }, json: { type: 'boolean' } });
    const model = resolve(typeof v.model === 'string' ? v.model : SHIPPED_MODEL);
    if (!existsSync(model)) {
      throw new UsageError(v.model ? `no model at ${model}` : `the shipped model ${model} is missing; train one (npm run train:release) or pass --model`);
    }
    const cardPath = cardPathFor(model).find((p) => existsSync(p));
    const temperature = cardPath ? readCard(cardPath).temperature ?? 1 : 1;
    const test = loadMnist('test');
    const reader = await DigitReader.open(model);
    const logits = await reader.readDigits(test);
    await reader.close();
    const raw = evalReport(logits, test.labels, 1);
    const cal = evalReport(logits, test.labels, temperature);
    if (v.json) {
      io.out(
        JSON.stringify({
          model,
          card: cardPath ?? null,
          test_accuracy: cal.test_accuracy,
          per_class_accuracy: cal.per_class_accuracy,
          ece: cal.ece,
          ece_uncalibrated: raw.ece,
          temperature,
          confusion: cal.confusion,
          risk_coverage: cal.risk_coverage.map((r) => ({ flagged: r.flagged, error_among_accepted: r.errorAmongAccepted, threshold: r.threshold })),
        }),
      );
      return 0;
    }
    io.out(`model ${model}`);
    io.out(`test accuracy ${pct(cal.test_accuracy)} on ${cal.count} digits`);
    io.out(`per class: ${cal.per_class_accuracy.map((a, k) => `${k} ${pct(a, 1)}`).join('  ')}`);
    io.out(`ECE ${cal.ece.toFixed(4)} at temperature ${temperature.toFixed(3)} (uncalibrated ${raw.ece.toFixed(4)})`);
    io.out('confusion (rows: true digit, columns: read as):');
    io.out(`      ${[...Array(10).keys()].map((k) => String(k).padStart(5)).join('')}`);
    cal.confusion.forEach((row, k) => io.out(`  ${k}   ${row.map((n) => String(n).padStart(5)).join('')}`));
    io.out('risk-coverage (least confident flagged first):');
    io.out('  flagged   error among accepted   threshold');
    for (const r of cal.risk_coverage) io.out(`  ${pct(r.flagged, 1).padStart(7)}   ${pct(r.errorAmongAccepted, 3).padStart(20)}   ${r.threshold.toFixed(4).padStart(9)}`);
    return 0;
  },
};
