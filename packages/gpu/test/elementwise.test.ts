import {
  add,
  BINARY_OPS,
  type BinaryOp,
  clamp,
  contiguous,
  type DType,
  div,
  full,
  getBackend,
  mul,
  remainder,
  type Tensor,
  tensor,
  UNARY_OPS,
  type UnaryAttrs,
  type UnaryOp,
  where,
  zeros,
} from '@tessera/tensor';
import { beforeAll, expect, it } from 'vitest';
import { describeIfAvailable } from '../../../tests/repo/requirements.js';
import { expectMatch, gpuBackend, type Pair, pair, randomData, randomInts } from './helpers.js';

/**
 * Runs one backend primitive on fresh outputs of both backends and compares. Inputs are tensors
 * (copied to the GPU as they are) or Pairs (the same view on both, so strides reach the kernel).
 */
async function primitive(
  what: string,
  outDtype: DType,
  shape: readonly number[],
  inputs: readonly (Tensor | Pair)[],
  run: (backend: ReturnType<typeof getBackend>, out: Tensor, ins: readonly Tensor[]) => void,
  rtol = 2e-6,
  atol = 1e-6,
): Promise<void> {
  const pairs = inputs.map((t) => ('cpu' in t && 'gpu' in t ? t : pair(t)));
  const cpuOut = zeros(shape, { dtype: outDtype });
  run(
    getBackend('cpu'),
    cpuOut,
    pairs.map((p) => p.cpu),
  );
  const gpuIns = pairs.map((p) => p.gpu);
  const gpuOut = zeros(shape, { dtype: outDtype, device: 'webgpu' });
  run(getBackend('webgpu'), gpuOut, gpuIns);
  await expectMatch(gpuOut, cpuOut, what, rtol, atol);
}

/** Interesting float inputs: random values plus special ones (0, ±0.5 ties, large, inf, nan). */
function floatInput(n: number, seed: number, lo = -4, hi = 4): Tensor {
  const d = randomData(n, seed, lo, hi);
  const specials = [0, -0, 0.5, -0.5, 1.5, 2.5, -2.5, 1e-5, -1e-6, 30, -30, Infinity, -Infinity, Number.NaN];
  for (let i = 0; i < Math.min(n, specials.length); i++) d[(i * 7) % n] = specials[i]!;
  return tensor(d);
}

const FLOAT_TOL: Partial<Record<UnaryOp, [number, number]>> = {
  exp: [3e-6, 1e-30],
  exp2: [3e-6, 1e-30],
  sin: [2e-6, 2e-7],
  cos: [2e-6, 2e-7],
  tan: [1e-5, 1e-6],
  erf: [3e-6, 3e-7],
  gelu: [3e-6, 3e-7],
  geluTanh: [3e-6, 3e-7],
  expm1: [3e-6, 1e-12],
  softplus: [3e-6, 1e-7],
  elu: [3e-6, 1e-7],
  sigmoid: [3e-6, 1e-12],
  silu: [3e-6, 1e-12],
};

const ATTRS: Partial<Record<UnaryOp, UnaryAttrs>> = {
  leakyRelu: { alpha: 0.2 },
  elu: { alpha: 1.5 },
  softplus: { beta: 2, threshold: 10 },
  clamp: { min: -1.25, max: 2 },
};

const INT_UNARY: readonly UnaryOp[] = [
  'neg',
  'abs',
  'sign',
  'square',
  'relu',
  'floor',
  'ceil',
  'round',
  'trunc',
  'clamp',
];
const BOOL_OUT = new Set<UnaryOp>(['isnan', 'isfinite', 'not']);

