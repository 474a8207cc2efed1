// The automatic backend choice: never a software WebGPU adapter, never WebGPU without an adapter.
import { describe, expect, it } from 'vitest';
import {
  adapterName,
  chooseBackend,
  isSoftwareAdapter,
  NO_WEBGPU,
  probeAdapter,
} from '../src/engine/adapter.js';

const SWIFTSHADER = {
  vendor: 'google',
  architecture: 'swiftshader',
  device: 'SwiftShader Device',
  description: '',
};
const NVIDIA = { vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H100' };

describe('software adapters', () => {
  it('are the ones flagged as fallback, or named like a software renderer', () => {
    expect(isSoftwareAdapter({ ...NVIDIA, isFallbackAdapter: true })).toBe(true);
    expect(isSoftwareAdapter(NVIDIA, true)).toBe(true);
    expect(isSoftwareAdapter(SWIFTSHADER)).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' })).toBe(true);
    expect(isSoftwareAdapter({ description: 'Microsoft Basic Render Driver' })).toBe(true);
    expect(isSoftwareAdapter(NVIDIA)).toBe(false);
    expect(isSoftwareAdapter({})).toBe(false);
  });

  it('have a readable name from the known parts of their info', () => {
    expect(adapterName(SWIFTSHADER)).toBe('google · swiftshader · SwiftShader Device');
    expect(adapterName(NVIDIA)).toBe('nvidia · hopper · NVIDIA H100');
    expect(adapterName({})).toBe('WebGPU adapter');
  });
});

describe('chooseBackend', () => {
  const hardware = { available: true, name: 'nvidia · hopper', software: false };
  const software = { available: true, name: 'google · swiftshader', software: true };
  const none = { available: false, name: '', software: false };

  it('takes WebGPU automatically only on a hardware adapter', () => {
    expect(chooseBackend('auto', hardware)).toEqual({ backend: 'webgpu' });
    const soft = chooseBackend('auto', software);
    expect(soft.backend).toBe('cpu');
    expect(soft.note).toContain('google · swiftshader');
    expect(soft.note).toContain('software');
    expect(chooseBackend('auto', none)).toEqual({ backend: 'cpu', note: NO_WEBGPU });
  });

  it('follows an explicit choice when it can run, and says so when WebGPU cannot', () => {
    expect(chooseBackend('webgpu', software)).toEqual({ backend: 'webgpu' });
    expect(chooseBackend('cpu', hardware)).toEqual({ backend: 'cpu' });
    expect(chooseBackend('webgpu', none)).toEqual({ backend: 'cpu', note: NO_WEBGPU });
    // Browser words, not the Node set-up (Mesa, lavapipe, Vulkan).
    expect(NO_WEBGPU).toBe('WebGPU is not available in this browser; using the CPU.');
  });
});

describe('probeAdapter', () => {
  it('reports the adapter, and no adapter when there is no WebGPU, no adapter, an error or no answer', async () => {
    expect(await probeAdapter({ requestAdapter: async () => ({ info: SWIFTSHADER }) })).toEqual({
      available: true,
      name: 'google · swiftshader · SwiftShader Device',
      software: true,
    });
    const none = { available: false, name: '', software: false };
    expect(await probeAdapter(undefined)).toEqual(none);
    expect(await probeAdapter({ requestAdapter: async () => null })).toEqual(none);
    expect(await probeAdapter({ requestAdapter: () => Promise.reject(new Error('lost')) })).toEqual(none);
    expect(await probeAdapter({ requestAdapter: () => new Promise(() => {}) }, 20)).toEqual(none);
  });
});
