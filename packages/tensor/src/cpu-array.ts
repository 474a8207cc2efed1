import type { View } from './backend.js';
import type { TypedArray } from './dtype.js';

// The CPU backend's buffers as the code that reads them sees them: the TypeScript kernels
// (src/cpu) and the WebAssembly kernels' copies in and out (src/wasm). Neutral ground, so that
// neither folder imports the other.

/** The CPU backend's buffer: a typed array the JS thread reads directly. */
export interface CpuBuffer {
  data: TypedArray;
}

/** The typed array behind a view's buffer (a view of a CPU buffer). */
export function arr(v: View): TypedArray {
  return (v.buffer as CpuBuffer).data;
}
