// Behaviour shared by all optimizers: PyTorch defaults, parameter forms, parameter groups,
// zeroGrad, closures, in-place updates that record nothing and leave no temporaries behind.

import {
  Adadelta,
  Adagrad,
  Adam,
  Adamax,
  AdamW,
  NAdam,
  type Optimizer,
  type ParamLike,
  type ParamSlot,
  RAdam,
  RMSprop,
  SGD,
} from '@tessera/optim';
import { getOpObserver, memory, type Tensor, tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { observing } from './observer.js';

type Make = (p: ParamLike[]) => Optimizer<object>;

const everyOptimizer: [string, Make][] = [
  ['SGD', (p) => new SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.1 })],
  ['Adam', (p) => new Adam(p, { amsgrad: true, weightDecay: 0.1 })],
  ['AdamW', (p) => new AdamW(p, { amsgrad: true, maximize: true })],
  ['NAdam', (p) => new NAdam(p, { weightDecay: 0.1 })],
  ['RAdam', (p) => new RAdam(p, { weightDecay: 0.1, decoupledWeightDecay: true })],
  ['Adamax', (p) => new Adamax(p, { weightDecay: 0.1 })],
  ['RMSprop', (p) => new RMSprop(p, { centered: true, momentum: 0.9, weightDecay: 0.1 })],
  ['Adagrad', (p) => new Adagrad(p, { lrDecay: 0.1, weightDecay: 0.1 })],
  ['Adadelta', (p) => new Adadelta(p, { weightDecay: 0.1, maximize: true })],
];

function slot(values: number[], grad: number[] | null, dtype: 'float32' | 'float64' = 'float32'): ParamSlot {
  return { value: tensor(values, { dtype }), grad: grad === null ? null : tensor(grad, { dtype }) };
}

function withGrad(values: number[], grad: number[] | null): Tensor & { grad: Tensor | null } {
  const t = tensor(values, { dtype: 'float32' }) as Tensor & { grad: Tensor | null };
  t.grad = grad === null ? null : tensor(grad, { dtype: 'float32' });
  return t;
}

describe('PyTorch defaults', () => {
  const p = () => [slot([1.5], [1])];
  it.each([
    [
      'SGD',
      () => new SGD(p()),
      { lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false },
    ],
    [
      'Adam',
      () => new Adam(p()),
      {
        lr: 1e-3,
        betas: [0.9, 0.999],
        eps: 1e-8,
        weightDecay: 0,
        amsgrad: false,
        maximize: false,
        decoupledWeightDecay: false,
      },
    ],
    [
      'AdamW',
      () => new AdamW(p()),
      {
        lr: 1e-3,
        betas: [0.9, 0.999],
        eps: 1e-8,
        weightDecay: 1e-2,
        amsgrad: false,
        maximize: false,
        decoupledWeightDecay: true,
      },
    ],
    [
      'NAdam',
      () => new NAdam(p()),
      {
        lr: 2e-3,
        betas: [0.9, 0.999],
        eps: 1e-8,
        weightDecay: 0,
        momentumDecay: 4e-3,
        decoupledWeightDecay: false,
        maximize: false,
      },
    ],
    [
      'RAdam',
      () => new RAdam(p()),
      {
        lr: 1e-3,
        betas: [0.9, 0.999],
        eps: 1e-8,
        weightDecay: 0,
        decoupledWeightDecay: false,
        maximize: false,
      },
    ],
    [
      'Adamax',
      () => new Adamax(p()),
      { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false },
    ],
    [
      'RMSprop',
      () => new RMSprop(p()),
      { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false },
    ],
    [
      'Adagrad',
      () => new Adagrad(p()),
      { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false },
    ],
    ['Adadelta', () => new Adadelta(p()), { lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false }],
  ] as const)('%s', (_, make, expected) => {
    const opt = make();
    expect(opt.defaults).toEqual(expected);
    const { params, ...group } = opt.paramGroups[0]!;
    expect(group).toEqual(expected);
    expect(params).toHaveLength(1);
  });
});

describe.each(everyOptimizer)('%s', (_, make) => {
  it('updates in place, records nothing, restores the observer, and leaves no temporaries', () => {
    const a = slot([1, -2, 3], [0.5, 0.25, -1]);
    const b = withGrad([[0.5, 1.5]].flat(), [2, -3]);
    const storageA = a.value._storage;
    const opt = make([a, b]);
    opt.step(); // creates the state
    const before = [...a.value.dataSync()];
    const live = observing((calls, obs) => {
      const live = memory().liveTensors;
      opt.step();
      expect(calls).toEqual([]);
      expect(getOpObserver()).toBe(obs);
      return live;
    });
    expect(memory().liveTensors).toBe(live);
    expect(a.value._storage).toBe(storageA);
    expect([...a.value.dataSync()]).not.toEqual(before);
  });

  it('skips parameters without a gradient (no state is created for them)', () => {
    const a = slot([1, 2], [0.1, 0.2]);
    const b = slot([3, 4], null);
    const c = tensor([5, 6], { dtype: 'float32' }); // a tensor with no grad property at all
    const opt = make([a, b, c]);
    opt.step();
    expect([...b.value.dataSync()]).toEqual([3, 4]);
    expect([...c.dataSync()]).toEqual([5, 6]);
    expect(opt.state.has(a)).toBe(true);
    expect(opt.state.has(b)).toBe(false);
    expect(opt.state.has(c)).toBe(false);
  });
});

