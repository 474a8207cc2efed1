// Tessera adapter of the cross-framework benchmark: builds each row from the public APIs of the
// built packages (run `pnpm build` first). Tensors stay on the CPU backend; its float32 matmul and
// convolutions run on the WebAssembly kernels (`threads` worker threads including the caller).

import { lenet5, mlp } from './models.mjs';
import { labels, data as seeded } from './rows.mjs';

const pkg = (name) => import(new URL(`../packages/${name}/dist/index.js`, import.meta.url).href);

/** Returns `{ step, info }` for `row`; `threads` is 0 for the default count. */
export async function prepare(row, threads) {
  const T = await pkg('tensor');
  if (threads > 0) T.setNumThreads(threads);
  const info = await T.initCpuKernels();
  const t = (shape, seed, scale = 1) =>
    T.tensor(
      seeded(
        shape.reduce((p, s) => p * s, 1),
        seed,
        scale,
      ),
      { shape },
    );
  const done = (x) => x.dispose();
  /** The row's adapter result: `step`, the kernel description as of now, and kernel stats. */
  const result = (step, extra = {}) => {
    const i = T.cpuKernelInfo();
    const info = `${i.variant ?? 'ts'} kernels, ${threads || i.threads} thread(s), ${i.workers} worker(s) ready`;
    return { step, info, stats: () => T.cpuKernelStats(true), ...extra };
  };

  if (row.kind === 'matmul') {
    const a = t([row.n, row.n], 1);
    const b = t([row.n, row.n], 2);
    return result(() => done(T.matmul(a, b)));
  }
  if (row.kind === 'conv-fwd' || row.kind === 'conv-bwd') {
    const x = t([row.N, row.C, row.H, row.H], 1);
    const w = t([row.O, row.C, row.K, row.K], 2, 0.1);
    const opts = { padding: row.pad };
    if (row.kind === 'conv-fwd') return result(() => done(T.conv2d(x, w, null, opts)));
    const OH = row.H + 2 * row.pad - row.K + 1;
    const dy = t([row.N, row.O, OH, OH], 3);
    return result(() => {
      done(T.conv2dBackwardInput(dy, w, x.shape, opts));
      done(T.conv2dBackwardWeight(x, dy, w.shape, opts));
    });
  }

  const nn = await pkg('nn');
  const optim = await pkg('optim');
  T.manualSeed(0);
  let model;
  let x;
  let optimizer;
  const classes = 10;
  if (row.kind === 'mlp') {
    model = mlp(nn, row.sizes);
    x = t([row.batch, row.sizes[0]], 1);
    optimizer = new optim.SGD(model.parameters(), { lr: 0.01 });
  } else {
    model = lenet5(nn, classes);
    x = t([row.batch, 1, 28, 28], 1);
    optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
  }
  const y = T.tensor(labels(row.batch, classes, 7), { dtype: 'int32' });
  const lossFn = new nn.CrossEntropyLoss();
  let last = Number.NaN;
  const step = () => {
    optimizer.zeroGrad();
    const loss = lossFn.call(model.call(x), y);
    loss.backward();
    optimizer.step();
    last = loss.item();
  };
  return result(step, { check: () => last, kernels: info });
}
