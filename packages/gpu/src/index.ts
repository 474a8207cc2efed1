// The declaration files name WebGPU types (GPUDevice, GPUBuffer): they come from @webgpu/types, a
// dependency, which is written against the DOM lib; both are referenced here so that a consumer's
// compiler (a Node project without the DOM lib included) loads them without configuration.
/// <reference lib="dom" preserve="true" />
/// <reference types="@webgpu/types" preserve="true" />
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
