import {
  argsort,
  cumprod,
  cumsum,
  getBackend,
  logSoftmax,
  mean,
  REDUCE_OPS,
  type ReduceOp,
  softmax,
  sort,
  sum,
  type Tensor,
  tensor,
  topk,
  zeros,
} from '@tessera/tensor';
import { beforeAll, expect, it } from 'vitest';
import { describeIfAvailable } from '../../../tests/repo/requirements.js';
import { expectMatch, gpuBackend, pair, randomData, randomInts } from './helpers.js';

const OUT_DTYPE: Record<ReduceOp, (d: string) => 'float32' | 'int32' | 'bool'> = {
  sum: (d) => (d === 'float32' ? 'float32' : 'int32'),
  prod: (d) => (d === 'float32' ? 'float32' : 'int32'),
  max: (d) => d as 'float32',
  min: (d) => d as 'float32',
  any: () => 'bool',
  all: () => 'bool',
  argmax: () => 'int32',
  argmin: () => 'int32',
};

/** Runs the reduce primitive on both backends on the same view of `base` and compares. */
async function reduceBoth(
  op: ReduceOp,
  base: Tensor,
  axes: number[],
  what: string,
  rtol = 1e-5,
  view: (t: Tensor) => Tensor = (t) => t,
): Promise<void> {
  const { cpu: x, gpu: gx } = pair(base, view);
  const shape = x.shape.filter((_, d) => !axes.includes(d));
  const dtype = OUT_DTYPE[op](x.dtype);
  const c = zeros(shape, { dtype });
  getBackend('cpu').reduce(op, c.viewFor(op), x.viewFor(op), axes);
  const g = zeros(shape, { dtype, device: 'webgpu' });
  getBackend('webgpu').reduce(op, g.viewFor(op), gx.viewFor(op), axes);
  await expectMatch(g, c, `${op} ${what}`, rtol, 1e-5);
}

