import { noGrad } from '@tessera/autograd';
import {
  BatchNorm1d,
  BatchNorm2d,
  Bilinear,
  Dropout,
  Dropout2d,
  ELU,
  Embedding,
  F,
  GELU,
  GroupNorm,
  LayerNorm,
  LeakyReLU,
  Linear,
  LogSoftmax,
  ReLU,
  SELU,
  Sigmoid,
  SiLU,
  Softmax,
  Softplus,
  Tanh,
} from '@tessera/nn';
import { manualSeed, ones, randn, type Tensor, tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { expectClose, flat, gradcheckModule } from './helpers/grad.js';

const f64 = { dtype: 'float64' } as const;

describe('Linear and Bilinear', () => {
  it('Linear computes x W^T + b on any leading dims', () => {
    const lin = new Linear(3, 2);
    noGrad(() => {
      lin.weight.copy_(
        tensor([
          [1, 2, 3],
          [-1, 0, 1],
        ]),
      );
      lin.bias!.copy_(tensor([0.5, -0.5]));
    });
    expect(
      lin
        .call(
          tensor(
            [
              [1, 1, 1],
              [2, 0, -1],
            ],
            { dtype: 'float32' },
          ),
        )
        .arraySync(),
    ).toEqual([
      [6.5, -0.5],
      [-0.5, -3.5],
    ]);
    expect(lin.call(randn([4, 5, 3])).shape).toEqual([4, 5, 2]);
    expect(lin.call(tensor([1, 1, 1], { dtype: 'float32' })).arraySync()).toEqual([6.5, -0.5]);
    expect(() => lin.call(randn([2, 4]))).toThrow(/input shape \[2,4\] and weight shape \[2,3\]/);
    expect(new Linear(3, 2, { bias: false }).bias).toBeNull();
  });

  it('Linear passes gradcheck', () => {
    manualSeed(1);
    expect(gradcheckModule(new Linear(3, 2, f64), [randn([2, 3], f64).requiresGrad_()])).toBe(true);
  });

  it('Bilinear computes x1^T W_o x2 + b_o (float64 loops) and passes gradcheck', () => {
    manualSeed(2);
    const bl = new Bilinear(2, 3, 2, f64);
    const x1 = randn([4, 2], f64);
    const x2 = randn([4, 3], f64);
    const y = bl.call(x1, x2);
    expect(y.shape).toEqual([4, 2]);
    const w = flat(bl.weight);
    const b = flat(bl.bias!);
    const a = flat(x1);
    const c = flat(x2);
    const ref: number[] = [];
    for (let n = 0; n < 4; n++)
      for (let o = 0; o < 2; o++) {
        let s = b[o]!;
        for (let i = 0; i < 2; i++)
          for (let j = 0; j < 3; j++) s += a[n * 2 + i]! * w[(o * 2 + i) * 3 + j]! * c[n * 3 + j]!;
        ref.push(s);
      }
    expectClose(flat(y), ref, 1e-12);
    expect(
      gradcheckModule(bl, [randn([2, 2], f64).requiresGrad_(), randn([2, 3], f64).requiresGrad_()]),
    ).toBe(true);
  });
});

describe('activations', () => {
  const xs = [-3, -1, -0.5, 0, 0.5, 1, 3];
  const x = tensor(xs, f64);
  const erf = (z: number) => {
    // Abramowitz-Stegun 7.1.26 is too coarse; use a series (|z| <= 3 here).
    let sum = 0;
    let term = z;
    for (let n = 0; n < 60; n++) {
      sum += term / (2 * n + 1);
      term *= (-z * z) / (n + 1);
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  };
  const cases: [string, { call(x: Tensor): Tensor }, (v: number) => number][] = [
    ['ReLU', new ReLU(), (v) => Math.max(0, v)],
    ['LeakyReLU(0.2)', new LeakyReLU(0.2), (v) => (v > 0 ? v : 0.2 * v)],
    ['ELU(1.5)', new ELU(1.5), (v) => (v > 0 ? v : 1.5 * (Math.exp(v) - 1))],
    ['SELU', new SELU(), (v) => 1.0507009873554805 * (v > 0 ? v : 1.6732632423543772 * (Math.exp(v) - 1))],
    ['GELU', new GELU(), (v) => 0.5 * v * (1 + erf(v / Math.SQRT2))],
    [
      "GELU('tanh')",
      new GELU('tanh'),
      (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))),
    ],
    ['SiLU', new SiLU(), (v) => v / (1 + Math.exp(-v))],
    ['Sigmoid', new Sigmoid(), (v) => 1 / (1 + Math.exp(-v))],
    ['Tanh', new Tanh(), Math.tanh],
    ['Softplus(2)', new Softplus(2), (v) => Math.log1p(Math.exp(2 * v)) / 2],
  ];
  it.each(cases)('%s matches its formula and passes gradcheck', (_n, m, fn) => {
    expectClose(flat(m.call(x)), xs.map(fn), 1e-12, 1e-10);
    expect(gradcheckModule(m as never, [tensor([-1.3, -0.2, 0.4, 2.1], f64).requiresGrad_()])).toBe(true);
  });

  it('Softmax and LogSoftmax along a dim, stable for large inputs', () => {
    const z = tensor(
      [
        [1, 2, 3],
        [1000, 1000, 1000],
      ],
      f64,
    );
    const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
    const s = e[0]! + e[1]! + e[2]!;
    expectClose(flat(new Softmax(1).call(z)), [...e.map((v) => v / s), 1 / 3, 1 / 3, 1 / 3], 1e-12);
    expectClose(
      flat(new LogSoftmax(-1).call(z)),
      [...e.map((v) => Math.log(v / s)), ...new Array(3).fill(-Math.log(3))],
      1e-12,
    );
    expectClose(flat(new Softmax(0).call(tensor([[0], [0]], f64))), [0.5, 0.5]);
    expect(gradcheckModule(new LogSoftmax(1), [randn([2, 3], f64).requiresGrad_()])).toBe(true);
  });
});

