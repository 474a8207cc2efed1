import { arange, memory, type Tensor, tensor, where, zeros } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { recordTopLevel } from './helpers-record.js';

// The cheap paths that keep small ops cheap: cached scalar operands, the finalizer bookkeeping of
// small buffers (including arrays carved out of shared slabs) and the single-run elementwise
// kernels. Each must behave exactly as the general path does.

const gc = (globalThis as { gc?: () => void }).gc;

/** Collects garbage and lets finalizers run (they are queued as macrotasks after a GC). */
async function collect(until: () => boolean): Promise<void> {
  for (let i = 0; i < 20 && !until(); i++) {
    gc!();
    await new Promise((r) => setTimeout(r, 0));
  }
}

/**
 * The 0-d tensor an op received for a JS scalar operand (its input `i`). Binary ops take numbers
 * as attributes (no operand tensor at all); `where` and `copy_` still make 0-d constants.
 */
function scalarOperandOf(fn: () => unknown, i = 2): Tensor {
  const calls = recordTopLevel(fn);
  const s = calls[0]!.inputs[i]!;
  expect(s.ndim).toBe(0);
  return s;
}

describe('scalar operands', () => {
  it('compute in the promoted dtype, converting the value as that dtype stores it', () => {
    const f = tensor([1, 2, 3], { dtype: 'float32' });
    expect(f.add(0.5).arraySync()).toEqual([1.5, 2.5, 3.5]);
    const i = tensor([1, 2, 3], { dtype: 'int32' });
    expect(i.mul(2).dtype).toBe('int32');
    expect(i.mul(2).arraySync()).toEqual([2, 4, 6]);
    expect(i.add(0.5).dtype).toBe('float32');
    expect(i.copy_(1.75).arraySync()).toEqual([1, 1, 1]); // stored as int32: truncated
    expect(i.copy_(-2.5).arraySync()).toEqual([-2, -2, -2]);
    const b = tensor([true, false]);
    expect(b.add(true).arraySync()).toEqual([2, 1]); // bool arithmetic computes in int32
    expect(b.add(2).arraySync()).toEqual([3, 2]);
  });

  it('keep the sign of a zero operand apart from zero', () => {
    const x = tensor([1, 2], { dtype: 'float32' });
    const plus = x.mul(0).dataSync();
    const minus = x.mul(-0).dataSync();
    expect(Object.is(plus[0], 0)).toBe(true);
    expect(Object.is(minus[0], -0)).toBe(true);
    expect(Object.is(x.mul(0).dataSync()[1], 0)).toBe(true);
  });

  it('NaN and infinite operands', () => {
    expect(tensor([1]).add(Number.NaN).item()).toBeNaN();
    expect(tensor([1], { dtype: 'float64' }).sub(Number.NaN).item()).toBeNaN();
    expect(tensor([1]).mul(Number.POSITIVE_INFINITY).item()).toBe(Number.POSITIVE_INFINITY);
    expect(() => tensor([1], { dtype: 'int32' }).copy_(Number.POSITIVE_INFINITY)).toThrow(
      /copy_: cannot convert Infinity to int32/,
    );
  });

  it('are not counted by memory() and are not freed by dispose()', () => {
    const x = tensor([1, 2, 3], { dtype: 'float32' });
    const c = x.gt(1);
    // A binary op takes the number as an attribute: its only input is x.
    const calls = recordTopLevel(() => x.add(4.125));
    expect(calls[0]!.inputs).toEqual([x]);
    expect(calls[0]!.attrs).toEqual({ scalar: 4.125, scalarFirst: 0 });
    where(c, x, 4.125).dispose(); // the operand's constant now exists
    for (const op of [() => x.add(4.125), () => where(c, x, 4.125)]) {
      op().dispose(); // warm
      const before = memory();
      const y = op();
      expect(memory().liveTensors).toBe(before.liveTensors + 1); // only the result
      expect(memory().liveBuffers).toBe(before.liveBuffers + 1);
      y.dispose();
      expect(memory()).toEqual(before);
    }
    const s = scalarOperandOf(() => where(c, x, 4.125));
    s.dispose();
    expect(s.isDisposed).toBe(false);
    expect(where(c, x, 4.125).arraySync()).toEqual([4.125, 2, 3]);
    expect(x.add(4.125).arraySync()).toEqual([5.125, 6.125, 7.125]);
  });

  it('are never handed out again once something wrote into them', () => {
    const x = tensor([1, 2, 3], { dtype: 'float32' });
    const c = x.gt(1);
    const s = scalarOperandOf(() => where(c, x, 7));
    s.fill_(100); // only reachable through an op observer, but must not poison later ops
    expect(where(c, x, 7).arraySync()).toEqual([7, 2, 3]);
    expect(scalarOperandOf(() => where(c, x, 7))).not.toBe(s);
    expect(x.add(7).arraySync()).toEqual([8, 9, 10]);
  });

  it('work with where() and comparisons on both sides', () => {
    const x = tensor([-1, 0, 2]);
    expect(x.gt(0).arraySync()).toEqual([false, false, true]);
    expect(x.clamp(0).arraySync()).toEqual([0, 0, 2]);
    const w = x.maximum(0);
    expect(w.arraySync()).toEqual([0, 0, 2]);
  });
});

