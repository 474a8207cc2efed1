import { Conv2d, F, Flatten, Linear, MaxPool2d, ReLU, Sequential } from '@tessera/nn';
import { manualSeed, randn, randint, conv2d, maxPool2d } from '@tessera/tensor';
import { it } from 'vitest';
import { TinyAdam } from './helpers/train.js';
it('prof', () => {
  manualSeed(0);
  const model = new Sequential(
    new Conv2d(1, 8, 5), new ReLU(), new MaxPool2d(2),
    new Conv2d(8, 16, 5), new ReLU(), new MaxPool2d(2),
    new Flatten(), new Linear(256, 64), new ReLU(), new Linear(64, 10));
  const opt = new TinyAdam(model.parameters(), 2e-3);
  const x = randn([64, 1, 28, 28]); const y = randint(0, 10, [64]);
  let tf = 0, tb = 0, ts = 0;
  for (let i = 0; i < 20; i++) {
    const a = performance.now();
    const loss = F.crossEntropy(model.call(x), y);
    const b = performance.now();
    opt.zeroGrad(); loss.backward();
    const c = performance.now();
    opt.step();
    const d = performance.now();
    if (i >= 5) { tf += b - a; tb += c - b; ts += d - c; }
  }
  console.log('per batch ms: fwd', tf / 15, 'bwd', tb / 15, 'step', ts / 15);
  // per-op timing in forward
  const t = (name: string, f: () => unknown) => { f(); const s = performance.now(); for (let i = 0; i < 10; i++) f(); console.log(name, ((performance.now() - s) / 10).toFixed(2)); };
  const c1 = model.at(0) as Conv2d; const c2 = model.at(3) as Conv2d;
  t('conv1', () => conv2d(x, c1.weight.detach(), c1.bias!.detach()));
  const h = conv2d(x, c1.weight.detach()).relu();
  t('relu', () => h.relu());
  t('pool1', () => maxPool2d(h, 2));
  const p = maxPool2d(h, 2);
  t('conv2', () => conv2d(p, c2.weight.detach(), c2.bias!.detach()));
  const user0 = process.cpuUsage();
  const w0 = performance.now();
  for (let i = 0; i < 5; i++) { const loss = F.crossEntropy(model.call(x), y); opt.zeroGrad(); loss.backward(); opt.step(); }
  const u = process.cpuUsage(user0);
  console.log('wall', (performance.now() - w0) / 5, 'cpu', (u.user + u.system) / 5000);
});
