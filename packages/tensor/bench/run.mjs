// Benchmark of @tessera/tensor's CPU backend against @tensorflow/tfjs-backend-cpu.
//
// Usage (from packages/tensor): npx tsc -b && node --expose-gc bench/run.mjs   (or: pnpm bench)
// Imports the BUILT package (dist/), so build first. Prints a markdown table and writes the raw
// numbers to bench-results/<timestamp>.json (gitignored). Run it on an otherwise idle machine:
// timings on a shared machine are noisy.
//
// Both libraries compute eagerly and synchronously on the CPU. Each timed run creates the result
// and releases it; the tfjs side also calls dataSync() on the result, as its API requires to be
// sure the values exist (on tfjs-backend-cpu it returns the backing array without copying). The
// tessera result is a finished tensor in JS memory, so no read-back is needed for equivalence.

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ts from '@tessera/tensor';

const WARMUP = 3;
const REPEATS = 15;

/** Median of a list of numbers. */
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs `fn` WARMUP + REPEATS times; returns the median wall time of the timed runs in ms. */
function time(fn) {
  for (let i = 0; i < WARMUP; i++) fn();
  const ms = [];
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  return { median: median(ms), min: Math.min(...ms), runs: ms };
}

async function loadTfjs() {
  // tfjs-core greets Node users on the console; keep the table readable.
  const log = console.log;
  const warn = console.warn;
  console.log = () => {};
  console.warn = () => {};
  try {
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-cpu');
    await tf.setBackend('cpu');
    await tf.ready();
    tf.tensor([0]).dispose(); // the greeting is printed on the first tensor
    return tf;
  } finally {
    console.log = log;
    console.warn = warn;
  }
}

const tf = await loadTfjs();
ts.manualSeed(0);
// Every row measures the portable pure-TypeScript kernels: the WebAssembly kernels (the default
// for float32 matmul and convolution) have their own rows in the repository-root `pnpm bench`.
ts.setCpuKernels('ts');

/** The benchmark rows: setup builds inputs in both libraries, run does one op. */
const cases = [
  {
    op: 'add, contiguous, 2 x 1e7 float32',
    work: 1e7,
    unit: 'elem',
    tessera: () => {
      const a = ts.rand([1e7]);
      const b = ts.rand([1e7]);
      return () => a.add(b).dispose();
    },
    tfjs: () => {
      const a = tf.randomUniform([1e7]);
      const b = tf.randomUniform([1e7]);
      return () => {
        const c = tf.add(a, b);
        c.dataSync();
        c.dispose();
      };
    },
  },
  {
    op: 'add, broadcast [4096,1] + [1,4096]',
    work: 4096 * 4096,
    unit: 'elem',
    tessera: () => {
      const a = ts.rand([4096, 1]);
      const b = ts.rand([1, 4096]);
      return () => a.add(b).dispose();
    },
    tfjs: () => {
      const a = tf.randomUniform([4096, 1]);
      const b = tf.randomUniform([1, 4096]);
      return () => {
        const c = tf.add(a, b);
        c.dataSync();
        c.dispose();
      };
    },
  },
  {
    op: 'sum of 1e7 float32',
    work: 1e7,
    unit: 'elem',
    tessera: () => {
      const a = ts.rand([1e7]);
      return () => a.sum().dispose();
    },
    tfjs: () => {
      const a = tf.randomUniform([1e7]);
      return () => {
        const c = tf.sum(a);
        c.dataSync();
        c.dispose();
      };
    },
  },
  {
    op: 'matmul 512x512 @ 512x512 float32',
    work: 2 * 512 * 512 * 512,
    unit: 'flop',
    tessera: () => {
      const a = ts.rand([512, 512]);
      const b = ts.rand([512, 512]);
      return () => a.matmul(b).dispose();
    },
    tfjs: () => {
      const a = tf.randomUniform([512, 512]);
      const b = tf.randomUniform([512, 512]);
      return () => {
        const c = tf.matMul(a, b);
        c.dataSync();
        c.dispose();
      };
    },
  },
];

/**
 * Times one side of a case. Collects garbage first when node runs with --expose-gc (as `pnpm
 * bench` does), so one row's discarded 40 MB inputs are not collected during the next row's timing.
 */
function measure(setup) {
  globalThis.gc?.();
  const run = setup();
  run();
  return time(run);
}

function fmtMs(r) {
  return `${r.median.toFixed(2)} ms`;
}

function fmtThroughput(work, unit, r) {
  const perSec = work / (r.median / 1000);
  return unit === 'flop' ? `${(perSec / 1e9).toFixed(2)} GFLOP/s` : `${(perSec / 1e6).toFixed(0)} M elem/s`;
}

const results = [];
for (const c of cases) {
  const tessera = measure(c.tessera);
  const tfjs = measure(c.tfjs);
  results.push({ op: c.op, work: c.work, unit: c.unit, tessera, tfjs });
}

const lines = [
  '| op | tessera median | tfjs-cpu median | tessera throughput | ratio (tfjs time / tessera time) |',
  '| --- | --- | --- | --- | --- |',
];
for (const r of results) {
  const ratio = `${(r.tfjs.median / r.tessera.median).toFixed(2)}x`;
  lines.push(
    `| ${r.op} | ${fmtMs(r.tessera)} | ${fmtMs(r.tfjs)} | ${fmtThroughput(r.work, r.unit, r.tessera)} | ${ratio} |`,
  );
}
const env = {
  node: process.version,
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? 'unknown',
  tfjs: tf.version_core,
  warmup: WARMUP,
  repeats: REPEATS,
  kernels: ts.getCpuKernels(),
};
console.log(`tessera vs tfjs-backend-cpu ${env.tfjs} — node ${env.node}, ${env.cpus} CPUs (${env.cpuModel})`);
console.log(`median of ${REPEATS} runs after ${WARMUP} warm-up runs; CPU kernels: ${env.kernels}\n`);
console.log(lines.join('\n'));

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'bench-results');
mkdirSync(outDir, { recursive: true });
const file = join(outDir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), env, results }, null, 2)}\n`);
console.log(`\nwrote ${file}`);
