// Learning tests: every optimizer minimises the Rosenbrock function from (-1.5, 2) and a noisy
// (mini-batch) least-squares problem, with a learning rate (and, where stated, other options)
// tuned per optimizer. Deterministic; this file takes several seconds (about 40k small steps).
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
import { makeParams, noisyLeastSquares, rosenbrock, train } from './problems.js';

type Make = (p: ParamLike[]) => Optimizer<object>;

/** Rosenbrock: optimizer, steps; the end point must be within 0.01 of the minimum (1, 1). */
const rosenbrockCases: [string, Make, number][] = [
  ['SGD lr 1e-3 momentum 0.9', (p) => new SGD(p, { lr: 1e-3, momentum: 0.9 }), 1500],
  ['SGD lr 1e-3 Nesterov momentum 0.9', (p) => new SGD(p, { lr: 1e-3, momentum: 0.9, nesterov: true }), 1500],
  ['Adam lr 1e-2', (p) => new Adam(p, { lr: 1e-2 }), 3500],
  ['AdamW lr 2e-2 weightDecay 1e-4', (p) => new AdamW(p, { lr: 2e-2, weightDecay: 1e-4 }), 2500],
  ['NAdam lr 5e-3', (p) => new NAdam(p, { lr: 5e-3 }), 5000],
  ['RAdam lr 1e-2 betas [0.9, 0.99]', (p) => new RAdam(p, { lr: 1e-2, betas: [0.9, 0.99] }), 1500],
  ['Adamax lr 0.1', (p) => new Adamax(p, { lr: 0.1 }), 2500],
  ['RMSprop lr 3e-3 momentum 0.9', (p) => new RMSprop(p, { lr: 3e-3, momentum: 0.9 }), 1000],
  [
    'RMSprop lr 3e-3 centered momentum 0.9',
    (p) => new RMSprop(p, { lr: 3e-3, momentum: 0.9, centered: true }),
    1000,
  ],
  ['Adagrad lr 1.5', (p) => new Adagrad(p, { lr: 1.5 }), 7000],
  ['Adadelta lr 0.05 rho 0.5', (p) => new Adadelta(p, { lr: 0.05, rho: 0.5 }), 9000],
];

/** Noisy least squares: 500 mini-batch steps; the full-data loss must end within 25% of the optimum. */
const leastSquaresCases: [string, Make][] = [
  ['SGD lr 3e-3 momentum 0.9', (p) => new SGD(p, { lr: 3e-3, momentum: 0.9 })],
  ['Adam lr 3e-2', (p) => new Adam(p, { lr: 3e-2 })],
  ['AdamW lr 0.1', (p) => new AdamW(p, { lr: 0.1 })],
  ['NAdam lr 3e-2', (p) => new NAdam(p, { lr: 3e-2 })],
  ['RAdam lr 3e-2 betas [0.9, 0.99]', (p) => new RAdam(p, { lr: 3e-2, betas: [0.9, 0.99] })],
  ['Adamax lr 0.1', (p) => new Adamax(p, { lr: 0.1 })],
  ['RMSprop lr 1e-2', (p) => new RMSprop(p, { lr: 1e-2 })],
  ['Adagrad lr 0.3', (p) => new Adagrad(p, { lr: 0.3 })],
  ['Adadelta lr 3', (p) => new Adadelta(p, { lr: 3 })],
];

describe('optimizers minimise the Rosenbrock function from (-1.5, 2)', () => {
  it.each(rosenbrockCases)('%s reaches (1, 1) within 0.01', (_, make, steps) => {
    const problem = rosenbrock([-1.5, 2]);
    const params = makeParams(problem.init(), problem.shapes, 'float64', 'slot');
    const [[x, y]] = train(make(params), params, problem, steps) as [[number, number]];
    expect(Math.hypot(x - 1, y - 1)).toBeLessThan(0.01);
  });
});

describe('optimizers fit a noisy least-squares problem from mini-batch gradients', () => {
  it.each(leastSquaresCases)('%s', (_, make) => {
    const problem = noisyLeastSquares();
    const params = makeParams(problem.init(), problem.shapes, 'float32', 'tensor');
    const initial = problem.loss(problem.init());
    const final = train(make(params), params, problem, 500, problem.nextBatch);
    const loss = problem.loss(final);
    expect(initial / problem.optimum).toBeGreaterThan(1000);
    expect(loss).toBeLessThan(1.25 * problem.optimum);
  });
});
