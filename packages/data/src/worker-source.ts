// The code each loading worker runs, as a string: it is started from a Blob URL (browsers) or
// with `eval: true` (Node worker_threads), so it works the same from src/ and dist/ and needs no
// bundler support. It imports the user's module, calls its optional `setup(args)` once, then
// answers `{ id, fn, items }` requests with `{ id, ok, values }` (or `{ id, ok: false, error }`).
// Tensors in results (anything with shape, dtype and dataSync()) travel as tagged typed arrays.

const CORE = `
let mod;
let ready;
let args;
function init(d, post) {
  args = d.args;
  ready = import(d.moduleUrl).then(
    async (m) => {
      mod = m;
      if (typeof m.setup === 'function') {
        try {
          await m.setup(d.args);
        } catch (e) {
          throw new Error('setup(args) threw: ' + (e && e.stack ? e.stack : e));
        }
      }
    },
    (e) => {
      throw new Error('cannot import the module: ' + (e && e.stack ? e.stack : e));
    },
  );
  ready.catch(() => {});
}
function pack(v, transfer, depth) {
  if (depth > 64) throw new Error('sample is nested more than 64 levels deep (a cycle?)');
  if (v === null || typeof v !== 'object') return v;
  if (ArrayBuffer.isView(v)) return v;
  if (typeof v.dataSync === 'function' && Array.isArray(v.shape) && typeof v.dtype === 'string') {
    const data = v.dataSync();
    transfer.push(data.buffer);
    return { __tesseraTensor: 1, dtype: v.dtype, shape: Array.from(v.shape), data };
  }
  if (Array.isArray(v)) return v.map((x) => pack(x, transfer, depth + 1));
  const out = {};
  for (const k of Object.keys(v)) out[k] = pack(v[k], transfer, depth + 1);
  return out;
}
async function handle(msg, post) {
  const transfer = [];
  let at = -1;
  try {
    await ready;
    const fn = mod[msg.fn];
    if (typeof fn !== 'function') {
      throw new Error('the module does not export a function named ' + JSON.stringify(msg.fn) +
        ' (exports: ' + Object.keys(mod).join(', ') + ')');
    }
    const values = [];
    for (at = 0; at < msg.items.length; at++) values.push(pack(await fn(msg.items[at], args), transfer, 0));
    post({ id: msg.id, ok: true, values }, transfer);
  } catch (e) {
    const item = at >= 0 && at < msg.items.length ? msg.items[at] : undefined;
    post({ id: msg.id, ok: false, item, error: e && e.stack ? String(e.stack) : String(e) });
  }
}
`;

/** Worker script for Node's worker_threads (CommonJS eval; `import()` loads the ES module). */
export const NODE_WORKER_SOURCE = `${CORE}
const { parentPort, workerData } = require('node:worker_threads');
const post = (m, t) => parentPort.postMessage(m, t);
init(workerData, post);
parentPort.on('message', (msg) => handle(msg, post));
`;

/** Worker script for browser module workers. */
export const BROWSER_WORKER_SOURCE = `${CORE}
const post = (m, t) => self.postMessage(m, t);
let started = false;
self.onmessage = (e) => {
  if (!started) { started = true; init(e.data, post); return; }
  handle(e.data, post);
};
`;
