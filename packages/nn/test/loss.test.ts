import { gradcheck } from '@tessera/autograd';
import {
  BCELoss,
  BCEWithLogitsLoss,
  CosineEmbeddingLoss,
  CrossEntropyLoss,
  F,
  GaussianNLLLoss,
  HuberLoss,
  KLDivLoss,
  L1Loss,
  MSELoss,
  NLLLoss,
  SmoothL1Loss,
} from '@tessera/nn';
import { manualSeed, rand, randn, type Tensor, tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { expectClose, flat } from './helpers/grad.js';

const f64 = { dtype: 'float64' } as const;
const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);
const mean = (v: number[]) => sum(v) / v.length;

describe('regression losses', () => {
  const x = tensor([0.5, -1, 2, 3], f64);
  const y = tensor([0, 1, 2.5, -1], f64);
  const d = [0.5, -2, -0.5, 4];

  it('MSELoss and L1Loss with every reduction', () => {
    expect(new MSELoss().call(x, y).item()).toBeCloseTo(mean(d.map((v) => v * v)), 12);
    expect(new MSELoss({ reduction: 'sum' }).call(x, y).item()).toBeCloseTo(sum(d.map((v) => v * v)), 12);
    expect(flat(new MSELoss({ reduction: 'none' }).call(x, y))).toEqual(d.map((v) => v * v));
    expect(new L1Loss().call(x, y).item()).toBeCloseTo(mean(d.map(Math.abs)), 12);
    expect(() => new MSELoss().call(x, y.reshape(2, 2))).toThrow(
      /input shape \[4\] and target shape \[2,2\] must be the same/,
    );
    expect(() => new MSELoss({ reduction: 'avg' as 'mean' })).toThrow(
      /reduction must be one of 'mean', 'sum', 'none'/,
    );
  });

  it('HuberLoss(delta) and SmoothL1Loss(beta)', () => {
    const huber = (v: number, dl: number) => (Math.abs(v) < dl ? 0.5 * v * v : dl * (Math.abs(v) - 0.5 * dl));
    const smooth = (v: number, b: number) => (Math.abs(v) < b ? (0.5 * v * v) / b : Math.abs(v) - 0.5 * b);
    expect(new HuberLoss({ delta: 1.5 }).call(x, y).item()).toBeCloseTo(
      mean(d.map((v) => huber(v, 1.5))),
      12,
    );
    expect(new SmoothL1Loss({ beta: 1.5 }).call(x, y).item()).toBeCloseTo(
      mean(d.map((v) => smooth(v, 1.5))),
      12,
    );
    expect(new SmoothL1Loss({ beta: 0 }).call(x, y).item()).toBeCloseTo(mean(d.map(Math.abs)), 12);
    // Huber = beta * SmoothL1 with the same threshold.
    expect(new HuberLoss({ delta: 2 }).call(x, y).item()).toBeCloseTo(
      2 * (new SmoothL1Loss({ beta: 2 }).call(x, y).item() as number),
      12,
    );
  });

  it('GaussianNLLLoss with full, eps clamping, and a shared variance', () => {
    const v = tensor([1, 0.5, 2, 1e-9], f64);
    const ref = d.map(
      (e, i) =>
        0.5 *
        (Math.log(Math.max([1, 0.5, 2, 1e-9][i]!, 1e-6)) + (e * e) / Math.max([1, 0.5, 2, 1e-9][i]!, 1e-6)),
    );
    expect(new GaussianNLLLoss().call(x, y, v).item()).toBeCloseTo(mean(ref), 8);
    expect(new GaussianNLLLoss({ full: true, reduction: 'sum' }).call(x, y, v).item()).toBeCloseTo(
      sum(ref) + 4 * 0.5 * Math.log(2 * Math.PI),
      8,
    );
    // Variance [2] for input [2, 2]: one per row.
    const shared = new GaussianNLLLoss({ reduction: 'none' }).call(
      x.reshape(2, 2),
      y.reshape(2, 2),
      tensor([1, 2], f64),
    );
    expectClose(
      flat(shared),
      d.map((e, i) => 0.5 * (Math.log(i < 2 ? 1 : 2) + (e * e) / (i < 2 ? 1 : 2))),
      1e-12,
    );
    expect(() => new GaussianNLLLoss().call(x, y, tensor([1, -1, 1, 1], f64))).toThrow(
      /var has negative entries/,
    );
    expect(() => new GaussianNLLLoss().call(x, y, tensor([1, 1], f64))).toThrow(
      /var shape \[2\] does not fit input shape \[4\]/,
    );
    // The clamp does not stop the variance's gradient (PyTorch clamps under no_grad).
    const vv = tensor([1e-9], f64).requiresGrad_();
    F.gaussianNllLoss(tensor([0], f64), tensor([0], f64), vv).backward();
    expect(vv.grad!.item()).toBeCloseTo(0.5 / 1e-6, 3);
  });

  it('KLDivLoss: pointwise target (log target - input), batchmean, logTarget', () => {
    const logp = tensor(
      [
        [Math.log(0.2), Math.log(0.8)],
        [Math.log(0.5), Math.log(0.5)],
      ],
      f64,
    );
    const q = tensor(
      [
        [0.4, 0.6],
        [0, 1],
      ],
      f64,
    );
    const pts = [0.4 * Math.log(0.4 / 0.2), 0.6 * Math.log(0.6 / 0.8), 0, 1 * Math.log(1 / 0.5)];
    expect(new KLDivLoss({ reduction: 'batchmean' }).call(logp, q).item()).toBeCloseTo(sum(pts) / 2, 12);
    expect(new KLDivLoss().call(logp, q).item()).toBeCloseTo(sum(pts) / 4, 12);
    expectClose(flat(new KLDivLoss({ reduction: 'none' }).call(logp, q)), pts, 1e-12);
    const logq = tensor([[Math.log(0.4), Math.log(0.6)]], f64);
    expect(
      new KLDivLoss({ reduction: 'sum', logTarget: true }).call(logp.narrow(0, 0, 1), logq).item(),
    ).toBeCloseTo(pts[0]! + pts[1]!, 12);
  });

  it('CosineEmbeddingLoss with a margin', () => {
    const a = tensor(
      [
        [1, 0],
        [1, 1],
        [0, 2],
      ],
      f64,
    );
    const b = tensor(
      [
        [1, 1],
        [1, -1],
        [0, -1],
      ],
      f64,
    );
    const lab = tensor([1, -1, -1]);
    const cos = [1 / Math.SQRT2, 0, -1];
    const m = -0.5;
    const ref = [1 - cos[0]!, Math.max(0, cos[1]! - m), Math.max(0, cos[2]! - m)];
    expect(new CosineEmbeddingLoss({ margin: m }).call(a, b, lab).item()).toBeCloseTo(mean(ref), 10);
  });

  it('regression losses pass gradcheck', () => {
    manualSeed(1);
    const a = randn([3], f64).requiresGrad_();
    const b = randn([3], f64);
    for (const fn of [F.mseLoss, F.l1Loss, F.huberLoss, F.smoothL1Loss])
      expect(gradcheck((p) => fn(p, b.add(0.1)), [a])).toBe(true);
    const v = rand([3], f64).add(0.5).requiresGrad_();
    expect(gradcheck((p, s) => F.gaussianNllLoss(p, b, s), [a, v])).toBe(true);
    const lp = randn([2, 3], f64).logSoftmax(1).detach().requiresGrad_();
    expect(
      gradcheck(
        (p) =>
          F.klDiv(
            p,
            tensor(
              [
                [0.2, 0.3, 0.5],
                [0, 0.5, 0.5],
              ],
              f64,
            ),
            { reduction: 'batchmean' },
          ),
        [lp],
      ),
    ).toBe(true);
    const x1 = randn([3, 2], f64).requiresGrad_();
    expect(
      gradcheck(
        (p) =>
          F.cosineEmbeddingLoss(
            p,
            tensor(
              [
                [1, 0],
                [0, 1],
                [1, 1],
              ],
              f64,
            ),
            tensor([1, -1, 1]),
          ),
        [x1],
      ),
    ).toBe(true);
  });
});