describe('Dropout', () => {
  it('zeroes about p of the elements and scales the rest by 1/(1-p) in training; identity in eval', () => {
    manualSeed(3);
    const d = new Dropout(0.3);
    const x = ones([100, 100]);
    const y = flat(d.call(x));
    const zerosFrac = y.filter((v) => v === 0).length / y.length;
    expect(zerosFrac).toBeGreaterThan(0.27);
    expect(zerosFrac).toBeLessThan(0.33);
    expect(y.every((v) => v === 0 || Math.abs(v - 1 / 0.7) < 1e-6)).toBe(true);
    const mean = y.reduce((a, b) => a + b, 0) / y.length;
    expect(mean).toBeGreaterThan(0.95);
    expect(mean).toBeLessThan(1.05);
    d.eval();
    expect(d.call(x)).toBe(x);
    expect(flat(new Dropout(1).call(ones([5]))).every((v) => v === 0)).toBe(true);
    expect(() => new Dropout(1.5)).toThrow(/p must be a probability in \[0, 1\], got 1.5/);
  });

  it('the gradient goes through kept elements only, scaled', () => {
    manualSeed(4);
    const x = ones([50]).requiresGrad_();
    const y = F.dropout(x, 0.5);
    y.sum().backward();
    expect(flat(x.grad!)).toEqual(flat(y.detach()));
  });

  it('Dropout2d zeroes whole channels', () => {
    manualSeed(5);
    const d = new Dropout2d(0.5);
    const y = d.call(ones([4, 8, 3, 3]));
    const v = flat(y);
    let dropped = 0;
    for (let c = 0; c < 32; c++) {
      const ch = v.slice(c * 9, c * 9 + 9);
      expect(ch.every((e) => e === ch[0])).toBe(true);
      expect([0, 2]).toContain(ch[0]);
      if (ch[0] === 0) dropped++;
    }
    expect(dropped).toBeGreaterThan(5);
    expect(dropped).toBeLessThan(27);
    d.eval();
    expect(flat(d.call(ones([1, 2, 2, 2]))).every((e) => e === 1)).toBe(true);
  });
});

