import { gradcheck, gradgradcheck } from '@tessera/autograd';
import { add, atan2, maximum, minimum, pow, remainder, type Tensor, tensor, where } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { expectClose, prng, randomShape } from './helpers.js';
import { positive, rnd, rndStrided } from './inputs.js';

type Unary = [name: string, f: (x: Tensor) => Tensor, domain?: (t: Tensor) => Tensor, second?: boolean];

const unit = (t: Tensor): Tensor => t.tanh().mul(0.9); // (-0.9, 0.9)
const offInteger = (t: Tensor): Tensor => t.mul(3).floor().add(0.5); // k + 0.5: away from jumps

const UNARY: Unary[] = [
  ['neg', (x) => x.neg()],
  ['abs', (x) => x.abs()],
  ['exp', (x) => x.exp()],
  ['exp2', (x) => x.exp2()],
  ['log', (x) => x.log(), positive],
  ['log2', (x) => x.log2(), positive],
  ['log1p', (x) => x.log1p(), positive],
  ['expm1', (x) => x.expm1()],
  ['sqrt', (x) => x.sqrt(), positive],
  ['rsqrt', (x) => x.rsqrt(), positive],
  ['square', (x) => x.square()],
  ['sin', (x) => x.sin()],
  ['cos', (x) => x.cos()],
  ['tan', (x) => x.tan(), unit],
  ['tanh', (x) => x.tanh()],
  ['sigmoid', (x) => x.sigmoid()],
  ['erf', (x) => x.erf()],
  ['relu', (x) => x.relu()],
  ['leakyRelu', (x) => x.leakyRelu(0.1)],
  ['elu', (x) => x.elu(1.5)],
  ['gelu', (x) => x.gelu()],
  ['gelu tanh', (x) => x.gelu('tanh')],
  ['silu', (x) => x.silu()],
  ['softplus', (x) => x.softplus(2, 1.5)],
  ['reciprocal', (x) => x.reciprocal(), positive],
  ['clamp', (x) => x.clamp(-0.5, 0.5)],
  ['clamp min only', (x) => x.clamp(0.2, null)],
  ['sign', (x) => x.sign(), undefined, false],
  ['floor', (x) => x.floor(), offInteger, false],
  ['ceil', (x) => x.ceil(), offInteger, false],
  ['round', (x) => x.round(), (t) => t.mul(3).floor().add(0.25), false],
  ['trunc', (x) => x.trunc(), offInteger, false],
];

describe('unary ops: gradcheck and gradgradcheck (float64, random shapes)', () => {
  const rand = prng(7);
  for (const [name, f, domain, second] of UNARY) {
    const shape = randomShape(rand, 0, 3);
    it(`${name} ${JSON.stringify(shape)}`, () => {
      const x = rnd(shape, domain);
      expect(gradcheck(f, [x])).toBe(true);
      if (second !== false) expect(gradgradcheck(f, [x])).toBe(true);
    });
    it(`${name} non-contiguous`, () => {
      const x = rndStrided([2, 3], domain);
      expect(x.isContiguous()).toBe(false);
      expect(gradcheck(f, [x])).toBe(true);
    });
  }

  it('floor/sign have zero gradients (as PyTorch)', () => {
    const x = rnd([3]);
    x.floor().add(x.sign()).sum().backward();
    expectClose(x.grad, [0, 0, 0]);
  });

  it('clamp passes the gradient at the boundaries (min <= x <= max)', () => {
    const x = tensor([-1, 0, 0.5, 1, 2], { dtype: 'float64', requiresGrad: true });
    x.clamp(0, 1).sum().backward();
    expectClose(x.grad, [0, 1, 1, 1, 0]);
  });

  it('relu has gradient 0 at 0', () => {
    const x = tensor([-1, 0, 2], { dtype: 'float64', requiresGrad: true });
    x.relu().sum().backward();
    expectClose(x.grad, [0, 0, 1]);
  });
});

type Binary = [
  name: string,
  f: (a: Tensor, b: Tensor) => Tensor,
  da?: (t: Tensor) => Tensor,
  db?: (t: Tensor) => Tensor,
];