describe('buffer bookkeeping', () => {
  it('arrays of all sizes are released when their tensors are collected', async () => {
    expect(gc).toBeTypeOf('function');
    await collect(() => false);
    const baseline = memory();
    (() => {
      // on the JS heap (<= 64 bytes), carved from slabs (<= 1 KiB), own arrays, pooled (>= 256 KiB)
      for (const n of [1, 16, 17, 100, 256, 257, 5000, 70000]) {
        let t = zeros([n]);
        for (let i = 0; i < 5; i++) t = t.add(1).mul(2).reshape([n]);
        t.sum();
      }
    })();
    expect(memory().liveTensors).toBeGreaterThan(baseline.liveTensors);
    await collect(() => memory().liveTensors <= baseline.liveTensors);
    expect(memory()).toEqual(baseline);
  });

  it('a tensor disposed after a view of it was collected frees its buffer at once', async () => {
    await collect(() => false);
    const baseline = memory();
    const x = zeros([50]);
    (() => {
      x.reshape(5, 10).T.contiguous();
    })();
    await collect(() => memory().liveTensors <= baseline.liveTensors + 1);
    expect(memory().liveBuffers).toBe(baseline.liveBuffers + 1);
    x.dispose();
    expect(memory()).toEqual(baseline);
  });

  it('small arrays sharing a slab are independent and zero-filled', () => {
    const ts = [17, 20, 33, 64, 100, 255].map((n, k) => zeros([n]).add(k));
    ts.forEach((t, k) => {
      expect(t.dataSync().every((v) => v === k)).toBe(true);
    });
    ts[0]!.fill_(-1);
    ts.forEach((t, k) => {
      if (k > 0) expect(t.dataSync().every((v) => v === k)).toBe(true);
    });
    const d = zeros([30], { dtype: 'float64' });
    expect(d.dataSync()).toEqual(new Float64Array(30));
    const read = ts[1]!.dataSync();
    expect(read.byteOffset).toBe(0); // reads are copies with their own buffer
    expect(read.buffer.byteLength).toBe(20 * 4);
  });
});

describe('single-run elementwise paths', () => {
  it('agree with the strided walk for offsets, size-1 dims and broadcast scalars', () => {
    const base = arange(0, 24).reshape(2, 3, 4);
    const slice = base.slice(0, 1, 2); // contiguous, non-zero offset, leading size-1 dim
    const other = arange(100, 112).reshape(1, 3, 4);
    expect(slice.add(other).arraySync()).toEqual([
      [
        [112, 114, 116, 118],
        [120, 122, 124, 126],
        [128, 130, 132, 134],
      ],
    ]);
    const col = base.slice(2, 1, 2); // size-1 last dim: strided
    expect(col.mul(2).flatten().arraySync()).toEqual([2, 10, 18, 26, 34, 42]);
    const one = tensor([5]).expand(2, 3); // every element one memory location
    expect(one.add(base.slice(2, 0, 1).reshape(2, 3)).arraySync()).toEqual([
      [5, 9, 13],
      [17, 21, 25],
    ]);
    expect(one.tanh().arraySync()).toEqual(tensor([5]).tanh().expand(2, 3).arraySync());
    expect(base.permute(2, 0, 1).contiguous().flatten().slice(0, 0, 4).arraySync()).toEqual([0, 4, 8, 12]);
  });

  it('where() with scalar branches and a broadcast condition', () => {
    const c = tensor([true, false, true]);
    expect(where(c, 1, 0).arraySync()).toEqual([1, 0, 1]);
    expect(where(c, 1.5, 0).dtype).toBe('float32');
    const x = tensor([1, 2]);
    expect(where(c.reshape(3, 1), x, -1).arraySync()).toEqual([
      [1, 2],
      [-1, -1],
      [1, 2],
    ]);
  });
});
