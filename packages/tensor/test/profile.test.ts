import {
  hasOpObservers,
  type ProfileRow,
  profile,
  profileAsync,
  randn,
  recordFunction,
  runOp,
  type Tensor,
  tensor,
  zeros,
} from '@tessera/tensor';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { testOp } from './helpers-op.js';

afterEach(() => {
  vi.restoreAllMocks();
  expect(hasOpObservers()).toBe(false);
});

/** Stops `performance.now()`: time moves only when the test calls `advance(ms)`, so times are exact. */
function manualClock(): (ms: number) => void {
  let now = 0;
  vi.spyOn(performance, 'now').mockImplementation(() => now);
  return (ms) => {
    now += ms;
  };
}

/** A recorded op named `name` that takes `ms` of (manual clock) time, then runs `body`. */
function slowOp(
  name: string,
  x: Tensor,
  advance: (ms: number) => void,
  ms: number,
  body: () => Tensor,
): Tensor {
  return runOp(testOp(name), [x], {}, () => {
    advance(ms);
    return body();
  });
}

/** A row's counters without its name. */
function counters(r: ProfileRow | undefined): Omit<ProfileRow, 'name'> | undefined {
  if (r === undefined) return undefined;
  const { name: _, ...rest } = r;
  return rest;
}

describe('profile', () => {
  it('counts calls and new result bytes per op, and returns the value', () => {
    const x = randn([4, 3]);
    const w = randn([3, 5]);
    const p = profile(() => {
      const y = x.matmul(w); // 4*5 float32 = 80 bytes
      const z = y.matmul(randn([5, 2])); // 32 bytes; randn itself is not a recorded op
      const v = z.reshape([8]).transpose(0, 0); // views: nothing new
      v.add_(1); // in place: nothing new
      return x.add(x).add(x).sum().item(); // add twice, 48 bytes each; sum 4 bytes
    });
    expect(p.value).toBeCloseTo(x.mul(3).sum().item() as number, 4);
    expect(p.row('matmul')).toMatchObject({ count: 2, bytesAllocated: 112, selfBytesAllocated: 112 });
    expect(p.row('add')).toMatchObject({ count: 2, bytesAllocated: 96 });
    expect(p.row('add_')).toMatchObject({ count: 1, bytesAllocated: 0 });
    expect(p.row('sum')).toMatchObject({ count: 1, bytesAllocated: 4 });
    for (const r of p.rows)
      if (!['matmul', 'add', 'add_', 'sum'].includes(r.name)) expect(r.bytesAllocated).toBe(0);
    expect(p.row('mul')).toBeUndefined(); // run outside the profiled function
  });

  it('sorts rows by total time and splits self time and bytes from nested ops', () => {
    const advance = manualClock();
    const x = tensor([1, 2, 3, 4], { dtype: 'float32' });
    const p = profile(() =>
      slowOp('outer', x, advance, 3, () => {
        const a = slowOp('inner', x, advance, 2, () => slowOp('leaf', x, advance, 1, () => x.clone()));
        return slowOp('tail', a, advance, 1, () => a.neg());
      }),
    );
    const table = Object.fromEntries(p.rows.map((r) => [r.name, counters(r)]));
    expect(table).toEqual({
      outer: { count: 1, totalMs: 7, selfMs: 3, bytesAllocated: 32, selfBytesAllocated: 0 },
      inner: { count: 1, totalMs: 3, selfMs: 2, bytesAllocated: 16, selfBytesAllocated: 0 },
      leaf: { count: 1, totalMs: 1, selfMs: 1, bytesAllocated: 16, selfBytesAllocated: 0 },
      tail: { count: 1, totalMs: 1, selfMs: 1, bytesAllocated: 16, selfBytesAllocated: 0 },
      clone: { count: 1, totalMs: 0, selfMs: 0, bytesAllocated: 16, selfBytesAllocated: 16 },
      neg: { count: 1, totalMs: 0, selfMs: 0, bytesAllocated: 16, selfBytesAllocated: 16 },
    });
    expect(p.rows.map((r) => r.name)).toEqual(['outer', 'inner', 'leaf', 'tail', 'clone', 'neg']);
    expect(p.selfMsTotal).toBe(7);
    expect(p.sorted('selfMs').map((r) => r.name)).toEqual(['outer', 'inner', 'leaf', 'tail', 'clone', 'neg']);
    expect(p.sorted('selfBytesAllocated').map((r) => r.name)).toEqual([
      'clone',
      'neg',
      'inner',
      'leaf',
      'outer',
      'tail',
    ]);
  });

  it('counts a storage made inside an op but not by a recorded op as its own allocation', () => {
    const x = tensor([1, 2]);
    const p = profile(() => runOp(testOp('fresh'), [x], {}, () => zeros([3], { dtype: 'float64' })));
    expect(p.row('fresh')).toMatchObject({ bytesAllocated: 24, selfBytesAllocated: 24 });
  });

  it('does not count a caller`s input, or a nested op`s result, handed further down', () => {
    const x = tensor([1, 2, 3, 4], { dtype: 'float32' });
    const p = profile(() =>
      runOp(testOp('outer'), [x], {}, () =>
        runOp(testOp('middle'), [x.neg()], {}, () =>
          runOp(testOp('inner'), [x], {}, () => x.reshape([2, 2])),
        ),
      ),
    );
    expect(counters(p.row('inner'))).toMatchObject({ bytesAllocated: 0, selfBytesAllocated: 0 });
    expect(counters(p.row('middle'))).toMatchObject({ bytesAllocated: 0, selfBytesAllocated: 0 });
    expect(counters(p.row('outer'))).toMatchObject({ bytesAllocated: 16, selfBytesAllocated: 0 }); // neg's result
  });

  it('counts every new tensor of a multi-output op, and not one it returns twice', () => {
    const x = tensor([3, 1, 2], { dtype: 'float32' });
    const p = profile(() =>
      runOp(testOp('pair'), [x], {}, () => [zeros([3]), zeros([2], { dtype: 'int32' })]),
    );
    expect(p.row('pair')?.selfBytesAllocated).toBe(12 + 8);
    const q = profile(() =>
      runOp(testOp('repeated'), [x], {}, () => {
        const t = zeros([3]);
        return [t, t.reshape([3, 1]), x];
      }),
    );
    expect(q.row('repeated')?.selfBytesAllocated).toBe(12); // t once; its view and the input: nothing
  });

  it('still counts an op whose computation throws, and stays balanced for the next ones', () => {
    const advance = manualClock();
    const x = tensor([1, 2], { dtype: 'float32' });
    const p = profile(() => {
      expect(() =>
        slowOp('outer', x, advance, 2, () =>
          slowOp('fails', x, advance, 1, (): Tensor => {
            throw new Error('kernel failed');
          }),
        ),
      ).toThrow('kernel failed');
      return slowOp('after', x, advance, 4, () => x.neg());
    });
    expect(p.row('fails')).toMatchObject({ count: 1, totalMs: 1, selfMs: 1, bytesAllocated: 0 });
    expect(p.row('outer')).toMatchObject({ count: 1, totalMs: 3, selfMs: 2, bytesAllocated: 0 });
    expect(p.row('after')).toMatchObject({ count: 1, totalMs: 4, selfMs: 4, bytesAllocated: 8 });
  });

  it('removes itself when the function throws', () => {
    expect(() =>
      profile(() => {
        tensor([1]).neg();
        throw new Error('user error');
      }),
    ).toThrow('user error');
    expect(hasOpObservers()).toBe(false);
  });

  it('nests: the outer profile counts the inner one`s ops, the inner one only its own', () => {
    const x = tensor([1, 2], { dtype: 'float32' });
    const outer = profile(() => {
      x.neg();
      const inner = profile(() => x.neg().exp());
      expect(inner.rows.map((r) => [r.name, r.count])).toEqual(
        expect.arrayContaining([
          ['neg', 1],
          ['exp', 1],
        ]),
      );
      expect(inner.rows).toHaveLength(2);
      return inner;
    });
    expect(outer.row('neg')?.count).toBe(2);
    expect(outer.row('exp')?.count).toBe(1);
    expect(outer.value.row('neg')?.count).toBe(1);
  });

  it('refuses an async function (profileAsync is for those) and a non-function', async () => {
    expect(() => profile(async () => 1)).toThrow(/profile: fn returned a Promise.*profileAsync/);
    expect(() => profile(42 as unknown as () => void)).toThrow(/profile: expected a function, got number/);
    await expect(profileAsync('x' as unknown as () => void)).rejects.toThrow(
      /profileAsync: expected a function/,
    );
  });
});

