// The code each kernel worker runs, as a string: started with `eval: true` (Node worker_threads) or
// from a Blob URL (browsers), so it works the same from src/ and dist/ with no bundler support.
//
// A worker instantiates the kernel modules on the shared memory, reports ready, and then loops
// forever (it never returns to its event loop): sleep on ctl[WAKE], join the published job, claim
// task indexes with an atomic counter and run them, leave, sleep again. The protocol (see pool.ts):
// a worker only claims tasks between `active += 1` and `active -= 1`, and only while the job it
// saw published is still open, so the caller can reuse the descriptor once it has closed the job
// and seen `active == 0`.

const CORE = `
function start(d, post) {
  const C = d.ctl;
  // One instance per kernel variant, all on the shared memory; jobs name the variant they use.
  const runs = d.modules.map((m) => (m ? new WebAssembly.Instance(m, { env: { memory: d.memory } }).exports.run : null));
  const ctl = new Int32Array(d.memory.buffer, 0, 64);
  const id = d.id;
  const scratch = d.scratch;
  const spin = d.spin;
  const epoch = d.epoch;
  Atomics.store(ctl, C.READY + id, 1);
  post({ ready: id });
  function join(gen) {
    Atomics.add(ctl, C.ACTIVE, 1);
    if (
      Atomics.load(ctl, C.GEN) === gen &&
      Atomics.load(ctl, C.OPEN) === 1 &&
      Atomics.load(ctl, C.EPOCH) === epoch &&
      id < Atomics.load(ctl, C.LIMIT) &&
      runs[Atomics.load(ctl, C.VARIANT)]
    ) {
      const count = Atomics.load(ctl, C.COUNT);
      const job = Atomics.load(ctl, C.JOB);
      const run = runs[Atomics.load(ctl, C.VARIANT)];
      for (;;) {
        const t = Atomics.add(ctl, C.NEXT, 1);
        if (t >= count) break;
        try {
          run(job, t, scratch);
        } catch (e) {
          Atomics.store(ctl, C.ERROR, 1);
        }
        if (Atomics.add(ctl, C.DONE, 1) + 1 === count) Atomics.notify(ctl, C.DONE);
      }
    }
    if (Atomics.sub(ctl, C.ACTIVE, 1) === 1) Atomics.notify(ctl, C.ACTIVE);
  }
  let seen = 0;
  for (;;) {
    if (Atomics.load(ctl, C.EPOCH) !== epoch) return;
    const gen = Atomics.load(ctl, C.GEN);
    if (gen !== seen) {
      seen = gen;
      join(gen);
      continue;
    }
    for (let i = 0; i < spin && Atomics.load(ctl, C.GEN) === seen; i++);
    if (Atomics.load(ctl, C.GEN) === seen) Atomics.wait(ctl, C.GEN, seen);
  }
}
`;

/** Source of a Node worker (CommonJS, `eval: true`). */
export const NODE_WORKER_SOURCE = `${CORE}
const { parentPort } = require('node:worker_threads');
parentPort.once('message', (d) => {
  try {
    start(d, (m) => parentPort.postMessage(m));
  } catch (e) {
    parentPort.postMessage({ error: String(e && e.stack ? e.stack : e) });
  }
  process.exit(0);
});
`;

/** Source of a browser worker (classic script from a Blob URL). */
export const BROWSER_WORKER_SOURCE = `${CORE}
self.onmessage = (ev) => {
  self.onmessage = null;
  try {
    start(ev.data, (m) => self.postMessage(m));
  } catch (e) {
    self.postMessage({ error: String(e && e.stack ? e.stack : e) });
  }
  self.close();
};
`;
