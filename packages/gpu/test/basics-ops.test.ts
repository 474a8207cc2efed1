import {
  allclose,
  allcloseAsync,
  clamp,
  cross,
  diag,
  diff,
  isclose,
  median,
  nonzero,
  nonzeroAsync,
  scatterReduce,
  tensor,
  unique,
  uniqueAsync,
} from '@tessera/tensor';
import { beforeAll, expect, it } from 'vitest';
import { describeIfAvailable } from '../../../tests/repo/requirements.js';
import { expectMatch, gpuBackend, randomData } from './helpers.js';

// The composites of issue #19 on WebGPU: they run there unchanged and match the CPU backend;
// results whose size depends on the data come through the *Async variants, and the synchronous
// forms say so.

const f = (shape: number[], seed: number) =>
  tensor(
    randomData(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
  ).reshape(shape);

describeIfAvailable('webgpu', 'issue #19 composites on WebGPU match the CPU backend', () => {
  beforeAll(async () => {
    await gpuBackend();
  });

  it('median, clamp with tensor bounds, diff, diag, cross, scatterReduce', async () => {
    const x = f([5, 7], 1);
    const g = x.to('webgpu');
    const m = median(g, 1);
    await expectMatch(m.values, median(x, 1).values, 'median values');
    await expectMatch(m.indices, median(x, 1).indices, 'median indices');
    await expectMatch(median(g), median(x), 'median of all');
    const lo = f([7], 2).sub(1);
    const hi = f([5, 1], 3).add(1);
    await expectMatch(clamp(g, lo.to('webgpu'), hi.to('webgpu')), clamp(x, lo, hi), 'clamp tensor bounds');
    await expectMatch(diff(g, 2, 0), diff(x, 2, 0), 'diff');
    await expectMatch(diag(g, 1), diag(x, 1), 'diag');
    const a = f([4, 3], 4);
    const b = f([4, 3], 5);
    await expectMatch(cross(a.to('webgpu'), b.to('webgpu')), cross(a, b), 'cross');
    const index = tensor(
      [
        [0, 2, 0, 4],
        [1, 1, 3, 3],
      ],
      { dtype: 'int32' },
    );
    const src = f([2, 4], 6);
    for (const reduce of ['sum', 'prod', 'mean', 'amax', 'amin'] as const) {
      await expectMatch(
        scatterReduce(g.slice(0, 0, 2), 1, index.to('webgpu'), src.to('webgpu'), reduce, {
          includeSelf: false,
        }),
        scatterReduce(x.slice(0, 0, 2), 1, index, src, reduce, { includeSelf: false }),
        `scatterReduce ${reduce}`,
      );
    }
  });

  it('isclose on the device; allclose, nonzero and unique read back asynchronously', async () => {
    const x = tensor([1, 0, 2, 0, 2, 3], { dtype: 'float32' });
    const g = x.to('webgpu');
    await expectMatch(isclose(g, g.add(1e-6)), isclose(x, x.add(1e-6)), 'isclose');
    expect(await allcloseAsync(g, g.add(1e-9))).toBe(true);
    expect(await allcloseAsync(g, g.add(1))).toBe(false);
    await expectMatch(await nonzeroAsync(g), nonzero(x), 'nonzeroAsync');
    const u = await uniqueAsync(g, { returnCounts: true });
    await expectMatch(u.values, unique(x), 'uniqueAsync values');
    expect(await u.counts!.array()).toEqual([2, 1, 2, 1]);
    expect(() => allclose(g, g)).toThrow('use await allcloseAsync(a, b)');
    expect(() => nonzero(g)).toThrow('use await nonzeroAsync(...)');
    expect(() => unique(g)).toThrow('use await uniqueAsync(...)');
  });
});