describe('profileAsync', () => {
  it('profiles across awaits and returns the awaited value', async () => {
    const x = tensor([1, 2], { dtype: 'float32' });
    const p = await profileAsync(async () => {
      x.neg();
      await new Promise((r) => setTimeout(r, 0));
      return x.exp().sum().item();
    });
    expect(p.value).toBeCloseTo(Math.E + Math.E ** 2, 4);
    expect(p.rows.map((r) => r.name).sort()).toEqual(['exp', 'neg', 'sum']);
  });

  it('removes itself when the promise rejects, whatever the order profiles end in', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const x = tensor([1], { dtype: 'float32' });
    const first = profileAsync(async () => {
      await gate;
      x.neg();
      throw new Error('late failure');
    });
    const second = await profileAsync(() => x.exp());
    expect(second.rows.map((r) => r.name)).toEqual(['exp']);
    expect(hasOpObservers()).toBe(true); // the first is still running
    release();
    await expect(first).rejects.toThrow('late failure');
  });
});

describe('recordFunction', () => {
  it('shows a region as a row, with the ops it runs nested in it', () => {
    const advance = manualClock();
    const x = tensor([1, 2, 3, 4], { dtype: 'float32' });
    const p = profile(() => {
      const y = recordFunction('forward', () => {
        advance(2); // time in the region outside any op
        return slowOp('step', x, advance, 3, () => x.mul(x));
      });
      recordFunction('forward', () => y.neg());
      return y;
    });
    expect(counters(p.row('forward'))).toEqual({
      count: 2,
      totalMs: 5,
      selfMs: 2,
      bytesAllocated: 32,
      selfBytesAllocated: 0,
    });
    expect(counters(p.row('step'))).toEqual({
      count: 1,
      totalMs: 3,
      selfMs: 3,
      bytesAllocated: 16,
      selfBytesAllocated: 0,
    });
    expect(p.selfMsTotal).toBe(5);
  });

  it('labels the region in every profile running, and just runs fn with none', () => {
    const x = tensor([1, 2], { dtype: 'float32' });
    expect(recordFunction('alone', () => 7)).toBe(7);
    const outer = profile(() => {
      const inner = profile(() => recordFunction('region', () => x.neg()));
      expect(inner.row('region')?.count).toBe(1);
      expect(inner.row('neg')?.count).toBe(1);
    });
    expect(outer.row('region')?.count).toBe(1);
    expect(outer.row('neg')?.count).toBe(1);
  });

  it('closes the region when fn throws, and refuses async functions and bad names', () => {
    const p = profile(() => {
      expect(() =>
        recordFunction('failing', () => {
          throw new Error('inside');
        }),
      ).toThrow('inside');
      return tensor([1], { dtype: 'float32' }).neg();
    });
    expect(p.row('failing')?.count).toBe(1);
    expect(p.row('neg')?.count).toBe(1);
    expect(() => recordFunction('later', async () => 1)).toThrow(
      /recordFunction\(later\): fn returned a Promise/,
    );
    expect(() => recordFunction('', () => 1)).toThrow(/recordFunction: name must be a non-empty string/);
    expect(() => recordFunction('x', 1 as unknown as () => number)).toThrow(
      /recordFunction\(x\): expected a function, got number/,
    );
  });
});

