import {
  bernoulli,
  Generator,
  gather,
  getBackend,
  indexAdd,
  indexSelect,
  manualSeed,
  normal,
  rand,
  randint,
  randn,
  randperm,
  scatter,
  scatterAdd,
  tensor,
  uniform,
  zeros,
} from '@tessera/tensor';
import { beforeAll, expect, it } from 'vitest';
import { describeIfAvailable } from '../../../tests/repo/requirements.js';
import { closeTo, expectMatch, gpuBackend, pair, randomData, randomInts } from './helpers.js';

const f = (shape: number[], seed: number) =>
  tensor(
    randomData(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
  ).reshape(shape);
const ix = (shape: number[], seed: number, hi: number) =>
  tensor(
    randomInts(
      shape.reduce((a, b) => a * b, 1),
      seed,
      0,
      hi,
    ),
  ).reshape(shape);

describeIfAvailable('webgpu', 'indexing kernels and random numbers match the CPU backend', () => {
  beforeAll(async () => {
    await gpuBackend();
  });

  it('gather along every dim, strided source and index', async () => {
    const x = f([5, 6, 7], 1);
    for (const dim of [0, 1, 2]) {
      const shape = [4, 5, 6];
      shape[dim] = 9;
      const index = ix(shape, 2 + dim, x.shape[dim]!);
      await expectMatch(
        gather(x.to('webgpu'), dim, index.to('webgpu')),
        gather(x, dim, index),
        `gather dim ${dim}`,
      );
    }
    const xs = pair(f([7, 5, 6], 3), (v) => v.permute(1, 2, 0));
    const is = pair(ix([6, 5, 4], 4, 7), (v) => v.permute(1, 0, 2));
    await expectMatch(gather(xs.gpu, 2, is.gpu), gather(xs.cpu, 2, is.cpu), 'gather strided');
  });

  it('scatter (assign: the last duplicate wins, as on the CPU) and scatterAdd (float and int)', async () => {
    const base = f([6, 8], 5);
    const index = ix([10, 8], 6, 6); // many duplicates along dim 0
    const src = f([10, 8], 7);
    await expectMatch(
      scatter(base.to('webgpu'), 0, index.to('webgpu'), src.to('webgpu')),
      scatter(base, 0, index, src),
      'scatter dup',
    );
    await expectMatch(
      scatterAdd(base.to('webgpu'), 0, index.to('webgpu'), src.to('webgpu')),
      scatterAdd(base, 0, index, src),
      'scatterAdd float',
      1e-5,
      1e-6,
    );
    const bi = tensor(randomInts(48, 8, -5, 5)).reshape(6, 8);
    const si = tensor(randomInts(80, 9, -9, 9)).reshape(10, 8);
    await expectMatch(
      scatterAdd(bi.to('webgpu'), 0, index.to('webgpu'), si.to('webgpu')),
      scatterAdd(bi, 0, index, si),
      'scatterAdd int',
    );
    const i1 = ix([6, 3], 10, 8);
    await expectMatch(
      scatter(base.to('webgpu'), 1, i1.to('webgpu'), 2.5),
      scatter(base, 1, i1, 2.5),
      'scatter scalar dim 1',
    );
  });

  it('indexSelect and indexAdd along each dim, repeated indices', async () => {
    const x = f([5, 4, 6], 11);
    for (const dim of [0, 1, 2]) {
      const index = ix([9], 12 + dim, x.shape[dim]!);
      await expectMatch(
        indexSelect(x.to('webgpu'), dim, index.to('webgpu')),
        indexSelect(x, dim, index),
        `indexSelect ${dim}`,
      );
      const shape = [...x.shape];
      shape[dim] = 9;
      const src = f(shape, 20 + dim);
      await expectMatch(
        indexAdd(x.to('webgpu'), dim, index.to('webgpu'), src.to('webgpu')),
        indexAdd(x, dim, index, src),
        `indexAdd ${dim}`,
        1e-5,
        1e-6,
      );
    }
    const xs = pair(f([6, 5], 30), (v) => v.T);
    const index = ix([3], 31, 5);
    await expectMatch(
      indexSelect(xs.gpu, 0, index.to('webgpu')),
      indexSelect(xs.cpu, 0, index),
      'indexSelect strided',
    );
  });

  it('an out-of-range index is reported at the next read, naming the op, value and range', async () => {
    const x = zeros([4, 3], { device: 'webgpu' });
    const bad = tensor([0, 7, 1]).to('webgpu');
    const y = indexSelect(x, 0, bad);
    await expect(y.data()).rejects.toThrow(
      /indexSelect: index 7 is out of range for dim 0 of size 4 \(valid range 0\.\.3\)/,
    );
    // The error is reported once; later work is unaffected.
    const ok = indexSelect(x, 0, tensor([1, 2]).to('webgpu'));
    expect(Array.from(await ok.data())).toEqual([0, 0, 0, 0, 0, 0]);
    const g = gather(x, 1, tensor([[-1, 0, 0]]).to('webgpu'));
    await expect(g.data()).rejects.toThrow(/gather: index -1 is out of range for dim 1 of size 3/);
  });

  it('seeded uniform and randint are bit-identical to the CPU; normal matches to float tolerance', async () => {
    for (const seed of [0, 1, 42, 2 ** 40 + 12345]) {
      manualSeed(seed);
      const c = rand([1000]);
      manualSeed(seed);
      const g = rand([1000], { device: 'webgpu' });
      expect(Array.from(await g.data())).toEqual(Array.from(c.dataSync()));
    }
    // Arbitrary bounds exercise the exact double-arithmetic emulation.
    for (const [lo, hi] of [
      [-0.1, 0.1],
      [-1 / Math.sqrt(784), 1 / Math.sqrt(784)],
      [3.7, 1234.56],
      [-1e6, 1e-3],
    ] as const) {
      const gc = new Generator(7);
      const gg = new Generator(7);
      const c = uniform([4096], lo, hi, { generator: gc });
      const g = uniform([4096], lo, hi, { generator: gg, device: 'webgpu' });
      expect(Array.from(await g.data()), `uniform(${lo}, ${hi})`).toEqual(Array.from(c.dataSync()));
    }
    for (const [lo, hi] of [
      [0, 10],
      [-100, 7],
      [-(2 ** 31), 2 ** 31 - 1],
    ] as const) {
      const c = randint(lo, hi, [999], { generator: new Generator(3) });
      const g = randint(lo, hi, [999], { generator: new Generator(3), device: 'webgpu' });
      expect(Array.from(await g.data()), `randint(${lo}, ${hi})`).toEqual(Array.from(c.dataSync()));
    }
    const gen = new Generator(11);
    gen.offset = 2n ** 32n - 3n; // counters carry into the high word
    const c = randn([37], { generator: new Generator(11).setState(gen.getState()) });
    const g = randn([37], { generator: gen, device: 'webgpu' });
    expect(closeTo(await g.data(), c.dataSync(), 2e-5, 2e-6)).toBeNull();
    const nc = normal([2, 513], 3, 0.5, { generator: new Generator(5) });
    const ng = normal([2, 513], 3, 0.5, { generator: new Generator(5), device: 'webgpu' });
    expect(closeTo(await ng.data(), nc.dataSync(), 2e-5, 2e-6)).toBeNull();
    // Ops built on random draws follow.
    const bc = bernoulli(tensor(randomData(100, 1, 0, 1)), { generator: new Generator(9) });
    const bg = bernoulli(tensor(randomData(100, 1, 0, 1)).to('webgpu'), { generator: new Generator(9) });
    expect(Array.from(await bg.data())).toEqual(Array.from(bc.dataSync()));
    const pc = randperm(50, { generator: new Generator(2) });
    const pg = randperm(50, { generator: new Generator(2), device: 'webgpu' });
    expect(Array.from(await pg.data())).toEqual(Array.from(pc.dataSync()));
    expect(getBackend('webgpu').name).toBe('webgpu');
  });
});
