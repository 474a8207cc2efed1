import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { describeIfAvailable } from '../../../tests/repo/requirements.js';
import { runSourceChild } from '../../../tests/repo/source-child.js';
import { ensureRuntimeDir } from './helpers.js';

// Un-awaited GPU work is bounded: a loop that never awaits stops with an error naming the fix
// instead of growing until Dawn crashes (it did, with SIGSEGV, after about 1,000 training steps),
// and the pool of freed buffers stays under its count limit after the burst. Each case runs in a
// child process, so a crash fails the test instead of killing the runner.

const script = fileURLToPath(new URL('./fixtures/unawaited.mjs', import.meta.url));
const FIX =
  /more than 16384 GPU ops were queued without awaiting.*`await loss\.data\(\)` or `await nextStep\(\)`/s;

interface Report {
  done: boolean;
  error: string | null;
  steps?: number;
  queued?: number;
  value?: number;
  liveBuffers: number;
  pooledBuffers: number;
}

function run(mode: 'loop' | 'ops', count: number): Report {
  ensureRuntimeDir();
  const r = runSourceChild(script, [mode, String(count)], [], 600_000);
  expect(r.signal, r.stderr).toBeNull();
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Report;
}

describeIfAvailable('webgpu', 'un-awaited WebGPU work', () => {
  it('a 5,000-step training loop that never awaits stops with the documented error, then recovers', () => {
    const r = run('loop', 5000);
    expect(r.done).toBe(true);
    expect(r.error).toMatch(FIX);
    expect(r.steps).toBeGreaterThan(100);
    expect(r.steps).toBeLessThan(5000);
    expect(r.pooledBuffers).toBeLessThanOrEqual(2048);
  }, 600_000);

  it('50,000 queued ops never crash the process: the queue stops at the limit and reads still work', () => {
    const r = run('ops', 50_000);
    expect(r.done).toBe(true);
    expect(r.error).toMatch(FIX);
    expect(r.queued).toBeLessThan(50_000);
    expect(r.value).toBe(2);
    expect(r.pooledBuffers).toBeLessThanOrEqual(2048);
  }, 600_000);
});