/** Reference cross entropy from its definition, with PyTorch's weighted mean. */
function refCrossEntropy(
  logits: number[][],
  target: number[],
  opts: { weight?: number[]; ignoreIndex?: number; smoothing?: number } = {},
): { each: number[]; mean: number; sum: number } {
  const C = logits[0]!.length;
  const w = opts.weight ?? new Array(C).fill(1);
  const s = opts.smoothing ?? 0;
  const ig = opts.ignoreIndex ?? -100;
  const each: number[] = [];
  let wsum = 0;
  logits.forEach((row, i) => {
    const m = Math.max(...row);
    const lse = m + Math.log(sum(row.map((v) => Math.exp(v - m))));
    const logp = row.map((v) => v - lse);
    const t = target[i]!;
    if (t === ig) {
      each.push(0);
      return;
    }
    const nll = -w[t]! * logp[t]!;
    const smooth = -sum(logp.map((v, c) => w[c]! * v));
    each.push((1 - s) * nll + (s / C) * smooth);
    wsum += w[t]!;
  });
  return { each, mean: sum(each) / wsum, sum: sum(each) };
}

describe('CrossEntropyLoss and NLLLoss', () => {
  const logits = [
    [2, -1, 0.5],
    [0.1, 0.2, 0.3],
    [-3, 4, 1],
    [1, 1, 1],
  ];
  const x = tensor(logits, f64);

  it('class indices: matches the definition, for every reduction', () => {
    const t = [0, 2, 1, 1];
    const ref = refCrossEntropy(logits, t);
    expect(new CrossEntropyLoss().call(x, tensor(t)).item()).toBeCloseTo(ref.mean, 12);
    expect(new CrossEntropyLoss({ reduction: 'sum' }).call(x, tensor(t)).item()).toBeCloseTo(ref.sum, 12);
    expectClose(flat(new CrossEntropyLoss({ reduction: 'none' }).call(x, tensor(t))), ref.each, 1e-12);
  });

  it("class weights use PyTorch's weighted mean: sum(w[y] l) / sum(w[y])", () => {
    const t = [0, 2, 1, 1];
    const weight = [0.2, 1, 3];
    const ref = refCrossEntropy(logits, t, { weight });
    const loss = new CrossEntropyLoss({ weight: tensor(weight, f64) }).call(x, tensor(t));
    expect(loss.item()).toBeCloseTo(ref.mean, 12);
    // Not the plain mean of the weighted losses:
    expect(Math.abs((loss.item() as number) - mean(ref.each))).toBeGreaterThan(0.1);
  });

  it('ignoreIndex drops targets from the loss and from the mean', () => {
    const t = [0, -100, 1, 7];
    const ce = new CrossEntropyLoss({ ignoreIndex: 7, weight: tensor([1, 2, 3], f64) });
    expect(() => ce.call(x, tensor(t))).toThrow(/target class index -100 is out of range for 3 classes/);
    const t2 = [0, 7, 1, 7];
    const ref2 = refCrossEntropy(logits, t2, { ignoreIndex: 7, weight: [1, 2, 3] });
    expect(ce.call(x, tensor(t2)).item()).toBeCloseTo(ref2.mean, 12);
    expect(ref2.each[1]).toBe(0);
    expect(ref2.each[3]).toBe(0);
    // Default ignoreIndex -100:
    const ref3 = refCrossEntropy(logits, [0, -100, 1, 2]);
    expect(new CrossEntropyLoss().call(x, tensor([0, -100, 1, 2])).item()).toBeCloseTo(ref3.mean, 12);
  });

  it('labelSmoothing mixes in the uniform distribution (with weights and ignored targets)', () => {
    const t = [0, 2, -100, 1];
    for (const weight of [undefined, [0.5, 1, 2]]) {
      const ref = refCrossEntropy(logits, t, { smoothing: 0.2, weight });
      const ce = new CrossEntropyLoss({ labelSmoothing: 0.2, weight: weight ? tensor(weight, f64) : null });
      expect(ce.call(x, tensor(t)).item()).toBeCloseTo(ref.mean, 12);
      const none = new CrossEntropyLoss({
        labelSmoothing: 0.2,
        weight: weight ? tensor(weight, f64) : null,
        reduction: 'none',
      });
      expectClose(flat(none.call(x, tensor(t))), ref.each, 1e-12);
    }
  });

  it('class-probability targets: -sum(p log q), mean over the batch; smoothing and weights', () => {
    const p = [
      [0.7, 0.2, 0.1],
      [0, 0, 1],
      [0.3, 0.3, 0.4],
      [1, 0, 0],
    ];
    const w = [1, 2, 0.5];
    const each = logits.map((row, i) => {
      const m = Math.max(...row);
      const lse = m + Math.log(sum(row.map((v) => Math.exp(v - m))));
      return -sum(row.map((v, c) => w[c]! * (p[i]![c]! * 0.9 + 0.1 / 3) * (v - lse)));
    });
    const ce = new CrossEntropyLoss({ weight: tensor(w, f64), labelSmoothing: 0.1 });
    expect(ce.call(x, tensor(p, f64)).item()).toBeCloseTo(mean(each), 12);
  });

  it('spatial targets [N, d] and unbatched [C] input', () => {
    const x3 = randn([2, 3, 4], f64); // N=2, C=3, d=4
    const t3 = tensor([
      [0, 1, 2, 1],
      [2, 2, 0, 1],
    ]);
    const perm = x3.permute(0, 2, 1).reshape(8, 3);
    const expected = new CrossEntropyLoss().call(perm, t3.reshape(8)).item() as number;
    expect(new CrossEntropyLoss().call(x3, t3).item()).toBeCloseTo(expected, 12);
    const single = new CrossEntropyLoss().call(x.select(0, 2), tensor(1));
    expect(single.item()).toBeCloseTo(refCrossEntropy([logits[2]!], [1]).mean, 12);
  });

  it('clear errors: float targets in index mode, out-of-range classes, shape mismatches', () => {
    const ce = new CrossEntropyLoss();
    expect(() => ce.call(x, tensor([0, 1, 2, 1], f64))).toThrow(
      /class-index targets must be int32, got float64 target of shape \[4\] for input \[4,3\]/,
    );
    expect(() => ce.call(x, tensor([0, 1, 3, 1]))).toThrow(
      /target class index 3 is out of range for 3 classes/,
    );
    expect(() => ce.call(x, tensor([0, 1, 2]))).toThrow(
      /target shape \[3\] does not match input shape \[4,3\]/,
    );
    expect(() =>
      ce.call(
        x,
        tensor([
          [0, 1, 2],
          [0, 1, 2],
          [0, 1, 2],
          [0, 1, 2],
        ]),
      ),
    ).toThrow(/must be floating point, got int32/);
  });

  it('NLLLoss on log-probabilities equals CrossEntropyLoss on logits', () => {
    const t = tensor([0, 2, 1, 1]);
    const w = tensor([1, 2, 3], f64);
    expect(new NLLLoss({ weight: w }).call(x.logSoftmax(1), t).item()).toBeCloseTo(
      new CrossEntropyLoss({ weight: w }).call(x, t).item() as number,
      12,
    );
    expect(() => new NLLLoss().call(x, tensor([0, 1, 2, 1], f64))).toThrow(
      /target must hold int32 class indices, got float64/,
    );
  });

  it('is stable for huge logits and passes gradcheck (weights, ignore, smoothing, probabilities)', () => {
    expect(F.crossEntropy(tensor([[1000, 0]], f64), tensor([1])).item()).toBeCloseTo(1000, 8);
    manualSeed(2);
    const z = randn([3, 4], f64).requiresGrad_();
    const t = tensor([1, -100, 3]);
    const w = tensor([0.5, 1, 1.5, 2], f64);
    expect(gradcheck((a) => F.crossEntropy(a, t, { weight: w, labelSmoothing: 0.1 }), [z])).toBe(true);
    const p = tensor(
      [
        [0.1, 0.2, 0.3, 0.4],
        [1, 0, 0, 0],
        [0.25, 0.25, 0.25, 0.25],
      ],
      f64,
    );
    expect(gradcheck((a) => F.crossEntropy(a, p, { reduction: 'sum' }), [z])).toBe(true);
    // d/dz mean CE = (softmax - onehot) / N
    const z2 = tensor([[1, 2, 3]], f64).requiresGrad_();
    F.crossEntropy(z2, tensor([0])).backward();
    const sm = flat(z2.detach().softmax(1));
    expectClose(flat(z2.grad!), [sm[0]! - 1, sm[1]!, sm[2]!], 1e-12);
  });
});

