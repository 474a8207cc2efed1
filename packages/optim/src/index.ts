/**
 * @tessera/optim: optimizers, learning-rate schedules and gradient clipping, with PyTorch's
 * algorithms, defaults and state-dict layout. Depends on @tessera/tensor only: a parameter is any
 * tensor with a `grad` property (what @tessera/autograd provides) or a `{ value, grad }` record.
 */
export { Adadelta, type AdadeltaOptions } from './adadelta.js';
export { Adagrad, type AdagradOptions } from './adagrad.js';
export { Adam, type AdamOptions, AdamW, type AdamWOptions } from './adam.js';
export { Adamax, type AdamaxOptions } from './adamax.js';
export { type ClipGradNormOptions, clipGradNorm_, clipGradValue_ } from './clip-grad.js';
export { ConstantLR, type ConstantLROptions } from './lr-scheduler/constant.js';
export { CosineAnnealingLR, type CosineAnnealingLROptions } from './lr-scheduler/cosine.js';
export { CyclicLR, type CyclicLROptions, type CyclicMode } from './lr-scheduler/cyclic.js';
export { ExponentialLR, type ExponentialLROptions } from './lr-scheduler/exponential.js';
export { LambdaLR, type LambdaLROptions, type LrLambda } from './lr-scheduler/lambda.js';
export { LinearLR, type LinearLROptions } from './lr-scheduler/linear.js';
export { OneCycleLR, type OneCycleLROptions } from './lr-scheduler/one-cycle.js';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './lr-scheduler/plateau.js';
export { PolynomialLR, type PolynomialLROptions } from './lr-scheduler/polynomial.js';
export { type AnyOptimizer, LRScheduler, type SchedulerStateDict } from './lr-scheduler/scheduler.js';
export { SequentialLR, type SequentialLROptions } from './lr-scheduler/sequential.js';
export { MultiStepLR, type MultiStepLROptions, StepLR, type StepLROptions } from './lr-scheduler/step.js';
export {
  CosineAnnealingWarmRestarts,
  type CosineAnnealingWarmRestartsOptions,
} from './lr-scheduler/warm-restarts.js';
export { NAdam, type NAdamOptions } from './nadam.js';
export { withoutRecording } from './no-grad.js';
export {
  Optimizer,
  type OptimizerStateDict,
  type ParamGroup,
  type ParamGroupInput,
  type ParamState,
  type ParamsInput,
  type ZeroGradOptions,
} from './optimizer.js';
export type { ParamLike, ParamSlot, TensorWithGrad } from './params.js';
export { RAdam, type RAdamOptions } from './radam.js';
export { RMSprop, type RMSpropOptions } from './rmsprop.js';
export type { SerializedTensor } from './serialize.js';
export { SGD, type SGDOptions } from './sgd.js';
