import {
  conv2d,
  conv2dBackwardInput,
  conv2dBackwardWeight,
  getBackend,
  matmul,
  type ReduceOp,
  type Tensor,
  tensor,
  zeros,
} from '@tessera/tensor';
import { beforeAll, expect, it } from 'vitest';
import { describeIfAvailable } from '../../../tests/repo/requirements.js';
import { initWebGPU, type WebGPUInfo, webgpuBackend } from '../src/index.js';
import { closeTo, ensureRuntimeDir, randomData } from './helpers.js';

// Two backends on one adapter: 'webgpu-sg' uses the subgroup kernels where the adapter has the
// feature, 'webgpu-nosg' is forced onto the fallback (workgroup-memory) kernels. Both must match
// the CPU backend, whichever path runs.
const SG = 'webgpu-sg';
const NOSG = 'webgpu-nosg';

const t = (shape: number[], seed: number): Tensor =>
  tensor(
    randomData(
      shape.reduce((p, d) => p * d, 1),
      seed,
    ),
    { shape },
  );

async function expectBoth(
  run: (dev: string) => Tensor,
  cpu: Tensor,
  what: string,
  tol = 1e-4,
): Promise<void> {
  const want = cpu.dataSync();
  for (const dev of [SG, NOSG]) {
    const got = await run(dev).data();
    const err = closeTo(got, want, tol, tol);
    expect(err, `${what} on ${dev}: ${err}`).toBeNull();
  }
}

describeIfAvailable('webgpu', 'optional features: subgroup kernels and their fallback', () => {
  let sg: WebGPUInfo;
  let nosg: WebGPUInfo;
  beforeAll(async () => {
    ensureRuntimeDir();
    sg = await initWebGPU({ name: SG, subgroupMatmul: true });
    nosg = await initWebGPU({ name: NOSG, subgroups: false });
    if (!sg.features.includes('subgroups')) {
      console.warn(
        'subgroups.test: this adapter has no `subgroups` feature; only the fallback kernels are tested',
      );
    }
  }, 60_000);

  it('initWebGPU reports the kernel paths; subgroups: false turns them off', () => {
    expect(nosg.features).not.toContain('subgroups');
    expect(nosg.kernels).toEqual({ subgroupMatmul: 0, subgroupReduce: false, float16Matmul: false });
    expect(webgpuBackend(NOSG).runtime.opts.subgroupSize).toBe(0);
    if (sg.features.includes('subgroups')) {
      // lavapipe: fixed 8-wide subgroups laid out linearly, so both paths are on.
      expect(
        sg.kernels.subgroupMatmul === 0 || [4, 8, 16, 32, 64, 128].includes(sg.kernels.subgroupMatmul),
      ).toBe(true);
      expect(webgpuBackend(SG).runtime.opts.subgroupSize).toBe(sg.kernels.subgroupMatmul);
    } else expect(sg.kernels).toEqual({ subgroupMatmul: 0, subgroupReduce: false, float16Matmul: false });
  });

  it('matmul on both paths: plain, transposed A and B, narrow, batched and split-K shapes', async () => {
    const cases: [string, Tensor, Tensor][] = [
      ['odd sizes', t([37, 50], 1), t([50, 29], 2)],
      ['unit-stride N (vec4 B)', t([64, 48], 3), t([48, 128], 4)],
      ['transposed B (unit-stride K)', t([40, 64], 5), t([96, 64], 6).transpose(0, 1)],
      ['transposed A (unit-stride M)', t([48, 64], 7).transpose(0, 1), t([48, 72], 8)],
      ['narrow N, odd K', t([9, 13], 9), t([13, 3], 10)],
      ['one row', t([1, 70], 11), t([70, 260], 12)],
      ['batched, broadcast B', t([3, 20, 24], 13), t([24, 36], 14)],
      ['split-K', t([8, 3000], 15), t([3000, 12], 16)],
    ];
    for (const [what, a, b] of cases) {
      await expectBoth((d) => matmul(a.to(d), b.to(d)), matmul(a, b), `matmul ${what}`);
    }
    const keys = webgpuBackend(SG).runtime.pipelineKeys();
    const nkeys = webgpuBackend(NOSG).runtime.pipelineKeys();
    expect(nkeys.some((k) => k.startsWith('sgemm'))).toBe(false);
    expect(keys.some((k) => k.startsWith('sgemm'))).toBe(sg.kernels.subgroupMatmul > 0);
  });

  it('convolutions (implicit GEMMs) on both paths', async () => {
    const x = t([2, 3, 11, 9], 20);
    const w = t([5, 3, 3, 3], 21);
    const opts = { stride: 2, padding: 1 };
    const y = conv2d(x, w, null, opts);
    await expectBoth((d) => conv2d(x.to(d), w.to(d), null, opts), y, 'conv2d');
    const dy = t([...y.shape], 22);
    await expectBoth(
      (d) => conv2dBackwardInput(dy.to(d), w.to(d), x.shape, opts),
      conv2dBackwardInput(dy, w, x.shape, opts),
      'conv2d grad input',
    );
    await expectBoth(
      (d) => conv2dBackwardWeight(x.to(d), dy.to(d), w.shape, opts),
      conv2dBackwardWeight(x, dy, w.shape, opts),
      'conv2d grad weight',
    );
  });

  it('workgroup reductions on both paths: every op, NaN and ties, long rows', async () => {
    // [3, 5000] reduced over dim 1 (and [5000, 3] over dim 0): one workgroup per output.
    const d = randomData(3 * 5000, 30, -3, 3);
    d[123] = Number.NaN;
    d[5000 + 77] = 10;
    d[5000 + 4000] = 10; // a tie for argmax: the first index wins
    const ops: ReduceOp[] = ['sum', 'prod', 'max', 'min', 'argmax', 'argmin', 'any', 'all'];
    for (const [shape, axis] of [
      [[3, 5000], 1],
      [[5000, 3], 0],
    ] as const) {
      for (const op of ops) {
        const base =
          op === 'prod'
            ? tensor(
                d.map((v) => 1 + v / 3000),
                { shape: [...shape] },
              )
            : tensor(d, { shape: [...shape] });
        const x = op === 'any' || op === 'all' ? base.gt(-2.9) : base;
        const outShape = shape.filter((_, i) => i !== axis);
        const dtype =
          op === 'argmax' || op === 'argmin' ? 'int32' : op === 'any' || op === 'all' ? 'bool' : 'float32';
        const c = zeros(outShape, { dtype });
        getBackend('cpu').reduce(op, c.viewFor(op), x.viewFor(op), [axis]);
        await expectBoth(
          (dev) => {
            const g = zeros(outShape, { dtype, device: dev });
            getBackend(dev).reduce(op, g.viewFor(op), x.to(dev).viewFor(op), [axis]);
            return g;
          },
          c,
          `${op} over dim ${axis} of [${shape}]`,
          1e-4,
        );
      }
    }
    const keys = webgpuBackend(SG).runtime.pipelineKeys();
    expect(keys.some((k) => k.startsWith('reduce|') && k.endsWith('|sg'))).toBe(sg.kernels.subgroupReduce);
    expect(
      webgpuBackend(NOSG)
        .runtime.pipelineKeys()
        .some((k) => k.endsWith('|sg')),
    ).toBe(false);
  });
});