const BINARY: Binary[] = [
  ['add', (a, b) => a.add(b)],
  ['add alpha', (a, b) => add(a, b, 2.5)],
  ['sub', (a, b) => a.sub(b)],
  ['sub alpha', (a, b) => a.sub(b, -2)],
  ['mul', (a, b) => a.mul(b)],
  ['div', (a, b) => a.div(b), undefined, positive],
  ['pow', (a, b) => a.pow(b), positive],
  ['remainder', (a, b) => remainder(a, b), (t) => t.mul(0.3), (t) => t.abs().add(2)],
  ['minimum', (a, b) => minimum(a, b)],
  ['maximum', (a, b) => maximum(a, b)],
  ['atan2', (a, b) => atan2(a, b), undefined, positive],
];

/** Shape pairs that broadcast. */
const PAIRS: [number[], number[]][] = [
  [
    [2, 3],
    [2, 3],
  ],
  [
    [2, 1, 3],
    [4, 1],
  ],
  [[3], [2, 3]],
  [[], [2, 2]],
  [[2, 2], [1]],
];

describe('binary ops: gradcheck and gradgradcheck with broadcasting', () => {
  for (const [name, f, da, db] of BINARY) {
    PAIRS.forEach(([sa, sb], k) => {
      it(`${name} ${JSON.stringify(sa)} ${JSON.stringify(sb)}`, () => {
        const a = rnd(sa, da);
        const b = rnd(sb, db);
        expect(gradcheck(f, [a, b])).toBe(true);
        if (k < 2) expect(gradgradcheck(f, [a, b])).toBe(true);
      });
    });
    it(`${name} non-contiguous`, () => {
      const a = rndStrided([3, 2], da);
      const b = rndStrided([3, 2], db);
      expect(gradcheck(f, [a, b])).toBe(true);
    });
  }

  it('with a scalar operand', () => {
    const x = rnd([2, 2], positive);
    expect(gradcheck((t) => t.mul(3).add(1).sub(2).div(4).pow(2.5), [x])).toBe(true);
    expect(gradcheck((t) => pow(2, t), [x])).toBe(true);
    expect(gradgradcheck((t) => pow(t, 3), [x])).toBe(true);
  });

  it('pow at zero: finite gradients as PyTorch', () => {
    const a = tensor([0, 0, 2], { dtype: 'float64', requiresGrad: true });
    const b = tensor([2, 0, 0], { dtype: 'float64', requiresGrad: true });
    a.pow(b).sum().backward();
    expectClose(a.grad, [0, 0, 0]);
    expectClose(b.grad, [0, 0, Math.log(2)]);
  });

  it('maximum / minimum split ties evenly', () => {
    const a = tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    const b = tensor([3, 2, 1], { dtype: 'float64', requiresGrad: true });
    maximum(a, b).sum().backward();
    expectClose(a.grad, [0, 0.5, 1]);
    expectClose(b.grad, [1, 0.5, 0]);
    a.grad = null;
    b.grad = null;
    minimum(a, b).sum().backward();
    expectClose(a.grad, [1, 0.5, 0]);
    expectClose(b.grad, [0, 0.5, 1]);
    // the even split is what central differences see at a tie
    const t = tensor([2, 2], { dtype: 'float64', requiresGrad: true });
    const u = tensor([2, 1], { dtype: 'float64', requiresGrad: true });
    expect(gradcheck((p, q) => maximum(p, q), [t, u])).toBe(true);
  });
});

describe('where and casts', () => {
  it('where with broadcasting', () => {
    const cond = tensor([[true, false, true]]);
    const a = rnd([2, 3]);
    const b = rnd([2, 1]);
    expect(gradcheck((x, y) => where(cond, x, y), [a, b])).toBe(true);
    expect(gradgradcheck((x, y) => where(cond, x.mul(y), y.square()), [a, b])).toBe(true);
  });

  it('cast brings the gradient back to the input dtype', () => {
    const x = tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const y = x
      .double()
      .mul(tensor([3, 4], { dtype: 'float64' }))
      .sum();
    y.backward();
    expect(x.grad!.dtype).toBe('float32');
    expectClose(x.grad, [3, 4]);
    expect(gradcheck((t) => t.cast('float32').cast('float64'), [rnd([3])], { atol: 1e-3, eps: 1e-3 })).toBe(
      true,
    );
  });

  it('to() the same device is a no-op', () => {
    const x = rnd([2]);
    const y = x.to('cpu');
    y.sum().backward();
    expectClose(x.grad, [1, 1]);
  });
});
