import { type Tensor, tensor } from '@tessera/tensor';
import { beforeAll, expect, it } from 'vitest';
import { describeIfAvailable } from '../../../tests/repo/requirements.js';
import type { WebGPUBackend } from '../src/index.js';
import { expectMatch, gpuBackend, randomData } from './helpers.js';

/** A float tensor with values in [-1, 1). */
function floats(shape: number[], seed: number): Tensor {
  return tensor(
    randomData(
      shape.reduce((p, s) => p * s, 1),
      seed,
      -1,
      1,
    ),
    { shape },
  );
}

// A pending matmul or reduction is computed by at most one kernel, however many expressions read
// it: the first kernel that computes it keeps its result, later ones read that.
describeIfAvailable('webgpu', 'fusion computes a matmul or a reduction once', () => {
  let b: WebGPUBackend;
  beforeAll(async () => {
    b = await gpuBackend();
  });

  /** Runs `f` (async), counting the dispatches whose op names `what` (fused kernels included). */
  async function count(what: string, f: () => Promise<void>): Promise<number> {
    const rt = b.runtime;
    const run = rt.run.bind(rt);
    let n = 0;
    rt.run = (d) => {
      if (d.op.includes(what)) n++;
      run(d);
    };
    try {
      await f();
    } finally {
      rt.run = run;
    }
    return n;
  }

  it('a 256x256 product read by three elementwise consumers runs the GEMM once', async () => {
    expect(b.fuser.enabled).toBe(true);
    const x = floats([256, 256], 1);
    const w = floats([256, 256], 2);
    const bias = floats([256], 3);
    const [gx, gw, gb] = [x, w, bias].map((t) => t.to('webgpu')) as [Tensor, Tensor, Tensor];
    const p = x.matmul(w);
    const gemms = await count('matmul', async () => {
      const gp = gx.matmul(gw);
      const r = gp.relu();
      const m = gp.mul(2);
      const s = gp.add(gb).sigmoid();
      // The product itself first (its consumers still pending), then each consumer.
      await expectMatch(gp, p, 'x @ w itself', 1e-4, 1e-4);
      await expectMatch(r, p.relu(), 'relu(x @ w)', 1e-4, 1e-4);
      await expectMatch(m, p.mul(2), '(x @ w) * 2', 1e-4, 1e-4);
      await expectMatch(s, p.add(bias).sigmoid(), 'sigmoid(x @ w + b)', 1e-4, 1e-4);
    });
    expect(gemms).toBe(1);
  });

  it('a product freed or changed in place while consumers are pending is still computed once', async () => {
    const x = floats([40, 33], 20);
    const w = floats([33, 28], 21);
    const [gx, gw] = [x, w].map((t) => t.to('webgpu')) as [Tensor, Tensor];
    const p = x.matmul(w);
    const gemms = await count('matmul', async () => {
      // Freed by its tensor: the consumers keep its buffer alive and share one computation.
      const gp = gx.matmul(gw);
      const r = gp.relu();
      const e = gp.exp();
      gp.dispose();
      await expectMatch(r, p.relu(), 'relu of a freed product', 1e-4, 1e-4);
      await expectMatch(e, p.exp(), 'exp of a freed product', 1e-4, 1e-4);
    });
    expect(gemms).toBe(1);
    const inPlace = await count('matmul', async () => {
      // Changed in place: the pending consumer sees the product, the tensor the new values.
      const gp = gx.matmul(gw);
      const r = gp.neg();
      gp.mul_(3);
      const t = gp.add(1);
      await expectMatch(r, p.neg(), 'consumer of a product changed later', 1e-4, 1e-4);
      await expectMatch(gp, p.mul(3), 'product changed in place', 1e-4, 1e-4);
      await expectMatch(t, p.mul(3).add(1), 'consumer of the changed product', 1e-4, 1e-4);
    });
    expect(inPlace).toBe(1);
  });

  it("an optimizer's three updates by one gradient product run its GEMM once", async () => {
    // Adam's pattern: both moments and the weight are updated in place from the same gradient.
    const a = floats([64, 48], 4);
    const d = floats([64, 40], 5);
    const [ga, gd] = [a, d].map((t) => t.to('webgpu')) as [Tensor, Tensor];
    const cpu = { m: floats([48, 40], 6), v: floats([48, 40], 7).abs(), w: floats([48, 40], 8) };
    const gpu = { m: cpu.m.to('webgpu'), v: cpu.v.to('webgpu'), w: cpu.w.to('webgpu') };
    const update = (s: { m: Tensor; v: Tensor; w: Tensor }, g: Tensor) => {
      s.m.mul_(0.9).add_(g, 0.1);
      s.v.mul_(0.99).add_(g.mul(g), 0.01);
      s.w.add_(s.m.div(s.v.sqrt().add(1e-8)), -1e-3);
    };
    update(cpu, a.transpose(0, 1).matmul(d));
    const gemms = await count('matmul', async () => {
      update(gpu, ga.transpose(0, 1).matmul(gd));
      await expectMatch(gpu.w, cpu.w, 'weight', 1e-4, 1e-5);
      await expectMatch(gpu.m, cpu.m, 'first moment', 1e-4, 1e-5);
      await expectMatch(gpu.v, cpu.v, 'second moment', 1e-4, 1e-5);
    });
    expect(gemms).toBe(1);
  });

  it('a product whose consumers use every binding is still computed once', async () => {
    // The first consumer reads as many buffers as a GEMM epilogue may: the product is stored by
    // its own kernel first, then both consumers read it.
    const x = floats([20, 30], 9);
    const w = floats([30, 24], 10);
    const extra = Array.from({ length: b.fuser.maxLeaves - 2 }, (_, k) => floats([20, 24], 11 + k));
    const [gx, gw] = [x, w].map((t) => t.to('webgpu')) as [Tensor, Tensor];
    const gextra = extra.map((t) => t.to('webgpu'));
    const chain = (p: Tensor, es: Tensor[]) => es.reduce((acc, e) => acc.add(e), p.mul(1.5));
    const p = x.matmul(w);
    const gemms = await count('matmul', async () => {
      const gp = gx.matmul(gw);
      const wide = chain(gp, gextra);
      const second = gp.neg();
      await expectMatch(wide, chain(p, extra), 'wide epilogue', 1e-4, 1e-4);
      await expectMatch(second, p.neg(), 'second consumer', 1e-4, 1e-4);
    });
    expect(gemms).toBe(1);
  });

  it('a sum read by three elementwise consumers is reduced once, with or without a prologue', async () => {
    const x = floats([300, 70], 30);
    const gx = x.to('webgpu');
    for (const [what, pre] of [
      ['plain', (t: Tensor) => t],
      ['prologue', (t: Tensor) => t.relu().mul(3)],
    ] as const) {
      const s = pre(x).sum(0);
      const sums = await count('sum', async () => {
        const gs = pre(gx).sum(0);
        const e = gs.exp();
        const m = gs.mul(3);
        const q = gs.add(1).sqrt();
        // One consumer, then the sum itself, then the others.
        await expectMatch(e, s.exp(), `${what}: exp(sum)`, 1e-4, 1e-4);
        await expectMatch(gs, s, `${what}: the sum itself`, 1e-4, 1e-4);
        await expectMatch(m, s.mul(3), `${what}: sum * 3`, 1e-4, 1e-4);
        await expectMatch(q, s.add(1).sqrt(), `${what}: sqrt(sum + 1)`, 1e-4, 1e-4);
      });
      expect(sums, what).toBe(1);
    }
  });
});
