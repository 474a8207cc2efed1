import { full, type Tensor, tensor, where } from '@tessera/tensor';
import { beforeAll, expect, it } from 'vitest';
import { describeIfAvailable } from '../../../tests/repo/requirements.js';
import type { WebGPUBackend } from '../src/index.js';
import { countDispatches, expectMatch, gpuBackend, randomData, randomInts } from './helpers.js';

/** A float tensor with values in [lo, hi) and a few special values (NaN, ±Infinity, 0) in `special`. */
function floats(shape: number[], seed: number, special = false, lo = -3, hi = 3): Tensor {
  const d = randomData(
    shape.reduce((p, s) => p * s, 1),
    seed,
    lo,
    hi,
  );
  if (special) {
    d[0] = Number.NaN;
    d[1] = Number.POSITIVE_INFINITY;
    d[2] = Number.NEGATIVE_INFINITY;
    d[3] = 0;
  }
  return tensor(d, { shape });
}

function ints(shape: number[], seed: number, lo = -20, hi = 20): Tensor {
  return tensor(
    randomInts(
      shape.reduce((p, s) => p * s, 1),
      seed,
      lo,
      hi,
    ),
    { shape },
  );
}

describeIfAvailable('webgpu', 'elementwise fusion matches the CPU backend', () => {
  let b: WebGPUBackend;
  beforeAll(async () => {
    b = await gpuBackend();
  });

  const dispatches = (f: () => void): number => countDispatches(b, f);

  /** Runs `chain` on CPU tensors and on their GPU copies (made by `view` on each side) and compares. */
  async function parity(
    what: string,
    inputs: Tensor[],
    chain: (...xs: Tensor[]) => Tensor,
    view: (x: Tensor, k: number) => Tensor = (x) => x,
    rtol = 1e-5,
    atol = 1e-6,
    lazy = true,
  ): Promise<void> {
    const cpu = chain(...inputs.map(view));
    const gpuIn = inputs.map((x) => x.to('webgpu'));
    let gpu: Tensor | undefined;
    const n = dispatches(() => {
      gpu = chain(...gpuIn.map(view));
    });
    // A chain of elementwise ops dispatches nothing until its result is used (unless it is split).
    if (lazy) expect(n, `${what}: dispatches before the read`).toBe(0);
    else expect(n, `${what}: dispatches before the read`).toBeGreaterThan(0);
    await expectMatch(gpu!, cpu, what, rtol, atol);
  }

  it('a chain of ops is one kernel, run when the result is read', async () => {
    const x = floats([33, 17], 1).to('webgpu');
    const y = floats([33, 17], 2).to('webgpu');
    let r: Tensor | undefined;
    const lazy = dispatches(() => {
      r = x.mul(y).add(x).exp().neg().relu().sigmoid();
    });
    expect(lazy).toBe(0);
    const before = b.fuser.materialised;
    const cpu = floats([33, 17], 1);
    const cy = floats([33, 17], 2);
    await expectMatch(r!, cpu.mul(cy).add(cpu).exp().neg().relu().sigmoid(), 'chain');
    expect(b.fuser.materialised - before).toBe(1);
  });

  it('broadcast, transposed, stepped and flipped inputs', async () => {
    await parity('broadcast', [floats([1, 29], 3), floats([7, 1], 4), floats([7, 29], 5)], (a, c, d) =>
      a.add(c).mul(d).tanh(),
    );
    await parity(
      'transposed',
      [floats([29, 7], 6), floats([7, 29], 7)],
      (a, c) => a.sub(c).abs().sqrt(),
      (x, k) => (k === 0 ? x.transpose(0, 1) : x),
    );
    await parity(
      'stepped and flipped',
      [floats([6, 10], 8), floats([12, 10], 9)],
      (a, c) => a.maximum(c).mul(a).clamp(-1, 2),
      (x, k) => (k === 0 ? x.flip(1) : x.slice(0, 0, 12, 2)),
    );
  });

  it('a pending result read through a reshape, a transpose and a broadcast', async () => {
    const x = floats([6, 8], 10);
    const cpu = x.mul(2).add(1);
    const gx = x.to('webgpu');
    const g = gx.mul(2).add(1);
    await expectMatch(g.reshape(8, 6).sigmoid(), cpu.reshape(8, 6).sigmoid(), 'reshape');
    const g2 = gx.mul(3).sub(1);
    await expectMatch(g2.transpose(0, 1).neg(), x.mul(3).sub(1).transpose(0, 1).neg(), 'transpose');
    const s = full([], 0.5).to('webgpu').mul(4);
    await expectMatch(gx.mul(s).add(s), x.mul(full([], 0.5).mul(4)).add(full([], 0.5).mul(4)), 'scalar');
  });

  it('NaN and infinities pass through fused chains as in eager ops', async () => {
    await parity('special floats', [floats([9, 11], 11, true), floats([9, 11], 12)], (a, c) =>
      a.mul(c).add(1).relu().log1p().minimum(c),
    );
    await parity('isnan and where', [floats([9, 11], 13, true), floats([9, 11], 14)], (a, c) =>
      where(a.isnan(), c, a.exp()).maximum(c),
    );
  });

  it('mixed dtypes: casts, comparisons, bool masks and int arithmetic', async () => {
    await parity('int ops', [ints([10, 12], 15), ints([10, 12], 16)], (a, c) =>
      a.mul(c).add(a).neg().abs().sub(c),
    );
    await parity('int to float and back', [ints([10, 12], 17), floats([10, 12], 18)], (a, c) =>
      a.float().mul(c).add(0.5).int().mul(a),
    );
    await parity('comparisons into where', [floats([10, 12], 19), floats([10, 12], 20)], (a, c) =>
      where(a.gt(c).and(c.gt(0)), a.sub(c), c.mul(2)).float(),
    );
    await parity('bool to float', [floats([10, 12], 21)], (a) =>
      a.gt(0).float().add(a.lt(-1).float()).mul(a),
    );
  });

  it('in-place ops on an input of a pending expression leave it the old values', async () => {
    const x = floats([5, 13], 22);
    const cpuY = x.exp();
    const gx = x.to('webgpu');
    const gy = gx.exp(); // pending, reads gx
    gx.mul_(2); // in place on the input: gy must read the old gx
    gx.add_(1);
    const gz = gy.add(gx); // old exp(x) + (2x + 1)
    await expectMatch(gy, cpuY, 'pending result after its input changed');
    const cx = x.clone().mul_(2).add_(1);
    await expectMatch(gx, cx, 'the input itself');
    await expectMatch(gz, cpuY.add(cx), 'a chain over both');
    // copy_ and fill_ overwrite an input of a pending expression.
    const gw = gx.sigmoid();
    gx.copy_(tensor(new Float32Array(65).fill(3), { shape: [5, 13] }).to('webgpu'));
    await expectMatch(gw, cx.sigmoid(), 'after copy_');
    const gv = gx.neg();
    gx.fill_(7);
    await expectMatch(gv, full([5, 13], -3, { dtype: 'float32' }), 'after fill_');
  });

  it('inputs freed while a pending expression reads them', async () => {
    const x = floats([4, 50], 23);
    const gx = x.to('webgpu');
    const t = gx.mul(3);
    const y = t.add(1); // reads t's expression; t's buffer is freed below
    t.dispose();
    const u = gx.add(2);
    const z = u.mul(y);
    u.dispose();
    await expectMatch(z, x.add(2).mul(x.mul(3).add(1)), 'after dispose');
  });

  it('long chains and many inputs are split into several kernels', async () => {
    const xs = Array.from({ length: 14 }, (_, k) => floats([3, 21], 30 + k));
    const sum = (...v: Tensor[]) => v.reduce((acc, t) => acc.add(t.mul(0.5)));
    await parity('14 inputs', xs, sum, undefined, 1e-5, 1e-5, false);
    const long = (a: Tensor) => {
      let r = a;
      for (let k = 0; k < 40; k++) r = r.mul(0.99).add(0.01);
      return r;
    };
    await parity('80 ops', [floats([3, 21], 50)], long, undefined, 1e-5, 1e-6, false);
  });

  it('matmul and reduction epilogues and prologues', async () => {
    const x = floats([6, 20], 70);
    const w = floats([20, 9], 71);
    const bias = floats([9], 72);
    const [gx, gw, gb] = [x, w, bias].map((t) => t.to('webgpu')) as [Tensor, Tensor, Tensor];
    // Bias and activation after a matmul: one GEMM kernel.
    let y: Tensor | undefined;
    expect(dispatches(() => (y = gx.matmul(gw).add(gb).relu()))).toBe(0);
    await expectMatch(y!, x.matmul(w).add(bias).relu(), 'matmul + bias + relu', 1e-5, 1e-5);
    // Batched, with a broadcast operand; and the product read twice (recomputed, same values).
    const x3 = floats([3, 6, 20], 73);
    const p3 = x3.to('webgpu').matmul(gw);
    const a3 = p3.sigmoid();
    const b3 = p3.mul(2);
    await expectMatch(a3, x3.matmul(w).sigmoid(), 'batched matmul epilogue', 1e-5, 1e-5);
    await expectMatch(b3, x3.matmul(w).mul(2), 'batched product, second use', 1e-5, 1e-5);
    // An operand changed in place before the pending product is used.
    const q = gx.matmul(gw);
    gw.mul_(3);
    await expectMatch(q.add(1), x.matmul(w).add(1), 'product after its operand changed', 1e-5, 1e-5);
    // An in-place update by a product (an optimizer step) and by a reduction (a bias step).
    const gp = floats([20, 9], 74).to('webgpu');
    gp.add_(gx.transpose(0, 1).matmul(gx).matmul(gw), -0.01);
    const cp = floats([20, 9], 74).add(x.transpose(0, 1).matmul(x).matmul(w.mul(3)).mul(-0.01));
    await expectMatch(gp, cp, 'weight update', 1e-4, 1e-4);
    const gbb = bias.to('webgpu');
    gbb.add_(gx.exp().sum(0).slice(0, 0, 9), 0.5);
    await expectMatch(gbb, bias.add(x.exp().sum(0).slice(0, 0, 9).mul(0.5)), 'bias update', 1e-5, 1e-5);
    // Reductions read pending inputs through their expression, and feed epilogues.
    const t = floats([7, 33], 75, true);
    const gt = t.to('webgpu');
    await expectMatch(gt.mul(2).exp().sum(1).log(), t.mul(2).exp().sum(1).log(), 'sum prologue + epilogue');
    await expectMatch(gt.abs().amax(0).neg(), t.abs().amax(0).neg(), 'amax', 0, 0);
    await expectMatch(gt.gt(0).sum(), t.gt(0).sum(), 'int sum of a bool mask', 0, 0);
    await expectMatch(gt.add(1).argmax(1), t.add(1).argmax(1), 'argmax of a pending input', 0, 0);
    await expectMatch(gt.sigmoid().mean(), t.sigmoid().mean(), 'mean');
  });

  it('pipelines are keyed by structure: new shapes and scalars reuse them', async () => {
    const chain = (a: Tensor, s: number) => a.mul(s).add(a.exp()).relu();
    await expectMatch(chain(floats([7, 9], 60).to('webgpu'), 2), chain(floats([7, 9], 60), 2), 'first');
    const compiled = b.runtime.pipelineCount;
    await expectMatch(
      chain(floats([31, 3, 5], 61).to('webgpu'), -7),
      chain(floats([31, 3, 5], 61), -7),
      'second',
    );
    expect(b.runtime.pipelineCount).toBe(compiled);
  });
});
