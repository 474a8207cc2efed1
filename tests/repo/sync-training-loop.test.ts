import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runSourceChild } from './source-child.js';

// The README's synchronous training loop (no await, no dispose) must run in bounded memory on the
// CPU backend, with the TypeScript and with the WebAssembly kernels: a child process with a 96 MB
// heap runs 20,000 steps, reports the heap after gc at ten checkpoints, and at the end, once the
// event loop has turned, memory() must count exactly the tensors the program still holds.

const script = fileURLToPath(new URL('./fixtures/sync-loop.mjs', import.meta.url));

interface Checkpoint {
  step: number;
  heap: number;
}
interface Memory {
  liveTensors: number;
  liveBuffers: number;
  bytes: Record<string, number>;
}
interface Final {
  first: number;
  last: number;
  heldTensors: number;
  heldBytes: number;
  baseline: Memory;
  end: Memory;
  wasmCalls: number;
}

function run(kernels: 'ts' | 'wasm'): { checkpoints: Checkpoint[]; final: Final } {
  const r = runSourceChild(script, ['20000', kernels, '16,32,4,8'], ['--max-old-space-size=96'], 600_000);
  expect(r.signal, r.stderr).toBeNull();
  expect(r.status, r.stderr).toBe(0);
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const final = lines.find((l) => l.done === true) as unknown as Final;
  return { checkpoints: lines.filter((l) => l.done !== true) as unknown as Checkpoint[], final };
}

describe('a synchronous training loop on the CPU backend', () => {
  for (const kernels of ['ts', 'wasm'] as const) {
    it(`completes 20,000 steps in a 96 MB heap with bounded memory (${kernels} kernels)`, () => {
      const { checkpoints, final } = run(kernels);
      expect(checkpoints.length).toBe(10);
      expect(final.last).toBeLessThan(final.first / 10); // it trained
      if (kernels === 'wasm') expect(final.wasmCalls).toBeGreaterThan(20000);
      else expect(final.wasmCalls).toBe(0);
      // Heap after gc: flat over the second half of the run, and far below the limit.
      const late = checkpoints.slice(5).map((c) => c.heap);
      expect(Math.max(...late) - Math.min(...late)).toBeLessThan(2 * 2 ** 20);
      expect(Math.max(...checkpoints.map((c) => c.heap))).toBeLessThan(48 * 2 ** 20);
      // memory() counts what the program holds: the parameters, x and y.
      for (const m of [final.baseline, final.end]) {
        expect(m.liveTensors).toBe(final.heldTensors);
        expect(m.liveBuffers).toBe(final.heldTensors);
        expect(m.bytes.cpu).toBe(final.heldBytes);
      }
    }, 600_000);
  }
});
