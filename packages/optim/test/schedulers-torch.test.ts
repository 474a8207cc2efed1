// Every scheduler against PyTorch 1.13 step by step: the sequences in
// fixtures/torch-schedulers.json come from scripts/torch-reference-schedulers.py (two parameter
// groups, SGD with momentum), including CyclicLR's momentum. Also their state-dict round trip,
// CosineAnnealingWarmRestarts.step(epoch) and their option errors.

import { readFileSync } from 'node:fs';
import {
  Adam,
  ConstantLR,
  CosineAnnealingLR,
  CosineAnnealingWarmRestarts,
  CyclicLR,
  ExponentialLR,
  LambdaLR,
  LinearLR,
  MultiStepLR,
  OneCycleLR,
  PolynomialLR,
  ReduceLROnPlateau,
  SequentialLR,
  SGD,
  StepLR,
} from '@tessera/optim';
import { tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';

interface Case {
  scheduler: string;
  options: Record<string, unknown>;
  groupLrs: number[];
  momentum: number;
  lrs: number[][];
  momentums?: number[][];
  epochs?: (number | null)[];
  metrics?: number[];
}

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/torch-schedulers.json', import.meta.url), 'utf8'),
) as {
  torch: string;
  cases: Case[];
};

function optimizer(c: Case): SGD {
  return new SGD(
    c.groupLrs.map((lr) => ({ params: [{ value: tensor([0, 0], { dtype: 'float32' }), grad: null }], lr })),
    { lr: c.groupLrs[0]!, momentum: c.momentum },
  );
}

type Stepper = {
  step(x?: number): void;
  getLastLr(): number[];
  stateDict(): object;
  loadStateDict(s: never): void;
};

function make(c: Case, opt: SGD): Stepper {
  const o = c.options as never;
  switch (c.scheduler) {
    case 'StepLR':
      return new StepLR(opt, o);
    case 'MultiStepLR':
      return new MultiStepLR(opt, o);
    case 'ExponentialLR':
      return new ExponentialLR(opt, o);
    case 'CosineAnnealingLR':
      return new CosineAnnealingLR(opt, o);
    case 'LinearLR':
      return new LinearLR(opt, o);
    case 'LambdaLR':
      return new LambdaLR(opt, { lrLambda: (epoch: number) => 0.95 ** epoch });
    case 'OneCycleLR':
      return new OneCycleLR(opt, o);
    case 'SequentialLR':
      // The children as the generator built them (names in the options, for the record).
      return new SequentialLR(opt, {
        schedulers: [
          new LinearLR(opt, { startFactor: 0.5, totalIters: 3 }),
          new ExponentialLR(opt, { gamma: 0.9 }),
          new CosineAnnealingLR(opt, { tMax: 4 }),
        ],
        milestones: c.options.milestones as number[],
      });
    case 'ReduceLROnPlateau':
      return new ReduceLROnPlateau(opt, o) as unknown as Stepper;
    case 'ConstantLR':
      return new ConstantLR(opt, o);
    case 'PolynomialLR':
      return new PolynomialLR(opt, o);
    case 'CosineAnnealingWarmRestarts':
      return new CosineAnnealingWarmRestarts(opt, o);
    case 'CyclicLR':
      return new CyclicLR(opt, o);
  }
  throw new Error(`no scheduler ${c.scheduler}`);
}

/** One step: with the recorded metric for ReduceLROnPlateau. */
function advance(s: Stepper, c: Case, k: number): void {
  if (c.metrics !== undefined) s.step(c.metrics[k - 1]);
  else s.step();
}

function expectRow(what: string, got: number[], want: number[]): void {
  expect(got.length, what).toBe(want.length);
  got.forEach((g, i) => {
    if (Math.abs(g - want[i]!) > 1e-12 * Math.max(1e-3, Math.abs(want[i]!))) {
      throw new Error(`${what} group ${i}: got ${g}, PyTorch ${want[i]}`);
    }
  });
}

const momentums = (opt: SGD) => opt.paramGroups.map((g) => (g as unknown as { momentum: number }).momentum);

