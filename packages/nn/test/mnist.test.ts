import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { noGrad } from '@tessera/autograd';
import { Conv2d, F, Flatten, Linear, MaxPool2d, ReLU, Sequential } from '@tessera/nn';
import { manualSeed, tensor } from '@tessera/tensor';
import { expect, it } from 'vitest';
import { describeIfAvailable, mnistDir } from '../../../tests/repo/requirements.js';
import { mulberry32, permutation, TinyAdam } from './helpers/train.js';

// Learning test on real data: the 10,000 MNIST test images, split 8,000 train / 2,000 test with a
// fixed seed. Parsed straight from the IDX files (big-endian header, then bytes).

// The files come from TESSERA_MNIST_DIR, else ../shared/datasets/mnist beside the repository;
// without them the test is listed as skipped, with the reason and the fix in its name.
const DIR = mnistDir() ?? '';
const IMAGES = join(DIR, 't10k-images-idx3-ubyte.gz');
const LABELS = join(DIR, 't10k-labels-idx1-ubyte.gz');

/** Parses an IDX file: magic (0, 0, type 0x08 = ubyte, ndims), big-endian dims, then the data. */
function parseIdx(bytes: Uint8Array): { shape: number[]; data: Uint8Array } {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint16(0) !== 0 || bytes[2] !== 0x08) throw new Error('not an unsigned-byte IDX file');
  const nd = bytes[3]!;
  const shape = Array.from({ length: nd }, (_, i) => dv.getUint32(4 + 4 * i));
  const start = 4 + 4 * nd;
  const n = shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== start + n)
    throw new Error(`IDX size mismatch: ${bytes.length} bytes for shape ${shape}`);
  return { shape, data: bytes.subarray(start) };
}

describeIfAvailable('mnist', 'MNIST (real data)', () => {
  // A learning test: about a minute of CPU (4 epochs over 8,000 images).
  it('a small CNN reaches >= 97% test accuracy on an 8,000/2,000 split', () => {
    const t0 = performance.now();
    const images = parseIdx(gunzipSync(readFileSync(IMAGES)));
    const labels = parseIdx(gunzipSync(readFileSync(LABELS)));
    expect(images.shape).toEqual([10000, 28, 28]);
    expect(labels.shape).toEqual([10000]);
    const perm = permutation(10000, mulberry32(1234));
    const px = 28 * 28;
    const build = (idx: Int32Array) => {
      const x = new Float32Array(idx.length * px);
      const y = new Int32Array(idx.length);
      idx.forEach((k, i) => {
        for (let j = 0; j < px; j++) x[i * px + j] = (images.data[k * px + j]! / 255 - 0.1307) / 0.3081;
        y[i] = labels.data[k]!;
      });
      return { x: tensor(x, { shape: [idx.length, 1, 28, 28] }), y: tensor(y) };
    };
    const train = build(perm.subarray(0, 8000));
    const test = build(perm.subarray(8000));

    manualSeed(0);
    const model = new Sequential(
      // ReLU after pooling: the same function (max commutes with relu), on 4x fewer elements.
      new Conv2d(1, 8, 5),
      new MaxPool2d(2),
      new ReLU(), // 8 x 12 x 12
      new Conv2d(8, 16, 5),
      new MaxPool2d(2),
      new ReLU(), // 16 x 4 x 4
      new Flatten(),
      new Linear(256, 64),
      new ReLU(),
      new Linear(64, 10),
    );
    // Adam, batch 32, 4 epochs, the learning rate halved after each epoch.
    const lr = 2e-3;
    const opt = new TinyAdam(model.parameters(), lr);
    const batch = 32;
    const epochs = 4;
    const rand = mulberry32(99);
    const cpu0 = process.cpuUsage();
    for (let epoch = 0; epoch < epochs; epoch++) {
      opt.lr = lr * 0.5 ** epoch;
      const order = tensor(permutation(8000, rand));
      let lossSum = 0;
      let logged = 0;
      for (let i = 0; i < 8000; i += batch) {
        const idx = order.narrow(0, i, Math.min(batch, 8000 - i));
        const loss = F.crossEntropy(model.call(train.x.indexSelect(0, idx)), train.y.indexSelect(0, idx));
        opt.zeroGrad();
        loss.backward();
        opt.step();
        if (i % (batch * 25) === 0) {
          lossSum += loss.item() as number; // logging only, every 25 steps
          logged++;
        }
      }
      const cpu = process.cpuUsage(cpu0);
      console.log(
        `epoch ${epoch}: loss ~${(lossSum / logged).toFixed(4)}, ${((performance.now() - t0) / 1000).toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s cpu`,
      );
    }
    model.eval();
    const correct = noGrad(() => {
      let c = 0;
      for (let i = 0; i < 2000; i += 500) {
        const pred = model.call(test.x.narrow(0, i, 500)).argmax(1);
        c += pred
          .eq(test.y.narrow(0, i, 500))
          .sum()
          .item() as number;
      }
      return c;
    });
    const acc = correct / 2000;
    console.log(
      `MNIST test accuracy ${(acc * 100).toFixed(2)}% after ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    expect(acc).toBeGreaterThanOrEqual(0.97);
  }, 300_000);
});
