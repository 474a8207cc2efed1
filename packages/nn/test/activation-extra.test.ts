import { gradcheck } from '@tessera/autograd';
import {
  F,
  GLU,
  Hardsigmoid,
  Hardswish,
  Hardtanh,
  LogSigmoid,
  Mish,
  PReLU,
  ReLU6,
  Softmin,
  Softsign,
} from '@tessera/nn';
import { arange, randn, tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { expectClose, flat, gradcheckModule } from './helpers/grad.js';

const f64 = { dtype: 'float64' as const };
const XS = [-4, -3.5, -2, -1, -0.3, 0.4, 1.2, 2.5, 3.7, 6.5, 7];

// torch 1.13, float64: [F.op(x), d(sum F.op(x))/dx] for x = XS.
const REF: Record<string, [number[], number[]]> = {
  hardtanh: [
    [-2.5, -2.5, -2.0, -1.0, -0.3, 0.4, 1.2, 2.5, 3.0, 3.0, 3.0],
    [0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0],
  ],
  relu6: [
    [0, 0, 0, 0, 0, 0.4, 1.2, 2.5, 3.7, 6.0, 6.0],
    [0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0],
  ],
  hardswish: [
    [-0.0, -0.0, -0.3333333333, -0.3333333333, -0.135, 0.2266666667, 0.84, 2.2916666667, 3.7, 6.5, 7.0],
    [0.0, 0.0, -0.1666666667, 0.1666666667, 0.4, 0.6333333333, 0.9, 1.3333333333, 1.0, 1.0, 1.0],
  ],
  hardsigmoid: [
    [0.0, 0.0, 0.1666666667, 0.3333333333, 0.45, 0.5666666667, 0.7, 0.9166666667, 1.0, 1.0, 1.0],
    [0, 0, 1 / 6, 1 / 6, 1 / 6, 1 / 6, 1 / 6, 1 / 6, 0, 0, 0],
  ],
  mish: [
    [
      -0.0725917408, -0.1040957545, -0.2525014827, -0.3034014614, -0.1511331771, 0.2890305341, 1.0779458918,
      2.4713923046, 3.6956948687, 6.4999707039, 6.9999883798,
    ],
    [
      -0.0537732098, -0.0727604134, -0.1083550924, 0.0592167559, 0.4085108769, 0.8370175025, 1.0763507311,
      1.0411295301, 1.0072340853, 1.0000539969, 1.0000215592,
    ],
  ],
  logsigmoid: [
    [
      -4.0181499279, -3.5297504183, -2.126928011, -1.3132616875, -0.8543552445, -0.5130152524, -0.2632824673,
      -0.0788897343, -0.0244228459, -0.0015023102, -0.0009114665,
    ],
    [
      0.98201379, 0.9706877692, 0.880797078, 0.7310585786, 0.5744425168, 0.4013123399, 0.2314752165,
      0.07585818, 0.0241270214, 0.0015011823, 0.0009110512,
    ],
  ],
  softsign: [
    [
      -0.8, -0.7777777778, -0.6666666667, -0.5, -0.2307692308, 0.2857142857, 0.5454545455, 0.7142857143,
      0.7872340426, 0.8666666667, 0.875,
    ],
    [
      0.04, 0.049382716, 0.1111111111, 0.25, 0.5917159763, 0.5102040816, 0.2066115702, 0.0816326531,
      0.0452693526, 0.0177777778, 0.015625,
    ],
  ],
};

const FNS: Record<string, (x: ReturnType<typeof tensor>) => ReturnType<typeof tensor>> = {
  hardtanh: (x) => F.hardtanh(x, -2.5, 3),
  relu6: (x) => F.relu6(x),
  hardswish: (x) => F.hardswish(x),
  hardsigmoid: (x) => F.hardsigmoid(x),
  mish: (x) => F.mish(x),
  logsigmoid: (x) => F.logsigmoid(x),
  softsign: (x) => F.softsign(x),
};

describe('elementwise activations match PyTorch 1.13', () => {
  for (const name of Object.keys(REF)) {
    it(`${name}: values and gradients (including the kinks)`, () => {
      const x = tensor(XS, f64).requiresGrad_();
      const y = FNS[name]!(x);
      y.sum().backward();
      expectClose(flat(y), REF[name]![0], 1e-9, 1e-9);
      expectClose(flat(x.grad!), REF[name]![1], 1e-9, 1e-7);
    });
  }

  it('the modules equal the functions, in float32 too', () => {
    const x = tensor(XS);
    const pairs: [{ call(x: unknown): unknown }, string][] = [
      [new Hardtanh(-2.5, 3), 'hardtanh'],
      [new ReLU6(), 'relu6'],
      [new Hardswish(), 'hardswish'],
      [new Hardsigmoid(), 'hardsigmoid'],
      [new Mish(), 'mish'],
      [new LogSigmoid(), 'logsigmoid'],
      [new Softsign(), 'softsign'],
    ];
    for (const [m, name] of pairs) expectClose(flat(m.call(x) as never), REF[name]![0], 1e-5, 1e-5);
  });

  it('Hardtanh defaults to [-1, 1] and rejects minVal > maxVal', () => {
    expect(flat(new Hardtanh().call(tensor([-3, 0.5, 2])))).toEqual([-1, 0.5, 1]);
    expect(() => new Hardtanh(2, 1)).toThrow(/Hardtanh: minVal 2 must be a number <= maxVal 1/);
    expect(() => F.hardtanh(tensor([1]), 3, 0)).toThrow(/hardtanh/);
  });

  it('composites pass gradcheck away from the kinks (float64)', () => {
    const x = tensor([-2.7, -1.1, -0.4, 0.3, 0.9, 2.2], f64).requiresGrad_();
    for (const name of Object.keys(FNS)) expect(gradcheck(FNS[name]!, [x]), name).toBe(true);
  });

  it('keep NaN', () => {
    const x = tensor([Number.NaN]);
    for (const name of Object.keys(FNS)) expect(Number.isNaN(flat(FNS[name]!(x))[0]!), name).toBe(true);
  });
});

describe('Softmin and GLU', () => {
  it('softmin along dim 1 matches PyTorch, value and weighted-sum gradient', () => {
    const x = tensor(XS.slice(0, 10), { ...f64, shape: [2, 5] }).requiresGrad_();
    const y = new Softmin(1).call(x) as ReturnType<typeof tensor>;
    y.mul(arange(1, 11, 1, f64).reshape(2, 5))
      .sum()
      .backward();
    expectClose(
      flat(y),
      [
        0.5505466401, 0.3339234168, 0.0745083855, 0.0274101032, 0.0136114544, 0.620766594, 0.2789284106,
        0.0760168599, 0.0228958382, 0.0013922974,
      ],
      1e-9,
    );
    expectClose(
      flat(x.grad!),
      [
        0.3411276804, -0.1270190198, -0.1028501597, -0.0652465625, -0.0460119385, 0.313622975, -0.1380085241,
        -0.1136285704, -0.0571201059, -0.0048657746,
      ],
      1e-9,
    );
    expect(() => F.softmin(x, 2)).toThrow(/softmin: dim 2 is out of range for shape \[2,5\]/);
  });

  it('glu along dim 1 matches PyTorch and rejects an odd size', () => {
    const x = tensor(XS.slice(0, 8), { ...f64, shape: [2, 4] }).requiresGrad_();
    const y = new GLU(1).call(x) as ReturnType<typeof tensor>;
    y.mul(tensor([1, 2, 3, 4], { ...f64, shape: [2, 2] }))
      .sum()
      .backward();
    expectClose(flat(y), [-0.4768116881, -0.9412949748, -0.230557435, 0.369656728], 1e-9);
    expectClose(
      flat(x.grad!),
      [
        0.119202922, 0.5378828427, -0.4199743416, -1.3762835327, 2.3055743505, 3.6965672799, -0.1601049966,
        0.1121659465,
      ],
      1e-9,
    );
    expect(() => F.glu(tensor([1, 2, 3], f64))).toThrow(
      /glu: size 3 of dim -1 must be even \(input shape \[3\]\)/,
    );
    expect(gradcheck((t) => F.glu(t, 0), [randn([4, 3], f64).requiresGrad_()])).toBe(true);
  });
});

describe('PReLU', () => {
  it('has PyTorch defaults: one weight, 0.25, state-dict key "weight"', () => {
    const m = new PReLU();
    expect(m.weight.shape).toEqual([1]);
    expect(flat(m.weight)).toEqual([0.25]);
    expect(Object.keys(m.stateDict())).toEqual(['weight']);
    expect(flat(m.call(tensor([-2, 3], { dtype: 'float32' })))).toEqual([-0.5, 3]);
    expect(new PReLU({ numParameters: 3, init: 0.1 }).weight.shape).toEqual([3]);
  });

  it('per-channel slopes match PyTorch (value, input and weight gradients)', () => {
    const m = new PReLU({ numParameters: 2, dtype: 'float64' });
    m.loadStateDict({ weight: tensor([0.25, -0.5], f64) });
    const x = tensor([-1, 2, 3, -4, -0.5, 0.5, -2, 1], { ...f64, shape: [2, 2, 2] }).requiresGrad_();
    const y = m.call(x) as ReturnType<typeof tensor>;
    y.mul(arange(1, 9, 1, f64).reshape(2, 2, 2))
      .sum()
      .backward();
    expect(flat(y)).toEqual([-0.25, 2, 3, 2, -0.125, 0.5, 1, 1]);
    expect(flat(x.grad!)).toEqual([0.25, 2, 3, -2, 1.25, 6, -3.5, 8]);
    expect(flat(m.weight.grad!)).toEqual([-3.5, -30]);
    expect(
      gradcheckModule(m, [tensor([-1.5, 2, 0.7, -0.4, -2, 1], { ...f64, shape: [3, 2] }).requiresGrad_()]),
    ).toBe(true);
  });

  it('rejects a weight that fits neither 1 nor the channels', () => {
    const m = new PReLU({ numParameters: 3 });
    expect(() => m.call(randn([2, 4]))).toThrow(
      /prelu: weight shape \[3\] must have 1 element or one per channel \(4\)/,
    );
    expect(() => new PReLU({ numParameters: 0 })).toThrow(/PReLU: numParameters must be a positive integer/);
    // 1-D inputs have one channel, as in PyTorch ("channel size = 1").
    expect(() => F.prelu(tensor([-1, 2, -3], f64), tensor([0.1, 0.2, 0.3], f64))).toThrow(
      /one per channel \(1\)/,
    );
    expect(flat(F.prelu(tensor(-2, f64), tensor([0.1], f64)))).toEqual([-0.2]);
  });
});
