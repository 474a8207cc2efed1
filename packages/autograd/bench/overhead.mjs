// Autograd overhead on a long chain of small elementwise ops (run `pnpm bench` after a build).
//
// A 16-element float32 tensor goes through 10,000 elementwise ops (add, mul, tanh, sub in turn).
// Measured: the chain with grad enabled (recording), the same chain under noGrad, and the
// backward pass of the recorded chain. Targets: recording <= 2x the noGrad forward, backward
// <= 3x the recorded forward. Prints a markdown table; medians of several runs after warm-up.
import { noGrad } from '@tessera/autograd';
import { randn } from '@tessera/tensor';

const OPS = 10_000;
const RUNS = 7;
const N = 16;

const a = randn([N]);
const b = randn([N]).mul(0.5);

function chain(x) {
  let y = x;
  for (let i = 0; i < OPS; i += 4) {
    y = y.add(a);
    y = y.mul(b);
    y = y.tanh();
    y = y.sub(a);
  }
  return y.sum();
}

function time(fn) {
  const t0 = performance.now();
  const r = fn();
  return [performance.now() - t0, r];
}

function median(xs) {
  const s = [...xs].sort((p, q) => p - q);
  return s[s.length >> 1];
}

const gc = globalThis.gc ?? (() => {});
const fwdGrad = [];
const fwdNoGrad = [];
const bwd = [];
for (let run = 0; run < RUNS + 2; run++) {
  const x = randn([N], { requiresGrad: true });
  gc();
  const [tNo] = time(() => noGrad(() => chain(x)));
  gc();
  const [tFwd, loss] = time(() => chain(x));
  const [tBwd] = time(() => loss.backward());
  if (!x.grad || x.grad.shape[0] !== N) throw new Error('backward did not produce a gradient');
  if (run >= 2) {
    fwdNoGrad.push(tNo);
    fwdGrad.push(tFwd);
    bwd.push(tBwd);
  }
}

const noGradMs = median(fwdNoGrad);
const gradMs = median(fwdGrad);
const bwdMs = median(bwd);
const row = (name, ms, ratio, target) =>
  `| ${name} | ${ms.toFixed(1)} | ${((ms / OPS) * 1000).toFixed(2)} | ${ratio} | ${target} |`;
const r1 = gradMs / noGradMs;
const r2 = bwdMs / gradMs;
console.log(
  `Autograd overhead: chain of ${OPS} elementwise ops on ${N}-element float32 tensors (median of ${RUNS} runs)\n`,
);
console.log('| measurement | time (ms) | µs / op | ratio | target |');
console.log('| --- | ---: | ---: | ---: | --- |');
console.log(row('forward, noGrad', noGradMs, '1.00', 'baseline'));
console.log(
  row('forward, recording', gradMs, `${r1.toFixed(2)} (vs noGrad)`, `<= 2x: ${r1 <= 2 ? 'met' : 'MISSED'}`),
);
console.log(
  row('backward', bwdMs, `${r2.toFixed(2)} (vs recording forward)`, `<= 3x: ${r2 <= 3 ? 'met' : 'MISSED'}`),
);
