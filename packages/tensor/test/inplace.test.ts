import {
  arange,
  CpuBackend,
  type OpCall,
  ones,
  registerBackend,
  setOpObserver,
  type Tensor,
  tensor,
  zeros,
} from '@tessera/tensor';
import { afterEach, describe, expect, it } from 'vitest';
import { build, nested, permute, randomRef, zip } from './core-ref.js';

// In-place ops: values, broadcasting of the operand only, dtype rules, non-contiguous targets,
// aliasing between operand and target, and the version counter.

const iota = (shape: number[]): Tensor =>
  arange(
    shape.reduce((a, b) => a * b, 1),
    { dtype: 'float32' },
  ).reshape(shape);
const version = (t: Tensor): number => t._storage!.version;

afterEach(() => {
  setOpObserver(null);
});

describe('arithmetic in place', () => {
  it('writes results into the target and returns it', () => {
    const x = tensor([1, 2, 3], { dtype: 'float32' });
    expect(x.add_(1)).toBe(x);
    expect(x.arraySync()).toEqual([2, 3, 4]);
    x.sub_(tensor([1, 1, 1]), 2);
    expect(x.arraySync()).toEqual([0, 1, 2]);
    x.mul_(3).div_(2);
    expect(x.arraySync()).toEqual([0, 1.5, 3]);
    x.add_(2, 2);
    expect(x.arraySync()).toEqual([4, 5.5, 7]);
    x.maximum_(5).minimum_(6.5);
    expect(x.arraySync()).toEqual([5, 5.5, 6.5]);
    x.pow_(2);
    expect(x.arraySync()).toEqual([25, 30.25, 42.25]);
    x.sqrt_().neg_();
    expect(x.arraySync()).toEqual([-5, -5.5, -6.5]);
    x.clamp_(-6, -5.2).abs_();
    expect(x.arraySync()).toEqual([5.2, 5.5, 6].map(Math.fround));
    const y = tensor([-1, 0, 2], { dtype: 'float32' });
    y.relu_();
    expect(y.arraySync()).toEqual([0, 0, 2]);
    y.exp_().log_();
    expect(y.arraySync()).toEqual([0, 0, 2]);
    y.zero_();
    expect(y.arraySync()).toEqual([0, 0, 0]);
  });

  it('addcmul_, addcdiv_ and lerp_ match their formulas', () => {
    const a = randomRef([3, 4], 1);
    const b = randomRef([3, 4], 2);
    const c = randomRef([4], 3, 1, 2);
    const t = tensor(a.data, { shape: a.shape, dtype: 'float64' });
    const tb = tensor(b.data, { shape: b.shape, dtype: 'float64' });
    const tc = tensor(c.data, { shape: c.shape, dtype: 'float64' });
    t.addcmul_(tb, tc, 0.5);
    let want = zip(
      a,
      zip(b, c, (x, y) => x * y),
      (x, p) => x + 0.5 * p,
    );
    expect(t.dataSync()).toEqual(Float64Array.from(want.data));
    t.addcdiv_(tb, tc, 2);
    want = zip(
      want,
      zip(b, c, (x, y) => x / y),
      (x, q) => x + 2 * q,
    );
    expect(Array.from(t.dataSync()).every((v, i) => Math.abs(v - want.data[i]!) < 1e-12)).toBe(true);
    const z = zeros([2], { dtype: 'float64' });
    z.lerp_(tensor([10, 20], { dtype: 'float64' }), 0.25);
    expect(z.arraySync()).toEqual([2.5, 5]);
  });

  it('works on integer targets with integer operands', () => {
    const x = tensor([1, 2, 3]);
    x.add_(2)
      .mul_(tensor([2, 2, 2]))
      .sub_(true);
    expect(x.arraySync()).toEqual([5, 7, 9]);
    x.clamp_(6, 8);
    expect(x.arraySync()).toEqual([6, 7, 8]);
    expect(x.dtype).toBe('int32');
    const b = tensor([true, false]);
    b.maximum_(tensor([false, true]));
    expect(b.arraySync()).toEqual([true, true]);
  });

  it('computes in the promoted dtype before storing', () => {
    const x = tensor([1, 2], { dtype: 'float32' });
    x.add_(tensor([0.1, 0.2], { dtype: 'float64' }));
    expect(x.dtype).toBe('float32');
    expect(x.dataSync()).toEqual(Float32Array.from([1.1, 2.2]));
    const y = tensor([1.5, 2.5], { dtype: 'float32' });
    y.mul_(tensor([2, 4]));
    expect(y.arraySync()).toEqual([3, 10]);
  });
});

