/**
 * @tessera/nn: neural-network building blocks with PyTorch's names, defaults and semantics:
 * `Module` (parameters, buffers, state dicts, hooks), containers, layers, activations, losses,
 * the `init` initialisers, the functional interface `F`, safetensors I/O, `summary` and
 * regularisation penalties.
 */
import '@tessera/autograd';

export { Identity, ModuleDict, ModuleList, Sequential } from './containers.js';
export * as F from './functional/index.js';
export type { InterpolateMode, InterpolateOptions } from './functional/interpolate.js';
export type { Reduction } from './functional/util.js';
export * as init from './init.js';
export {
  ELU,
  GELU,
  LeakyReLU,
  LogSoftmax,
  ReLU,
  SELU,
  Sigmoid,
  SiLU,
  Softmax,
  Softplus,
  Tanh,
} from './layers/activation.js';
export {
  GLU,
  Hardsigmoid,
  Hardswish,
  Hardtanh,
  LogSigmoid,
  Mish,
  PReLU,
  type PReLUOptions,
  ReLU6,
  Softmin,
  Softsign,
} from './layers/activation-extra.js';
export {
  AdaptiveMaxPool1d,
  AdaptiveMaxPool2d,
  type AdaptiveMaxPoolOutput,
} from './layers/adaptive-max-pool.js';
export {
  MultiheadAttention,
  type MultiheadAttentionForwardOptions,
  type MultiheadAttentionOptions,
} from './layers/attention.js';
export {
  AveragedModel,
  type AveragedModelOptions,
  type AvgFn,
  getEmaAvgFn,
  getEmaMultiAvgFn,
  getSwaAvgFn,
  getSwaMultiAvgFn,
  type MultiAvgFn,
} from './layers/averaged-model.js';
export { BatchNorm1d, BatchNorm2d, type BatchNormOptions } from './layers/batchnorm.js';
export {
  Conv1d,
  Conv2d,
  type ConvOptions,
  ConvTranspose2d,
  type ConvTranspose2dLayerOptions,
  type PaddingMode,
} from './layers/conv.js';
export { ConvTranspose1d, type ConvTranspose1dLayerOptions } from './layers/conv-transpose1d.js';
export { Dropout, Dropout1d, Dropout2d } from './layers/dropout.js';
export { Embedding, type EmbeddingLayerOptions } from './layers/embedding.js';
export type { FactoryOptions } from './layers/factory.js';
export { InstanceNorm1d, InstanceNorm2d, type InstanceNormOptions } from './layers/instance-norm.js';
export { Bilinear, Linear, type LinearOptions } from './layers/linear.js';
export {
  BCELoss,
  BCEWithLogitsLoss,
  type ClassificationLossOptions,
  CosineEmbeddingLoss,
  CrossEntropyLoss,
  GaussianNLLLoss,
  HuberLoss,
  KLDivLoss,
  L1Loss,
  MSELoss,
  NLLLoss,
  SmoothL1Loss,
} from './layers/loss.js';
export { GroupNorm, type GroupNormOptions, LayerNorm, type LayerNormOptions } from './layers/norm.js';
export {
  AdaptiveAvgPool1d,
  AdaptiveAvgPool2d,
  AvgPool1d,
  AvgPool2d,
  type AvgPool2dLayerOptions,
  MaxPool1d,
  type MaxPool1dOptions,
  MaxPool2d,
  type MaxPool2dOptions,
  type MaxPoolOutput,
} from './layers/pooling.js';
export { Flatten, Unflatten } from './layers/reshape.js';
export { type ElmanRNNOptions, GRU, LSTM, RNN, type RNNOptions } from './layers/rnn.js';
export { GRUCell, LSTMCell, RNNCell, type RNNCellOptions } from './layers/rnn-cell.js';
export { removeSpectralNorm, type SpectralNormOptions, spectralNorm } from './layers/spectral-norm.js';
export {
  PositionalEncoding,
  sinusoidalPositionalEncoding,
  TransformerEncoder,
  type TransformerEncoderForwardOptions,
  TransformerEncoderLayer,
  type TransformerEncoderLayerOptions,
} from './layers/transformer.js';
export {
  generateSquareSubsequentMask,
  TransformerDecoder,
  type TransformerDecoderForwardOptions,
  TransformerDecoderLayer,
  type TransformerDecoderLayerOptions,
} from './layers/transformer-decoder.js';
export {
  Transformer,
  type TransformerForwardOptions,
  type TransformerOptions,
} from './layers/transformer-model.js';
export { PixelShuffle, PixelUnshuffle, Upsample } from './layers/upsample.js';
export { removeWeightNorm, weightNorm } from './layers/weight-norm.js';
export {
  type AnyModule,
  deepCopy,
  type ForwardHook,
  type ForwardPreHook,
  type LoadResult,
  Module,
} from './module.js';
export { Parameter } from './parameter.js';
export { l1Penalty, l2Penalty, type PenaltyOptions } from './regularization.js';
export {
  load,
  loadFile,
  loadSafetensors,
  type SafetensorsFile,
  save,
  saveAsync,
  saveFile,
  toBlob,
} from './safetensors.js';
export { type ModelSummary, type SummaryRow, summary } from './summary.js';
