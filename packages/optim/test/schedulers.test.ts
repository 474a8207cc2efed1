// Learning-rate schedules reproduce PyTorch's sequences: after construction `getLastLr()` is the
// rate of epoch 0, and after k calls of `step()` the rate of epoch k. Expected values come from
// the closed forms in PyTorch's docs (written out here) and from literal values.

import {
  Adam,
  CosineAnnealingLR,
  ExponentialLR,
  LambdaLR,
  LinearLR,
  type LRScheduler,
  MultiStepLR,
  OneCycleLR,
  ReduceLROnPlateau,
  SequentialLR,
  SGD,
  StepLR,
} from '@tessera/optim';
import { tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';

function sgd(lr: number, groups = 1, extra: Record<string, unknown> = {}): SGD {
  return new SGD(
    Array.from({ length: groups }, (_, i) => ({
      params: [{ value: tensor([1, 2], { dtype: 'float32' }), grad: null }],
      lr: lr * (i + 1),
      ...extra,
    })),
    { lr },
  );
}

/** The rates of epochs 0..n-1 (first group), stepping the scheduler n-1 times. */
function sequence(s: { getLastLr(): number[]; step(): void }, n: number, group = 0): number[] {
  const out = [s.getLastLr()[group]!];
  for (let e = 1; e < n; e++) {
    s.step();
    out.push(s.getLastLr()[group]!);
  }
  return out;
}

function expectClose(actual: number[], expected: number[], rel = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    if (Math.abs(a - expected[i]!) > rel * Math.max(1e-300, Math.abs(expected[i]!))) {
      throw new Error(`epoch ${i}: got ${a}, expected ${expected[i]}`);
    }
  });
}

describe('StepLR', () => {
  it('decays by gamma every stepSize epochs (PyTorch docs example: 0.05, 0.005 from 30, 0.0005 from 60)', () => {
    const opt = sgd(0.05);
    const seq = sequence(new StepLR(opt, { stepSize: 30, gamma: 0.1 }), 100);
    expectClose(
      seq,
      seq.map((_, e) => 0.05 * 0.1 ** Math.floor(e / 30)),
    );
    expect(seq[29]).toBe(0.05);
    expect(seq[30]).toBeCloseTo(0.005, 15);
    expect(seq[60]).toBeCloseTo(0.0005, 15);
    expect(seq[99]).toBeCloseTo(0.00005, 15);
    expect(opt.paramGroups[0]!.lr).toBe(seq[99]);
    expect(opt.paramGroups[0]!.initialLr).toBe(0.05);
  });

  it('sets every group from its own initial rate', () => {
    const s = new StepLR(sgd(0.1, 2), { stepSize: 2, gamma: 0.5 });
    const seq0 = sequence(s, 1);
    expect(seq0).toEqual([0.1]);
    s.step();
    s.step();
    expect(s.getLastLr()).toEqual([0.05, 0.1]);
  });
});

describe('MultiStepLR', () => {
  it('decays at each milestone (PyTorch docs example: 0.05, 0.005 from 30, 0.0005 from 80)', () => {
    const seq = sequence(new MultiStepLR(sgd(0.05), { milestones: [30, 80], gamma: 0.1 }), 100);
    const expected = seq.map((_, e) => 0.05 * 0.1 ** ((e >= 30 ? 1 : 0) + (e >= 80 ? 1 : 0)));
    expectClose(seq, expected);
  });

  it('applies a repeated milestone repeatedly, and accepts unsorted milestones', () => {
    const seq = sequence(new MultiStepLR(sgd(1), { milestones: [5, 2, 2], gamma: 0.5 }), 7);
    expect(seq).toEqual([1, 1, 0.25, 0.25, 0.25, 0.125, 0.125]);
  });
});

describe('ExponentialLR', () => {
  it('multiplies by gamma every epoch', () => {
    const seq = sequence(new ExponentialLR(sgd(0.1), { gamma: 0.9 }), 30);
    expectClose(
      seq,
      seq.map((_, e) => 0.1 * 0.9 ** e),
    );
    expect(seq.slice(0, 3)).toEqual([0.1, 0.09000000000000001, 0.08100000000000002]);
  });
});

