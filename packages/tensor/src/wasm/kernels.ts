import { wasmConv2d, wasmConv2dBackwardInput, wasmConv2dBackwardWeight } from './conv.js';
import {
  wasmBinary,
  wasmMaxPool2dBackward,
  wasmMaxPool2x2,
  wasmSum,
  wasmThresholdBackward,
  wasmUnary,
  wasmUpdate,
  wasmWhere,
} from './elementwise.js';
import { wasmMatmul } from './matmul.js';
import { initRuntime, runtimeInfo } from './runtime.js';
import { settings } from './settings.js';
import { wasmTransposeCopy } from './transpose.js';
import type { WasmKernels } from './types.js';

// The entry of the WebAssembly kernels' chunk: everything under src/wasm except the seam
// (index.ts, load.ts, settings.ts, features.ts, types.ts, layout.generated.ts) is reached only
// from here, and this module only through the dynamic import() in load.ts, so bundlers emit the
// drivers, the thread pool and the base64 binaries as a chunk fetched on first use.

/** The kernels, as `wasmKernels()` hands them to the CPU backend. */
export const kernels: WasmKernels = {
  matmul: wasmMatmul,
  conv2d: wasmConv2d,
  conv2dBackwardInput: wasmConv2dBackwardInput,
  conv2dBackwardWeight: wasmConv2dBackwardWeight,
  transposeCopy: wasmTransposeCopy,
  unary: wasmUnary,
  thresholdBackward: wasmThresholdBackward,
  binary: wasmBinary,
  maxPool2x2: wasmMaxPool2x2,
  maxPool2dBackward: wasmMaxPool2dBackward,
  update: wasmUpdate,
  sum: wasmSum,
  where: wasmWhere,
  info: runtimeInfo,
  init: initRuntime,
};

/** The settings object these kernels read: the loader checks it is its own (one copy of the package). */
export const owner: object = settings;
