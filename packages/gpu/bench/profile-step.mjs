// Lists what one training step dispatches on @tessera/gpu (op, pipeline variant, grid) and times
// each dispatch alone. Usage: node --expose-gc bench/profile-step.mjs [mlp|lenet]
// (TESSERA_GPU_FUSION=0: without elementwise fusion).
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lenet5, mlp } from '../../../bench/models.mjs';

if (!process.env.XDG_RUNTIME_DIR) {
  const dir = join(tmpdir(), 'xdg-runtime');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  process.env.XDG_RUNTIME_DIR = dir;
}
const which = process.argv[2] ?? 'mlp';
const T = await import('@tessera/tensor');
const { initWebGPU, webgpuBackend, gpuMemory } = await import('../dist/index.js');
await import('@tessera/autograd');
const nn = await import('@tessera/nn');
const optim = await import('@tessera/optim');
await initWebGPU({ fusion: process.env.TESSERA_GPU_FUSION !== '0' });
T.setBackend('webgpu');
const rt = webgpuBackend().runtime;

let model;
let x;
let y;
if (which === 'mlp') {
  T.manualSeed(1);
  model = mlp(nn, [784, 512, 512, 10]);
  x = T.randn([128, 784]);
  y = T.tensor(new Int32Array(128).map((_, i) => (i * 7) % 10));
} else {
  T.manualSeed(2);
  model = lenet5(nn);
  x = T.randn([64, 1, 28, 28]);
  y = T.tensor(new Int32Array(64).map((_, i) => (i * 7) % 10));
}
const opt =
  which === 'mlp'
    ? new optim.SGD(model.parameters(), { lr: 0.01 })
    : new optim.Adam(model.parameters(), { lr: 1e-3 });
const lossFn = new nn.CrossEntropyLoss();
const step = () => {
  opt.zeroGrad();
  const loss = lossFn.call(model.call(x), y);
  loss.backward();
  opt.step();
};
step();
await rt.sync();
step();
await rt.sync();

// Record the dispatches of one step.
const log = [];
const origRun = rt.run.bind(rt);
rt.run = (d) => {
  log.push(d);
  origRun(d);
};
const m0 = gpuMemory();
step();
await rt.sync();
const m1 = gpuMemory();
rt.run = origRun;
console.log(
  `${log.length} dispatches, buffers created ${m1.created - m0.created}, reused ${m1.reused - m0.reused}, live ${m1.liveBuffers}`,
);

// Time each dispatch alone (re-run it 3 times, median).
const rows = [];
for (const d of log) {
  const ms = [];
  for (let r = 0; r < 3; r++) {
    await rt.sync();
    const t0 = performance.now();
    origRun(d);
    await rt.sync();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  rows.push({
    op: d.op,
    key: d.key.slice(0, 60),
    grid: d.grid.join('x'),
    what: d.describe?.() ?? '',
    ms: ms[1],
  });
}
let total = 0;
for (const r of rows) {
  total += r.ms;
  console.log(
    `${r.ms.toFixed(1).padStart(8)} ms  ${r.op.padEnd(12)} ${r.grid.padEnd(10)} ${r.what.slice(0, 70)}  ${r.key}`,
  );
}
console.log(`sum ${total.toFixed(1)} ms`);
// Whole step.
const st = [];
for (let r = 0; r < 3; r++) {
  const t0 = performance.now();
  step();
  await rt.sync();
  st.push(performance.now() - t0);
}
console.log('step ms', st.map((v) => v.toFixed(0)).join(' '));
