// Runs one (row, framework) pair of the cross-framework benchmark in this process and prints one
// JSON line: the median and minimum milliseconds per step, or why the pair cannot run.
//
//   node bench/row.mjs --row matmul-1024 --fw tessera [--quick]

import { ROWS, Unsupported } from './rows.mjs';

const arg = (name) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
};
const quick = process.argv.includes('--quick');
const row = ROWS.find((r) => r.id === arg('row'));
const fw = arg('fw');
if (row === undefined || fw === undefined) {
  console.error(
    `usage: node bench/row.mjs --row <${ROWS.map((r) => r.id).join('|')}> --fw <framework> [--quick]`,
  );
  process.exit(2);
}

/** Measurement: WARMUP steps, then samples until both MIN samples and BUDGET_MS, at most MAX. */
const WARMUP = quick ? 2 : 3;
const MIN = quick ? 3 : 7;
const MAX = 200;
const BUDGET_MS = quick ? 600 : 3000;

async function adapter() {
  if (fw === 'tessera' || fw === 'tessera-1t') {
    const m = await import('./tessera.mjs');
    return m.prepare(row, fw === 'tessera-1t' ? 1 : 0);
  }
  if (fw === 'tfjs-cpu' || fw === 'tfjs-wasm') {
    const m = await import('./tfjs.mjs');
    return m.prepare(row, fw.slice(5));
  }
  if (fw === 'ort') {
    const m = await import('./ort.mjs');
    return m.prepare(row);
  }
  throw new Error(`unknown framework ${fw}`);
}

function emit(result) {
  process.stdout.write(`\n${JSON.stringify({ row: row.id, fw, ...result })}\n`);
}

try {
  const bench = await adapter();
  const t0 = performance.now();
  await bench.step();
  // Steps slower than a second (tfjs-cpu on the big rows) get one warm-up step and 3 samples.
  const slow = performance.now() - t0 > 1000;
  for (let i = 1; i < (slow ? 1 : WARMUP); i++) await bench.step();
  bench.stats?.();
  const times = [];
  const start = performance.now();
  const min = slow ? 3 : MIN;
  while (times.length < MAX && (times.length < min || performance.now() - start < BUDGET_MS)) {
    const t0 = performance.now();
    await bench.step();
    times.push(performance.now() - t0);
  }
  const total = times.reduce((p, t) => p + t, 0);
  const sorted = [...times].sort((a, b) => a - b);
  const result = {
    ok: true,
    median: sorted[sorted.length >> 1],
    min: sorted[0],
    samples: times.length,
    info: bench.info,
  };
  const s = bench.stats?.();
  if (s !== undefined && s.calls > 0) {
    result.kernelShare = s.ms / total;
    result.copyShare = s.copyMs / s.ms;
  }
  const loss = bench.check?.();
  if (loss !== undefined) {
    if (!Number.isFinite(loss)) throw new Error(`training loss is ${loss}`);
    result.loss = loss;
  }
  emit(result);
} catch (e) {
  if (e instanceof Unsupported) emit({ ok: false, unsupported: true, reason: e.message });
  else emit({ ok: false, reason: `error: ${String(e?.message ?? e).split('\n')[0]}` });
}
// Worker threads and native thread pools must not keep the process alive.
process.exit(0);
