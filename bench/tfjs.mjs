// TensorFlow.js adapter of the cross-framework benchmark (tfjs-core 4.22 with the cpu or wasm
// backend; the wasm backend's .wasm files ship in its npm package and load from disk). Layouts
// are tfjs's native NHWC; training uses tf.train optimizers (minimize = variableGrads + apply).

import { createRequire, register } from 'node:module';
import { dirname } from 'node:path';
import { labels, data as seeded, Unsupported } from './rows.mjs';

/** Returns `{ step, info }` for `row` on backend `name` ('cpu' or 'wasm'). */
export async function prepare(row, name) {
  const tf = await import('@tensorflow/tfjs-core');
  // tfjs-core's main (CommonJS) build has no gradient functions; the @tensorflow/tfjs bundle
  // registers them from the ES-module build, whose extension-less imports need a resolve hook.
  // The registries are global, so registering from that copy serves every copy of tfjs-core.
  register('./tfjs-loader.mjs', import.meta.url);
  await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  if (name === 'cpu') await import('@tensorflow/tfjs-backend-cpu');
  else {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    wasm.setWasmPaths(
      `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`,
    );
  }
  if (!(await tf.setBackend(name))) throw new Error(`tfjs backend '${name}' failed to initialise`);
  await tf.ready();
  const info =
    name === 'wasm'
      ? `SIMD ${tf.env().getBool('WASM_HAS_SIMD_SUPPORT')}, threads ${tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT')}`
      : 'JavaScript kernels';
  const t = (shape, seed, scale = 1) =>
    tf.tensor(
      seeded(
        shape.reduce((p, s) => p * s, 1),
        seed,
        scale,
      ),
      shape,
    );
  const need = (kernel) => {
    if (tf.getKernel(kernel, name) === undefined) {
      throw new Unsupported(`tfjs-${name} has no ${kernel} kernel`);
    }
  };

  if (row.kind === 'matmul') {
    const a = t([row.n, row.n], 1);
    const b = t([row.n, row.n], 2);
    return { step: () => tf.matMul(a, b).dispose(), info };
  }
  if (row.kind === 'conv-fwd' || row.kind === 'conv-bwd') {
    const x = t([row.N, row.H, row.H, row.C], 1);
    const w = t([row.K, row.K, row.C, row.O], 2, 0.1);
    if (row.kind === 'conv-fwd') return { step: () => tf.conv2d(x, w, 1, row.pad).dispose(), info };
    need('Conv2DBackpropInput');
    need('Conv2DBackpropFilter');
    const OH = row.H + 2 * row.pad - row.K + 1;
    const dy = t([row.N, OH, OH, row.O], 3);
    const attrs = { strides: [1, 1], pad: row.pad, dataFormat: 'NHWC', dimRoundingMode: undefined };
    return {
      step: () => {
        tf.engine()
          .runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: x.shape })
          .dispose();
        tf.engine()
          .runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: w.shape })
          .dispose();
      },
      info,
    };
  }

  const classes = 10;
  const onehot = tf.oneHot(tf.tensor1d(labels(row.batch, classes, 7), 'int32'), classes);
  const dense = (i, o, seed) => [tf.variable(t([i, o], seed, Math.sqrt(1 / i))), tf.variable(tf.zeros([o]))];
  let forward;
  let x;
  let optimizer;
  if (row.kind === 'mlp') {
    const [i, h1, h2, o] = row.sizes;
    const [w1, b1] = dense(i, h1, 11);
    const [w2, b2] = dense(h1, h2, 12);
    const [w3, b3] = dense(h2, o, 13);
    x = t([row.batch, i], 1);
    forward = (v) => {
      const a = tf.relu(tf.add(tf.matMul(v, w1), b1));
      const b = tf.relu(tf.add(tf.matMul(a, w2), b2));
      return tf.add(tf.matMul(b, w3), b3);
    };
    optimizer = tf.train.sgd(0.01);
  } else {
    // LeNet-5 needs the weight gradient of conv2d: say so instead of failing mid-step.
    need('Conv2DBackpropFilter');
    const c1 = tf.variable(t([5, 5, 1, 6], 21, 0.2));
    const c1b = tf.variable(tf.zeros([6]));
    const c2 = tf.variable(t([5, 5, 6, 16], 22, 0.08));
    const c2b = tf.variable(tf.zeros([16]));
    const [f1, f1b] = dense(400, 120, 23);
    const [f2, f2b] = dense(120, 84, 24);
    const [f3, f3b] = dense(84, classes, 25);
    x = t([row.batch, 28, 28, 1], 1);
    forward = (v) => {
      let h = tf.maxPool(tf.relu(tf.add(tf.conv2d(v, c1, 1, 2), c1b)), 2, 2, 'valid');
      h = tf.maxPool(tf.relu(tf.add(tf.conv2d(h, c2, 1, 'valid'), c2b)), 2, 2, 'valid');
      h = tf.reshape(h, [row.batch, 400]);
      h = tf.relu(tf.add(tf.matMul(h, f1), f1b));
      h = tf.relu(tf.add(tf.matMul(h, f2), f2b));
      return tf.add(tf.matMul(h, f3), f3b);
    };
    optimizer = tf.train.adam(1e-3);
  }
  let last = Number.NaN;
  return {
    step: () => {
      const cost = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(onehot, forward(x)), true);
      last = cost.dataSync()[0];
      cost.dispose();
    },
    check: () => last,
    info,
  };
}
