// Benchmarks of @tessera/gpu side by side with @tensorflow/tfjs-backend-webgpu, on the same
// WebGPU adapter (Dawn from the `webgpu` package). Runs the built dist/ (the `bench` script
// builds first). Usage:
//   node --expose-gc --experimental-detect-module bench/run.mjs [--repeats N] [--warmup N] [--only name,name] [--out dir]
// Each case runs `warmup` untimed iterations (pipeline compilation) and then `repeats` timed
// ones; an iteration ends when the GPU queue is idle (onSubmittedWorkDone on both libraries, no
// readback). The training-step rows also count the kernel dispatches of one step on each library
// (TESSERA_GPU_FUSION=0 runs @tessera/gpu without elementwise fusion, for comparison). Results: a
// markdown table on stdout, JSON + markdown in bench-results/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { register } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lenet5, mlp } from '../../../bench/models.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const repeats = Number(opt('repeats', 5));
const warmup = Number(opt('warmup', 2));
const only = opt('only', '')
  .split(',')
  .filter((s) => s);
const outDir = opt('out', join(here, '..', 'bench-results'));
const loadStart = loadavg()[0];

if (!process.env.XDG_RUNTIME_DIR) {
  const dir = join(tmpdir(), 'xdg-runtime');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  process.env.XDG_RUNTIME_DIR = dir;
}

const { create, globals } = await import('webgpu');
Object.assign(globalThis, globals);
const gpu = create([]);
// tfjs looks for navigator.gpu.
Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });

const T = await import('@tessera/tensor');
const { initWebGPU, syncWebGPU, gpuMemory, webgpuBackend } = await import('../dist/index.js');
await import('@tessera/autograd');
const nn = await import('@tessera/nn');
const optim = await import('@tessera/optim');
const tf = await import('@tensorflow/tfjs-core');
await import('@tensorflow/tfjs-backend-webgpu');
// tfjs-core's Node bundle registers no gradients; @tensorflow/tfjs does, from these ES modules.
// They need --experimental-detect-module and an extension-adding resolve hook to load in Node;
// tfjs keeps its engine and registries on globalThis, so they register into the bundle's engine.
register('./tfjs-esm-hooks.mjs', import.meta.url);
await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');

// TESSERA_GPU_SUBGROUP_MATMUL=1 / =0 forces the subgroup GEMM on / off (default: the backend's).
const sgEnv = process.env.TESSERA_GPU_SUBGROUP_MATMUL;
// TESSERA_GPU_FUSION=0 turns elementwise fusion off (to compare with the unfused backend).
const fusion = process.env.TESSERA_GPU_FUSION !== '0';
const info = await initWebGPU({
  gpu,
  fusion,
  ...(sgEnv === undefined ? {} : { subgroupMatmul: sgEnv === '1' }),
});
T.setBackend('webgpu');
await tf.setBackend('webgpu');
await tf.ready();
const tfb = tf.backend();

/** Waits until tfjs's queued GPU work is done (no readback). */
async function tfSync() {
  if (tfb.commandEncoder) {
    tfb.endComputePassEncoder();
    tfb.submitQueue();
  }
  await tfb.device.queue.onSubmittedWorkDone();
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Kernel dispatches of one call of `fn` (after the timed runs), counted by wrapping `obj[method]`. */
async function countDispatches(fn, sync, obj, method) {
  const orig = obj[method];
  let n = 0;
  obj[method] = function (...a) {
    n++;
    return orig.apply(this, a);
  };
  try {
    await fn();
    await sync();
  } finally {
    obj[method] = orig;
  }
  return n;
}

async function time(fn, sync) {
  for (let i = 0; i < warmup; i++) {
    await fn();
    await sync();
  }
  const ms = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await fn();
    await sync();
    ms.push(performance.now() - t0);
  }
  globalThis.gc?.();
  return { median: median(ms), samples: ms };
}

const randn = (shape) => T.randn(shape);
const tfRandn = (shape) => tf.randomNormal(shape);

// ---- cases -----------------------------------------------------------------------------------
const cases = [];

for (const n of [256, 1024, 2048]) {
  cases.push({
    name: `matmul ${n}x${n}`,
    flops: 2 * n ** 3,
    tessera: () => {
      const a = randn([n, n]);
      const b = randn([n, n]);
      return () => T.matmul(a, b).dispose();
    },
    tfjs: () => {
      const a = tfRandn([n, n]);
      const b = tfRandn([n, n]);
      return () => tf.matMul(a, b).dispose();
    },
  });
}

