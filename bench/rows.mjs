// The rows of the cross-framework benchmark (`pnpm bench`): what each one computes. Each
// framework adapter (tessera.mjs, tfjs.mjs, ort.mjs) builds a `step()` for a row from these
// shapes; run.mjs runs every (row, framework) pair in a process of its own.

/** Square float32 matrix products. */
const matmuls = [256, 512, 1024, 2048].map((n) => ({
  id: `matmul-${n}`,
  title: `matmul ${n}x${n} @ ${n}x${n}`,
  kind: 'matmul',
  n,
  flops: 2 * n ** 3,
}));

/** A convolution layer: x [N, C, H, W], w [O, C, K, K], stride 1, zero padding `pad`. */
function conv(id, title, N, C, H, O, K, pad) {
  const OH = H + 2 * pad - K + 1;
  const flops = 2 * N * O * OH * OH * C * K * K;
  return [
    { id: `${id}-fwd`, title: `conv2d forward, ${title}`, kind: 'conv-fwd', N, C, H, O, K, pad, flops },
    {
      id: `${id}-bwd`,
      title: `conv2d backward (input + weight grads), ${title}`,
      kind: 'conv-bwd',
      N,
      C,
      H,
      O,
      K,
      pad,
      flops: 2 * flops,
    },
  ];
}

export const ROWS = [
  ...matmuls,
  ...conv('conv-lenet', 'LeNet-5 conv2: x 64x6x14x14, w 16x6x5x5', 64, 6, 14, 16, 5, 0),
  ...conv('conv-vgg', 'VGG 3x3: x 8x64x32x32, w 64x64x3x3, pad 1', 8, 64, 32, 64, 3, 1),
  {
    id: 'mlp-step',
    title: 'MLP 784-512-512-10 training step, batch 128, SGD',
    kind: 'mlp',
    batch: 128,
    sizes: [784, 512, 512, 10],
  },
  {
    id: 'lenet-step',
    title: 'LeNet-5 training step, batch 64, Adam',
    kind: 'lenet',
    batch: 64,
  },
];

/** Frameworks (columns), in table order. */
export const FRAMEWORKS = [
  { id: 'tessera', title: 'Tessera' },
  { id: 'tessera-1t', title: 'Tessera, 1 thread' },
  { id: 'tfjs-cpu', title: 'tfjs-cpu' },
  { id: 'tfjs-wasm', title: 'tfjs-wasm' },
  { id: 'ort', title: 'onnxruntime-node' },
  { id: 'torch', title: 'PyTorch (native, 1 thread)' },
];

/** Thrown by an adapter for a row it cannot run; shown in the table instead of a number. */
export class Unsupported extends Error {}

/** A seeded uniform random source in [-1, 1) (mulberry32), so every framework sees the same data. */
export function random(seed = 1) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 31 - 1;
  };
}

/** A Float32Array of `n` seeded values in [-scale, scale). */
export function data(n, seed, scale = 1) {
  const r = random(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = r() * scale;
  return out;
}

/** `n` seeded class labels in [0, classes). */
export function labels(n, classes, seed) {
  const r = random(seed);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.min(classes - 1, Math.floor(((r() + 1) / 2) * classes));
  return out;
}