describeIfAvailable('webgpu', 'reductions, scans, softmax and sort match the CPU backend', () => {
  beforeAll(async () => {
    await gpuBackend();
  });

  it('every reduce op over several axis sets, float32 with NaN and ties', async () => {
    const d = randomData(4 * 5 * 37, 1, -3, 3);
    d[17] = Number.NaN;
    d[40] = d[41]!; // a tie inside a row
    const x = tensor(d).reshape(4, 5, 37);
    for (const op of REDUCE_OPS) {
      const axesSets =
        op === 'argmax' || op === 'argmin' ? [[0], [1], [2]] : [[0], [2], [0, 2], [1, 2], [0, 1, 2]];
      for (const axes of axesSets) await reduceBoth(op, x, axes, `axes [${axes}]`);
    }
  });

  it('int32 and bool inputs, strided views (transposed, stepped, negative step)', async () => {
    const xi = tensor(randomInts(6 * 50, 2, -3, 4)).reshape(6, 50);
    for (const op of ['sum', 'prod', 'max', 'min', 'argmax', 'argmin'] as const) {
      await reduceBoth(op, xi, [1], 'int32 stepped', 1e-5, (t) => t.slice(1, 0, 50, 3));
      await reduceBoth(op, xi, [1], 'int32 transposed', 1e-5, (t) => t.T);
    }
    const xb = tensor(randomInts(6 * 50, 3, 0, 2))
      .reshape(6, 50)
      .bool();
    for (const op of ['sum', 'any', 'all', 'max'] as const) await reduceBoth(op, xb, [1], 'bool');
    const xf = tensor(randomData(8 * 9 * 10, 4)).reshape(8, 9, 10);
    await reduceBoth('sum', xf, [0, 2], 'permuted', 1e-5, (t) => t.permute(2, 0, 1));
    await reduceBoth('max', xf, [0], 'negative step', 1e-5, (t) => t.slice(0, undefined, undefined, -1));
    await reduceBoth('sum', xf, [2], 'broadcast', 1e-5, (t) => t.slice(2, 0, 1).expand(8, 9, 6));
  });

  it('large and long reductions (multi-pass split, workgroup tree, outer-dim reduction)', async () => {
    const big = tensor(randomData(300_001, 5, -1, 1));
    await reduceBoth('sum', big, [0], 'all of 300001', 1e-4);
    await reduceBoth('max', big, [0], 'all of 300001');
    await reduceBoth('argmin', big, [0], 'all of 300001');
    const m = tensor(randomData(64 * 3000, 6)).reshape(64, 3000);
    await reduceBoth('sum', m, [1], 'rows of 3000', 1e-4);
    await reduceBoth('sum', m, [0], 'columns of 64', 1e-4);
    await reduceBoth('min', m, [0], 'transposed rows', 1e-5, (t) => t.T);
    await expectMatch(mean(m.to('webgpu'), 1), mean(m, 1), 'mean', 1e-4);
    await expectMatch(sum(m.to('webgpu')), sum(m), 'sum()', 1e-4, 1e-3);
  });

  it('empty reductions give the identity; size-1 and 0-d inputs', async () => {
    const e = zeros([3, 0]);
    for (const op of ['sum', 'prod', 'any', 'all'] as const) await reduceBoth(op, e, [1], 'empty');
    await reduceBoth('sum', tensor([[5]]), [0, 1], 'size 1');
    await expectMatch(sum(tensor(2.5).to('webgpu')), sum(tensor(2.5)), '0-d');
  });

  it('cumsum and cumprod along every dim, short and long lines, int32', async () => {
    const x = tensor(randomData(3 * 4 * 300, 7, 0.5, 1.5)).reshape(3, 4, 300);
    for (const dim of [0, 1, 2]) {
      await expectMatch(cumsum(x.to('webgpu'), dim), cumsum(x, dim), `cumsum dim ${dim}`, 1e-5, 1e-4);
      await expectMatch(cumprod(x.to('webgpu'), dim), cumprod(x, dim), `cumprod dim ${dim}`, 1e-4);
    }
    const long = tensor(randomData(5000, 8));
    await expectMatch(cumsum(long.to('webgpu'), 0), cumsum(long, 0), 'cumsum long', 1e-4, 1e-3);
    const xi = tensor(randomInts(2 * 700, 9, -3, 4)).reshape(2, 700);
    await expectMatch(cumsum(xi.to('webgpu'), 1), cumsum(xi, 1), 'cumsum int32');
    await expectMatch(cumprod(xi.to('webgpu'), 1), cumprod(xi, 1), 'cumprod int32 wraps');
    await expectMatch(
      cumsum(x.to('webgpu').transpose(0, 2), 0),
      cumsum(x.transpose(0, 2), 0),
      'cumsum strided',
    );
  });

  it('softmax and logSoftmax: short/long lines, any dim, -inf and NaN lines', async () => {
    const x = tensor(randomData(4 * 10 * 3000, 10, -8, 8)).reshape(4, 10, 3000);
    for (const dim of [0, 1, 2]) {
      await expectMatch(softmax(x.to('webgpu'), dim), softmax(x, dim), `softmax dim ${dim}`, 1e-5, 1e-7);
      await expectMatch(
        logSoftmax(x.to('webgpu'), dim),
        logSoftmax(x, dim),
        `logSoftmax dim ${dim}`,
        1e-5,
        1e-5,
      );
    }
    const mid = tensor(randomData(7 * 100, 11)).reshape(7, 100);
    await expectMatch(softmax(mid.to('webgpu'), 1), softmax(mid, 1), 'softmax 100');
    const special = tensor([
      [-Infinity, -Infinity, -Infinity],
      [1, Number.NaN, 2],
      [0, -Infinity, 1],
    ]);
    await expectMatch(softmax(special.to('webgpu'), 1), softmax(special, 1), 'softmax specials');
    await expectMatch(logSoftmax(special.to('webgpu'), 1), logSoftmax(special, 1), 'logSoftmax specials');
  });

  it('sort: stable ties, NaN last / first, both directions, short and long lines', async () => {
    const d = randomInts(6 * 40, 12, 0, 6);
    const x = tensor(Float32Array.from(d)).reshape(6, 40);
    const xn = x.clone();
    const raw = new Float32Array(await xn.data());
    raw[3] = Number.NaN;
    raw[50] = Number.NaN;
    raw[51] = Number.NaN;
    const withNan = tensor(raw).reshape(6, 40);
    for (const desc of [false, true]) {
      for (const [name, t] of [
        ['ties', pair(x)],
        ['NaN', pair(withNan)],
        ['transposed', pair(withNan, (v) => v.T)],
      ] as const) {
        const c = sort(t.cpu, 1, desc);
        const g = sort(t.gpu, 1, desc);
        await expectMatch(g.values, c.values, `sort values ${name} desc=${desc}`);
        await expectMatch(g.indices, c.indices, `sort indices ${name} desc=${desc}`);
      }
    }
    const xi = tensor(randomInts(3000, 13, -50, 50));
    await expectMatch(argsort(xi.to('webgpu'), 0), argsort(xi, 0), 'argsort int32 long line');
    const long = tensor(randomInts(2 * 5000, 14, 0, 100).map((v) => v / 4)).reshape(2, 5000);
    for (const desc of [false, true]) {
      const c = sort(long, 1, desc);
      const g = sort(long.to('webgpu'), 1, desc);
      await expectMatch(g.values, c.values, `long sort values desc=${desc}`);
      await expectMatch(g.indices, c.indices, `long sort indices desc=${desc}`);
    }
    const tk = topk(long, 5, 1);
    const gk = topk(long.to('webgpu'), 5, 1);
    await expectMatch(gk.values, tk.values, 'topk values');
    await expectMatch(gk.indices, tk.indices, 'topk indices');
  });

  it('more than 65535 lines use a 2-D workgroup grid', async () => {
    const x = tensor(randomData(70_000 * 3, 15)).reshape(70_000, 3);
    const c = sort(x, 1);
    const g = sort(x.to('webgpu'), 1);
    await expectMatch(g.values, c.values, 'sort values of 70000 lines');
    const last = await g.indices.slice(0, 69_999).data();
    expect(Array.from(last).sort()).toEqual([0, 1, 2]);
  });
});