const convs = [
  // LeNet-5's second convolution: [64, 6, 14, 14] * [16, 6, 5, 5].
  { name: 'conv2d LeNet (64x6x14x14, 16x6x5x5)', n: 64, c: 6, h: 14, o: 16, k: 5, pad: 0 },
  // A VGG block's convolution at 56x56 (batch 4): [4, 64, 56, 56] * [128, 64, 3, 3], pad 1.
  { name: 'conv2d VGG (4x64x56x56, 128x64x3x3)', n: 4, c: 64, h: 56, o: 128, k: 3, pad: 1 },
];
for (const v of convs) {
  const oh = v.h + 2 * v.pad - v.k + 1;
  cases.push({
    name: v.name,
    flops: 2 * v.n * v.o * oh * oh * v.c * v.k * v.k,
    tessera: () => {
      const x = randn([v.n, v.c, v.h, v.h]);
      const w = randn([v.o, v.c, v.k, v.k]);
      return () => T.conv2d(x, w, null, { padding: v.pad }).dispose();
    },
    tfjs: () => {
      // tfjs's native layout: NHWC input, [kh, kw, in, out] filter.
      const x = tfRandn([v.n, v.h, v.h, v.c]);
      const w = tfRandn([v.k, v.k, v.c, v.o]);
      return () => tf.conv2d(x, w, 1, v.pad === 0 ? 'valid' : 'same').dispose();
    },
  });
}

/** One-hot labels and random inputs for a classification step. */
function labels(batch, classes) {
  const y = new Int32Array(batch).map((_, i) => (i * 7) % classes);
  return y;
}

cases.push({
  name: 'MLP step 784-512-512-10, batch 128, SGD',
  countDispatches: true,
  tessera: () => {
    T.manualSeed(1);
    const model = mlp(nn, [784, 512, 512, 10]);
    const opt = new optim.SGD(model.parameters(), { lr: 0.01 });
    const lossFn = new nn.CrossEntropyLoss();
    const x = randn([128, 784]);
    const y = T.tensor(labels(128, 10));
    return () => {
      opt.zeroGrad();
      const loss = lossFn.call(model.call(x), y);
      loss.backward();
      opt.step();
    };
  },
  tfjs: () => {
    const dense = (i, o) => [
      tf.variable(tf.randomNormal([i, o], 0, Math.sqrt(2 / i))),
      tf.variable(tf.zeros([o])),
    ];
    const [w1, b1] = dense(784, 512);
    const [w2, b2] = dense(512, 512);
    const [w3, b3] = dense(512, 10);
    const opt = tf.train.sgd(0.01);
    const x = tfRandn([128, 784]);
    const y = tf.oneHot(tf.tensor1d(labels(128, 10), 'int32'), 10);
    return () => {
      const cost = opt.minimize(() => {
        const h1 = tf.relu(tf.add(tf.matMul(x, w1), b1));
        const h2 = tf.relu(tf.add(tf.matMul(h1, w2), b2));
        return tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(h2, w3), b3));
      }, true);
      cost.dispose();
    };
  },
});

cases.push({
  name: 'LeNet-5 step, batch 64, Adam',
  countDispatches: true,
  tessera: () => {
    T.manualSeed(2);
    const model = lenet5(nn);
    const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
    const lossFn = new nn.CrossEntropyLoss();
    const x = randn([64, 1, 28, 28]);
    const y = T.tensor(labels(64, 10));
    return () => {
      opt.zeroGrad();
      const loss = lossFn.call(model.call(x), y);
      loss.backward();
      opt.step();
    };
  },
  tfjs: () => {
    const v = (shape, fan) => tf.variable(tf.randomNormal(shape, 0, Math.sqrt(2 / fan)));
    const c1 = v([5, 5, 1, 6], 25);
    const c1b = tf.variable(tf.zeros([6]));
    const c2 = v([5, 5, 6, 16], 150);
    const c2b = tf.variable(tf.zeros([16]));
    const f1 = v([400, 120], 400);
    const f1b = tf.variable(tf.zeros([120]));
    const f2 = v([120, 84], 120);
    const f2b = tf.variable(tf.zeros([84]));
    const f3 = v([84, 10], 84);
    const f3b = tf.variable(tf.zeros([10]));
    const opt = tf.train.adam(1e-3);
    const x = tfRandn([64, 28, 28, 1]);
    const y = tf.oneHot(tf.tensor1d(labels(64, 10), 'int32'), 10);
    return () => {
      const cost = opt.minimize(() => {
        let h = tf.relu(tf.add(tf.conv2d(x, c1, 1, 'same'), c1b));
        h = tf.maxPool(h, 2, 2, 'valid');
        h = tf.relu(tf.add(tf.conv2d(h, c2, 1, 'valid'), c2b));
        h = tf.maxPool(h, 2, 2, 'valid');
        h = tf.reshape(h, [64, 400]);
        h = tf.relu(tf.add(tf.matMul(h, f1), f1b));
        h = tf.relu(tf.add(tf.matMul(h, f2), f2b));
        return tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(h, f3), f3b));
      }, true);
      cost.dispose();
    };
  },
});

