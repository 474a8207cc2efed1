import { describe, expect, it } from 'vitest';
import { initWebGPU } from '../src/index.js';

describe('initWebGPU options', () => {
  it('rejects unknown names before touching the GPU', async () => {
    let asked = false;
    const gpu = {
      requestAdapter: async () => {
        asked = true;
        return null;
      },
    };
    await expect(initWebGPU({ gpu, power_preference: 'high-performance' } as never)).rejects.toThrow(
      "initWebGPU: unknown option 'power_preference', did you mean 'powerPreference'?",
    );
    await expect(initWebGPU({ gpu, subgroup: false } as never)).rejects.toThrow("did you mean 'subgroups'?");
    expect(asked).toBe(false);
  });
});