describe('CosineAnnealingLR', () => {
  const cosine = (e: number, base: number, etaMin: number, tMax: number) =>
    etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * e) / tMax))) / 2;

  it('follows ηmin + (η0 − ηmin)(1 + cos(πt/tMax))/2, including past tMax (it keeps cycling)', () => {
    const seq = sequence(new CosineAnnealingLR(sgd(0.1), { tMax: 10, etaMin: 0.001 }), 36);
    expectClose(
      seq,
      seq.map((_, e) => cosine(e, 0.1, 0.001, 10)),
      1e-10,
    );
    expect(seq[10]).toBeCloseTo(0.001, 15);
    expect(seq[20]).toBeCloseTo(0.1, 14);
  });

  it('literal values with etaMin 0: half the rate at tMax/2, zero at tMax', () => {
    const seq = sequence(new CosineAnnealingLR(sgd(0.1), { tMax: 4 }), 5);
    expect(seq[0]).toBe(0.1);
    expect(seq[2]).toBeCloseTo(0.05, 15);
    expect(seq[4]).toBeCloseTo(0, 15);
  });

  it('is recursive: a change to group.lr carries over through the step formula', () => {
    const opt = sgd(1);
    const s = new CosineAnnealingLR(opt, { tMax: 8, etaMin: 0.1 });
    s.step();
    s.step();
    opt.paramGroups[0]!.lr = 0.5;
    s.step(); // t = 3
    const expected =
      ((1 + Math.cos((3 * Math.PI) / 8)) / (1 + Math.cos((2 * Math.PI) / 8))) * (0.5 - 0.1) + 0.1;
    expect(s.getLastLr()[0]).toBeCloseTo(expected, 15);
  });
});

describe('LinearLR', () => {
  it('PyTorch docs example: 0.025, 0.03125, 0.0375, 0.04375, then 0.05', () => {
    const seq = sequence(new LinearLR(sgd(0.05), { startFactor: 0.5, totalIters: 4 }), 8);
    expectClose(seq, [0.025, 0.03125, 0.0375, 0.04375, 0.05, 0.05, 0.05, 0.05]);
  });

  it('defaults (startFactor 1/3, endFactor 1, totalIters 5) and a decreasing ramp', () => {
    const seq = sequence(new LinearLR(sgd(0.3)), 7);
    expectClose(
      seq,
      seq.map((_, e) => 0.3 * (1 / 3 + ((2 / 3) * Math.min(e, 5)) / 5)),
    );
    const down = sequence(new LinearLR(sgd(1), { startFactor: 1, endFactor: 0.2, totalIters: 4 }), 6);
    expectClose(down, [1, 0.8, 0.6, 0.4, 0.2, 0.2]);
  });
});

describe('LambdaLR', () => {
  it('sets initialLr · lambda(epoch), with one lambda per group', () => {
    const s = new LambdaLR(sgd(0.1, 2), { lrLambda: [(e) => 0.95 ** e, (e) => 1 / (e + 1)] });
    const g0 = [s.getLastLr()[0]!];
    const g1 = [s.getLastLr()[1]!];
    for (let e = 1; e < 10; e++) {
      s.step();
      g0.push(s.getLastLr()[0]!);
      g1.push(s.getLastLr()[1]!);
    }
    expectClose(
      g0,
      g0.map((_, e) => 0.1 * 0.95 ** e),
    );
    expectClose(
      g1,
      g1.map((_, e) => 0.2 / (e + 1)),
    );
  });
});

