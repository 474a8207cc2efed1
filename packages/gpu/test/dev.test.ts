import { tensor, add, matmul, sum, softmax, cumsum, exp } from '@tessera/tensor';
import { it } from 'vitest';
import { gpuBackend, expectMatch, randomData } from './helpers.js';

it('dev smoke', async () => {
  await gpuBackend();
  const a = tensor(randomData(12, 1), { shape: [3, 4] } as any).reshape(3, 4);
  const b = tensor(randomData(4, 2)).reshape(1, 4);
  const ga = a.to('webgpu');
  const gb = b.to('webgpu');
  await expectMatch(add(ga, gb), add(a, b), 'add');
  await expectMatch(exp(ga.T), exp(a.T), 'exp T');
  await expectMatch(sum(ga, 1), sum(a, 1), 'sum');
  await expectMatch(sum(ga), sum(a), 'sum all');
  await expectMatch(matmul(ga, ga.T), matmul(a, a.T), 'mm');
  await expectMatch(softmax(ga, 1), softmax(a, 1), 'softmax');
  await expectMatch(cumsum(ga, 1), cumsum(a, 1), 'cumsum');
});