// ---- run -------------------------------------------------------------------------------------
const results = [];
for (const c of cases) {
  if (only.length > 0 && !only.some((o) => c.name.toLowerCase().includes(o.toLowerCase()))) continue;
  process.stderr.write(`${c.name} ...`);
  const oursFn = c.tessera();
  const theirsFn = c.tfjs();
  const ours = await time(oursFn, syncWebGPU);
  const theirs = await time(theirsFn, tfSync);
  const dispatches = c.countDispatches
    ? {
        tessera: await countDispatches(oursFn, syncWebGPU, webgpuBackend().runtime, 'run'),
        tfjs: await countDispatches(theirsFn, tfSync, tfb, 'recordAndSubmit'),
      }
    : undefined;
  const row = {
    name: c.name,
    tesseraMs: ours.median,
    tfjsMs: theirs.median,
    ratio: theirs.median / ours.median,
    tesseraGflops: c.flops ? c.flops / ours.median / 1e6 : undefined,
    tfjsGflops: c.flops ? c.flops / theirs.median / 1e6 : undefined,
    samples: { tessera: ours.samples, tfjs: theirs.samples },
    dispatches,
  };
  results.push(row);
  const per = dispatches ? ` (${dispatches.tessera} vs ${dispatches.tfjs} dispatches)` : '';
  process.stderr.write(` ${ours.median.toFixed(1)} ms vs ${theirs.median.toFixed(1)} ms${per}\n`);
}

const adapter = `${info.description || info.vendor} (${info.architecture || 'unknown arch'})`;
const k = info.kernels;
const kernels = `Kernels: elementwise fusion ${fusion ? 'on' : 'off'}, subgroup GEMM ${k.subgroupMatmul ? `on (subgroup size ${k.subgroupMatmul})` : 'off'}, subgroup reductions ${k.subgroupReduce ? 'on' : 'off'}. Load average (1 min) at start / end: ${loadStart.toFixed(2)} / ${loadavg()[0].toFixed(2)}.`;
const fmt = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const lines = [
  `Adapter: ${adapter}. Medians of ${repeats} runs after ${warmup} warm-up runs; ratio = tfjs / tessera (> 1: tessera faster).`,
  kernels,
  '',
  '| benchmark | @tessera/gpu (ms) | tfjs-backend-webgpu (ms) | ratio | tessera GFLOP/s | tfjs GFLOP/s | dispatches per step (tessera / tfjs) |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...results.map(
    (r) =>
      `| ${r.name} | ${fmt(r.tesseraMs)} | ${fmt(r.tfjsMs)} | ${r.ratio.toFixed(2)} | ${r.tesseraGflops ? fmt(r.tesseraGflops) : ''} | ${r.tfjsGflops ? fmt(r.tfjsGflops) : ''} | ${r.dispatches ? `${r.dispatches.tessera} / ${r.dispatches.tfjs}` : ''} |`,
  ),
];
const table = lines.join('\n');
console.log(table);
mkdirSync(outDir, { recursive: true });
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const record = {
  date: new Date().toISOString(),
  adapter: info,
  node: process.version,
  repeats,
  warmup,
  results,
  memory: gpuMemory(),
};
writeFileSync(join(outDir, `bench-${stamp}.json`), `${JSON.stringify(record, null, 2)}\n`);
writeFileSync(join(outDir, `bench-${stamp}.md`), `${table}\n`);
writeFileSync(join(outDir, 'latest.json'), `${JSON.stringify(record, null, 2)}\n`);
writeFileSync(join(outDir, 'latest.md'), `${table}\n`);
process.exit(0);
