import { tensor, cumsum, arange, softmax } from '@tessera/tensor';
import { it } from 'vitest';
import { gpuBackend, randomData } from './helpers.js';

it('dev', async () => {
  await gpuBackend();
  const x = tensor(randomData(3 * 4 * 300, 7, 0.5, 1.5)).reshape(3, 4, 300);
  const g = await cumsum(x.to('webgpu'), 1).data();
  const c = cumsum(x, 1).dataSync();
  let bad = 0; let first = -1;
  for (let i = 0; i < g.length; i++) if (Math.abs(g[i]! - c[i]!) > 1e-4) { bad++; if (first < 0) first = i; }
  console.log('bad', bad, 'first', first, g.slice(0, 5), c.slice(0, 5));
  const s = await softmax(x.to('webgpu'), 1).data();
  console.log('sm', s.slice(0, 5), softmax(x, 1).dataSync().slice(0, 5));
});