describe('BatchNorm', () => {
  it('training: normalises with batch statistics and updates running stats (unbiased var, momentum 0.1)', () => {
    const bn = new BatchNorm1d(2);
    const x = tensor(
      [
        [1, 10],
        [2, 20],
        [3, 30],
        [6, 40],
      ],
      f64,
    ).cast('float32');
    const y = bn.call(x);
    // channel 0: mean 3, biased var 3.5, unbiased 14/3; channel 1: mean 25, biased var 125, unbiased 500/3
    const col = (c: number, m: number, v: number) =>
      [1, 2, 3, 6].map((_, i) => (flat(x)[i * 2 + c]! - m) / Math.sqrt(v + 1e-5));
    const exp0 = col(0, 3, 3.5);
    const exp1 = col(1, 25, 125);
    expectClose(
      flat(y),
      [exp0[0]!, exp1[0]!, exp0[1]!, exp1[1]!, exp0[2]!, exp1[2]!, exp0[3]!, exp1[3]!],
      1e-5,
    );
    expectClose(flat(bn.running_mean!), [0.3, 2.5], 1e-6);
    expectClose(flat(bn.running_var!), [0.9 + 0.1 * (14 / 3), 0.9 + 0.1 * (500 / 3)], 1e-5);
    expect(flat(bn.num_batches_tracked!)).toEqual([1]);
  });

  it('eval: uses the running statistics; momentum null: cumulative average', () => {
    const bn = new BatchNorm2d(1, { momentum: null });
    bn.call(tensor([1, 3, 5, 7], { dtype: 'float32', shape: [1, 1, 2, 2] })); // mean 4, unbiased var 20/3
    bn.call(tensor([0, 0, 0, 4], { dtype: 'float32', shape: [1, 1, 2, 2] })); // mean 1, unbiased var 4
    expectClose(flat(bn.running_mean!), [2.5], 1e-6);
    expectClose(flat(bn.running_var!), [(20 / 3 + 4) / 2], 1e-5);
    expect(flat(bn.num_batches_tracked!)).toEqual([2]);
    bn.eval();
    noGrad(() => {
      bn.weight!.fill_(2);
      bn.bias!.fill_(1);
    });
    const x = tensor([2.5, 0, 5, 10], { dtype: 'float32', shape: [1, 1, 2, 2] });
    const sd = Math.sqrt((20 / 3 + 4) / 2 + 1e-5);
    expectClose(
      flat(bn.call(x)),
      [0, -2.5, 2.5, 7.5].map((v) => (2 * v) / sd + 1),
      1e-5,
    );
    expect(flat(bn.num_batches_tracked!)).toEqual([2]); // eval does not count
  });

  it('train and eval differ; trackRunningStats false always uses batch statistics; affine false has no parameters', () => {
    manualSeed(6);
    const x = randn([8, 3, 2, 2]).mul(3).add(2);
    const bn = new BatchNorm2d(3);
    const train = flat(bn.call(x));
    bn.eval();
    const evalOut = flat(bn.call(x));
    expect(train).not.toEqual(evalOut);
    const nt = new BatchNorm2d(3, { trackRunningStats: false, affine: false });
    expect(nt.parameters()).toEqual([]);
    expect(Object.keys(nt.stateDict())).toEqual([]);
    nt.eval();
    expectClose(flat(nt.call(x)), train, 1e-5);
    expect(() => new BatchNorm1d(3).call(randn([1, 3]))).toThrow(
      /more than 1 value per channel when training/,
    );
    expect(() => bn.call(randn([2, 4, 2, 2]))).toThrow(
      /expected 3 channels \(dim 1\), got input of shape \[2,4,2,2\]/,
    );
  });

  it('passes gradcheck in training and eval mode', () => {
    manualSeed(7);
    const bn = new BatchNorm2d(2, f64);
    noGrad(() => {
      bn.weight!.copy_(tensor([1.5, -0.5], f64));
      bn.bias!.copy_(tensor([0.1, 0.2], f64));
    });
    const x = randn([3, 2, 2, 1], f64).requiresGrad_();
    expect(gradcheckModule(bn, [x])).toBe(true);
    bn.eval();
    expect(gradcheckModule(bn, [x])).toBe(true);
    expect(gradcheckModule(new BatchNorm1d(3, f64), [randn([4, 3], f64).requiresGrad_()])).toBe(true);
  });
});

