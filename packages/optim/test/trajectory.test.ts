// Each optimizer, for every option combination that changes the arithmetic, follows the float64
// reference implementation (test/reference.ts) element by element for 25 steps, on a quadratic
// and on a small tanh network, both with hand-written gradients.
import {
  Adadelta,
  Adagrad,
  Adam,
  Adamax,
  AdamW,
  NAdam,
  type Optimizer,
  type ParamLike,
  RAdam,
  RMSprop,
  SGD,
} from '@tessera/optim';
import { describe, expect, it } from 'vitest';
import { makeParams, type Problem, quadratic, readParams, setGrads, tanhNet } from './problems.js';
import {
  type RefOptimizer,
  refAdadelta,
  refAdagrad,
  refAdam,
  refAdamax,
  refNAdam,
  refRAdam,
  refRMSprop,
  refSGD,
} from './reference.js';

interface Case {
  name: string;
  make: (params: ParamLike[]) => Optimizer<object>;
  ref: () => RefOptimizer;
}

const STEPS = 25;

/** One case per option set `o`, named `${name} ${JSON.stringify(o)}`. */
function casesFor<O>(
  name: string,
  options: readonly O[],
  make: (p: ParamLike[], o: O) => Optimizer<object>,
  ref: (o: O) => RefOptimizer,
): Case[] {
  return options.map((o) => ({
    name: `${name} ${JSON.stringify(o)}`,
    make: (p) => make(p, o),
    ref: () => ref(o),
  }));
}

/** NAdam / RAdam options; `decoupled` maps to `decoupledWeightDecay` (and the reference's `decoupled`). */
interface DecoupledCase {
  decoupled?: boolean;
  weightDecay?: number;
  maximize?: boolean;
  momentumDecay?: number;
  betas?: readonly [number, number];
}

/** The optimizer's options (lr 0.05) for a `DecoupledCase`. */
function optionsOf({ decoupled, ...o }: DecoupledCase) {
  return { lr: 0.05, decoupledWeightDecay: decoupled ?? false, ...o };
}

/** The reference's options (lr 0.05) for a `DecoupledCase`. */
function refOptionsOf({ decoupled, betas, ...o }: DecoupledCase) {
  return {
    lr: 0.05,
    decoupled: decoupled ?? false,
    ...o,
    betas: betas ? ([betas[0], betas[1]] as [number, number]) : undefined,
  };
}

const cases: Case[] = [
  ...casesFor(
    'SGD',
    [
      {},
      { momentum: 0.9 },
      { momentum: 0.9, dampening: 0.3 },
      { momentum: 0.9, nesterov: true },
      { weightDecay: 0.1 },
      { momentum: 0.5, dampening: 0.1, weightDecay: 0.05, maximize: true },
      { momentum: 0.9, nesterov: true, weightDecay: 0.01, maximize: true },
    ] as const,
    (p, o) => new SGD(p, { lr: 0.05, ...o }),
    (o) => refSGD({ lr: 0.05, ...o }),
  ),
  ...casesFor(
    'Adam',
    [
      {},
      { amsgrad: true },
      { weightDecay: 0.1 },
      { weightDecay: 0.1, amsgrad: true, maximize: true },
      { betas: [0.8, 0.9] as [number, number], eps: 1e-6 },
    ] as const,
    (p, o) => new Adam(p, { lr: 0.05, ...o }),
    (o) => refAdam({ lr: 0.05, ...o }),
  ),
  {
    name: 'Adam {"decoupledWeightDecay":true,"weightDecay":0.1}',
    make: (p) => new Adam(p, { lr: 0.05, decoupledWeightDecay: true, weightDecay: 0.1 }),
    ref: () => refAdam({ lr: 0.05, decoupled: true, weightDecay: 0.1 }),
  },
  // AdamW (default weight decay 1e-2)
  ...casesFor(
    'AdamW',
    [{}, { weightDecay: 0.1, amsgrad: true }, { maximize: true }] as const,
    (p, o) => new AdamW(p, { lr: 0.05, ...o }),
    (o) => refAdam({ lr: 0.05, weightDecay: 1e-2, decoupled: true, ...o }),
  ),
  ...casesFor<DecoupledCase>(
    'NAdam',
    [
      {},
      { weightDecay: 0.1 },
      { weightDecay: 0.1, decoupled: true },
      { maximize: true, momentumDecay: 0.01 },
    ],
    (p, o) => new NAdam(p, optionsOf(o)),
    (o) => refNAdam(refOptionsOf(o)),
  ),
  ...casesFor<DecoupledCase>(
    'RAdam',
    [{}, { weightDecay: 0.1 }, { weightDecay: 0.1, decoupled: true }, { maximize: true, betas: [0.9, 0.99] }],
    (p, o) => new RAdam(p, optionsOf(o)),
    (o) => refRAdam(refOptionsOf(o)),
  ),
  ...casesFor(
    'Adamax',
    [
      {},
      { weightDecay: 0.1 },
      { maximize: true },
      { betas: [0.8, 0.95] as [number, number], eps: 1e-4 },
    ] as const,
    (p, o) => new Adamax(p, { lr: 0.05, ...o }),
    (o) => refAdamax({ lr: 0.05, ...o }),
  ),
  ...casesFor(
    'RMSprop',
    [
      {},
      { centered: true },
      { momentum: 0.9 },
      { centered: true, momentum: 0.5, weightDecay: 0.1 },
      { maximize: true, alpha: 0.9 },
    ] as const,
    (p, o) => new RMSprop(p, { lr: 0.01, ...o }),
    (o) => refRMSprop({ lr: 0.01, ...o }),
  ),
  ...casesFor(
    'Adagrad',
    [
      {},
      { lrDecay: 0.1 },
      { initialAccumulatorValue: 0.5, weightDecay: 0.1 },
      { maximize: true, eps: 1e-3 },
    ] as const,
    (p, o) => new Adagrad(p, { lr: 0.1, ...o }),
    (o) => refAdagrad({ lr: 0.1, ...o }),
  ),
  ...casesFor(
    'Adadelta',
    [{}, { rho: 0.95, weightDecay: 0.1 }, { maximize: true }, { lr: 0.5, eps: 1e-4 }] as const,
    (p, o) => new Adadelta(p, { lr: 1, ...o }),
    (o) => refAdadelta({ lr: 1, ...o }),
  ),
];

