import {
  attr,
  type Backend,
  CpuBackend,
  callOp,
  getOpDecl,
  LEAKY_RELU_OP,
  opDeclarations,
  registerBackend,
  registerOp,
  tensor,
  UNARY_OPS,
} from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { recordTopLevel } from './helpers-record.js';

// The extension API of @tessera/tensor: declarations (getOpDecl, opDeclarations), registerOp and
// callOp. Autograd and WebGPU for extension ops are tested with the example package
// (examples/op-extension).

const HYPOT = registerOp(
  { name: 'testHypot', kind: 'binary', dtype: 'float', doc: '√(a² + b²)' },
  { cpu: (a, b) => Math.hypot(a, b) },
);
const SCALE_SHIFT = registerOp(
  { name: 'testScaleShift', kind: 'unary', attrs: { scale: 2, shift: 0 }, doc: 'scale·x + shift' },
  { cpu: (x, { scale, shift }) => scale * x + shift },
);
const IS_BIG = registerOp(
  { name: 'testIsBig', kind: 'unary', dtype: 'bool', attrs: { above: 10 }, doc: 'x > above' },
  { cpu: (x, { above }) => x > above },
);

describe('op declarations', () => {
  it('hold the built-ins with their defaults, and the extensions', () => {
    expect(getOpDecl('leakyRelu')).toBe(LEAKY_RELU_OP);
    expect(LEAKY_RELU_OP).toMatchObject({
      kind: 'unary',
      dtype: 'float',
      attrs: { alpha: 0.01 },
      extension: false,
    });
    expect(getOpDecl('eq')).toMatchObject({ kind: 'binary', dtype: 'bool', differentiable: false });
    expect(getOpDecl('nope')).toBeUndefined();
    const names = opDeclarations().map((d) => d.name);
    expect(names).toEqual(expect.arrayContaining([...UNARY_OPS, 'add', 'testHypot']));
    expect(IS_BIG).toMatchObject({ differentiable: false, extension: true, boolInput: 'keep' });
    expect(Object.isFrozen(HYPOT) && Object.isFrozen(HYPOT.attrs)).toBe(true);
  });

  it('the defaults reach the kernel when an attribute is not given', () => {
    const x = tensor([-2, 3], { dtype: 'float64' });
    expect(x.leakyRelu().arraySync()).toEqual([-2 * LEAKY_RELU_OP.attrs.alpha, 3]);
    expect(x.leakyRelu(0.5).arraySync()).toEqual([-1, 3]);
    expect(x.softplus(undefined, 1).arraySync()).toEqual([Math.log1p(Math.exp(-2)), 3]);
  });
});

