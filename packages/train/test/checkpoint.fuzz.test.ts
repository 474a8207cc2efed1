// Mutated, truncated and random checkpoint metadata and state files: `resumeFrom` either resumes
// or throws a clean "no valid checkpoint" Error that leaves the targets unchanged; never another
// exception, a hang or a large allocation (FuzzGuard checks and prints the per-parser row).
import { createHash } from 'node:crypto';
import { DataLoader, TensorDataset } from '@tessera/data';
import { CrossEntropyLoss, Linear, ReLU, Sequential } from '@tessera/nn';
import { Adam, StepLR } from '@tessera/optim';
import { Generator, manualSeed, randint, randn } from '@tessera/tensor';
import { EarlyStopping, fit, ModelCheckpoint, memoryStore, resumeFrom } from '@tessera/train';
import fc from 'fast-check';
import { beforeAll, expect, it } from 'vitest';
import { fuzzRuns, fuzzSeed } from '../../../tests/repo/fuzz.js';
import { FuzzGuard } from '../../../tests/repo/fuzz-guard.js';

function setup(seed: number) {
  manualSeed(seed);
  const model = new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2));
  const optimizer = new Adam(model.parameters(), { lr: 0.01 });
  const scheduler = new StepLR(optimizer, { stepSize: 1, gamma: 0.5 });
  const earlyStopping = new EarlyStopping({ monitor: 'loss', patience: 3, restoreBestWeights: true });
  return { model, optimizer, scheduler, earlyStopping, generators: { aug: new Generator(3) } };
}

const JSON_NAME = 'ckpt-000001.json';
const WEIGHTS = 'ckpt-000001.safetensors';
const STATE = 'ckpt-000001.state.safetensors';
let files: Map<string, Uint8Array>;
let meta: Record<string, unknown>;

beforeAll(async () => {
  const s = setup(1);
  const store = memoryStore();
  const x = randn([8, 3], { generator: new Generator(1) });
  const y = randint(0, 2, [8], { generator: new Generator(2) });
  await fit(s.model, {
    train: new DataLoader(new TensorDataset(x, y), { batchSize: 4 }),
    loss: new CrossEntropyLoss(),
    optimizer: s.optimizer,
    scheduler: s.scheduler,
    epochs: 1,
    callbacks: [s.earlyStopping, new ModelCheckpoint({ dir: store, generators: s.generators })],
  });
  files = store.files;
  meta = JSON.parse(new TextDecoder().decode(files.get(JSON_NAME)!)).meta;
});

/** A JSON file with a valid hash over `body` (so the validator, not the hash, must reject it). */
function framed(body: string): Uint8Array {
  const hash = createHash('sha256').update(body).digest('hex');
  return new TextEncoder().encode(`{"sha256":"${hash}","meta":${body}}`);
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const PATHS: (string | number)[][] = [
  [],
  ['format'],
  ['version'],
  ['nextEpoch'],
  ['weights'],
  ['weights', 'file'],
  ['weights', 'bytes'],
  ['state', 'sha256'],
  ['optimizer'],
  ['optimizer', 'paramGroups'],
  ['optimizer', 'paramGroups', 0],
  ['optimizer', 'paramGroups', 0, 'lr'],
  ['optimizer', 'paramGroups', 0, 'betas'],
  ['optimizer', 'paramGroups', 0, 'params'],
  ['optimizer', 'state'],
  ['optimizer', 'state', '0'],
  ['optimizer', 'state', '0', 'step'],
  ['optimizer', 'state', '0', 'expAvg'],
  ['scheduler'],
  ['scheduler', 'lastEpoch'],
  ['callbacks'],
  ['callbacks', '0:EarlyStopping'],
  ['callbacks', '0:EarlyStopping', 'best'],
  ['callbacks', '0:EarlyStopping', 'bestWeights'],
  ['callbacks', '0:EarlyStopping', 'bestWeights', '0.weight'],
  ['rng'],
  ['rng', 'default'],
  ['rng', 'aug', 'seed'],
  ['rng', 'default', 'offset'],
  ['history'],
  ['history', 'epochs', 0, 'logs'],
  ['history', 'epochs', 0, 'logs', 'loss'],
  ['savedAt'],
];

/** Placeholder for arrays nested n deep, spliced into the text (JSON.stringify would overflow). */
const DEEP = '\u0001deep:';
const splice = (text: string) =>
  text.replace(/"\\u0001deep:(\d+)"/g, (_m, n: string) => `${'['.repeat(Number(n))}${']'.repeat(Number(n))}`);

const value = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.record({ $tensor: fc.oneof(fc.string(), fc.constantFrom('optimizer.state.0.expAvg', 'nope')) }),
  fc.record({ $number: fc.oneof(fc.string(), fc.constantFrom('NaN', '-0', 'Infinity')) }),
  fc.nat({ max: 5000 }).map((n) => `${DEEP}${n}`),
  fc.constantFrom(
    '../elsewhere.safetensors',
    '/etc/passwd',
    'ckpt-000001.safetensors',
    '-1',
    '18446744073709551616',
  ),
);

