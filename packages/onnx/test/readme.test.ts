import { expect, it } from 'vitest';
import { runReadmeExample } from '../../../tests/repo/readme.js';

it('README example runs', async () => {
  const mod = await runReadmeExample(new URL('..', import.meta.url));
  expect(mod.maxDiff).toBeLessThan(1e-5);
});
