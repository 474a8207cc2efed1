// What each options object of the layers, losses and functional forms accepts, checked with
// @tessera/tensor's `checkOptions` so that `{ batch_first: true }` or `{ bias: 'no' }` is an
// error instead of being ignored. Values with their own validators downstream (reduction names,
// ranges) are only type-checked here, so their messages stay specific.
import type { OptionSpec } from '@tessera/tensor';

/** dtype/device of parameter-creating layers. */
export const FACTORY: OptionSpec = { dtype: 'string', device: 'string' };
/** `{ reduction }` of every loss. */
export const REDUCTION: OptionSpec = { reduction: 'string' };
/** nllLoss / NLLLoss. */
export const NLL: OptionSpec = { ...REDUCTION, weight: 'tensor|null', ignoreIndex: 'integer' };
/** crossEntropy / CrossEntropyLoss. */
export const CROSS_ENTROPY: OptionSpec = { ...NLL, labelSmoothing: 'number' };
/** binaryCrossEntropy / BCELoss. */
export const BCE: OptionSpec = { ...REDUCTION, weight: 'tensor|null' };
/** binaryCrossEntropyWithLogits / BCEWithLogitsLoss. */
export const BCE_LOGITS: OptionSpec = { ...BCE, posWeight: 'tensor|null' };
/** Spatial sizes: a number or a tuple. */
const SIZE = 'integer|array';
/** Conv1d / Conv2d. */
export const CONV: OptionSpec = {
  ...FACTORY,
  stride: SIZE,
  padding: { type: SIZE, oneOf: ['same', 'valid'] },
  dilation: SIZE,
  groups: 'integer',
  bias: 'boolean',
  paddingMode: 'string',
};
/** ConvTranspose2d. */
export const CONV_TRANSPOSE: OptionSpec = {
  ...FACTORY,
  stride: SIZE,
  padding: SIZE,
  outputPadding: SIZE,
  groups: 'integer',
  bias: 'boolean',
  dilation: SIZE,
};
/** MaxPool1d / MaxPool2d / F.maxPool1d. */
export const MAX_POOL: OptionSpec = {
  stride: SIZE,
  padding: SIZE,
  dilation: SIZE,
  returnIndices: 'boolean',
  ceilMode: 'boolean',
};
/** AvgPool1d / AvgPool2d / F.avgPool1d. */
export const AVG_POOL: OptionSpec = {
  stride: SIZE,
  padding: SIZE,
  ceilMode: 'boolean',
  countIncludePad: 'boolean',
  divisorOverride: 'integer',
};
/** RNN / LSTM / GRU. */
export const RNN_OPTS: OptionSpec = {
  ...FACTORY,
  numLayers: 'integer',
  bias: 'boolean',
  batchFirst: 'boolean',
  dropout: 'number',
  bidirectional: 'boolean',
};
/** MultiheadAttention's constructor. */
export const MHA: OptionSpec = {
  ...FACTORY,
  dropout: 'number',
  bias: 'boolean',
  kdim: 'integer',
  vdim: 'integer',
  batchFirst: 'boolean',
};
/** MultiheadAttention's forward. */
export const MHA_FORWARD: OptionSpec = {
  keyPaddingMask: 'tensor|null',
  needWeights: 'boolean',
  attnMask: 'tensor|null',
  averageAttnWeights: 'boolean',
  isCausal: 'boolean',
};
/** TransformerEncoderLayer. */
export const ENCODER_LAYER: OptionSpec = {
  ...FACTORY,
  dimFeedforward: 'integer',
  dropout: 'number',
  activation: { type: 'function|object', oneOf: ['relu', 'gelu'] },
  layerNormEps: 'number',
  batchFirst: 'boolean',
  normFirst: 'boolean',
  bias: 'boolean',
};
/** The forward of TransformerEncoderLayer / TransformerEncoder. */
export const ENCODER_FORWARD: OptionSpec = {
  mask: 'tensor|null',
  srcKeyPaddingMask: 'tensor|null',
  isCausal: 'boolean',
};
/** F.dropout and friends. */
export const DROPOUT: OptionSpec = { training: 'boolean', generator: 'object' };
/** F.batchNorm. */
export const BATCH_NORM_F: OptionSpec = {
  weight: 'tensor|null',
  bias: 'tensor|null',
  training: 'boolean',
  momentum: 'number',
  eps: 'number',
};
/** F.layerNorm / F.groupNorm. */
export const NORM_F: OptionSpec = { weight: 'tensor|null', bias: 'tensor|null', eps: 'number' };
/** BatchNorm1d / BatchNorm2d. */
export const BATCH_NORM: OptionSpec = {
  ...FACTORY,
  eps: 'number',
  momentum: 'number|null',
  affine: 'boolean',
  trackRunningStats: 'boolean',
};