describe('ProfileResult.table', () => {
  const cols = `${'-'.repeat(12)}  `.repeat(8);
  const head =
    '    Self CPU %      Self CPU   CPU total %     CPU total  CPU time avg           Mem      Self Mem    # of Calls  ';

  it('is laid out as torch.profiler`s key_averages().table(), sorted by total time', () => {
    const advance = manualClock();
    const x = zeros([256, 1024]); // 1 Mb of float32
    const p = profile(() => {
      slowOp('outer', x, advance, 1, () => slowOp('inner', x, advance, 0.5, () => x.neg()));
      return slowOp('absolute', x, advance, 0.5, () => x.abs());
    });
    // Name column: the longest name ('absolute') + 4; the others 12 wide; two spaces after each.
    const sep = `${'-'.repeat(12)}  ${cols}`;
    expect(p.table()).toBe(
      [
        sep,
        `        Name${head}`,
        sep,
        '       outer        50.00%       1.000ms        75.00%       1.500ms       1.500ms       1.00 Mb           0 b             1  ',
        '    absolute        25.00%     500.000us        25.00%     500.000us     500.000us       1.00 Mb           0 b             1  ',
        '       inner        25.00%     500.000us        25.00%     500.000us     500.000us       1.00 Mb           0 b             1  ',
        '         abs         0.00%       0.000us         0.00%       0.000us       0.000us       1.00 Mb       1.00 Mb             1  ',
        '         neg         0.00%       0.000us         0.00%       0.000us       0.000us       1.00 Mb       1.00 Mb             1  ',
        sep,
        'Self CPU time total: 2.000ms',
        '',
      ].join('\n'),
    );
  });

  it('sorts by another column, limits rows, and cuts long names as PyTorch does', () => {
    const x = tensor([1, 2]);
    const long = 'a'.repeat(60);
    const p = profile(() => {
      x.neg();
      x.neg();
      runOp(testOp(long), [x], {}, () => x.exp());
    });
    const rows = p.table({ sortBy: 'count', rowLimit: 1 }).split('\n');
    expect(rows).toHaveLength(4 + 1 + 2); // header block, one row, separator, total, final newline
    expect(rows[3]!.trim().split(/\s+/)[0]).toBe('neg');
    const cut = p.table({ sortBy: 'selfBytesAllocated' }).split('\n');
    expect(cut[0]!.startsWith(`${'-'.repeat(55)}  `)).toBe(true);
    expect(cut.some((l) => l.includes(`${'a'.repeat(52)}...`))).toBe(true);
  });

  it('formats seconds, kilobytes and an empty profile', () => {
    const advance = manualClock();
    const x = zeros([3, 1024], { dtype: 'int32' });
    const p = profile(() => slowOp('slow', x, advance, 1500, () => x.neg()));
    const row = p.table().split('\n')[3]!;
    expect(row.trim().split(/\s{2,}/)).toEqual([
      'slow',
      '100.00%',
      '1.500s',
      '100.00%',
      '1.500s',
      '1.500s',
      '12.00 Kb',
      '0 b',
      '1',
    ]);
    const sep = `----  ${cols}`;
    expect(profile(() => 1).table()).toBe(
      [sep, `Name${head}`, sep, sep, 'Self CPU time total: 0.000us', ''].join('\n'),
    );
  });

  it('rejects unknown options and bad values', () => {
    const p = profile(() => tensor([1]).neg());
    expect(() => p.table({ sort_by: 'count' } as never)).toThrow(/unknown option 'sort_by'/);
    expect(() => p.table({ sortBy: 'cpu_time_total' as never })).toThrow(/sortBy must be one of totalMs/);
    expect(() => p.table({ rowLimit: -1 })).toThrow(/rowLimit must be a non-negative integer, got -1/);
  });
});