describe('broadcasting and dtype rules', () => {
  it('broadcasts the operand to the target but never the target', () => {
    const x = zeros([2, 3]);
    x.add_(tensor([1, 2, 3], { dtype: 'float32' }));
    x.add_(tensor([[10], [20]], { dtype: 'float32' }));
    expect(x.arraySync()).toEqual([
      [11, 12, 13],
      [21, 22, 23],
    ]);
    expect(() => zeros([3]).add_(zeros([2, 3]))).toThrow(
      "add_: an operand of shape [2,3] does not broadcast to the in-place target's shape [3]",
    );
    expect(() => zeros([3]).mul_(zeros([2]))).toThrow(
      'mul_: shapes [3] and [2] cannot be broadcast (dim -1: 3 vs 2)',
    );
    expect(() => zeros([2, 3]).copy_(zeros([3, 2]))).toThrow(
      'copy_: shapes [2,3] and [3,2] cannot be broadcast (dim -2: 2 vs 3)',
    );
  });

  it('refuses results the target dtype cannot hold', () => {
    expect(() => tensor([1, 2]).add_(1.5)).toThrow(
      "add_: result type float32 can't be cast to the int32 tensor being written in place",
    );
    expect(() => tensor([1, 2]).div_(2)).toThrow(
      "div_: result type float32 can't be cast to the int32 tensor",
    );
    expect(() => tensor([1, 2]).mul_(tensor([1.5, 2]))).toThrow(
      "mul_: result type float32 can't be cast to the int32",
    );
    expect(() => tensor([true]).add_(1)).toThrow("add_: result type int32 can't be cast to the bool tensor");
    expect(() => tensor([4]).sqrt_()).toThrow("sqrt_: result type float32 can't be cast to the int32 tensor");
    expect(() => tensor([4]).clamp_(0.5)).toThrow(
      "clamp_: result type float32 can't be cast to the int32 tensor",
    );
    expect(() => tensor([true]).neg_()).toThrow('neg_: bool tensors are not supported');
    expect(() => tensor([2]).pow_(-1)).toThrow('pow_: integers to negative integer powers are not allowed');
    expect(() => tensor([1]).add_(tensor([1]), 0.5)).toThrow(
      'add_: alpha must be an integer for a int32 target, got 0.5',
    );
    expect(() => zeros([2]).clamp_()).toThrow('clamp_: at least one of min and max must be given');
    expect(() => zeros([2]).fill_('x' as never)).toThrow(
      'fill_: value must be a number or boolean, got string x',
    );
  });

  it('refuses targets whose elements overlap (expanded views)', () => {
    const e = zeros([1, 3]).expand(2, 3);
    expect(() => e.add_(1)).toThrow(
      'add_: cannot write in place into a tensor of shape [2,3] whose dim 0 is broadcast (stride 0)',
    );
    expect(() => e.fill_(1)).toThrow(/fill_: cannot write in place/);
    expect(() => e.copy_(ones([2, 3]))).toThrow(/copy_: cannot write in place/);
    zeros([1, 3]).expand(1, 3).add_(1); // size-1 broadcast dims are fine
  });
});

describe('non-contiguous targets', () => {
  it('writes through transposed, strided and negative-stride views', () => {
    const base = iota([4, 5]);
    const ref = build([4, 5], ([i, j]) => i! * 5 + j!);
    base.T.add_(tensor([100, 200, 300, 400], { dtype: 'float32' })); // adds per row of the base
    let want = build([4, 5], ([i, j]) => ref.data[i! * 5 + j!]! + (i! + 1) * 100);
    expect(base.arraySync()).toEqual(nested(want));
    base.slice(1, undefined, undefined, -2).mul_(-1); // columns 4, 2, 0
    want = build([4, 5], ([i, j]) => want.data[i! * 5 + j!]! * (j! % 2 === 0 ? -1 : 1));
    expect(base.arraySync()).toEqual(nested(want));
    base.slice(0, 0, 4, 2).fill_(7);
    base.select(1, 1).sqrt_();
    want = build([4, 5], ([i, j]) => {
      const v = i! % 2 === 0 ? 7 : want.data[i! * 5 + j!]!;
      return j === 1 ? Math.fround(Math.sqrt(v)) : v;
    });
    expect(base.arraySync()).toEqual(nested(want));
    base.diagonal().copy_(tensor([1, 2, 3, 4]));
    expect(base.diagonal().arraySync()).toEqual([1, 2, 3, 4]);
    expect(base.dtype).toBe('float32');
  });
});