describe('binary cross entropy', () => {
  it('BCELoss matches -w (y log x + (1-y) log(1-x)) and clamps logs at -100', () => {
    const p = [0.9, 0.2, 0.5, 0.01];
    const y = [1, 0, 1, 0.3];
    const w = [1, 2, 0.5, 1];
    const ref = p.map((v, i) => -w[i]! * (y[i]! * Math.log(v) + (1 - y[i]!) * Math.log(1 - v)));
    expect(new BCELoss({ weight: tensor(w, f64) }).call(tensor(p, f64), tensor(y, f64)).item()).toBeCloseTo(
      mean(ref),
      12,
    );
    // Saturated probabilities: log(0) is clamped to -100, the loss stays finite, gradients are not NaN.
    const sat = tensor([0, 1], f64).requiresGrad_();
    const l = new BCELoss({ reduction: 'none' }).call(sat, tensor([1, 1], f64));
    expectClose(flat(l), [100, 0], 0);
    l.sum().backward();
    expect(flat(sat.grad!).every((g) => Number.isFinite(g))).toBe(true);
  });

  it('BCEWithLogitsLoss is the stable form of sigmoid + BCE, with posWeight and weight', () => {
    const z = [3, -2, 0.5, -0.1, 50, -50];
    const y = [1, 0, 1, 0.2, 0, 1];
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    const softplus = (v: number) => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v))); // log(1 + e^v)
    const ref = z.map((v, i) => y[i]! * softplus(-v) + (1 - y[i]!) * softplus(v));
    const loss = new BCEWithLogitsLoss({ reduction: 'none' }).call(tensor(z, f64), tensor(y, f64));
    expectClose(flat(loss), ref, 1e-12);
    expect(flat(loss)[4]).toBeCloseTo(50, 10);
    // Agrees with BCE on sigmoid outputs where those are accurate.
    expect(
      F.binaryCrossEntropyWithLogits(tensor(z.slice(0, 4), f64), tensor(y.slice(0, 4), f64)).item(),
    ).toBeCloseTo(
      F.binaryCrossEntropy(tensor(z.slice(0, 4).map(sig), f64), tensor(y.slice(0, 4), f64)).item() as number,
      10,
    );
    // posWeight along the last dim scales the positive term.
    const x2 = tensor(
      [
        [1, -1],
        [0.5, 2],
      ],
      f64,
    );
    const y2 = tensor(
      [
        [1, 1],
        [0, 1],
      ],
      f64,
    );
    const pw = [2, 0.5];
    const r2 = [
      [1, -1],
      [0.5, 2],
    ].flatMap((row, i) =>
      row.map((v, c) => {
        const t = [
          [1, 1],
          [0, 1],
        ][i]![c]!;
        return pw[c]! * t * softplus(-v) + (1 - t) * softplus(v);
      }),
    );
    expect(
      new BCEWithLogitsLoss({ posWeight: tensor(pw, f64), reduction: 'sum' }).call(x2, y2).item(),
    ).toBeCloseTo(sum(r2), 12);
  });

  it('pass gradcheck', () => {
    manualSeed(3);
    const z = randn([2, 3], f64).requiresGrad_();
    const y = rand([2, 3], f64);
    expect(
      gradcheck(
        (a) =>
          F.binaryCrossEntropyWithLogits(a, y, {
            posWeight: tensor([1, 2, 3], f64),
            weight: tensor([0.5, 1, 2], f64),
          }),
        [z],
      ),
    ).toBe(true);
    const p = rand([2, 3], f64).mul(0.8).add(0.1).requiresGrad_();
    expect(gradcheck((a) => F.binaryCrossEntropy(a, y), [p])).toBe(true);
  });
});

it('loss modules expose their weights as buffers named like PyTorch', () => {
  const ce = new CrossEntropyLoss({ weight: tensor([1, 2]) });
  expect(Object.keys(ce.stateDict())).toEqual(['weight']);
  const bce = new BCEWithLogitsLoss({ posWeight: tensor([3]) });
  expect(Object.keys(bce.stateDict())).toEqual(['pos_weight']);
  expect(Object.keys(new MSELoss().stateDict())).toEqual([]);
  const t: Tensor = ce.weight!;
  expect(t.shape).toEqual([2]);
});
