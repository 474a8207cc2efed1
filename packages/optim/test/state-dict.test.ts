// Saving an optimizer (and a scheduler) mid-training through stateDict → JSON → loadStateDict
// into fresh objects continues exactly like the uninterrupted run.

import {
  Adadelta,
  Adagrad,
  Adam,
  Adamax,
  AdamW,
  CosineAnnealingLR,
  ExponentialLR,
  LambdaLR,
  LinearLR,
  MultiStepLR,
  NAdam,
  OneCycleLR,
  type Optimizer,
  type OptimizerStateDict,
  type ParamLike,
  RAdam,
  ReduceLROnPlateau,
  RMSprop,
  SequentialLR,
  SGD,
  StepLR,
} from '@tessera/optim';
import { type Tensor, tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { makeParams, readParams, setGrads, tanhNet } from './problems.js';

type Make = (p: ParamLike[]) => Optimizer<object>;
interface Sched {
  step(metric?: number): void;
  getLastLr(): number[];
  stateDict(): Record<string, unknown>;
  loadStateDict(s: Record<string, unknown>): void;
}

/** Two groups over the tanh net's parameters: weights and biases, the biases at half the rate. */
function grouped(params: ParamLike[], lr: number) {
  return [{ params: [params[0]!, params[2]!] }, { params: [params[1]!, params[3]!], lr: lr / 2 }];
}

const optimizers: [string, Make][] = [
  ['SGD', (p) => new SGD(grouped(p, 0.1), { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-3 })],
  ['Adam', (p) => new Adam(grouped(p, 0.01), { lr: 0.01, amsgrad: true })],
  ['AdamW', (p) => new AdamW(grouped(p, 0.01), { lr: 0.01 })],
  ['NAdam', (p) => new NAdam(grouped(p, 0.01), { lr: 0.01 })],
  ['RAdam', (p) => new RAdam(grouped(p, 0.01), { lr: 0.01 })],
  ['Adamax', (p) => new Adamax(grouped(p, 0.01), { lr: 0.01 })],
  ['RMSprop', (p) => new RMSprop(grouped(p, 0.01), { lr: 0.01, centered: true, momentum: 0.5 })],
  ['Adagrad', (p) => new Adagrad(grouped(p, 0.1), { lr: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1 })],
  ['Adadelta', (p) => new Adadelta(grouped(p, 1), { lr: 1 })],
];

type MakeSched = (o: Optimizer<object>) => Sched;
const schedulers: [string, MakeSched, number[]?][] = [
  ['none', () => ({ step() {}, getLastLr: () => [], stateDict: () => ({}), loadStateDict() {} })],
  ['StepLR', (o) => new StepLR(o, { stepSize: 3, gamma: 0.5 })],
  ['MultiStepLR', (o) => new MultiStepLR(o, { milestones: [2, 9, 9], gamma: 0.5 })],
  ['ExponentialLR', (o) => new ExponentialLR(o, { gamma: 0.9 })],
  ['CosineAnnealingLR', (o) => new CosineAnnealingLR(o, { tMax: 7, etaMin: 1e-4 })],
  ['LinearLR', (o) => new LinearLR(o, { startFactor: 0.25, totalIters: 12 })],
  ['LambdaLR', (o) => new LambdaLR(o, { lrLambda: (e) => 1 / (1 + e) })],
  [
    'OneCycleLR',
    (o) =>
      new OneCycleLR(o, {
        maxLr: [0.05, 0.02],
        totalSteps: 20,
        threePhase: true,
        cycleMomentum: 'momentum' in o.defaults || 'betas' in o.defaults,
      }),
  ],
  [
    'SequentialLR',
    (o) =>
      new SequentialLR(o, {
        schedulers: [
          new LinearLR(o, { startFactor: 0.1, totalIters: 4 }),
          new CosineAnnealingLR(o, { tMax: 10 }),
        ],
        milestones: [4],
      }),
  ],
  [
    'ReduceLROnPlateau',
    (o) => {
      const s = new ReduceLROnPlateau(o, { patience: 1, factor: 0.5, cooldown: 1 });
      return {
        ...s,
        step: (m?: number) => s.step(m!),
        getLastLr: () => s.getLastLr(),
        stateDict: () => s.stateDict(),
        loadStateDict: (x) => s.loadStateDict(x),
      };
    },
  ],
];

const SAVE_AT = 8;
const MORE = 8;

/** Runs `steps` steps; the scheduler steps after each and ReduceLROnPlateau sees a bumpy metric. */
function run(
  opt: Optimizer<object>,
  sched: Sched,
  params: ParamLike[],
  from: number,
  steps: number,
  lrs: number[][],
): void {
  const problem = tanhNet();
  for (let s = from; s < from + steps; s++) {
    setGrads(params, problem.grad(readParams(params)));
    opt.step();
    sched.step(s % 3 === 0 ? 1 : 2);
    lrs.push(sched.getLastLr());
  }
}

describe.each(optimizers)('%s', (optName, makeOpt) => {
  it.each(schedulers)(`resumes exactly from a JSON state dict, with scheduler %s`, (_, makeSched) => {
    const problem = tanhNet();
    const dtype = optName === 'Adam' || optName === 'Adagrad' ? 'float32' : 'float64';
    // Uninterrupted run.
    const params = makeParams(problem.init(), problem.shapes, dtype, 'slot');
    const opt = makeOpt(params);
    const sched = makeSched(opt);
    const lrs: number[][] = [];
    run(opt, sched, params, 0, SAVE_AT, lrs);
    const savedValues = readParams(params);
    const json = JSON.stringify({ opt: opt.stateDict(), sched: sched.stateDict() });
    run(opt, sched, params, SAVE_AT, MORE, lrs);
    const expected = readParams(params);

    // Fresh objects: optimizer, then scheduler, then load both (PyTorch's order).
    const restored = JSON.parse(json) as { opt: OptimizerStateDict; sched: Record<string, unknown> };
    const params2 = makeParams(savedValues, problem.shapes, dtype, 'tensor');
    const opt2 = makeOpt(params2);
    const sched2 = makeSched(opt2);
    opt2.loadStateDict(restored.opt);
    sched2.loadStateDict(restored.sched);
    const lrs2: number[][] = [];
    run(opt2, sched2, params2, SAVE_AT, MORE, lrs2);
    expect(readParams(params2)).toEqual(expected);
    expect(lrs2).toEqual(lrs.slice(SAVE_AT));
    expect(opt2.paramGroups.map(({ params: _, ...g }) => g)).toEqual(
      opt.paramGroups.map(({ params: _, ...g }) => g),
    );
  });
});

describe('optimizer state dict format', () => {
  function trained(): { opt: Adam; p: { value: Tensor; grad: Tensor | null } } {
    const p = {
      value: tensor([1, -2], { dtype: 'float32' }),
      grad: tensor([0.5, Infinity], { dtype: 'float32' }),
    };
    const opt = new Adam([p], { lr: 0.1 });
    opt.step();
    return { opt, p };
  }

  it('is plain JSON data: indices, options, serialized tensors; non-finite values as strings', async () => {
    const { opt } = trained();
    const sd = opt.stateDict();
    expect(sd.paramGroups).toEqual([
      {
        lr: 0.1,
        betas: [0.9, 0.999],
        eps: 1e-8,
        weightDecay: 0,
        amsgrad: false,
        maximize: false,
        decoupledWeightDecay: false,
        params: [0],
      },
    ]);
    expect(Object.keys(sd.state)).toEqual(['0']);
    expect(sd.state['0']!.step).toBe(1);
    expect(sd.state['0']!.expAvg).toEqual({
      dtype: 'float32',
      shape: [2],
      data: [0.05000000074505806, 'Infinity'],
    });
    expect(JSON.parse(JSON.stringify(sd))).toEqual(sd);
    expect(await opt.stateDictAsync()).toEqual(sd);
  });

  it('loads state given as tensors too, copying them (no aliasing)', () => {
    const { opt } = trained();
    const sd = opt.stateDict();
    const expAvg = tensor([1, 2], { dtype: 'float64' });
    const opt2 = new Adam([{ value: tensor([0, 0], { dtype: 'float32' }), grad: null }]);
    opt2.loadStateDict({ ...sd, state: { 0: { ...sd.state['0']!, expAvg } } });
    const st = [...opt2.state.values()][0]!;
    expect(st.expAvg).not.toBe(expAvg);
    expect((st.expAvg as Tensor).dtype).toBe('float32');
    expect([...(st.expAvg as Tensor).dataSync()]).toEqual([1, 2]);
    expect(st.expAvgSq).toBeDefined();
  });

  it('loaded hyperparameters replace the constructor options', () => {
    const { opt } = trained();
    const opt2 = new Adam([{ value: tensor([0, 0], { dtype: 'float32' }), grad: null }], {
      lr: 5,
      amsgrad: true,
    });
    opt2.loadStateDict(opt.stateDict());
    expect(opt2.paramGroups[0]!.lr).toBe(0.1);
    expect(opt2.paramGroups[0]!.amsgrad).toBe(false);
  });

  it('rejects state dicts that do not fit, leaving the optimizer unchanged', () => {
    const { opt } = trained();
    const sd = opt.stateDict();
    const p2 = { value: tensor([0, 0], { dtype: 'float32' }), grad: null };
    const fresh = () => new Adam([p2], { lr: 0.3 });
    expect(() =>
      fresh().loadStateDict({ ...sd, paramGroups: [...sd.paramGroups, sd.paramGroups[0]!] }),
    ).toThrow(/Adam.loadStateDict: the state dict has 2 parameter groups but the optimizer has 1/);
    expect(() =>
      fresh().loadStateDict({ ...sd, paramGroups: [{ ...sd.paramGroups[0]!, params: [0, 1] }] }),
    ).toThrow(
      /Adam.loadStateDict: parameter group 0 has 2 parameters in the state dict but 1 in the optimizer/,
    );
    expect(() => fresh().loadStateDict({ ...sd, state: { 5: sd.state['0']! } })).toThrow(
      /Adam.loadStateDict: state for parameter 5, which is in no parameter group/,
    );
    expect(() =>
      fresh().loadStateDict({ ...sd, state: { 0: { ...sd.state['0']!, momentumBuffer: 1 } } }),
    ).toThrow(
      /Adam.loadStateDict: unexpected state 'momentumBuffer' for parameter 0 \(Adam keeps: step, expAvg, expAvgSq, maxExpAvgSq\)/,
    );
    const wrongShape = {
      0: { ...sd.state['0']!, expAvg: { dtype: 'float32' as const, shape: [3], data: [1, 2, 3] } },
    };
    const o = fresh();
    expect(() => o.loadStateDict({ ...sd, state: wrongShape })).toThrow(
      /Adam.loadStateDict: state 'expAvg' of parameter 0 has shape \[3\] but the parameter has shape \[2\]/,
    );
    expect(o.paramGroups[0]!.lr).toBe(0.3);
    expect(o.state.size).toBe(0);
    expect(() => fresh().loadStateDict({ ...sd, paramGroups: [{ ...sd.paramGroups[0]!, lr: -1 }] })).toThrow(
      /Adam: invalid lr -1/,
    );
    expect(() => fresh().loadStateDict(null as unknown as OptimizerStateDict)).toThrow(
      /Adam.loadStateDict: expected an object with 'state' and 'paramGroups'/,
    );
  });
});

describe('scheduler state dicts', () => {
  it('ReduceLROnPlateau keeps ±Infinity through JSON', () => {
    const opt = new SGD([{ value: tensor([1.5]), grad: null }], { lr: 1 });
    const s = new ReduceLROnPlateau(opt, { mode: 'max' });
    const sd = JSON.parse(JSON.stringify(s.stateDict()));
    expect(sd.best).toBe('-Infinity');
    const s2 = new ReduceLROnPlateau(opt, { mode: 'min' });
    s2.loadStateDict(sd);
    expect(s2.best).toBe(-Infinity);
    expect(s2.mode).toBe('max');
  });

  it('reject unknown keys and mismatched SequentialLR children', () => {
    const opt = new SGD([{ value: tensor([1.5]), grad: null }], { lr: 1 });
    const step = new StepLR(opt, { stepSize: 2 });
    expect(() => step.loadStateDict({ ...step.stateDict(), tMax: 3 })).toThrow(
      /StepLR.loadStateDict: unknown key 'tMax'/,
    );
    const seq = new SequentialLR(opt, {
      schedulers: [new LinearLR(opt), new ExponentialLR(opt, { gamma: 0.5 })],
      milestones: [3],
    });
    expect(() => seq.loadStateDict({ ...seq.stateDict(), schedulers: [] })).toThrow(
      /SequentialLR.loadStateDict: expected state for 2 schedulers/,
    );
  });
});
