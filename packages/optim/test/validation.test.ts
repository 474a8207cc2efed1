// Every invalid option and argument fails with an error naming the class, the option and the value.

import {
  Adadelta,
  Adagrad,
  Adam,
  Adamax,
  AdamW,
  CosineAnnealingLR,
  clipGradNorm_,
  clipGradValue_,
  ExponentialLR,
  LambdaLR,
  LinearLR,
  MultiStepLR,
  NAdam,
  OneCycleLR,
  type ParamLike,
  RAdam,
  ReduceLROnPlateau,
  RMSprop,
  SequentialLR,
  SGD,
  StepLR,
} from '@tessera/optim';
import { tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';

const p = (): ParamLike[] => [{ value: tensor([1.5, 2]), grad: null }];
type Any = any;

describe('optimizer options', () => {
  const cases: [string, () => unknown, RegExp][] = [
    // SGD
    [
      'SGD negative lr',
      () => new SGD(p(), { lr: -0.1 }),
      /^SGD: invalid lr -0.1 \(expected a finite number >= 0\)$/,
    ],
    ['SGD NaN lr', () => new SGD(p(), { lr: Number.NaN }), /^SGD: invalid lr NaN/],
    ['SGD lr not a number', () => new SGD(p(), { lr: '0.1' as Any }), /^SGD: invalid lr "0.1"/],
    [
      'SGD negative momentum',
      () => new SGD(p(), { momentum: -0.5 }),
      /^SGD: invalid momentum -0.5 \(expected a finite number >= 0\)$/,
    ],
    ['SGD negative weightDecay', () => new SGD(p(), { weightDecay: -1 }), /^SGD: invalid weightDecay -1/],
    [
      'SGD nesterov without momentum',
      () => new SGD(p(), { nesterov: true }),
      /^SGD: Nesterov momentum requires momentum > 0 and dampening = 0 \(got momentum 0, dampening 0\)$/,
    ],
    [
      'SGD nesterov with dampening',
      () => new SGD(p(), { nesterov: true, momentum: 0.9, dampening: 0.1 }),
      /^SGD: Nesterov momentum requires momentum > 0 and dampening = 0 \(got momentum 0.9, dampening 0.1\)$/,
    ],
    [
      'SGD non-boolean nesterov',
      () => new SGD(p(), { nesterov: 1 as Any }),
      /^SGD: invalid nesterov 1 \(expected a boolean\)$/,
    ],
    [
      'SGD non-boolean maximize',
      () => new SGD(p(), { maximize: 'yes' as Any }),
      /^SGD: invalid maximize "yes"/,
    ],
    [
      'SGD unknown option',
      () => new SGD(p(), { weight_decay: 0.1 } as Any),
      /^SGD: unknown option 'weight_decay', did you mean 'weightDecay'\? \(known options: lr, momentum, dampening, weightDecay, nesterov, maximize\)$/,
    ],
    // Adam / AdamW
    ['Adam negative lr', () => new Adam(p(), { lr: -1 }), /^Adam: invalid lr -1/],
    [
      'Adam beta1 = 1',
      () => new Adam(p(), { betas: [1, 0.999] }),
      /^Adam: invalid betas\[0\] 1 \(expected a finite number in \[0, 1\)\)$/,
    ],
    [
      'Adam negative beta2',
      () => new Adam(p(), { betas: [0.9, -0.1] }),
      /^Adam: invalid betas\[1\] -0.1 \(expected a finite number in \[0, 1\)\)$/,
    ],
    [
      'Adam betas of wrong length',
      () => new Adam(p(), { betas: [0.9] as Any }),
      /^Adam: invalid betas \[0.9\] \(expected two numbers in \[0, 1\)\)$/,
    ],
    [
      'Adam negative eps',
      () => new Adam(p(), { eps: -1e-8 }),
      /^Adam: invalid eps -1e-8 \(expected a finite number >= 0\)$/,
    ],
    [
      'Adam negative weightDecay',
      () => new Adam(p(), { weightDecay: -0.01 }),
      /^Adam: invalid weightDecay -0.01/,
    ],
    [
      'Adam non-boolean amsgrad',
      () => new Adam(p(), { amsgrad: null as Any }),
      /^Adam: invalid amsgrad null \(expected a boolean\)$/,
    ],
    ['AdamW negative lr', () => new AdamW(p(), { lr: -1 }), /^AdamW: invalid lr -1/],
    ['AdamW beta2 = 1', () => new AdamW(p(), { betas: [0.9, 1] }), /^AdamW: invalid betas\[1\] 1/],
    [
      'AdamW decoupledWeightDecay',
      () => new AdamW(p(), { decoupledWeightDecay: false } as Any),
      /^AdamW: unknown option 'decoupledWeightDecay' \(AdamW always decouples weight decay\)$/,
    ],
    // NAdam
    ['NAdam negative lr', () => new NAdam(p(), { lr: -1 }), /^NAdam: invalid lr -1/],
    ['NAdam beta1 = 1.5', () => new NAdam(p(), { betas: [1.5, 0.9] }), /^NAdam: invalid betas\[0\] 1.5/],
    ['NAdam negative eps', () => new NAdam(p(), { eps: -1 }), /^NAdam: invalid eps -1/],
    [
      'NAdam negative weightDecay',
      () => new NAdam(p(), { weightDecay: -1 }),
      /^NAdam: invalid weightDecay -1/,
    ],
    [
      'NAdam negative momentumDecay',
      () => new NAdam(p(), { momentumDecay: -4e-3 }),
      /^NAdam: invalid momentumDecay -0.004/,
    ],
    // RAdam
    ['RAdam negative lr', () => new RAdam(p(), { lr: -1 }), /^RAdam: invalid lr -1/],
    ['RAdam beta1 = 1', () => new RAdam(p(), { betas: [1, 0.9] }), /^RAdam: invalid betas\[0\] 1/],
    ['RAdam negative eps', () => new RAdam(p(), { eps: -1 }), /^RAdam: invalid eps -1/],
    [
      'RAdam negative weightDecay',
      () => new RAdam(p(), { weightDecay: -1 }),
      /^RAdam: invalid weightDecay -1/,
    ],
    // Adamax
    ['Adamax negative lr', () => new Adamax(p(), { lr: -1 }), /^Adamax: invalid lr -1/],
    ['Adamax beta2 = 1', () => new Adamax(p(), { betas: [0.9, 1] }), /^Adamax: invalid betas\[1\] 1/],
    ['Adamax negative eps', () => new Adamax(p(), { eps: -1 }), /^Adamax: invalid eps -1/],
    [
      'Adamax negative weightDecay',
      () => new Adamax(p(), { weightDecay: -1 }),
      /^Adamax: invalid weightDecay -1/,
    ],
    // RMSprop
    ['RMSprop negative lr', () => new RMSprop(p(), { lr: -1 }), /^RMSprop: invalid lr -1/],
    [
      'RMSprop negative alpha',
      () => new RMSprop(p(), { alpha: -0.1 }),
      /^RMSprop: invalid alpha -0.1 \(expected a finite number >= 0\)$/,
    ],
    ['RMSprop negative eps', () => new RMSprop(p(), { eps: -1 }), /^RMSprop: invalid eps -1/],
    [
      'RMSprop negative momentum',
      () => new RMSprop(p(), { momentum: -0.9 }),
      /^RMSprop: invalid momentum -0.9/,
    ],
    [
      'RMSprop negative weightDecay',
      () => new RMSprop(p(), { weightDecay: -1 }),
      /^RMSprop: invalid weightDecay -1/,
    ],
    [
      'RMSprop non-boolean centered',
      () => new RMSprop(p(), { centered: 0 as Any }),
      /^RMSprop: invalid centered 0 \(expected a boolean\)$/,
    ],
    // Adagrad
    ['Adagrad negative lr', () => new Adagrad(p(), { lr: -1 }), /^Adagrad: invalid lr -1/],
    ['Adagrad negative lrDecay', () => new Adagrad(p(), { lrDecay: -0.1 }), /^Adagrad: invalid lrDecay -0.1/],
    [
      'Adagrad negative weightDecay',
      () => new Adagrad(p(), { weightDecay: -1 }),
      /^Adagrad: invalid weightDecay -1/,
    ],
    [
      'Adagrad negative initialAccumulatorValue',
      () => new Adagrad(p(), { initialAccumulatorValue: -1 }),
      /^Adagrad: invalid initialAccumulatorValue -1/,
    ],
    ['Adagrad negative eps', () => new Adagrad(p(), { eps: -1e-10 }), /^Adagrad: invalid eps -1e-10/],
    // Adadelta
    ['Adadelta negative lr', () => new Adadelta(p(), { lr: -1 }), /^Adadelta: invalid lr -1/],
    [
      'Adadelta rho > 1',
      () => new Adadelta(p(), { rho: 1.5 }),
      /^Adadelta: invalid rho 1.5 \(expected a finite number in \[0, 1\]\)$/,
    ],
    ['Adadelta negative rho', () => new Adadelta(p(), { rho: -0.1 }), /^Adadelta: invalid rho -0.1/],
    ['Adadelta negative eps', () => new Adadelta(p(), { eps: -1 }), /^Adadelta: invalid eps -1/],
    [
      'Adadelta negative weightDecay',
      () => new Adadelta(p(), { weightDecay: -1 }),
      /^Adadelta: invalid weightDecay -1/,
    ],
    // Options in parameter groups are checked too.
    ['group option', () => new SGD([{ params: p(), lr: -2 }]), /^SGD: invalid lr -2/],
    [
      'addParamGroup option',
      () => new Adam(p()).addParamGroup({ params: p(), betas: [0.9, 2] }),
      /^Adam: invalid betas\[1\] 2/,
    ],
    ['options not an object', () => new SGD(p(), 0.1 as Any), /^SGD: options must be an object, got 0.1$/],
  ];
  it.each(cases)('%s', (_, f, message) => {
    expect(f).toThrow(message);
  });
});

describe('parameters', () => {
  const t = () => tensor([1.5, 2]);
  it.each([
    ['an empty list', () => new SGD([]), /^SGD: got an empty parameter list$/],
    [
      'a single tensor instead of an iterable',
      () => new SGD(t() as Any),
      /^SGD: params must be an iterable of parameters or of parameter groups, got a tensor of shape \[2\]$/,
    ],
    ['a number', () => new Adam(3 as Any), /^Adam: params must be an iterable/],
    [
      'a non-parameter element',
      () => new SGD([t(), 5 as Any]),
      /^SGD: params\[1\] is number 5; pass either parameters/,
    ],
    [
      'a mix of groups and parameters',
      () => new SGD([{ params: [t()] }, t()] as Any),
      /^SGD: params\[1\] is a tensor of shape \[2\]; pass either/,
    ],
    [
      'an integer tensor',
      () => new SGD([tensor([1, 2])]),
      /^SGD.addParamGroup: can only optimize floating point tensors, but parameter 0 of group 0 has dtype int32$/,
    ],
    [
      'a duplicate within a group',
      () => {
        const x = t();
        return new SGD([x, x]);
      },
      /^SGD.addParamGroup: parameter 1 of group 0 appears twice in the group$/,
    ],
    [
      'a parameter in two groups',
      () => {
        const x = t();
        return new SGD([{ params: [x] }, { params: [t(), x] }]);
      },
      /^SGD.addParamGroup: some parameters of group 1 are already in group 0$/,
    ],
    [
      'a group without params',
      () => new SGD(p()).addParamGroup({ lr: 1 } as Any),
      /^SGD.addParamGroup: a parameter group must be an object with a 'params' key$/,
    ],
    [
      'a group whose params is not iterable',
      () => new SGD([{ params: 3 as Any }]),
      /^SGD.addParamGroup: 'params' of group 0 must be a parameter or an iterable of them, got number 3$/,
    ],
  ] as const)('rejects %s', (_, f, message) => {
    expect(f).toThrow(message);
  });
});

describe('scheduler options', () => {
  const sgd = () => new SGD(p(), { lr: 0.1 });
  it.each([
    [
      'StepLR stepSize 0',
      () => new StepLR(sgd(), { stepSize: 0 }),
      /^StepLR: invalid stepSize 0 \(expected an integer >= 1\)$/,
    ],
    [
      'StepLR fractional stepSize',
      () => new StepLR(sgd(), { stepSize: 1.5 }),
      /^StepLR: invalid stepSize 1.5/,
    ],
    [
      'StepLR missing options',
      () => new StepLR(sgd(), undefined as Any),
      /^StepLR: invalid stepSize undefined/,
    ],
    [
      'StepLR negative gamma',
      () => new StepLR(sgd(), { stepSize: 2, gamma: -1 }),
      /^StepLR: invalid gamma -1/,
    ],
    [
      'StepLR lastEpoch < -1',
      () => new StepLR(sgd(), { stepSize: 2, lastEpoch: -2 }),
      /^StepLR: invalid lastEpoch -2 \(expected an integer >= -1\)$/,
    ],
    [
      'resuming without initialLr',
      () => new StepLR(sgd(), { stepSize: 2, lastEpoch: 3 }),
      /^StepLR: paramGroups\[0\] has no 'initialLr', which is required when resuming with lastEpoch 3$/,
    ],
    ['not an optimizer', () => new StepLR({} as Any, { stepSize: 2 }), /^StepLR: expected an optimizer/],
    [
      'MultiStepLR milestones not an array',
      () => new MultiStepLR(sgd(), { milestones: 3 as Any }),
      /^MultiStepLR: milestones must be an array of epochs, got number$/,
    ],
    [
      'MultiStepLR negative milestone',
      () => new MultiStepLR(sgd(), { milestones: [2, -1] }),
      /^MultiStepLR: invalid milestones\[1\] -1/,
    ],
    [
      'MultiStepLR negative gamma',
      () => new MultiStepLR(sgd(), { milestones: [2], gamma: -0.1 }),
      /^MultiStepLR: invalid gamma -0.1/,
    ],
    [
      'ExponentialLR missing gamma',
      () => new ExponentialLR(sgd(), {} as Any),
      /^ExponentialLR: invalid gamma undefined/,
    ],
    [
      'CosineAnnealingLR tMax 0',
      () => new CosineAnnealingLR(sgd(), { tMax: 0 }),
      /^CosineAnnealingLR: invalid tMax 0 \(expected an integer >= 1\)$/,
    ],
    [
      'CosineAnnealingLR negative etaMin',
      () => new CosineAnnealingLR(sgd(), { tMax: 5, etaMin: -1 }),
      /^CosineAnnealingLR: invalid etaMin -1/,
    ],
    [
      'LinearLR startFactor 0',
      () => new LinearLR(sgd(), { startFactor: 0 }),
      /^LinearLR: invalid startFactor 0 \(expected a finite number in \(0, 1\]\)$/,
    ],
    [
      'LinearLR startFactor > 1',
      () => new LinearLR(sgd(), { startFactor: 1.5 }),
      /^LinearLR: invalid startFactor 1.5/,
    ],
    [
      'LinearLR endFactor > 1',
      () => new LinearLR(sgd(), { endFactor: 1.5 }),
      /^LinearLR: invalid endFactor 1.5 \(expected a finite number in \[0, 1\]\)$/,
    ],
    [
      'LinearLR totalIters 0',
      () => new LinearLR(sgd(), { totalIters: 0 }),
      /^LinearLR: invalid totalIters 0/,
    ],
    [
      'LambdaLR not a function',
      () => new LambdaLR(sgd(), { lrLambda: 3 as Any }),
      /^LambdaLR: lrLambda must be a function or an array of functions, got number$/,
    ],
    [
      'LambdaLR wrong count',
      () => new LambdaLR(sgd(), { lrLambda: [() => 1, () => 1] }),
      /^LambdaLR: expected 1 lrLambda functions \(one per group\), got 2$/,
    ],
    [
      'LambdaLR lambda returning a non-number',
      () => new LambdaLR(sgd(), { lrLambda: () => 'x' as Any }),
      /^LambdaLR: lrLambda\[0\]\(0\) returned x, not a number$/,
    ],
    [
      'OneCycleLR without length',
      () => new OneCycleLR(sgd(), { maxLr: 1 }),
      /^OneCycleLR: give either totalSteps or both epochs and stepsPerEpoch$/,
    ],
    [
      'OneCycleLR totalSteps 0',
      () => new OneCycleLR(sgd(), { maxLr: 1, totalSteps: 0 }),
      /^OneCycleLR: invalid totalSteps 0 \(expected an integer >= 1\)$/,
    ],
    [
      'OneCycleLR epochs 0',
      () => new OneCycleLR(sgd(), { maxLr: 1, epochs: 0, stepsPerEpoch: 3 }),
      /^OneCycleLR: invalid epochs 0/,
    ],
    [
      'OneCycleLR pctStart > 1',
      () => new OneCycleLR(sgd(), { maxLr: 1, totalSteps: 5, pctStart: 1.5 }),
      /^OneCycleLR: invalid pctStart 1.5 \(expected a finite number in \[0, 1\]\)$/,
    ],
    [
      'OneCycleLR annealStrategy',
      () => new OneCycleLR(sgd(), { maxLr: 1, totalSteps: 5, annealStrategy: 'exp' as Any }),
      /^OneCycleLR: invalid annealStrategy "exp" \(expected one of 'cos', 'linear'\)$/,
    ],
    [
      'OneCycleLR maxLr count',
      () => new OneCycleLR(sgd(), { maxLr: [1, 2], totalSteps: 5 }),
      /^OneCycleLR: expected 1 values for maxLr \(one per group\), got 2$/,
    ],
    [
      'OneCycleLR divFactor 0',
      () => new OneCycleLR(sgd(), { maxLr: 1, totalSteps: 5, divFactor: 0 }),
      /^OneCycleLR: invalid divFactor 0/,
    ],
    [
      'OneCycleLR momentum on an optimizer without momentum',
      () => new OneCycleLR(new Adagrad(p()), { maxLr: 1, totalSteps: 5 }),
      /^OneCycleLR: the optimizer has neither 'momentum' nor 'betas'; pass cycleMomentum: false$/,
    ],
    [
      'ReduceLROnPlateau mode',
      () => new ReduceLROnPlateau(sgd(), { mode: 'avg' as Any }),
      /^ReduceLROnPlateau: invalid mode "avg" \(expected one of 'min', 'max'\)$/,
    ],
    [
      'ReduceLROnPlateau factor 1',
      () => new ReduceLROnPlateau(sgd(), { factor: 1 }),
      /^ReduceLROnPlateau: invalid factor 1 \(expected a finite number in \[0, 1\)\)$/,
    ],
    [
      'ReduceLROnPlateau patience -1',
      () => new ReduceLROnPlateau(sgd(), { patience: -1 }),
      /^ReduceLROnPlateau: invalid patience -1/,
    ],
    [
      'ReduceLROnPlateau negative threshold',
      () => new ReduceLROnPlateau(sgd(), { threshold: -1 }),
      /^ReduceLROnPlateau: invalid threshold -1/,
    ],
    [
      'ReduceLROnPlateau thresholdMode',
      () => new ReduceLROnPlateau(sgd(), { thresholdMode: 'pct' as Any }),
      /^ReduceLROnPlateau: invalid thresholdMode "pct" \(expected one of 'rel', 'abs'\)$/,
    ],
    [
      'ReduceLROnPlateau cooldown 0.5',
      () => new ReduceLROnPlateau(sgd(), { cooldown: 0.5 }),
      /^ReduceLROnPlateau: invalid cooldown 0.5/,
    ],
    [
      'ReduceLROnPlateau minLr count',
      () => new ReduceLROnPlateau(sgd(), { minLr: [0, 0] }),
      /^ReduceLROnPlateau: expected 1 minLr values \(one per group\), got 2$/,
    ],
    [
      'ReduceLROnPlateau negative eps',
      () => new ReduceLROnPlateau(sgd(), { eps: -1 }),
      /^ReduceLROnPlateau: invalid eps -1/,
    ],
    [
      'ReduceLROnPlateau NaN metric',
      () => new ReduceLROnPlateau(sgd()).step(Number.NaN),
      /^ReduceLROnPlateau.step: the metric must be a number, got NaN$/,
    ],
  ] as const)('%s', (_, f, message) => {
    expect(f).toThrow(message);
  });

  it('SequentialLR', () => {
    const opt = sgd();
    const other = sgd();
    const a = new LinearLR(opt);
    const b = new ExponentialLR(opt, { gamma: 0.9 });
    expect(() => new SequentialLR(opt, { schedulers: [], milestones: [] })).toThrow(
      /^SequentialLR: expects at least one scheduler$/,
    );
    expect(() => new SequentialLR(opt, { schedulers: [a, b], milestones: [] })).toThrow(
      /^SequentialLR: expects one milestone fewer than schedulers, got 2 schedulers and 0 milestones$/,
    );
    expect(
      () => new SequentialLR(opt, { schedulers: [a, new StepLR(other, { stepSize: 1 })], milestones: [2] }),
    ).toThrow(/^SequentialLR: schedulers\[1\] \(StepLR\) belongs to a different optimizer$/);
    expect(
      () => new SequentialLR(opt, { schedulers: [a, new ReduceLROnPlateau(opt) as Any], milestones: [2] }),
    ).toThrow(
      /^SequentialLR: schedulers\[1\] is not an epoch scheduler \(ReduceLROnPlateau, which needs a metric, is not supported\)$/,
    );
    expect(() => new SequentialLR(opt, { schedulers: [a, b, a], milestones: [3, 3] })).toThrow(
      /^SequentialLR: milestones must increase, got \[3, 3\]$/,
    );
    const seq = new SequentialLR(opt, { schedulers: [a, b], milestones: [2] });
    expect(() => new SequentialLR(opt, { schedulers: [seq], milestones: [] })).toThrow(
      /^SequentialLR: schedulers\[0\] is a SequentialLR; nesting is not supported$/,
    );
  });

  it('a scheduler refuses to step after groups were added', () => {
    const opt = sgd();
    const s = new StepLR(opt, { stepSize: 1 });
    opt.addParamGroup({ params: p() });
    expect(() => s.step()).toThrow(
      /^StepLR.step: the optimizer has 2 parameter groups but the scheduler was created with 1; create the scheduler after adding groups$/,
    );
  });
});

describe('gradient clipping arguments', () => {
  it.each([
    [
      'negative maxNorm',
      () => clipGradNorm_(p(), -1),
      /^clipGradNorm_: invalid maxNorm -1 \(expected a number >= 0\)$/,
    ],
    [
      'normType 0',
      () => clipGradNorm_(p(), 1, 0),
      /^clipGradNorm_: invalid normType 0 \(expected a number > 0\)$/,
    ],
    ['negative normType', () => clipGradNorm_(p(), 1, -2), /^clipGradNorm_: invalid normType -2/],
    [
      'not parameters',
      () => clipGradNorm_(5 as Any, 1),
      /^clipGradNorm_: expected a parameter or an iterable of parameters, got number 5$/,
    ],
    [
      'a bad element',
      () => clipGradValue_([tensor([1]), {} as Any], 1),
      /^clipGradValue_: parameter 1 must be a tensor or a \{ value, grad \} record, got an object without a `value` tensor$/,
    ],
    [
      'negative clipValue',
      () => clipGradValue_(p(), -0.5),
      /^clipGradValue_: invalid clipValue -0.5 \(expected a number >= 0\)$/,
    ],
    [
      'integer gradients',
      () => clipGradNorm_([{ value: tensor([1.5]), grad: tensor([1]) }], 1),
      /^clipGradNorm_: gradient 0 has dtype int32, not a floating point type$/,
    ],
  ] as const)('%s', (_, f, message) => {
    expect(f).toThrow(message);
  });
});
