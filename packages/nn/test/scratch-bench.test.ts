import { conv2d, matmul, randn } from '@tessera/tensor';
import { it } from 'vitest';
it('bench', () => {
  const a = randn([512, 512]); const b = randn([512, 512]);
  matmul(a, b);
  let t = performance.now();
  for (let i = 0; i < 5; i++) matmul(a, b);
  const dt = (performance.now() - t) / 5;
  console.log('matmul 512^3 ms', dt, 'GFLOP/s', (2 * 512 ** 3) / dt / 1e6);
  const x = randn([64, 8, 12, 12]); const w = randn([16, 8, 5, 5]);
  conv2d(x, w);
  t = performance.now();
  for (let i = 0; i < 5; i++) conv2d(x, w);
  const dt2 = (performance.now() - t) / 5;
  console.log('conv ms', dt2, 'GFLOP/s', (2 * 64 * 16 * 8 * 8 * 8 * 25) / dt2 / 1e6);
});
