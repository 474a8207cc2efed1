/**
 * @tessera/nn: neural-network building blocks with PyTorch's names, defaults and semantics:
 * `Module` (parameters, buffers, state dicts, hooks), containers, layers, activations, losses,
 * the `init` initialisers, the functional interface `F`, safetensors I/O, `summary` and
 * regularisation penalties.
 */
import '@tessera/autograd';

export * as F from './functional/index.js';
export * as init from './init.js';

export { Identity, ModuleDict, ModuleList, Sequential } from './containers.js';
export { type ForwardHook, type ForwardPreHook, type LoadResult, Module, deepCopy } from './module.js';
export { Parameter } from './parameter.js';
export { type PenaltyOptions, l1Penalty, l2Penalty } from './regularization.js';
export {
  type SafetensorsFile,
  load,
  loadFile,
  loadSafetensors,
  save,
  saveFile,
  toBlob,
} from './safetensors.js';
export { type ModelSummary, type SummaryRow, summary } from './summary.js';
export type { Reduction } from './functional/util.js';

export { ELU, GELU, LeakyReLU, LogSoftmax, ReLU, SELU, SiLU, Sigmoid, Softmax, Softplus, Tanh } from './layers/activation.js';
export { type MultiheadAttentionForwardOptions, type MultiheadAttentionOptions, MultiheadAttention } from './layers/attention.js';
export { type BatchNormOptions, BatchNorm1d, BatchNorm2d } from './layers/batchnorm.js';
export { type ConvOptions, type ConvTranspose2dLayerOptions, type PaddingMode, Conv1d, Conv2d, ConvTranspose2d } from './layers/conv.js';
export { Dropout, Dropout1d, Dropout2d } from './layers/dropout.js';
export { type EmbeddingLayerOptions, Embedding } from './layers/embedding.js';
export type { FactoryOptions } from './layers/factory.js';
export { type LinearOptions, Bilinear, Linear } from './layers/linear.js';
export {
  type ClassificationLossOptions,
  BCELoss,
  BCEWithLogitsLoss,
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
export { type GroupNormOptions, type LayerNormOptions, GroupNorm, LayerNorm } from './layers/norm.js';
export {
  type AvgPool2dLayerOptions,
  type MaxPool1dOptions,
  type MaxPool2dOptions,
  AdaptiveAvgPool1d,
  AdaptiveAvgPool2d,
  AvgPool1d,
  AvgPool2d,
  MaxPool1d,
  MaxPool2d,
} from './layers/pooling.js';
export { Flatten, Unflatten } from './layers/reshape.js';
export { type ElmanRNNOptions, type RNNOptions, GRU, LSTM, RNN } from './layers/rnn.js';
export { type RNNCellOptions, GRUCell, LSTMCell, RNNCell } from './layers/rnn-cell.js';
export {
  type TransformerEncoderForwardOptions,
  type TransformerEncoderLayerOptions,
  PositionalEncoding,
  TransformerEncoder,
  TransformerEncoderLayer,
  sinusoidalPositionalEncoding,
} from './layers/transformer.js';