/** The metadata with one field (at a known path) replaced by a random value, validly hashed. */
const fieldEdit = fc.tuple(fc.constantFrom(...PATHS), value).map(([path, v]) => {
  if (path.length === 0) return { json: framed(splice(JSON.stringify(v) ?? 'null')) };
  const m = structuredClone(meta) as any;
  let o = m;
  for (const k of path.slice(0, -1)) o = o?.[k];
  if (o !== null && typeof o === 'object') o[path.at(-1)!] = v;
  return { json: framed(splice(JSON.stringify(m))) };
});

/** Raw byte edits and truncation of the JSON file (the hash catches these). */
const byteEdit = fc
  .tuple(
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
    fc.option(fc.nat(), { nil: undefined }),
  )
  .map(([edits, cut]) => {
    const b = files.get(JSON_NAME)!.slice();
    for (const [at, v] of edits) b[at % b.length] = v;
    return { json: cut === undefined ? b : b.subarray(0, cut % (b.length + 1)) };
  });

/** The state or weights file mutated, with the metadata updated to match (so the parser must cope). */
const fileEdit = fc
  .tuple(
    fc.constantFrom(WEIGHTS, STATE),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
    fc.option(fc.nat(), { nil: undefined }),
  )
  .map(([name, edits, cut]) => {
    let b = files.get(name)!.slice();
    for (const [at, v] of edits) b[at % Math.min(b.length, at % 2 ? 200 : b.length)] = v;
    if (cut !== undefined) b = b.slice(0, cut % (b.length + 1));
    const m = structuredClone(meta) as any;
    m[name === WEIGHTS ? 'weights' : 'state'] = { file: name, bytes: b.length, sha256: sha(b) };
    return { json: framed(JSON.stringify(m)), [name]: b };
  });

/** Random text, validly framed. */
const randomText = fc.string({ maxLength: 200 }).map((t) => ({ json: framed(t) }));

it('fuzz: mutated and random checkpoints resume or fail cleanly, changing nothing', async () => {
  const guard = new FuzzGuard(
    'resumeFrom',
    (e) =>
      e instanceof Error &&
      /^resumeFrom: no valid checkpoint in the store: ckpt-000001\.json: /.test(e.message) &&
      e.message.length < 600,
  );
  const weightsOf = (s: ReturnType<typeof setup>) =>
    Object.values(s.model.stateDict()).map((t) => Array.from(t.dataSync()));
  await fc.assert(
    fc.asyncProperty(fc.oneof(fieldEdit, byteEdit, fileEdit, randomText), async (edit) => {
      const store = memoryStore();
      for (const [k, v] of files) store.files.set(k, v);
      let size = 0;
      for (const [k, v] of Object.entries(edit)) {
        store.files.set(k === 'json' ? JSON_NAME : k, v);
        size += v.length;
      }
      const s = setup(7);
      const before = weightsOf(s);
      await guard.run(size, async () => {
        try {
          const r = await resumeFrom(store, { ...s, callbacks: [s.earlyStopping] });
          expect(r.initialEpoch).toBe(1);
        } catch (e) {
          expect(weightsOf(s)).toEqual(before);
          expect(s.optimizer.state.size).toBe(0);
          throw e;
        }
      });
    }),
    { numRuns: fuzzRuns(300), seed: fuzzSeed(), endOnFailure: true },
  );
  guard.check();
});
