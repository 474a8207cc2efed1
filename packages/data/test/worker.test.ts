import { Generator, type Tensor, tensor } from '@tessera/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { DataLoader, Dataset, WorkerDataset, WorkerPool, workerMap } from '../src/index.js';

const MODULE = new URL('./fixtures/sample-worker.mjs', import.meta.url);
const N = 40;

type Sample = { x: Tensor; raw: Int32Array; label: number };

/** The same samples computed in this thread. */
class Serial extends Dataset<Sample> {
  get length() {
    return N;
  }
  get(i: number): Sample {
    return {
      x: tensor(new Float32Array([i, Math.sin(i) * 2, 1])),
      raw: new Int32Array([i, i * i]),
      label: i % 3,
    };
  }
}

const opened: WorkerDataset[] = [];
afterAll(async () => {
  for (const d of opened) await d.close();
});

function workerDs(numWorkers = 3): WorkerDataset<Sample> {
  const ds = new WorkerDataset<Sample>({ module: MODULE, length: N, numWorkers, args: { scale: 2, n: N } });
  opened.push(ds);
  return ds;
}

async function collect(loader: AsyncIterable<{ x: Tensor; raw: Tensor; label: Tensor }>) {
  const out: { x: number[][]; raw: number[][]; label: number[] }[] = [];
  for await (const b of loader) {
    out.push({
      x: b.x.arraySync() as number[][],
      raw: b.raw.arraySync() as number[][],
      label: b.label.arraySync() as number[],
    });
  }
  return out;
}

describe('WorkerDataset', () => {
  it('loads the same batches as serial loading, in order', async () => {
    const order = [0, 5, 1, 39, 2, 12, 14, 20, 7, 33, 21];
    const want = await collect(new DataLoader(new Serial(), { batchSize: 4, sampler: order }) as never);
    const got = await collect(
      new DataLoader(workerDs(), { batchSize: 4, sampler: order, numWorkers: 4, prefetch: 2 }) as never,
    );
    expect(got).toEqual(want);
    expect(got.map((b) => b.raw.map((r) => r[0]))).toEqual([
      order.slice(0, 4),
      order.slice(4, 8),
      order.slice(8),
    ]);
  });

  it('a failing sample rejects the epoch with an error naming the item and the module', async () => {
    const parallel = new DataLoader(workerDs(), {
      batchSize: 6,
      shuffle: true,
      generator: new Generator(5),
      prefetch: 2,
    });
    await expect(collect(parallel as never)).rejects.toThrow(
      /worker failed for item 13 in .*sample-worker\.mjs: Error: sample 13 is cursed/,
    );
  });

  it('get and getMany return revived tensors and plain values', async () => {
    const ds = workerDs(2);
    const s = await ds.get(4);
    expect(s.x.shape).toEqual([3]);
    expect(Array.from(s.x.dataSync())).toEqual(Array.from(new Float32Array([4, Math.sin(4) * 2, 1])));
    expect(Array.from(s.raw)).toEqual([4, 16]);
    expect(s.label).toBe(1);
    const many = await ds.getMany([9, 3, 0, 9]);
    expect(many.map((m) => m.label)).toEqual([0, 0, 0, 0]);
    expect(many.map((m) => m.raw[0])).toEqual([9, 3, 0, 9]);
    await expect(ds.get(40)).rejects.toThrow(/index 40 is out of range for a dataset of length 40/);
  });

  it('shuffled worker epochs equal serial epochs (without the failing sample)', async () => {
    const keep = Array.from({ length: N }, (_, i) => i).filter((i) => i !== 13);
    class Without<T> extends Dataset<T> {
      constructor(private readonly inner: Dataset<T>) {
        super();
      }
      get length() {
        return keep.length;
      }
      get(i: number) {
        return this.inner.get(keep[i]!);
      }
    }
    const serial = await collect(
      new DataLoader(new Without(new Serial()), {
        batchSize: 5,
        shuffle: true,
        generator: new Generator(9),
      }) as never,
    );
    const parallel = await collect(
      new DataLoader(new Without(workerDs(3)), {
        batchSize: 5,
        shuffle: true,
        generator: new Generator(9),
        prefetch: 3,
      }) as never,
    );
    expect(parallel).toEqual(serial);
    expect(serial.flatMap((b) => b.raw.map((r) => r[0])).sort((a, b) => a! - b!)).toEqual(keep);
  });

  it('reports a module that cannot be loaded or lacks get', async () => {
    const missing = new WorkerDataset({
      module: new URL('./fixtures/does-not-exist.mjs', import.meta.url),
      length: 3,
      numWorkers: 1,
    });
    opened.push(missing);
    await expect(missing.get(0)).rejects.toThrow(
      /WorkerDataset: worker failed .*does-not-exist\.mjs: Error: cannot import the module: .*Cannot find module/,
    );
    expect(() => new WorkerDataset({ module: MODULE, length: -1 })).toThrow(
      /length must be a non-negative integer/,
    );
    const ds = workerDs(2);
    await ds.get(0);
    expect(() => ds.setNumWorkers(5)).toThrow(/cannot change numWorkers to 5 after the 2 workers started/);
  });
});

describe('workerMap', () => {
  it('maps a module function over items in order', async () => {
    const items = Array.from({ length: 25 }, (_, i) => i);
    expect(await workerMap(MODULE, items, { numWorkers: 3, args: { offset: 1 } })).toEqual(
      items.map((v) => v * v + 1),
    );
    expect(await workerMap(MODULE, [], { numWorkers: 2 })).toEqual([]);
    await expect(workerMap(MODULE, [1], { fn: 'nope', numWorkers: 1 })).rejects.toThrow(
      /does not export a function named "nope"/,
    );
  });

  it('WorkerPool checks its options before starting any worker', () => {
    expect(() => new WorkerPool('myPool', MODULE, { num_workers: 2 } as never)).toThrow(
      "myPool: unknown option 'num_workers', did you mean 'numWorkers'?",
    );
    expect(() => new WorkerPool('myPool', MODULE, { numWorkers: '2' } as never)).toThrow(
      "myPool: option 'numWorkers' must be a number",
    );
  });
});