describe('registerOp and callOp', () => {
  it('runs a unary op with defaults and given attributes, recorded under its name', () => {
    const x = tensor([1, -2, 3], { dtype: 'float64' });
    expect(callOp(SCALE_SHIFT, [x]).arraySync()).toEqual([2, -4, 6]);
    let result = x;
    const calls = recordTopLevel(() => {
      result = callOp(SCALE_SHIFT, [x], { shift: 1 });
    });
    expect(result.arraySync()).toEqual([3, -3, 7]);
    expect(calls).toEqual([
      { name: 'testScaleShift', decl: SCALE_SHIFT, inputs: [x], attrs: { scale: 2, shift: 1 } },
    ]);
    expect(callOp(SCALE_SHIFT, [tensor([1, 2], { dtype: 'int32' })]).dtype).toBe('int32');
  });

  it('runs a binary op with promotion, scalars, broadcasting and strided inputs', () => {
    const a = tensor([[3], [5]], { dtype: 'int32' });
    const b = tensor([4, 12]);
    const y = callOp(HYPOT, [a, b]);
    expect(y.dtype).toBe('float32');
    expect(y.shape).toEqual([2, 2]);
    expect(y.arraySync()).toEqual([
      [5, Math.fround(Math.hypot(3, 12))],
      [Math.fround(Math.hypot(5, 4)), 13],
    ]);
    expect(callOp(HYPOT, [3, tensor([4], { dtype: 'float64' })]).arraySync()).toEqual([5]);
    const t = tensor(
      [
        [3, 6],
        [4, 8],
      ],
      { dtype: 'float64' },
    ).T;
    expect(callOp(HYPOT, [t.select(1, 0), t.select(1, 1)]).arraySync()).toEqual([5, 10]);
  });

  it('stores a bool result as bool, and handles empty and 0-d inputs', () => {
    const y = callOp(IS_BIG, [tensor([5, 50])], { above: 7 });
    expect(y.dtype).toBe('bool');
    expect(y.arraySync()).toEqual([false, true]);
    expect(callOp(SCALE_SHIFT, [tensor([], { dtype: 'float64' })]).shape).toEqual([0]);
    expect(callOp(SCALE_SHIFT, [tensor(4, { dtype: 'float64' })]).item()).toBe(8);
  });

  it('reports bad calls, naming the op', () => {
    const x = tensor([1]);
    expect(() => callOp(SCALE_SHIFT, [x], { scal: 1 } as never)).toThrow(
      /testScaleShift: unknown attribute 'scal' \(attributes: scale, shift\)/,
    );
    expect(() => callOp(SCALE_SHIFT, [x], { scale: '2' } as never)).toThrow(
      /testScaleShift: attribute 'scale' must be a number, got string/,
    );
    expect(() => callOp(SCALE_SHIFT, [x, x])).toThrow(/testScaleShift: expected 1 input\(s\), got 2/);
    expect(() => callOp(HYPOT, [1, 2])).toThrow(/testHypot: at least one operand must be a tensor/);
    expect(() => callOp(LEAKY_RELU_OP, [x])).toThrow(
      /callOp: 'leakyRelu' is not an op registered with registerOp/,
    );
    expect(() => callOp(SCALE_SHIFT, ['x' as never])).toThrow(/testScaleShift: input must be a tensor/);
  });

  it('refuses bad declarations and kernels', () => {
    const cpu = (x: number) => x;
    expect(() => registerOp({ name: 'add', kind: 'binary', doc: 'd' }, { cpu: (a, b) => a + b })).toThrow(
      /an op named 'add' is already declared/,
    );
    expect(() => registerOp({ name: 'Bad-name', kind: 'unary', doc: 'd' }, { cpu })).toThrow(
      /camelCase identifier/,
    );
    expect(() => registerOp({ name: 'k1', kind: 'ternary' as never, doc: 'd' }, { cpu } as never)).toThrow(
      /kind must be one of unary, binary/,
    );
    expect(() =>
      registerOp({ name: 'k2', kind: 'unary', dtype: 'half' as never, doc: 'd' }, { cpu }),
    ).toThrow(/dtype must be one of/);
    expect(() => registerOp({ name: 'k3', kind: 'unary', doc: '' }, { cpu })).toThrow(
      /doc must be a non-empty string/,
    );
    expect(() =>
      registerOp({ name: 'k4', kind: 'unary', doc: 'd', attrs: { a: 'x' as never } }, { cpu }),
    ).toThrow(/attribute 'a' needs a number default/);
    // non-elementwise kinds, dtype rules and attribute entries are for built-in declarations only
    expect(() =>
      registerOp({ name: 'k5', kind: 'unary', doc: 'd', dtype: 'int32' as never }, { cpu }),
    ).toThrow(/registerOp\(k5\): dtype must be one of same, float, bool/);
    expect(() =>
      registerOp({ name: 'k6', kind: 'unary', doc: 'd', attrs: { a: attr('dims') as never } }, { cpu }),
    ).toThrow(/registerOp\(k6\): attribute 'a' needs a number default/);
    expect(() =>
      registerOp({ name: 'k5', kind: 'unary', dtype: 'bool', differentiable: true, doc: 'd' }, { cpu }),
    ).toThrow(/bool result cannot be differentiable/);
    expect(() => registerOp({ name: 'k6', kind: 'unary', doc: 'd' }, {} as never)).toThrow(
      /kernels.cpu must be a function/,
    );
    expect(() => registerOp({ name: 'k7', kind: 'binary', doc: 'd' }, { cpu: cpu as never })).toThrow(
      /a binary op's cpu kernel takes 2 value\(s\) then the attrs/,
    );
    expect(() => registerOp({ name: 'k8', kind: 'unary', doc: 'd' }, { cpu, wgsl: ' ' })).toThrow(
      /non-empty WGSL expression/,
    );
    // None of the refused declarations was kept.
    expect(opDeclarations().some((d) => /^k\d$/.test(d.name))).toBe(false);
  });

  it('names the backend that cannot run extension ops', () => {
    const plain = new CpuBackend() as Backend & { elementwiseExtension?: unknown };
    const noExt = Object.create(plain, {
      name: { value: 'noext' },
      elementwiseExtension: { value: undefined },
    });
    registerBackend('noext', () => noExt);
    const x = tensor([1, 2], { device: 'noext' });
    expect(() => callOp(SCALE_SHIFT, [x])).toThrow(
      /testScaleShift: backend 'noext' cannot run extension ops/,
    );
  });
});