describe('LayerNorm and GroupNorm', () => {
  it('LayerNorm normalises the last dims (biased variance) and applies weight and bias', () => {
    const ln = new LayerNorm(3, f64);
    noGrad(() => {
      ln.weight!.copy_(tensor([1, 2, 3], f64));
      ln.bias!.copy_(tensor([0, 1, 0], f64));
    });
    const y = ln.call(
      tensor(
        [
          [1, 2, 6],
          [0, 0, 3],
        ],
        f64,
      ),
    );
    const row = (v: number[]) => {
      const m = (v[0]! + v[1]! + v[2]!) / 3;
      const s = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / 3 + 1e-5);
      return v.map((e, i) => ((e - m) / s) * (i + 1) + (i === 1 ? 1 : 0));
    };
    expectClose(flat(y), [...row([1, 2, 6]), ...row([0, 0, 3])], 1e-10);
    expect(new LayerNorm([2, 3]).call(randn([4, 2, 3])).shape).toEqual([4, 2, 3]);
    expect(() => ln.call(randn([2, 4]))).toThrow(
      /input shape \[2,4\] does not end with normalizedShape \[3\]/,
    );
    expect(gradcheckModule(new LayerNorm([2, 2], f64), [randn([2, 2, 2], f64).requiresGrad_()])).toBe(true);
  });

  it('GroupNorm normalises groups of channels together', () => {
    const gn = new GroupNorm(2, 4, f64);
    const x = randn([2, 4, 3], f64);
    const y = flat(gn.call(x));
    const v = flat(x);
    for (let n = 0; n < 2; n++)
      for (let g = 0; g < 2; g++) {
        const idx = Array.from({ length: 6 }, (_, k) => n * 12 + g * 6 + k);
        const m = idx.reduce((a, i) => a + v[i]!, 0) / 6;
        const s = Math.sqrt(idx.reduce((a, i) => a + (v[i]! - m) ** 2, 0) / 6 + 1e-5);
        expectClose(
          idx.map((i) => y[i]!),
          idx.map((i) => (v[i]! - m) / s),
          1e-10,
        );
      }
    expect(() => new GroupNorm(3, 4)).toThrow(/numChannels 4 must be divisible by numGroups 3/);
    expect(gradcheckModule(gn, [randn([1, 4, 2], f64).requiresGrad_()])).toBe(true);
  });
});

describe('Embedding', () => {
  it('looks up rows for int32 indices of any shape', () => {
    const e = new Embedding(4, 2);
    noGrad(() =>
      e.weight.copy_(
        tensor([
          [0, 1],
          [2, 3],
          [4, 5],
          [6, 7],
        ]),
      ),
    );
    expect(
      e
        .call(
          tensor([
            [3, 0],
            [1, 1],
          ]),
        )
        .arraySync(),
    ).toEqual([
      [
        [6, 7],
        [0, 1],
      ],
      [
        [2, 3],
        [2, 3],
      ],
    ]);
    expect(() => e.call(tensor([4]))).toThrow(/embedding: index 4 is out of range/);
    expect(() => e.call(tensor([1.5]))).toThrow(/indices must be an int32 tensor, got float32/);
  });

  it('paddingIdx: zero row at init and no gradient to it; other rows accumulate', () => {
    const e = new Embedding(5, 3, { paddingIdx: 0 });
    expect(flat(e.weight.select(0, 0))).toEqual([0, 0, 0]);
    e.call(
      tensor([
        [0, 2, 0],
        [2, 4, 1],
      ]),
    )
      .sum()
      .backward();
    expect(e.weight.grad!.arraySync()).toEqual([
      [0, 0, 0],
      [1, 1, 1],
      [2, 2, 2],
      [0, 0, 0],
      [1, 1, 1],
    ]);
    const neg = new Embedding(5, 2, { paddingIdx: -1 });
    expect(neg.paddingIdx).toBe(4);
  });

  it('fromPretrained freezes by default', () => {
    const e = Embedding.fromPretrained(
      tensor(
        [
          [1, 2],
          [3, 4],
        ],
        { dtype: 'float32' },
      ),
    );
    expect(e.weight.requiresGrad).toBe(false);
    expect(e.call(tensor([1])).arraySync()).toEqual([[3, 4]]);
  });
});
