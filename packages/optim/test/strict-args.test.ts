import '@tessera/autograd';
import { Linear } from '@tessera/nn';
import {
  Adam,
  AdamW,
  CosineAnnealingLR,
  clipGradNorm_,
  ExponentialLR,
  LambdaLR,
  LinearLR,
  MultiStepLR,
  OneCycleLR,
  ReduceLROnPlateau,
  RMSprop,
  SequentialLR,
  SGD,
  StepLR,
} from '@tessera/optim';
import { tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';

const leaf = () => tensor([1.5, 2], { requiresGrad: true });

describe('optimizers reject non-finite hyper-parameters', () => {
  it.each([Infinity, -Infinity, Number.NaN, -1])('lr %s', (lr) => {
    expect(() => new SGD([leaf()], { lr })).toThrow(
      /^SGD: invalid lr -?(Infinity|NaN|1) \(expected a finite number >= 0\)$/,
    );
    expect(() => new Adam([leaf()], { lr })).toThrow(/^Adam: invalid lr/);
  });

  it('other hyper-parameters too, in groups as well', () => {
    expect(() => new SGD([leaf()], { lr: 0.1, momentum: Infinity })).toThrow(
      'SGD: invalid momentum Infinity',
    );
    expect(() => new AdamW([leaf()], { weightDecay: Infinity })).toThrow(
      'AdamW: invalid weightDecay Infinity',
    );
    expect(() => new RMSprop([leaf()], { eps: Infinity })).toThrow('RMSprop: invalid eps Infinity');
    expect(() => new SGD([{ params: [leaf()], lr: Infinity }], { lr: 0.1 })).toThrow(
      'SGD: invalid lr Infinity',
    );
  });

  it('clipping still accepts an infinite norm order and bound', () => {
    const p = leaf();
    p.grad = tensor([3, -4], { dtype: 'float32' });
    expect(clipGradNorm_([p], Infinity, Infinity).item()).toBe(4);
  });
});

describe('clear errors for misplaced parameters', () => {
  it('a model instead of its parameters suggests model.parameters()', () => {
    const model = new Linear(2, 2);
    expect(() => new Adam(model as never)).toThrow(
      'Adam: got a model (Module), not its parameters; pass model.parameters(), e.g. new Adam(model.parameters(), { lr: 0.01 })',
    );
    expect(() => clipGradNorm_(model as never, 1)).toThrow(
      'clipGradNorm_: got a model (Module), not its parameters',
    );
    expect(new Adam(model.parameters()).paramGroups[0]!.params.length).toBe(2);
  });

  it('a non-leaf tensor is rejected with a readable message', () => {
    const nonLeaf = leaf().mul(2);
    expect(() => new SGD([nonLeaf], { lr: 0.1 })).toThrow(
      "SGD.addParamGroup: can't optimize a non-leaf tensor: parameter 0 of group 0 of shape [2] (computed by MulBackward)",
    );
  });

  it('unknown keys of a parameter group are rejected', () => {
    expect(() => new SGD([{ params: [leaf()], learning_rate: 0.1 } as never], { lr: 0.1 })).toThrow(
      "SGD.addParamGroup: group 0: unknown option 'learning_rate'",
    );
    expect(() => new Adam([{ params: [leaf()], weight_decay: 0.1 } as never])).toThrow(
      "did you mean 'weightDecay'?",
    );
  });
});

describe('schedulers reject unknown options', () => {
  const opt = () => new SGD([leaf()], { lr: 0.1 });
  it.each<[string, () => unknown]>([
    ['StepLR', () => new StepLR(opt(), { stepSize: 2, gama: 0.5 } as never)],
    ['MultiStepLR', () => new MultiStepLR(opt(), { milestones: [1], bogus: 1 } as never)],
    ['ExponentialLR', () => new ExponentialLR(opt(), { gamma: 0.5, bogus: 1 } as never)],
    ['CosineAnnealingLR', () => new CosineAnnealingLR(opt(), { tMax: 2, eta_min: 0 } as never)],
    ['LinearLR', () => new LinearLR(opt(), { bogus: 1 } as never)],
    ['LambdaLR', () => new LambdaLR(opt(), { lrLambda: () => 1, bogus: 1 } as never)],
    ['OneCycleLR', () => new OneCycleLR(opt(), { maxLr: 1, totalSteps: 10, bogus: 1 } as never)],
    ['ReduceLROnPlateau', () => new ReduceLROnPlateau(opt(), { bogus: 1 } as never)],
    ['SequentialLR', () => new SequentialLR(opt(), { schedulers: [], milestones: [], bogus: 1 } as never)],
  ])('%s', (name, make) => {
    expect(make).toThrow(`${name}: unknown option '`);
  });

  it('suggests the camelCase name', () => {
    expect(() => new StepLR(opt(), { step_size: 2 } as never)).toThrow("did you mean 'stepSize'?");
    expect(() => new StepLR(opt(), { stepSize: 2, gama: 0.5 } as never)).toThrow("did you mean 'gamma'?");
  });
});
