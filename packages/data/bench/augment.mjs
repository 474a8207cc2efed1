// Benchmark of the data pipeline on the built packages (run `pnpm build` first):
//   1. random-crop (padding 4) + horizontal-flip augmentation of batches of 128 MNIST images;
//   2. the DataLoader alone (shuffled batches of 128, with and without augmentation);
//   3. the loader inside a simulated training loop whose step is a fixed-cost async wait (as a
//      GPU step is), without and with prefetch, against the ideal time (steps only).
// Uses the MNIST test images from $TESSERA_MNIST_DIR or shared/datasets/mnist when present,
// otherwise random bytes of the same size.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Generator } from '@tessera/tensor';
import { compose, DataLoader, MnistDataset, mnist, randomCrop, randomHorizontalFlip } from '../dist/index.js';

const BATCH = 128;
const dir =
  process.env.TESSERA_MNIST_DIR ??
  fileURLToPath(new URL('../../../../shared/datasets/mnist', import.meta.url));

async function dataset() {
  if (existsSync(`${dir}/t10k-images-idx3-ubyte.gz`))
    return { ds: await mnist({ root: dir, split: 'test' }), source: `MNIST test set (${dir})` };
  const n = 10000;
  const bytes = new Uint8Array(n * 784);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
  return {
    ds: new MnistDataset(
      bytes,
      Uint8Array.from({ length: n }, (_, i) => i % 10),
      28,
      28,
    ),
    source: 'synthetic bytes (no MNIST files found)',
  };
}

const now = () => performance.now();
const fmt = (v) => Math.round(v).toLocaleString('en-US');

function augmentation(seed) {
  const g = new Generator(seed);
  return compose(randomCrop(28, { padding: 4, generator: g }), randomHorizontalFlip({ generator: g }));
}

/** Wraps a dataset so its batches come out augmented (getBatch is what DataLoader calls). */
function augmented(ds, aug) {
  return {
    length: ds.length,
    get: (i) => ds.get(i),
    getBatch: (idx) => {
      const [x, y] = ds.getBatch(idx);
      const out = [aug(x), y];
      x.dispose();
      return out;
    },
  };
}

async function epoch(loader, step) {
  let n = 0;
  const t0 = now();
  for await (const [x, y] of loader) {
    n += x.shape[0];
    if (step) await step();
    x.dispose();
    y.dispose();
  }
  return { ms: now() - t0, n };
}

const { ds, source } = await dataset();
console.log(
  `@tessera/data benchmark: ${source}, ${ds.length} images, batch ${BATCH}, node ${process.version}, ${availableParallelism()} CPU threads`,
);

// 1. Augmentation only, on prebuilt batches.
const order = Array.from({ length: ds.length }, (_, i) => i);
const batches = [];
for (let i = 0; i + BATCH <= order.length; i += BATCH)
  batches.push(ds.getBatch(order.slice(i, i + BATCH))[0]);
const aug = augmentation(1);
for (const b of batches.slice(0, 5)) aug(b).dispose(); // warm up
let best = Number.POSITIVE_INFINITY;
for (let rep = 0; rep < 3; rep++) {
  const t0 = now();
  for (const b of batches) aug(b).dispose();
  best = Math.min(best, now() - t0);
}
const augRate = (batches.length * BATCH) / (best / 1000);
console.log(
  `augment (randomCrop pad 4 + hflip), serial: ${fmt(augRate)} images/s (${(best / batches.length).toFixed(2)} ms per batch of ${BATCH}; target >= 20,000)`,
);

// 2. Loader alone, and loader + augmentation.
const plain = new DataLoader(ds, { batchSize: BATCH, shuffle: true, generator: new Generator(2) });
await epoch(plain);
const l1 = await epoch(plain);
console.log(
  `loader alone (shuffled): ${fmt(l1.n / (l1.ms / 1000))} images/s (${(l1.ms / plain.length).toFixed(2)} ms per batch)`,
);
const withAug = new DataLoader(augmented(ds, augmentation(3)), {
  batchSize: BATCH,
  shuffle: true,
  generator: new Generator(2),
});
const l2 = await epoch(withAug);
console.log(
  `loader + augmentation: ${fmt(l2.n / (l2.ms / 1000))} images/s (${(l2.ms / withAug.length).toFixed(2)} ms per batch)`,
);

// 3. Simulated training: each step waits STEP ms without blocking the thread (like awaiting the GPU).
const STEP = Number(process.env.STEP_MS ?? 4);
const step = () => new Promise((r) => setTimeout(r, STEP));
const steps = withAug.length;
const tIdeal = now();
for (let i = 0; i < steps; i++) await step();
const ideal = now() - tIdeal;
console.log(`simulated training, ${steps} steps of ${STEP} ms; steps alone take ${fmt(ideal)} ms:`);
for (const prefetch of [0, 1, 2, 4]) {
  const loader = new DataLoader(augmented(ds, augmentation(3)), {
    batchSize: BATCH,
    shuffle: true,
    generator: new Generator(2),
    prefetch,
  });
  const r = await epoch(loader, step);
  const overhead = r.ms - ideal;
  console.log(
    `  prefetch ${prefetch}: ${fmt(r.ms)} ms per epoch (${fmt(r.n / (r.ms / 1000))} images/s), ${fmt(overhead)} ms (${((100 * overhead) / ideal).toFixed(0)}%) over the steps alone`,
  );
}