describeIfAvailable('webgpu', 'optional features: float16 GEMMs (shader-f16, opt-in)', () => {
  const H = 'webgpu-f16';
  const HT = 'webgpu-f16-tiled';
  let has = false;
  beforeAll(async () => {
    ensureRuntimeDir();
    const probe = await initWebGPU({ name: 'webgpu-f16-probe' });
    has = probe.features.includes('shader-f16');
    webgpuBackend('webgpu-f16-probe').destroy();
    if (!has) {
      console.warn(
        'subgroups.test: this adapter has no `shader-f16` feature; float16Matmul is tested for its error only',
      );
      return;
    }
    await initWebGPU({ name: H, float16Matmul: true });
    await initWebGPU({ name: HT, float16Matmul: true, subgroups: false });
  }, 60_000);

  it('float16Matmul rounds operands to float16 and accumulates in float32, on both GEMM kernels', async () => {
    if (!has) {
      await expect(initWebGPU({ name: 'webgpu-f16-missing', float16Matmul: true })).rejects.toThrow(
        /lacks required feature\(s\) shader-f16/,
      );
      return;
    }
    expect(webgpuBackend(H).runtime.opts.float16Matmul).toBe(true);
    // 1 + 2^-12 is not a float16: rounded to 1, so the product shows float16 inputs; 2048 + 1
    // products of 1 sum to 2049, which float16 accumulation could not hold (float32 can).
    const K = 2049;
    const a = tensor(new Float32Array(3 * K).fill(1 + 2 ** -12), { shape: [3, K] });
    const b = tensor(new Float32Array(K * 5).fill(1), { shape: [K, 5] });
    for (const dev of [H, HT]) {
      const got = await matmul(a.to(dev), b.to(dev)).data();
      expect([...got], dev).toEqual(new Array(15).fill(K));
      // Random data: close to the float32 result within float16 rounding of the operands.
      const x = t([33, 70], 40);
      const y = t([70, 21], 41);
      const want = matmul(x, y).dataSync();
      const scale = matmul(x.abs(), y.abs()).dataSync();
      const g = await matmul(x.to(dev), y.to(dev)).data();
      for (let i = 0; i < want.length; i++) {
        expect(Math.abs(g[i]! - want[i]!), `${dev} element ${i}`).toBeLessThanOrEqual(
          2 ** -10 * scale[i]! + 1e-6,
        );
      }
      const cx = t([2, 3, 9, 9], 42);
      const cw = t([4, 3, 3, 3], 43);
      const cy = conv2d(cx, cw).dataSync();
      const cs = conv2d(cx.abs(), cw.abs()).dataSync();
      const gc = await conv2d(cx.to(dev), cw.to(dev)).data();
      for (let i = 0; i < cy.length; i++) {
        expect(Math.abs(gc[i]! - cy[i]!), `${dev} conv element ${i}`).toBeLessThanOrEqual(
          2 ** -10 * cs[i]! + 1e-6,
        );
      }
    }
    expect(
      webgpuBackend(H)
        .runtime.pipelineKeys()
        .some((k) => k.endsWith('|h')),
    ).toBe(true);
    expect(
      webgpuBackend(HT)
        .runtime.pipelineKeys()
        .some((k) => k.startsWith('gemm|') && k.endsWith('|h')),
    ).toBe(true);
  });
});