describe('OneCycleLR', () => {
  const annealCos = (a: number, b: number, pct: number) => b + ((a - b) / 2) * (Math.cos(Math.PI * pct) + 1);
  const annealLin = (a: number, b: number, pct: number) => (b - a) * pct + a;

  it('two phases, cosine: literal values and the closed form, with momentum cycled inversely', () => {
    const opt = sgd(0.01, 1, { momentum: 0.9 });
    const s = new OneCycleLR(opt, { maxLr: 0.1, totalSteps: 10 });
    const lrs = [s.getLastLr()[0]!];
    const moms = [opt.paramGroups[0]!.momentum];
    for (let k = 1; k <= 10; k++) {
      s.step();
      lrs.push(s.getLastLr()[0]!);
      moms.push(opt.paramGroups[0]!.momentum);
    }
    // initialLr = 0.1 / 25 = 0.004, minLr = 0.004 / 1e4 = 4e-7; phase ends at 0.3·10 − 1 = 2 and 9.
    expect(lrs[0]).toBeCloseTo(0.004, 15);
    expect(lrs[1]).toBeCloseTo(0.052, 15);
    expect(lrs[2]).toBeCloseTo(0.1, 15);
    expect(lrs[9]).toBeCloseTo(4e-7, 15);
    const expected = lrs.map((_, k) =>
      k <= 2 ? annealCos(0.004, 0.1, k / 2) : annealCos(0.1, 4e-7, (k - 2) / 7),
    );
    expectClose(lrs, expected, 1e-12);
    const expectedMom = moms.map((_, k) =>
      k <= 2 ? annealCos(0.95, 0.85, k / 2) : annealCos(0.85, 0.95, (k - 2) / 7),
    );
    expectClose(moms, expectedMom, 1e-12);
    expect(opt.paramGroups[0]).toMatchObject({
      initialLr: 0.004,
      maxLr: 0.1,
      minLr: 4e-7,
      maxMomentum: 0.95,
      baseMomentum: 0.85,
    });
    expect(() => s.step()).toThrow(
      /OneCycleLR.step: tried to step 11 times; the specified number of total steps is 10/,
    );
  });

  it('three phases, linear, epochs × stepsPerEpoch, cycling Adam betas[0]', () => {
    const opt = new Adam([{ value: tensor([1.5]), grad: null }], { lr: 0.01, betas: [0.9, 0.99] });
    const s = new OneCycleLR(opt, {
      maxLr: 1,
      epochs: 4,
      stepsPerEpoch: 5,
      pctStart: 0.25,
      annealStrategy: 'linear',
      threePhase: true,
      divFactor: 10,
      finalDivFactor: 100,
    });
    const lrs = [s.getLastLr()[0]!];
    const b1 = [opt.paramGroups[0]!.betas[0]];
    for (let k = 1; k < 20; k++) {
      s.step();
      lrs.push(s.getLastLr()[0]!);
      b1.push(opt.paramGroups[0]!.betas[0]);
    }
    // Phase ends: 0.25·20 − 1 = 4, 2·0.25·20 − 2 = 8, 19. initialLr 0.1, minLr 0.001.
    const exp = (k: number) =>
      k <= 4
        ? annealLin(0.1, 1, k / 4)
        : k <= 8
          ? annealLin(1, 0.1, (k - 4) / 4)
          : annealLin(0.1, 0.001, (k - 8) / 11);
    expectClose(
      lrs,
      lrs.map((_, k) => exp(k)),
      1e-12,
    );
    expect(lrs[4]).toBe(1);
    expect(lrs[8]).toBeCloseTo(0.1, 15);
    expect(lrs[19]).toBeCloseTo(0.001, 15);
    expect(b1[4]).toBeCloseTo(0.85, 15);
    expect(b1[19]).toBe(0.95);
    expect(opt.paramGroups[0]!.betas[1]).toBe(0.99);
  });

  it('cycleMomentum false leaves momentum alone', () => {
    const opt = sgd(0.01);
    new OneCycleLR(opt, { maxLr: [0.5], totalSteps: 4, cycleMomentum: false }).step();
    expect(opt.paramGroups[0]!.momentum).toBe(0);
  });
});

