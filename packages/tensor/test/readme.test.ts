import { it } from 'vitest';
import { runReadmeExample } from '../../../tests/repo/readme.js';

it('README example runs', async () => {
  await runReadmeExample(new URL('..', import.meta.url));
});