/** Max relative difference |a − b| / max(1, |b|) over all elements. */
function maxRelDiff(a: number[][], b: number[][]): number {
  let m = 0;
  for (const [i, row] of a.entries()) {
    for (const [j, v] of row.entries()) {
      const d = Math.abs(v - b[i]![j]!) / Math.max(1, Math.abs(b[i]![j]!));
      m = Number.isNaN(d) ? Infinity : Math.max(m, d);
    }
  }
  return m;
}

function compare(c: Case, problem: Problem, form: 'slot' | 'tensor'): void {
  const init = problem.init();
  const params = makeParams(init, problem.shapes, 'float64', form);
  const opt = c.make(params);
  const ref = c.ref();
  const refParams = init.map((a) => [...a]);
  for (let s = 1; s <= STEPS; s++) {
    setGrads(params, problem.grad(readParams(params)));
    opt.step();
    ref.step(refParams, problem.grad(refParams));
    const got = readParams(params);
    const diff = maxRelDiff(got, refParams);
    if (diff > 1e-11) throw new Error(`step ${s}: max relative difference ${diff}`);
  }
  // The trajectory went somewhere (the comparison is not trivially satisfied).
  expect(maxRelDiff(refParams, init)).toBeGreaterThan(1e-3);
}

describe('trajectories match the float64 reference', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s on a quadratic', (_, c) => {
    compare(c, quadratic(), 'slot');
  });
  it.each(cases.map((c) => [c.name, c] as const))('%s on a tanh network', (_, c) => {
    compare(c, tanhNet(), 'tensor');
  });

  it('RAdam runs both its un-rectified and its rectified branch within the compared steps', () => {
    const r = refRAdam({ lr: 0.05 });
    const p = quadratic();
    const x = p.init();
    for (let s = 0; s < STEPS; s++) r.step(x, p.grad(x));
    expect(r.rectified.slice(0, 5)).toEqual([false, false, false, false, false]);
    expect(r.rectified.at(-1)).toBe(true);
  });

  it.each([
    [
      'SGD',
      (p: ParamLike[]) => new SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true }),
      () => refSGD({ lr: 0.05, momentum: 0.9, nesterov: true }),
    ],
    [
      'Adam',
      (p: ParamLike[]) => new Adam(p, { lr: 0.05, amsgrad: true }),
      () => refAdam({ lr: 0.05, amsgrad: true }),
    ],
    [
      'AdamW',
      (p: ParamLike[]) => new AdamW(p, { lr: 0.05 }),
      () => refAdam({ lr: 0.05, weightDecay: 0.01, decoupled: true }),
    ],
    ['NAdam', (p: ParamLike[]) => new NAdam(p, { lr: 0.05 }), () => refNAdam({ lr: 0.05 })],
    ['RAdam', (p: ParamLike[]) => new RAdam(p, { lr: 0.05 }), () => refRAdam({ lr: 0.05 })],
    ['Adamax', (p: ParamLike[]) => new Adamax(p, { lr: 0.05 }), () => refAdamax({ lr: 0.05 })],
    [
      'RMSprop',
      (p: ParamLike[]) => new RMSprop(p, { lr: 0.01, centered: true, momentum: 0.5 }),
      () => refRMSprop({ lr: 0.01, centered: true, momentum: 0.5 }),
    ],
    ['Adagrad', (p: ParamLike[]) => new Adagrad(p, { lr: 0.1 }), () => refAdagrad({ lr: 0.1 })],
    ['Adadelta', (p: ParamLike[]) => new Adadelta(p, { lr: 1 }), () => refAdadelta({ lr: 1 })],
  ] as const)('%s on float32 parameters stays within float32 rounding of the reference', (_, make, mkRef) => {
    const problem = tanhNet();
    const init = problem.init();
    const params = makeParams(init, problem.shapes, 'float32', 'slot');
    const opt = make(params);
    const ref = mkRef();
    const refParams = init.map((a) => [...a]);
    for (let s = 0; s < STEPS; s++) {
      setGrads(params, problem.grad(readParams(params)));
      opt.step();
      ref.step(refParams, problem.grad(refParams));
    }
    expect(params.every((p) => ('value' in p ? p.value : p).dtype === 'float32')).toBe(true);
    expect(maxRelDiff(readParams(params), refParams)).toBeLessThan(2e-4);
  });
});
