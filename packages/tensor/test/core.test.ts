import {
  arange,
  getOpObserver,
  type OpCall,
  runOp,
  setOpObserver,
  type Tensor,
  tensor,
  zeros,
} from '@tessera/tensor';
import { afterEach, describe, expect, it } from 'vitest';
import { testOp } from './helpers-op.js';

// The Tensor object itself (metadata, readers, conversion) and the runOp seam.

afterEach(() => {
  setOpObserver(null);
});

describe('Tensor metadata', () => {
  it('exposes shape, strides, offset, dtype, device and sizes', () => {
    const x = zeros([2, 3, 4]);
    expect(x.shape).toEqual([2, 3, 4]);
    expect(x.strides).toEqual([12, 4, 1]);
    expect(x.offset).toBe(0);
    expect(x.ndim).toBe(3);
    expect(x.dim()).toBe(3);
    expect(x.size()).toEqual([2, 3, 4]);
    expect(x.size(-1)).toBe(4);
    expect(x.numel()).toBe(24);
    expect(x.dtype).toBe('float32');
    expect(x.device).toBe('cpu');
    expect(x.isContiguous()).toBe(true);
    const s = x.select(1, 2);
    expect(s.offset).toBe(8);
    expect(s.strides).toEqual([12, 1]);
    expect(tensor(1).numel()).toBe(1);
    expect(zeros([3, 0]).numel()).toBe(0);
  });
});

describe('readers', () => {
  it('data/array and their sync forms read views in logical order', async () => {
    const x = arange(6).reshape(2, 3);
    const t = x.T;
    expect(Array.from(t.dataSync())).toEqual([0, 3, 1, 4, 2, 5]);
    expect(Array.from(await t.data())).toEqual([0, 3, 1, 4, 2, 5]);
    expect(await t.array()).toEqual([
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
    expect(t.arraySync()).toEqual(await t.array());
    expect(x.dataSync()).toBeInstanceOf(Int32Array);
    expect(tensor([true]).dataSync()).toBeInstanceOf(Uint8Array);
    expect(tensor([true, false]).arraySync()).toEqual([true, false]);
  });

  it('returns copies, never the backing buffer', () => {
    const x = tensor([1, 2, 3], { dtype: 'float32' });
    const d = x.dataSync();
    d[0] = 100;
    expect(x.arraySync()).toEqual([1, 2, 3]);
    expect(x.slice(0, 1).dataSync().length).toBe(2);
  });

  it('item and 0-d values', async () => {
    expect(tensor(2.5).item()).toBe(2.5);
    expect(tensor([[7]]).item()).toBe(7);
    expect(tensor(false).item()).toBe(false);
    expect(tensor(4).arraySync()).toBe(4);
    expect(await tensor(4).array()).toBe(4);
  });
});

describe('conversion and detach', () => {
  it('to() converts dtypes and keeps tensors already there', () => {
    const x = tensor([1.5, -2.5]);
    expect(x.to('int32').arraySync()).toEqual([1, -2]);
    expect(x.to('float32')).toBe(x);
    expect(x.to('cpu')).toBe(x);
    expect(x.float()).toBe(x);
    expect(x.double().dtype).toBe('float64');
    expect(x.bool().arraySync()).toEqual([true, true]);
  });

  it('detach shares data but is a different tensor', () => {
    const x = tensor([1, 2], { dtype: 'float32' });
    const d = x.detach();
    expect(d).not.toBe(x);
    d.add_(1);
    expect(x.arraySync()).toEqual([2, 3]);
  });
});

describe('the runOp seam', () => {
  function record(): OpCall[] {
    const calls: OpCall[] = [];
    setOpObserver({
      run(call, compute) {
        calls.push(call);
        return compute();
      },
    });
    return calls;
  }

  it('is a plain call with no observer attached', () => {
    expect(getOpObserver()).toBeNull();
    let n = 0;
    const out = runOp(testOp('custom'), [], undefined, () => {
      n++;
      return zeros([1]);
    });
    expect(n).toBe(1);
    expect(out.shape).toEqual([1]);
  });

  it('setOpObserver returns the previous observer', () => {
    const a = { run: <T>(_c: OpCall, f: () => T): T => f() };
    expect(setOpObserver(a as never)).toBeNull();
    expect(setOpObserver(null)).toBe(a);
  });

  it('records view ops with normalised attrs', () => {
    const x = zeros([2, 3, 4]);
    const calls = record();
    x.reshape(-1, 4);
    x.permute(-1, 0, 1);
    x.expand(5, 2, 3, 4);
    x.slice(1, -2, undefined, 1);
    x.select(-1, -1);
    x.diagonal(1, -1, 0);
    x.int();
    setOpObserver(null);
    expect(calls.map((c) => [c.name, c.attrs])).toEqual([
      ['reshape', { shape: [6, 4] }],
      ['permute', { dims: [2, 0, 1] }],
      ['expand', { shape: [5, 2, 3, 4] }],
      ['slice', { dim: 1, start: 1, length: 2, step: 1 }],
      ['select', { dim: 2, index: 3 }],
      ['diagonal', { offset: 1, dim1: 2, dim2: 0 }],
      ['cast', { dtype: 'int32' }],
    ]);
    expect(calls.every((c) => c.inputs[0] === x)).toBe(true);
  });

  it('records elementwise ops with their inputs after casts and scalar conversion', () => {
    const a = tensor([1, 2]);
    const calls = record();
    const y = a.add(0.5);
    a.leakyRelu(0.1);
    a.clamp(0, 1);
    a.lt(1);
    setOpObserver(null);
    expect(calls.map((c) => c.name)).toEqual(['cast', 'add', 'cast', 'leakyRelu', 'clamp', 'lt']);
    const addCall = calls[1]!;
    // The number travels as an attribute, converted as the compute dtype stores it.
    expect(addCall.inputs.map((t: Tensor) => t.dtype)).toEqual(['float32']);
    expect(addCall.attrs).toEqual({ scalar: 0.5, scalarFirst: 0 });
    expect(calls[5]!.attrs).toEqual({ scalar: 1, scalarFirst: 0 });
    expect(y.arraySync()).toEqual([1.5, 2.5]);
    expect(calls[3]!.attrs).toEqual({ alpha: 0.1 });
    expect(calls[4]!.attrs).toEqual({ min: 0, max: 1 });
  });

  it('lets the observer see and replace the result', () => {
    setOpObserver({
      run(call, compute) {
        const out = compute();
        if (call.name === 'neg' && !Array.isArray(out)) (out as Tensor).ext = 'seen';
        return out;
      },
    });
    const r = tensor([1]).neg();
    setOpObserver(null);
    expect(r.ext).toBe('seen');
  });
});