describe('parameter groups', () => {
  it('use their own options, falling back to the defaults', () => {
    const a = slot([1, 1], [1, 2], 'float64');
    const b = slot([1, 1], [1, 2], 'float64');
    const opt = new SGD([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1 });
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.1, 0.5]);
    opt.step();
    expect([...a.value.dataSync()]).toEqual([0.9, 0.8]);
    expect([...b.value.dataSync()]).toEqual([0.5, 0]);
  });

  it('addParamGroup adds parameters later; a parameter cannot be in two groups', () => {
    const a = slot([1], [1], 'float64');
    const b = slot([1], [1], 'float64');
    const opt = new Adam([a], { lr: 0.1 });
    opt.addParamGroup({ params: [b], lr: 0.2, amsgrad: true });
    expect(opt.paramGroups[1]).toMatchObject({ lr: 0.2, amsgrad: true, betas: [0.9, 0.999], eps: 1e-8 });
    opt.step();
    // Adam's first step moves each parameter by about lr.
    expect(a.value.item()).toBeCloseTo(0.9, 6);
    expect(b.value.item()).toBeCloseTo(0.8, 6);
    expect(() => opt.addParamGroup({ params: [a] })).toThrow(
      /Adam.addParamGroup: some parameters of group 2 are already in group 0/,
    );
  });

  it('a single parameter may be given as `params` of a group, and groups may be any iterable', () => {
    const a = slot([1], [1], 'float64');
    const opt = new SGD(new Set([{ params: a, lr: 1 }]));
    opt.step();
    expect(a.value.item()).toBe(0);
  });
});

describe('zeroGrad', () => {
  it('sets gradients to null by default (records and tensors with a grad property)', () => {
    const a = slot([1], [1]);
    const b = withGrad([1], [1]);
    const c = tensor([1.5]);
    const opt = new SGD([a, b, c]);
    opt.zeroGrad();
    expect(a.grad).toBeNull();
    expect(b.grad).toBeNull();
    expect('grad' in c).toBe(false);
  });

  it('fills the existing gradients with zeros with setToNone: false', () => {
    const a = slot([1, 2], [3, 4]);
    const b = withGrad([1], [5]);
    const ga = a.grad!;
    new SGD([a, b]).zeroGrad({ setToNone: false });
    expect(a.grad).toBe(ga);
    expect([...ga.dataSync()]).toEqual([0, 0]);
    expect(b.grad!.item()).toBe(0);
    // PyTorch's spelling would otherwise clear the gradients instead of zeroing them.
    expect(() => new SGD([a]).zeroGrad({ set_to_none: false } as never)).toThrow(
      "zeroGrad: unknown option 'set_to_none', did you mean 'setToNone'?",
    );
  });
});

describe('step(closure)', () => {
  it('runs the closure first, with the observer attached, and returns its result', () => {
    const a = slot([2], null, 'float64');
    const opt = new SGD([a], { lr: 0.5 });
    observing((calls) => {
      const loss = opt.step(() => {
        // loss = x², grad = 2x, computed with a recorded op
        a.grad = a.value.mul(a.value.clone().fill_(2));
        return (a.value.item() as number) ** 2;
      });
      expect(loss).toBe(4);
      expect(calls.length).toBeGreaterThan(0);
      expect(calls).not.toContain('add_');
    });
    expect(a.value.item()).toBe(0);
    expect(new SGD([slot([1], [1])]).step()).toBeUndefined();
  });

  it('restores the observer when an update throws', () => {
    const bad = { value: tensor([1, 2], { dtype: 'float32' }), grad: tensor([1], { dtype: 'float32' }) };
    const opt = new Adam([bad]);
    observing((_calls, obs) => {
      expect(() => opt.step()).toThrow(
        /Adam.step: gradient of parameter 0 has shape \[1\] but the parameter has shape \[2\]/,
      );
      expect(getOpObserver()).toBe(obs);
    });
  });

  it('rejects gradients of another dtype', () => {
    const opt = new SGD([
      { value: tensor([1, 2], { dtype: 'float64' }), grad: tensor([1, 2], { dtype: 'float32' }) },
    ]);
    expect(() => opt.step()).toThrow(
      /SGD.step: gradient of parameter 0 has dtype float32 but the parameter has dtype float64/,
    );
  });
});
