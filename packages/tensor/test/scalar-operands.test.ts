import * as T from '@tessera/tensor';
import {
  BINARY_OPS,
  type BinaryOp,
  type DType,
  getBackend,
  isFloating,
  isScalarAttrs,
  memory,
  type OpCall,
  profile,
  pushOpObserver,
  registerBackend,
  type Tensor,
  tensor,
} from '@tessera/tensor';
import { describe, expect, it } from 'vitest';

// Binary ops with a JS-number operand: the number is an attribute of the recorded op and an
// argument of the backend's binaryScalar kernel, never a 0-d tensor.

/** The calls recorded while `fn` runs (every level). */
function recorded(fn: () => unknown): OpCall[] {
  const calls: OpCall[] = [];
  const h = pushOpObserver({
    run: (call, compute) => {
      calls.push(call);
      return compute();
    },
  });
  try {
    fn();
  } finally {
    h.remove();
  }
  return calls;
}

describe('binary ops with a JS-number operand', () => {
  it('x.mul(0.5) allocates only its result and records one op carrying the scalar', () => {
    const x = tensor([1, 2, 3, 4], { dtype: 'float32' });
    x.mul(0.5).dispose(); // warm
    const before = memory();
    const p = profile(() => x.mul(0.5));
    const y = p.value;
    expect(memory().liveTensors).toBe(before.liveTensors + 1);
    expect(memory().liveBuffers).toBe(before.liveBuffers + 1);
    expect(p.rows.map((r) => r.name)).toEqual(['mul']);
    expect(p.row('mul')!.count).toBe(1);
    expect(p.row('mul')!.bytesAllocated).toBe(4 * 4); // the result's bytes, nothing else
    expect(y.arraySync()).toEqual([0.5, 1, 1.5, 2]);
    y.dispose();
    expect(memory()).toEqual(before);
  });

  it('records the scalar and its side in the attrs, with the tensor as the only input', () => {
    const x = tensor([1, 2, 3], { dtype: 'float32' });
    const [right] = recorded(() => x.sub(2));
    expect(right!.name).toBe('sub');
    expect(right!.inputs).toEqual([x]);
    expect(right!.attrs).toEqual({ scalar: 2, scalarFirst: 0 });
    // 2 - x: the functional forms take the number on the left.
    const [left] = recorded(() => T.sub(2, x));
    expect(left!.name).toBe('sub');
    expect(left!.inputs).toEqual([x]);
    expect(left!.attrs).toEqual({ scalar: 2, scalarFirst: 1 });
    expect(T.sub(2, x).arraySync()).toEqual([1, 0, -1]);
    // bool scalars and int32 conversion
    const i = tensor([1, 2], { dtype: 'int32' });
    expect(recorded(() => i.add(true))[0]!.attrs).toEqual({ scalar: 1, scalarFirst: 0 });
    // int32 * 0.5 computes in float32: a recorded cast, then the scalar op
    const calls2 = recorded(() => i.mul(0.5));
    expect(calls2.map((c) => c.name)).toEqual(['cast', 'mul']);
    expect(calls2[1]!.inputs[0]!.dtype).toBe('float32');
    expect(i.mul(0.5).arraySync()).toEqual([0.5, 1]);
  });

  it('isScalarAttrs tells the scalar form of a recorded call', () => {
    const x = tensor([1, 2], { dtype: 'float32' });
    const [scalarCall] = recorded(() => x.mul(3));
    const [tensorCall] = recorded(() => x.mul(x));
    expect(isScalarAttrs(scalarCall!.attrs)).toBe(true);
    expect(isScalarAttrs(tensorCall!.attrs)).toBe(false);
    expect(isScalarAttrs({ scalar: 1, scalarFirst: 2 })).toBe(false);
    expect(isScalarAttrs({ min: 0, max: 1 })).toBe(false);
  });

  it('a backend without binaryScalar gets the number as a 0-d operand, with the same results', () => {
    const cpu = getBackend('cpu');
    const plain = Object.create(cpu, {
      name: { value: 'cpu-no-scalar' },
      binaryScalar: { value: undefined },
    });
    registerBackend('cpu-no-scalar', () => plain);
    const x = tensor([1, -2, 3.5], { dtype: 'float32' });
    const p = x.to('cpu-no-scalar');
    const calls = recorded(() => T.sub(2, p));
    expect(calls.at(-1)!.inputs).toEqual([p]);
    expect(calls.at(-1)!.attrs).toEqual({ scalar: 2, scalarFirst: 1 });
    expect(T.sub(2, p).arraySync()).toEqual(T.sub(2, x).arraySync());
    expect(p.mul_(0.5).arraySync()).toEqual([0.5, -1, 1.75]);
  });

  it('in-place forms take the number as an attribute and allocate nothing', () => {
    const x = tensor([1, 2, 3], { dtype: 'float32' });
    x.mul_(0.9);
    const before = memory();
    const calls = recorded(() => x.mul_(0.9).add_(1).div_(2).sub_(0.25));
    expect(memory()).toEqual(before);
    expect(calls.map((c) => c.name)).toEqual(['mul_', 'add_', 'div_', 'sub_']);
    for (const c of calls) expect(c.inputs).toEqual([x]);
    expect(calls[0]!.attrs).toEqual({ scalar: 0.9, scalarFirst: 0 });
    // a non-contiguous target computes into a temporary and copies back
    const m = tensor([
      [1, 2],
      [3, 4],
    ]).transpose(0, 1);
    m.mul_(2);
    expect(m.arraySync()).toEqual([
      [2, 6],
      [4, 8],
    ]);
  });

  it('gives results bit-identical to a 0-d operand of the compute dtype, on either side', () => {
    const values: Record<DType, number[]> = {
      float32: [-2.5, -1, -0, 0, 0.1, 1, 3.7, Number.NaN, Number.POSITIVE_INFINITY],
      float64: [-2.5, -1, -0, 0, 0.1, 1, 3.7, Number.NaN, Number.NEGATIVE_INFINITY],
      int32: [-7, -1, 0, 1, 2, 5, 2147483647],
      bool: [0, 1, 1, 0],
    };
    const scalars = [-3, -0.5, -0, 0, 0.1, 1, 2, 2.75, 1e-40, 16777217];
    let checked = 0;
    for (const [dtype, v] of Object.entries(values) as [DType, number[]][]) {
      const x = dtype === 'bool' ? tensor(v.map(Boolean)) : tensor(v, { dtype });
      for (const op of BINARY_OPS) {
        const f = fn(op);
        for (const s of scalars) {
          if (op === 'sub' && dtype === 'bool') continue; // refused for bool tensors either way
          // -0 is an integer zero for an integer x, but division computes in float32 (keeping -0)
          if (Object.is(s, -0) && !isFloating(dtype)) continue;
          // The reference: a 0-d tensor of the dtype the op computes in, which takes the
          // tensor-tensor path.
          const zd = tensor(s, { dtype: withScalar(x.dtype, s) });
          for (const first of [false, true]) {
            const what = first ? `${s} ${op} ${dtype} x` : `${dtype} x ${op} ${s}`;
            if (op === 'pow' && !first && !isFloating(dtype) && Number.isInteger(s) && s < 0) {
              // refused for a number exponent (as PyTorch), computed for a 0-d tensor one
              expect(() => f(x, s), what).toThrow(/negative integer powers/);
              continue;
            }
            let ref: Tensor;
            try {
              ref = first ? f(zd, x) : f(x, zd);
            } catch {
              // combinations PyTorch refuses (integer division by zero, int ** negative int)
              expect(() => (first ? f(s, x) : f(x, s)), what).toThrow();
              continue;
            }
            const calls = recorded(() => (first ? f(s, x) : f(x, s)));
            expect(calls.at(-1)!.inputs.length, what).toBe(1);
            const got = first ? f(s, x) : f(x, s);
            expect(got.dtype, what).toBe(ref.dtype);
            expect(Array.from(got.dataSync()), what).toEqual(Array.from(ref.dataSync()));
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });
});

/** The functional form of a binary op (`add(a, b)`, `lt(a, b)`...): either operand may be a number. */
function fn(op: BinaryOp): (a: Tensor | number, b: Tensor | number) => Tensor {
  return (T as unknown as Record<string, (a: Tensor | number, b: Tensor | number) => Tensor>)[op]!;
}

/** The dtype a tensor and a JS number compute in (PyTorch: a number raises the category only). */
function withScalar(d: DType, s: number): DType {
  if (d === 'float32' || d === 'float64') return d;
  return Number.isInteger(s) ? 'int32' : 'float32';
}
