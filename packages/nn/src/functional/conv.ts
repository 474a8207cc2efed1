// Convolutions are tensor ops (recorded as 'conv2d' with their own gradient rules); the
// functional namespace re-exports them under PyTorch's names.
export {
  type Conv1dOptions,
  type Conv2dOptions,
  type ConvTranspose2dOptions,
  conv1d,
  conv2d,
  convTranspose2d,
  fold,
  type PadMode,
  pad,
  type UnfoldOptions,
  unfold,
} from '@tessera/tensor';
