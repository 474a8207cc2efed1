import type { Conv2dParams, Pool2dParams } from '../backend.js';
import { attr, defineOp } from './declare.js';

// The built-in matrix product, convolution and pooling ops (and their backward kernels, which
// autograd's rules record as ops of their own), declared once (see declare.ts).

const CONV = attr<Conv2dParams>('conv params');
const POOL = attr<Pool2dParams>('pool params');
const SHAPE = attr<readonly number[]>('shape');
const KERNEL = attr<readonly [number, number]>('kernel');

export const MATMUL_OP = defineOp({
  name: 'matmul',
  kind: 'linalg',
  doc: 'matrix product of the last two dims, batch dims broadcast',
});
export const CONV2D_OP = defineOp({
  name: 'conv2d',
  kind: 'conv',
  attrs: { params: CONV },
  doc: '2-D cross-correlation, NCHW (bias: a recorded add)',
});
export const CONV2D_BACKWARD_INPUT_OP = defineOp({
  name: 'conv2dBackwardInput',
  kind: 'conv',
  attrs: { params: CONV, inputShape: SHAPE },
  doc: "conv2d's gradient with respect to its input (also convTranspose2d)",
});
export const CONV2D_BACKWARD_WEIGHT_OP = defineOp({
  name: 'conv2dBackwardWeight',
  kind: 'conv',
  attrs: { params: CONV, weightShape: SHAPE },
  doc: "conv2d's gradient with respect to its weight",
});
export const IM2COL_OP = defineOp({
  name: 'im2col',
  kind: 'conv',
  attrs: { kernel: KERNEL, params: CONV },
  doc: 'sliding blocks as columns (unfold)',
});
export const COL2IM_OP = defineOp({
  name: 'col2im',
  kind: 'conv',
  attrs: { kernel: KERNEL, params: CONV, outputSize: attr<readonly [number, number]>('size') },
  doc: 'columns summed back into an image (fold)',
});
export const MAX_POOL2D_OP = defineOp({
  name: 'maxPool2d',
  kind: 'pool',
  attrs: { params: POOL, inputShape: SHAPE },
  doc: 'window maximum, NCHW: [values, int32 indices]',
});
export const MAX_POOL2D_BACKWARD_OP = defineOp({
  name: 'maxPool2dBackward',
  kind: 'pool',
  attrs: { inputShape: SHAPE },
  doc: "maxPool2d's gradient: dy added at the recorded indices",
});
export const AVG_POOL2D_OP = defineOp({
  name: 'avgPool2d',
  kind: 'pool',
  attrs: { params: POOL },
  doc: 'window mean, NCHW',
});
export const AVG_POOL2D_BACKWARD_OP = defineOp({
  name: 'avgPool2dBackward',
  kind: 'pool',
  attrs: { params: POOL, inputShape: SHAPE },
  doc: "avgPool2d's gradient",
});
export const THRESHOLD_BACKWARD_OP = defineOp({
  name: 'thresholdBackward',
  kind: 'binary',
  attrs: { threshold: 0 },
  doc: "grad where input > threshold, else 0 (relu's gradient)",
});

/** The built-in linear-algebra, convolution and pooling ops, in table order. */
export const CORE_NN = [
  MATMUL_OP,
  CONV2D_OP,
  CONV2D_BACKWARD_INPUT_OP,
  CONV2D_BACKWARD_WEIGHT_OP,
  IM2COL_OP,
  COL2IM_OP,
  MAX_POOL2D_OP,
  MAX_POOL2D_BACKWARD_OP,
  AVG_POOL2D_OP,
  AVG_POOL2D_BACKWARD_OP,
  THRESHOLD_BACKWARD_OP,
] as const;