describe(`schedulers match PyTorch ${fixture.torch} step by step`, () => {
  fixture.cases.forEach((c, n) => {
    it(`${c.scheduler} ${JSON.stringify(c.options)} #${n}`, () => {
      const opt = optimizer(c);
      const s = make(c, opt);
      c.lrs.forEach((want, k) => {
        if (c.epochs !== undefined) {
          const e = c.epochs[k];
          (s as CosineAnnealingWarmRestarts).step(e === null ? undefined : e);
        } else if (k > 0) advance(s, c, k);
        expectRow(`step ${k} lr`, s.getLastLr(), want);
        expectRow(
          `step ${k} group lr`,
          opt.paramGroups.map((g) => g.lr),
          want,
        );
        if (c.momentums !== undefined) expectRow(`step ${k} momentum`, momentums(opt), c.momentums[k]!);
      });
    });
  });

  fixture.cases
    .filter((c) => c.epochs === undefined)
    .forEach((c, n) => {
      it(`${c.scheduler} #${n}: stateDict → JSON → loadStateDict continues the same sequence`, () => {
        const opt = optimizer(c);
        const s = make(c, opt);
        const half = Math.floor(c.lrs.length / 2);
        for (let k = 1; k <= half; k++) advance(s, c, k);
        const saved = JSON.parse(JSON.stringify(s.stateDict()));
        const groups = JSON.parse(JSON.stringify(opt.paramGroups.map(({ params: _p, ...rest }) => rest)));
        const opt2 = optimizer(c);
        const s2 = make(c, opt2);
        s2.loadStateDict(saved as never);
        opt2.paramGroups.forEach((g, i) => {
          Object.assign(g, groups[i]);
        });
        for (let k = half + 1; k < c.lrs.length; k++) {
          advance(s2, c, k);
          expectRow(`resumed step ${k}`, s2.getLastLr(), c.lrs[k]!);
          if (c.momentums !== undefined)
            expectRow(`resumed step ${k} momentum`, momentums(opt2), c.momentums[k]!);
        }
      });
    });
});

describe('option checks', () => {
  const opt = () =>
    new SGD([{ value: tensor([0], { dtype: 'float32' }), grad: null }], { lr: 0.1, momentum: 0.9 });
  it('ConstantLR and PolynomialLR', () => {
    expect(() => new ConstantLR(opt(), { factor: 0 })).toThrow(/ConstantLR: invalid factor 0/);
    expect(() => new ConstantLR(opt(), { factor: 1.5 })).toThrow(/ConstantLR: invalid factor 1.5/);
    expect(() => new ConstantLR(opt(), { total_iters: 3 } as never)).toThrow(/total_iters/);
    expect(() => new PolynomialLR(opt(), { totalIters: 0 })).toThrow(/PolynomialLR: invalid totalIters 0/);
    expect(() => new PolynomialLR(opt(), { power: Number.NaN })).toThrow(/PolynomialLR: invalid power/);
  });
  it('CosineAnnealingWarmRestarts', () => {
    expect(() => new CosineAnnealingWarmRestarts(opt(), { t0: 0 })).toThrow(/invalid t0 0/);
    expect(() => new CosineAnnealingWarmRestarts(opt(), { T_0: 5 } as never)).toThrow(/T_0/);
    expect(() => new CosineAnnealingWarmRestarts(opt(), { t0: 2, tMult: 1.5 })).toThrow(/invalid tMult 1.5/);
    const s = new CosineAnnealingWarmRestarts(opt(), { t0: 2 });
    expect(() => s.step(-1)).toThrow(/CosineAnnealingWarmRestarts.step: invalid epoch -1/);
  });
  it('CyclicLR', () => {
    expect(() => new CyclicLR(opt(), { baseLr: 0.1, maxLr: [0.1, 0.2] })).toThrow(
      'CyclicLR: expected 1 values for maxLr (one per parameter group), got 2',
    );
    expect(() => new CyclicLR(opt(), { baseLr: 0.1, maxLr: 1, mode: 'triangle' as never })).toThrow(
      /CyclicLR: invalid mode/,
    );
    expect(() => new CyclicLR(opt(), { baseLr: 0.1, maxLr: 1, stepSizeUp: 0 })).toThrow(
      /invalid stepSizeUp 0/,
    );
    const adam = new Adam([{ value: tensor([0], { dtype: 'float32' }), grad: null }], { lr: 0.1 });
    expect(() => new CyclicLR(adam, { baseLr: 0.1, maxLr: 1 })).toThrow(/pass cycleMomentum: false/);
    const s = new CyclicLR(adam, {
      baseLr: 0.1,
      maxLr: 1,
      cycleMomentum: false,
      stepSizeUp: 2,
      scaleFn: () => 0.5,
    });
    s.step();
    expect(s.getLastLr()).toEqual([0.1 + 0.9 * 0.5 * 0.5]);
  });
});
