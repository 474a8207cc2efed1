/**
 * @tessera/gpu: a WebGPU backend for @tessera/tensor (browsers via navigator.gpu, Node via the
 * optional `webgpu` package). `await initWebGPU()` registers it as `'webgpu'`.
 */
export { WebGPUBackend } from './backend.js';
export { DeviceLostError, WebGPUError } from './errors.js';
export {
  type GpuLike,
  gpuMemory,
  type InitWebGPUOptions,
  initWebGPU,
  syncWebGPU,
  type WebGPUInfo,
  webgpuBackend,
} from './init.js';
export type { GpuMemoryInfo } from './memory.js';
