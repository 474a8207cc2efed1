import { setBackend } from '@tessera/tensor';
import { afterAll, it } from 'vitest';
import { runReadmeExample } from '../../../tests/repo/readme.js';
import { ensureRuntimeDir } from './helpers.js';

afterAll(() => setBackend('cpu'));

// Runs with or without a WebGPU adapter: the example falls back to the CPU backend.
it('README example runs', async () => {
  ensureRuntimeDir();
  await runReadmeExample(new URL('..', import.meta.url));
}, 60_000);
