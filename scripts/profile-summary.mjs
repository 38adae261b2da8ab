#!/usr/bin/env node
// Sums the kernel time per node (and per op type) of an onnxruntime profile (enableProfiling JSON),
// to find the nodes worth optimising: node scripts/profile-summary.mjs PROFILE.json [TOP]
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node scripts/profile-summary.mjs PROFILE.json [TOP]');
  process.exit(1);
}
const events = JSON.parse(readFileSync(file, 'utf8'));
const byNode = new Map();
const byOp = new Map();
let total = 0;
for (const e of events) {
  if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
  const node = e.name.slice(0, -'_kernel_time'.length);
  const op = e.args?.op_name ?? '?';
  byNode.set(node, { op, us: (byNode.get(node)?.us ?? 0) + e.dur });
  byOp.set(op, (byOp.get(op) ?? 0) + e.dur);
  total += e.dur;
}
const top = Number(topArg ?? 25);
const pct = (us) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
console.log(`kernel time ${(total / 1e6).toFixed(2)} s over ${byNode.size} nodes`);
console.log('\nby op type:');
for (const [op, us] of [...byOp].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(us)}  ${op}`);
console.log('\nby node:');
for (const [node, { op, us }] of [...byNode].sort((a, b) => b[1].us - a[1].us).slice(0, top)) console.log(`  ${pct(us)}  ${op.padEnd(16)} ${node}`);
