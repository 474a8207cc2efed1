// Below these sizes mode 'auto' leaves a call to the TypeScript kernels: shared by the kernels
// (which decline smaller calls) and the seam (index.ts: such calls never start loading them).

/**
 * Matmul: products of fewer multiply-adds than this in all (where copying in and out costs about
 * as much as the product), and batches of matrices smaller than MIN_MATRIX_WORK each (per-matrix
 * overhead; measured: 16^3 break-even, 4x4 and 6x6 batches faster in TypeScript, 8x8x4 batches and
 * matrix-vector products faster in WebAssembly).
 */
export const MIN_MATMUL_WORK = 16 * 16 * 16;
/** Matmul: least multiply-adds per matrix of a batch (see MIN_MATMUL_WORK). */
export const MIN_MATRIX_WORK = 256;
/** Convolutions and their gradients: least multiply-adds (measured break-even: a few hundred). */
export const MIN_CONV_WORK = 1024;
/**
 * Elementwise float32 kernels and 2x2 max pooling (relu and its gradient, arithmetic, sqrt): least
 * elements of the output (or of the pooled input). Below it the TypeScript loop costs less than
 * the call and its copies.
 */
export const MIN_ELEMENTWISE_SIZE = 4096;
/** Transposing copies: least elements (below, the TypeScript strided copy is as fast). */
export const MIN_TRANSPOSE_SIZE = 16384;