describeIfAvailable('webgpu', 'elementwise kernels match the CPU backend', () => {
  beforeAll(async () => {
    await gpuBackend();
  });

  it('every unary op on float32 (specials, odd size, strided and broadcast input)', async () => {
    const base = floatInput(203, 11).reshape(7, 29);
    const inputs: [string, Pair][] = [
      ['contiguous', pair(base)],
      ['transposed', pair(base, (t) => t.T)],
      ['stepped', pair(base, (t) => t.slice(1, 1, undefined, 3))],
      ['negative step', pair(base, (t) => t.slice(0, undefined, undefined, -2))],
      ['broadcast', pair(base, (t) => t.slice(0, 2, 3).expand(4, 29))],
    ];
    const layoutOps = new Set<UnaryOp>(['exp', 'relu', 'isnan', 'clamp']);
    for (const op of UNARY_OPS) {
      if (op === 'not') continue;
      const [rtol, atol] = FLOAT_TOL[op] ?? [2e-6, 1e-7];
      for (const [name, x] of layoutOps.has(op) ? inputs : inputs.slice(0, 1)) {
        const dtype = BOOL_OUT.has(op) ? 'bool' : 'float32';
        await primitive(
          `${op} (${name})`,
          dtype,
          x.cpu.shape,
          [x],
          (b, out, [v]) => b.unary(op, out.viewFor(op), v!.viewFor(op), ATTRS[op] ?? {}),
          rtol,
          atol,
        );
      }
    }
  });

  it('accurate where the built-ins are loose: log1p/expm1/log near 0 and 1, sin of large args', async () => {
    const x = tensor([1e-7, -3e-6, 2e-4, 0.01, -0.3, 0.45, 0.9999, 1.0001, 100, 1000.5, 5000]);
    for (const op of ['log1p', 'expm1', 'log', 'sin', 'cos', 'tanh', 'erf'] as const) {
      const src = op === 'log' ? x.abs() : x;
      await primitive(
        op,
        'float32',
        x.shape,
        [src],
        (b, out, [v]) => b.unary(op, out.viewFor(op), v!.viewFor(op), {}),
        3e-6,
        1e-12,
      );
    }
  });

  it('integer unary ops, not on bool, isnan/isfinite on int32', async () => {
    const xi = tensor(randomInts(61, 3, -50, 50));
    for (const op of INT_UNARY) {
      await primitive(`${op} int32`, 'int32', xi.shape, [xi], (b, out, [v]) =>
        b.unary(op, out.viewFor(op), v!.viewFor(op), op === 'clamp' ? { min: -7.5, max: 20 } : {}),
      );
    }
    const xb = tensor(randomInts(40, 5, 0, 2)).bool();
    await primitive('not bool', 'bool', xb.shape, [xb], (b, out, [v]) =>
      b.unary('not', out.viewFor('not'), v!.viewFor('not'), {}),
    );
    for (const op of ['isnan', 'isfinite'] as const) {
      await primitive(`${op} int32`, 'bool', xi.shape, [xi], (b, out, [v]) =>
        b.unary(op, out.viewFor(op), v!.viewFor(op), {}),
      );
    }
  });

  it('every binary op on float32 and int32, with broadcasting and strides', async () => {
    const a = floatInput(6 * 35, 21).reshape(6, 35);
    const b = tensor(randomData(35, 22, -3, 3)).reshape(1, 35);
    const ai = tensor(randomInts(6 * 35, 23, -20, 20)).reshape(6, 35);
    const bi = tensor(randomInts(35, 24, -6, 7)).reshape(1, 35);
    const logical = new Set<BinaryOp>(['and', 'or', 'xor']);
    const cmp = new Set<BinaryOp>(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);
    for (const op of BINARY_OPS) {
      const out: DType = logical.has(op) || cmp.has(op) ? 'bool' : 'float32';
      const bb = pair(b, (t) => t.expand(6, 35));
      await primitive(
        `${op} f32 broadcast`,
        out,
        a.shape,
        [a, bb],
        (be, o, [x, y]) => be.binary(op, o.viewFor(op), x!.viewFor(op), y!.viewFor(op)),
        op === 'pow' || op === 'atan2' ? 5e-6 : 2e-6,
        1e-6,
      );
      if (['add', 'pow', 'ne', 'maximum'].includes(op)) {
        const at = pair(a, (t) => t.T);
        const neg = pair(a, (t) => t.slice(0, undefined, undefined, -1).T);
        await primitive(
          `${op} f32 transposed / negative step`,
          out,
          [35, 6],
          [at, neg],
          (be, o, [x, y]) => be.binary(op, o.viewFor(op), x!.viewFor(op), y!.viewFor(op)),
          5e-6,
          1e-6,
        );
      }
      if (op === 'atan2') continue;
      const outI: DType = logical.has(op) || cmp.has(op) ? 'bool' : 'int32';
      // Zero integer divisors are an error on the GPU (see the division test below).
      const src =
        op === 'pow'
          ? [ai.remainder(5), bi.abs().remainder(6)]
          : op === 'div' || op === 'remainder'
            ? [ai, where(bi.eq(0), 1, bi)]
            : [ai, bi];
      await primitive(
        `${op} int32`,
        outI,
        ai.shape,
        src.map((t) => pair(t, (v) => v.expand(6, 35))),
        (be, o, [x, y]) => be.binary(op, o.viewFor(op), x!.viewFor(op), y!.viewFor(op)),
      );
    }
  });

  it('copy converts between every dtype pair, strided to strided', async () => {
    const f = floatInput(48, 31, -1e10, 1e10).reshape(6, 8);
    const vals: Record<string, Tensor> = {
      float32: f,
      int32: tensor(randomInts(48, 32, -1000, 1000)).reshape(6, 8),
      bool: tensor(randomInts(48, 33, 0, 2))
        .reshape(6, 8)
        .bool(),
    };
    for (const from of ['float32', 'int32', 'bool'] as const) {
      for (const to of ['float32', 'int32', 'bool'] as const) {
        const x = pair(vals[from]!, (t) => t.T);
        await primitive(`copy ${from} -> ${to}`, to, x.cpu.shape, [x], (b, out, [v]) =>
          b.copy(out.viewFor('copy'), v!.viewFor('copy')),
        );
      }
    }
    // Into a strided slice of a bigger buffer (copy_ / slice assignment path).
    const cpuT = zeros([5, 9]);
    const gpuT = zeros([5, 9], { device: 'webgpu' });
    const src = tensor(randomData(12, 34)).reshape(3, 4);
    cpuT.slice(0, 1, 4).slice(1, 0, 8, 2).copy_(src);
    gpuT.slice(0, 1, 4).slice(1, 0, 8, 2).copy_(src.to('webgpu'));
    await expectMatch(gpuT, cpuT, 'copy_ into a stepped slice');
  });

  it('where, fill and casts through the tensor API, scalar and size-1 shapes', async () => {
    const c = tensor(randomInts(30, 41, 0, 2))
      .reshape(5, 6)
      .bool();
    const a = tensor(randomData(30, 42)).reshape(5, 6);
    const b = tensor(randomData(6, 43)).reshape(6);
    await expectMatch(
      where(c.to('webgpu'), a.to('webgpu'), b.to('webgpu')),
      where(c, a, b),
      'where broadcast',
    );
    await expectMatch(where(c.to('webgpu'), 1.5, a.to('webgpu').T.T), where(c, 1.5, a), 'where scalar');
    for (const dtype of ['float32', 'int32', 'bool'] as const) {
      await expectMatch(
        full([3, 1, 2], 7, { dtype, device: 'webgpu' }),
        full([3, 1, 2], 7, { dtype }),
        `full ${dtype}`,
      );
      await expectMatch(
        full([2000], -3, { dtype, device: 'webgpu' }),
        full([2000], -3, { dtype }),
        `full large ${dtype}`,
      );
    }
    const s = tensor(2.5);
    await expectMatch(add(s.to('webgpu'), 1), add(s, 1), '0-d');
    await expectMatch(mul(tensor([4]).to('webgpu'), a.to('webgpu')), mul(tensor([4]), a), 'size-1 broadcast');
    await expectMatch(a.to('webgpu').int(), a.int(), 'cast float -> int');
    await expectMatch(clamp(a.to('webgpu'), -0.5, 0.5), clamp(a, -0.5, 0.5), 'clamp');
  });

  it('in-place ops write through the same buffer (read and write binding of one buffer)', async () => {
    const a = tensor(randomData(40, 51)).reshape(5, 8);
    const g = a.to('webgpu');
    const c = contiguous(a.clone());
    c.add_(c)
      .mul_(0.5)
      .sub_(a.slice(0, 0, 1));
    g.add_(g)
      .mul_(0.5)
      .sub_(g.slice(0, 0, 1).clone());
    await expectMatch(g, c, 'in-place chain');
  });

  it('integer division is exact above 2^24, and a zero tensor divisor is reported at the next read', async () => {
    const dev = { dtype: 'int32', device: 'webgpu' } as const;
    const a = tensor([16777217, -7, 7, 2147483647], dev);
    const b = tensor([1, 2, -2, 3], dev);
    expect(Array.from(await div(a, b, 'floor').data())).toEqual([16777217, -4, -4, 715827882]);
    expect(Array.from(await div(a, b, 'trunc').data())).toEqual([16777217, -3, -3, 715827882]);
    expect(Array.from(await remainder(a, b).data())).toEqual([0, 1, -1, 1]);
    const zero = tensor([2, 0, 1, 1], dev);
    await expect(div(a, zero, 'floor').data()).rejects.toThrow(
      'div: integer division by zero (the divisor of output element 1, in flat order, is 0)',
    );
    await expect(remainder(a, zero).data()).rejects.toThrow(
      /^remainder: integer division by zero .*element 1,/,
    );
    // Reported once; the backend keeps working.
    expect(Array.from(await div(a, b, 'trunc').data())).toEqual([16777217, -3, -3, 715827882]);
  });
});
