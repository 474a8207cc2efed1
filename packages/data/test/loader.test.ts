import { arange, Generator, stack, type Tensor, tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import {
  BatchSampler,
  DataLoader,
  Dataset,
  defaultCollate,
  IterableDataset,
  SequentialSampler,
  TensorDataset,
} from '../src/index.js';

/** Ids of a dataset whose sample i is [tensor [i, 10 i], label i]. */
function idDataset(n: number): TensorDataset {
  const x = stack([arange(n), arange(n).mul(10)], 1);
  return new TensorDataset(x, arange(n));
}

async function epochIds(loader: DataLoader<Tensor[]>): Promise<number[][]> {
  const out: number[][] = [];
  for await (const [, y] of loader) out.push(Array.from(y!.dataSync()));
  return out;
}

describe('DataLoader', () => {
  it('batches a TensorDataset in order by default', async () => {
    const loader = new DataLoader(idDataset(10), { batchSize: 4 });
    expect(loader.length).toBe(3);
    const batches: Tensor[][] = [];
    for await (const b of loader) batches.push(b);
    expect(batches.map((b) => b[0]!.shape)).toEqual([
      [4, 2],
      [4, 2],
      [2, 2],
    ]);
    expect(batches[0]![0]!.arraySync()).toEqual([
      [0, 0],
      [1, 10],
      [2, 20],
      [3, 30],
    ]);
    expect(batches[2]![1]!.arraySync()).toEqual([8, 9]);
    expect(batches[0]![1]!.dtype).toBe('int32');
  });

  it('dropLast drops the short last batch', async () => {
    const loader = new DataLoader(idDataset(10), { batchSize: 4, dropLast: true });
    expect(loader.length).toBe(2);
    expect(await epochIds(loader)).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ]);
  });

  it('shuffle: every sample exactly once per epoch, reproducible from the seed, different between epochs', async () => {
    const make = () =>
      new DataLoader(idDataset(100), { batchSize: 7, shuffle: true, generator: new Generator(42) });
    const a = make();
    const e1 = await epochIds(a);
    const e2 = await epochIds(a);
    for (const e of [e1, e2]) {
      expect(e.length).toBe(15);
      expect(e.slice(0, -1).every((b) => b.length === 7)).toBe(true);
      expect(e.flat().sort((p, q) => p - q)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    }
    expect(e1.flat()).not.toEqual(e2.flat());
    expect(e1.flat()).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
    const b = make();
    expect(await epochIds(b)).toEqual(e1);
    expect(await epochIds(b)).toEqual(e2);
    const c = new DataLoader(idDataset(100), { batchSize: 7, shuffle: true, generator: new Generator(43) });
    expect((await epochIds(c)).flat()).not.toEqual(e1.flat());
    // setEpoch resumes at a given epoch.
    const d = make();
    d.setEpoch(1);
    expect(await epochIds(d)).toEqual(e2);
  });

  it('collates nested structures: tuples, objects, numbers, strings, typed arrays', async () => {
    class Nested extends Dataset<{
      x: Tensor;
      meta: { id: number; name: string; w: number };
      pair: [number, boolean];
      raw: Float32Array;
    }> {
      get length() {
        return 5;
      }
      get(i: number) {
        return {
          x: tensor([i, -i]),
          meta: { id: i, name: `s${i}`, w: i + 0.5 },
          pair: [i * 2, i % 2 === 0] as [number, boolean],
          raw: new Float32Array([i, i, i]),
        };
      }
    }
    const loader = new DataLoader(new Nested(), { batchSize: 3 });
    const batches = [];
    for await (const b of loader) batches.push(b);
    expect(batches.length).toBe(2);
    const b = batches[0]!;
    expect(b.x.arraySync()).toEqual([
      [0, 0],
      [1, -1],
      [2, -2],
    ]);
    expect(b.meta.id.dtype).toBe('int32');
    expect(b.meta.id.arraySync()).toEqual([0, 1, 2]);
    expect(b.meta.w.dtype).toBe('float32');
    expect(b.meta.w.arraySync()).toEqual([0.5, 1.5, 2.5]);
    expect(b.meta.name).toEqual(['s0', 's1', 's2']);
    expect(b.pair[0].arraySync()).toEqual([0, 2, 4]);
    expect(b.pair[1].dtype).toBe('bool');
    expect(b.pair[1].arraySync()).toEqual([true, false, true]);
    expect(b.raw.shape).toEqual([3, 3]);
    expect(batches[1]!.meta.name).toEqual(['s3', 's4']);
  });

  it('defaultCollate errors name the position and the mismatch', () => {
    expect(() => defaultCollate([tensor([1, 2]), tensor([1, 2, 3])])).toThrow(
      /sample 0 has shape \[2\] and sample 1 has shape \[3\]/,
    );
    expect(() => defaultCollate([{ a: 1 }, { b: 1 }])).toThrow(
      /sample 1 has keys \{b\} but sample 0 has \{a\}/,
    );
    expect(() =>
      defaultCollate([
        [1, tensor(1)],
        [2, 3],
      ]),
    ).toThrow(/sample 1 at \[1\] is number 3 but sample 0 is a tensor/);
    expect(() => defaultCollate([null])).toThrow(/cannot batch null/);
    expect(() => defaultCollate([])).toThrow(/non-empty/);
  });

  it('prefetch gives the same batches as serial loading and overlaps with an async consumer', async () => {
    let fetched = 0;
    class Slowish extends Dataset<[Tensor, number]> {
      get length() {
        return 40;
      }
      get(i: number): [Tensor, number] {
        fetched++;
        return [tensor([i]), i];
      }
    }
    const serial = await epochIds(
      new DataLoader(new Slowish() as never, { batchSize: 8, shuffle: true, generator: new Generator(1) }),
    );
    for (const prefetch of [1, 3]) {
      fetched = 0;
      const loader = new DataLoader(new Slowish(), {
        batchSize: 8,
        shuffle: true,
        generator: new Generator(1),
        prefetch,
      });
      const ids: number[][] = [];
      const aheadSeen: number[] = [];
      let consumed = 0;
      for await (const [, y] of loader) {
        ids.push(Array.from(y.dataSync()));
        consumed += 8;
        await new Promise((r) => setTimeout(r, 2)); // a training step that awaits
        aheadSeen.push(fetched - consumed);
      }
      expect(ids).toEqual(serial);
      // While the consumer awaited, the next `prefetch` batches were already loaded.
      expect(Math.max(...aheadSeen)).toBe(8 * prefetch);
    }
  });

  it('prefetch 0 loads each batch only when asked for', async () => {
    const log: string[] = [];
    class Logged extends Dataset<number> {
      get length() {
        return 4;
      }
      get(i: number) {
        log.push(`get ${i}`);
        return i;
      }
    }
    for await (const b of new DataLoader(new Logged(), { batchSize: 2 }))
      log.push(`batch ${Array.from(b.dataSync())}`);
    expect(log).toEqual(['get 0', 'get 1', 'batch 0,1', 'get 2', 'get 3', 'batch 2,3']);
  });

  it('propagates dataset errors, also from prefetched batches', async () => {
    class Bad extends Dataset<number> {
      get length() {
        return 10;
      }
      get(i: number) {
        if (i === 5) throw new Error('bad sample 5');
        return i;
      }
    }
    for (const prefetch of [0, 2]) {
      const seen: number[] = [];
      await expect(async () => {
        for await (const b of new DataLoader(new Bad(), { batchSize: 2, prefetch }))
          seen.push(...b.dataSync());
      }).rejects.toThrow('bad sample 5');
      expect(seen).toEqual([0, 1, 2, 3]);
    }
  });

  it('supports async get, custom collate, samplers, batch samplers and batchSize null', async () => {
    class Async extends Dataset<number> {
      get length() {
        return 6;
      }
      async get(i: number) {
        await new Promise((r) => setTimeout(r, 1));
        return i * i;
      }
    }
    const sum = new DataLoader(new Async(), {
      batchSize: 4,
      collate: (s: number[]) => s.reduce((a, b) => a + b, 0),
    });
    const sums: number[] = [];
    for await (const s of sum) sums.push(s);
    expect(sums).toEqual([0 + 1 + 4 + 9, 16 + 25]);

    const rev = {
      length: 6,
      *[Symbol.iterator]() {
        for (let i = 5; i >= 0; i--) yield i;
      },
    };
    const viaSampler: number[][] = [];
    for await (const b of new DataLoader(new Async(), { batchSize: 4, sampler: rev }))
      viaSampler.push(Array.from(b.dataSync()));
    expect(viaSampler).toEqual([
      [25, 16, 9, 4],
      [1, 0],
    ]);

    const bs = new BatchSampler(new SequentialSampler(6), 3, false);
    const viaBatch = new DataLoader(new Async(), { batchSampler: bs });
    expect(viaBatch.length).toBe(2);
    const got: number[][] = [];
    for await (const b of viaBatch) got.push(Array.from(b.dataSync()));
    expect(got).toEqual([
      [0, 1, 4],
      [9, 16, 25],
    ]);

    const single: number[] = [];
    for await (const s of new DataLoader(new Async(), { batchSize: null }))
      single.push(s as unknown as number);
    expect(single).toEqual([0, 1, 4, 9, 16, 25]);
  });

  it('batches an IterableDataset in stream order', async () => {
    const ds = IterableDataset.from(function* () {
      for (let i = 0; i < 7; i++) yield { v: i };
    }, 7);
    const loader = new DataLoader(ds, { batchSize: 3 });
    expect(loader.length).toBe(3);
    for (let epoch = 0; epoch < 2; epoch++) {
      const got: number[][] = [];
      for await (const b of loader) got.push(Array.from(b.v.dataSync()));
      expect(got).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    }
    const dropped: number[][] = [];
    for await (const b of new DataLoader(ds, { batchSize: 3, dropLast: true }))
      dropped.push(Array.from(b.v.dataSync()));
    expect(dropped.length).toBe(2);
    expect(() => new DataLoader(ds, { shuffle: true })).toThrow(
      /shuffle is not supported for an IterableDataset/,
    );
    expect(() => new DataLoader(IterableDataset.from([1, 2])).length).toThrow(/length is unknown/);
  });

  it('rejects bad options clearly', () => {
    const ds = idDataset(4);
    expect(() => new DataLoader(ds, { batchSize: 0 })).toThrow(
      /DataLoader: batchSize must be an integer >= 1, got number 0/,
    );
    expect(() => new DataLoader(ds, { shuffle: true, sampler: new SequentialSampler(4) })).toThrow(
      /mutually exclusive with shuffle/,
    );
    expect(() => new DataLoader(ds, { batchSampler: new BatchSampler([0, 1], 2), batchSize: 2 })).toThrow(
      /batchSampler is mutually exclusive with batchSize/,
    );
    expect(() => new DataLoader(ds, { numWorkers: 2 })).toThrow(
      /numWorkers 2 needs a dataset that loads in workers/,
    );
    expect(() => new DataLoader({} as never)).toThrow(
      /dataset must have a numeric length and a get\(index\) method/,
    );
    expect(() => new DataLoader(ds, { generator: 3 as never })).toThrow(/generator must be a Generator/);
  });
});
