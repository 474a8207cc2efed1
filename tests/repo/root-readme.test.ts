import { it } from 'vitest';
import { runReadmeExample } from './readme.js';

it('the root README example runs', async () => {
  await runReadmeExample(new URL('../..', import.meta.url));
});