describe('ReduceLROnPlateau', () => {
  function run(s: ReduceLROnPlateau, metrics: number[]): number[] {
    return metrics.map((m) => {
      s.step(m);
      return s.getLastLr()[0]!;
    });
  }

  it('reduces after more than `patience` epochs without improvement', () => {
    const s = new ReduceLROnPlateau(sgd(0.1), { patience: 2, factor: 0.5 });
    expect(run(s, [10, 9, 9, 9, 9, 8, 8, 8, 8])).toEqual([0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.025]);
  });

  it('waits `cooldown` epochs after a reduction before counting bad epochs', () => {
    const s = new ReduceLROnPlateau(sgd(1), { patience: 1, factor: 0.1, cooldown: 2 });
    // bad epochs: e2 1, e3 2 → reduce; e4, e5 cooldown; e6 1, e7 2 → reduce.
    expectClose(run(s, [5, 5, 5, 5, 5, 5, 5, 5]), [1, 1, 0.1, 0.1, 0.1, 0.1, 0.01, 0.01]);
  });

  it('threshold modes: relative and absolute, min and max', () => {
    // min/rel: 9.95 is not below 10·(1 − 0.01) = 9.9, so it is a bad epoch.
    const rel = new ReduceLROnPlateau(sgd(1), { patience: 0, threshold: 0.01 });
    expect(run(rel, [10, 9.95])).toEqual([1, 0.1]);
    // min/abs: 9.95 is below 10 − 0.01.
    const abs = new ReduceLROnPlateau(sgd(1), { patience: 0, threshold: 0.01, thresholdMode: 'abs' });
    expect(run(abs, [10, 9.95])).toEqual([1, 1]);
    // max/rel: 10.05 is not above 10·1.01; 10.2 is.
    const maxRel = new ReduceLROnPlateau(sgd(1), { mode: 'max', patience: 0, threshold: 0.01 });
    expect(run(maxRel, [10, 10.2, 10.25])).toEqual([1, 1, 0.1]);
    // max/abs: 10.02 is above 10 + 0.01.
    const maxAbs = new ReduceLROnPlateau(sgd(1), {
      mode: 'max',
      patience: 0,
      threshold: 0.01,
      thresholdMode: 'abs',
    });
    expect(run(maxAbs, [10, 10.02, 10.025])).toEqual([1, 1, 0.1]);
  });

  it('never goes below minLr (per group), skips reductions smaller than eps, accepts a tensor metric', () => {
    const opt = sgd(1, 2);
    const s = new ReduceLROnPlateau(opt, { patience: 0, factor: 0.1, minLr: [0.05, 0.5] });
    s.step(tensor(1));
    s.step(tensor([1]));
    expect(s.getLastLr()).toEqual([0.1, 0.5]);
    s.step(1);
    expect(s.getLastLr()).toEqual([0.05, 0.5]);
    const tiny = new ReduceLROnPlateau(sgd(1e-9), { patience: 0, factor: 0.5 });
    expect(run(tiny, [1, 1])).toEqual([1e-9, 1e-9]);
  });
});

describe('SequentialLR', () => {
  it('LinearLR warm-up then ExponentialLR; the second restarts from the base rate at the milestone', () => {
    const opt = sgd(1);
    const warm = new LinearLR(opt, { startFactor: 0.1, totalIters: 2 });
    const decay = new ExponentialLR(opt, { gamma: 0.9 });
    const s = new SequentialLR(opt, { schedulers: [warm, decay], milestones: [2] });
    // PyTorch: at the milestone ExponentialLR.step(0) uses its closed form, base · 0.9⁰ = 1.
    expectClose(sequence(s, 7), [0.1, 0.55, 1, 0.9, 0.81, 0.729, 0.6561]);
  });

  it('warm-up then cosine annealing follows the closed forms', () => {
    const opt = sgd(0.5);
    const s = new SequentialLR(opt, {
      schedulers: [
        new LinearLR(opt, { startFactor: 0.2, totalIters: 3 }),
        new CosineAnnealingLR(opt, { tMax: 6, etaMin: 0.01 }),
      ],
      milestones: [3],
    });
    const seq = sequence(s, 12);
    const expected = seq.map((_, e) =>
      e < 3
        ? 0.5 * (0.2 + (0.8 * e) / 3)
        : 0.01 + ((0.5 - 0.01) * (1 + Math.cos((Math.PI * (e - 3)) / 6))) / 2,
    );
    expectClose(seq, expected, 1e-12);
  });

  it('three schedulers, two milestones', () => {
    const opt = sgd(1);
    const scheds: LRScheduler[] = [
      new LinearLR(opt, { startFactor: 0.5, totalIters: 2 }),
      new StepLR(opt, { stepSize: 2, gamma: 0.5 }),
      new MultiStepLR(opt, { milestones: [1], gamma: 0.1 }),
    ];
    const s = new SequentialLR(opt, { schedulers: scheds, milestones: [2, 5] });
    // Linear: 0.5, 0.75 | StepLR restarted (closed form) at 2: 1, 1, 0.5 | MultiStep at 5: 1, then 0.1
    expectClose(sequence(s, 8), [0.5, 0.75, 1, 1, 0.5, 1, 0.1, 0.1]);
  });
});
