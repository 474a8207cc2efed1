/**
 * The functional interface (PyTorch's torch.nn.functional, imported as `F`): stateless versions
 * of the layers, activations and losses, taking their parameters as arguments.
 */
export * from './activation.js';
export * from './activation-extra.js';
export * from './adaptive-max-pool.js';
export * from './attention.js';
export * from './conv.js';
export * from './conv-transpose1d.js';
export * from './dropout.js';
export * from './embedding.js';
export * from './instance-norm.js';
export * from './interpolate.js';
export * from './linear.js';
export * from './loss-classification.js';
export * from './loss-regression.js';
export * from './normalization.js';
export * from './pooling.js';
export { gruStep, lstmStep, rnnStep } from './rnn.js';
export type { Reduction } from './util.js';
