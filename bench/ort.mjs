// onnxruntime-node adapter of the cross-framework benchmark: plain matmul only, as a native-code
// reference. The ONNX model (one MatMul node) is encoded here by hand, so no model files are
// needed. onnxruntime-node ships its CPU binaries in the npm package (its install script, which
// pnpm does not run, only fetches GPU providers).

import { data as seeded, Unsupported } from './rows.mjs';

// Protocol-buffer encoding of the few ONNX messages needed.
const varint = (n) => {
  const out = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
};
const bytes = (s) => (typeof s === 'string' ? [...new TextEncoder().encode(s)] : s);
const msg = (field, body) => [...varint((field << 3) | 2), ...varint(bytes(body).length), ...bytes(body)];
const int = (field, v) => [...varint(field << 3), ...varint(v)];

/** A float tensor value-info: name and static shape. */
const valueInfo = (name, shape) =>
  msg(1, name).concat(
    msg(
      2,
      msg(1, [
        ...int(1, 1),
        ...msg(
          2,
          shape.flatMap((d) => msg(1, int(1, d))),
        ),
      ]),
    ),
  );

/** ModelProto of C = MatMul(A, B) with A [n, n], B [n, n] (opset 13, IR version 8). */
function matmulModel(n) {
  const node = [...msg(1, 'A'), ...msg(1, 'B'), ...msg(2, 'C'), ...msg(4, 'MatMul')];
  const graph = [
    ...msg(1, node),
    ...msg(2, 'matmul'),
    ...msg(11, valueInfo('A', [n, n])),
    ...msg(11, valueInfo('B', [n, n])),
    ...msg(12, valueInfo('C', [n, n])),
  ];
  return new Uint8Array([...int(1, 8), ...msg(7, graph), ...msg(8, [...msg(1, ''), ...int(2, 13)])]);
}

/** Returns `{ step, info }` for `row`. */
export async function prepare(row) {
  if (row.kind !== 'matmul') throw new Unsupported('benchmarked on matmul rows only');
  let ort;
  try {
    ort = (await import('onnxruntime-node')).default;
  } catch (e) {
    throw new Unsupported(`onnxruntime-node cannot load: ${e.message.split('\n')[0]}`);
  }
  const session = await ort.InferenceSession.create(matmulModel(row.n), { executionProviders: ['cpu'] });
  const feeds = {
    A: new ort.Tensor('float32', seeded(row.n * row.n, 1), [row.n, row.n]),
    B: new ort.Tensor('float32', seeded(row.n * row.n, 2), [row.n, row.n]),
  };
  return {
    step: async () => {
      const out = await session.run(feeds);
      out.C.dispose?.();
    },
    info: `onnxruntime-node ${ort.env.versions?.node ?? ''} (native, default intra-op threads)`.trim(),
  };
}