describe('aliasing between operand and target', () => {
  it('x op x reads the target itself', () => {
    const x = tensor([1, 2, 3], { dtype: 'float32' });
    x.add_(x);
    expect(x.arraySync()).toEqual([2, 4, 6]);
    x.mul_(x);
    expect(x.arraySync()).toEqual([4, 16, 36]);
  });

  it('overlapping views are read completely before writing', () => {
    const x = iota([6]);
    x.add_(x.slice(0, undefined, undefined, -1)); // x + reversed(x)
    expect(x.arraySync()).toEqual([5, 5, 5, 5, 5, 5]);
    const y = iota([6]);
    y.slice(0, 1).copy_(y.slice(0, 0, 5)); // shift right by one
    expect(y.arraySync()).toEqual([0, 0, 1, 2, 3, 4]);
    const z = iota([6]);
    z.slice(0, 0, 5).copy_(z.slice(0, 1)); // shift left by one
    expect(z.arraySync()).toEqual([1, 2, 3, 4, 5, 5]);
    const m = iota([3, 3]);
    m.copy_(m.T);
    expect(m.arraySync()).toEqual(
      nested(
        permute(
          build([3, 3], ([i, j]) => i! * 3 + j!),
          [1, 0],
        ),
      ),
    );
    const w = iota([3, 3]);
    w.add_(w.T);
    expect(w.arraySync()).toEqual(nested(build([3, 3], ([i, j]) => i! * 3 + j! + j! * 3 + i!)));
  });
});

describe('copy_ and fill_', () => {
  it('copy_ broadcasts and converts dtype', () => {
    const x = zeros([2, 3], { dtype: 'int32' });
    x.copy_(tensor([1.9, -1.9, 2.5]));
    expect(x.arraySync()).toEqual([
      [1, -1, 2],
      [1, -1, 2],
    ]);
    const b = zeros([3], { dtype: 'bool' });
    b.copy_(tensor([0, 2, -0.5]));
    expect(b.arraySync()).toEqual([false, true, true]);
    x.copy_(7);
    expect(x.arraySync()).toEqual([
      [7, 7, 7],
      [7, 7, 7],
    ]);
  });

  it('copy_ brings a source over from another device', () => {
    registerBackend('cpu2', () => new CpuBackend());
    const src = tensor([1, 2, 3], { device: 'cpu2', dtype: 'float32' });
    const dst = zeros([3]);
    dst.copy_(src);
    expect(dst.arraySync()).toEqual([1, 2, 3]);
    expect(dst.device).toBe('cpu');
  });

  it('fill_ converts the value to the dtype', () => {
    const b = zeros([3], { dtype: 'bool' });
    b.fill_(2);
    expect(b.dataSync()).toEqual(Uint8Array.from([1, 1, 1]));
    const i = zeros([2], { dtype: 'int32' });
    i.fill_(-2.7);
    expect(i.arraySync()).toEqual([-2, -2]);
    const t = zeros([2, 3]).T;
    t.fill_(true);
    expect(t.arraySync()).toEqual([
      [1, 1],
      [1, 1],
      [1, 1],
    ]);
    expect(() => i.fill_(Number.NaN)).toThrow('fill_: cannot convert NaN to int32');
    zeros([0]).fill_(1);
  });
});

describe('version counter and the op seam', () => {
  it('every in-place op bumps the buffer version, shared by views', () => {
    const x = zeros([2, 2]);
    const v = x.T;
    const v0 = version(x);
    x.add_(1);
    v.mul_(2);
    x.fill_(0);
    v.copy_(ones([2, 2]));
    x.clamp_(0, 1);
    expect(version(x)).toBe(v0 + 5);
    expect(version(v)).toBe(version(x));
    x.add(1); // out of place: no bump
    expect(version(x)).toBe(v0 + 5);
  });

  it('in-place ops run through runOp under names ending in _', () => {
    const seen: OpCall[] = [];
    setOpObserver({
      run(call, compute) {
        seen.push(call);
        return compute();
      },
    });
    const x = zeros([3]);
    x.add_(1);
    x.mul_(tensor([1, 2, 3], { dtype: 'float32' }));
    x.clamp_(0, 2);
    x.copy_(ones([3]));
    x.fill_(5);
    x.neg_();
    setOpObserver(null);
    const names = seen.map((c) => c.name);
    expect(names).toEqual(['add_', 'mul_', 'clamp_', 'copy_', 'fill_', 'neg_']);
    expect(seen[0]!.inputs[0]).toBe(x);
    expect(seen[0]!.inputs).toEqual([x]);
    expect(seen[0]!.attrs).toEqual({ scalar: 1, scalarFirst: 0 });
    expect(seen[1]!.inputs[1]!.shape).toEqual([3]);
    expect(seen[2]!.attrs).toEqual({ min: 0, max: 2 });
    expect(seen[4]!.attrs).toEqual({ value: 5 });
    expect(x.arraySync()).toEqual([-5, -5, -5]);
  });
});

describe('reference check on random data', () => {
  it('sub_ with alpha on a transposed float64 target', () => {
    const a = randomRef([3, 5], 11);
    const b = randomRef([3], 12);
    const x = tensor(a.data, { shape: a.shape, dtype: 'float64' });
    x.T.sub_(tensor(b.data, { dtype: 'float64' }), 3);
    const want = zip(a, { shape: [3, 1], data: b.data }, (p, q) => p - 3 * q);
    expect(Array.from(x.dataSync())).toEqual(want.data);
  });
});
