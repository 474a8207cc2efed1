// Random, mutated and hostile safetensors files: each ends in a valid result (whose tensors match
// their headers) or a clean, short `load: ...` Error; never another exception, a hang or a large
// allocation (FuzzGuard checks and prints the per-parser row).
import { loadSafetensors, save } from '@tessera/nn';
import { tensor } from '@tessera/tensor';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { fuzzRuns, fuzzSeed } from '../../../tests/repo/fuzz.js';
import { FuzzGuard } from '../../../tests/repo/fuzz-guard.js';

const seeds = [
  save(
    {
      w: tensor([
        [1.5, -2],
        [3, 4.25],
      ]),
      b: tensor([1, 2, 3]),
      m: tensor([true, false]),
    },
    { k: 'v' },
  ),
  save({ d: tensor([1e-300, 2], { dtype: 'float64' }), s: tensor(7.5) }),
  save({}),
];

/** A file from a header text and some data bytes. */
function file(header: string, data: Uint8Array): Uint8Array {
  const h = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

/** Overwrite a few bytes (the length and header most often) and maybe cut the file short. */
const mutated = fc
  .tuple(
    fc.constantFrom(...seeds),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
    fc.option(fc.nat(), { nil: undefined }),
  )
  .map(([seed, edits, cut]) => {
    const b = seed.slice();
    for (const [at, v] of edits) b[at % Math.min(b.length, at % 2 ? 96 : b.length)] = v;
    return cut === undefined ? b : b.subarray(0, cut % (b.length + 1));
  });

const dtype = fc.oneof(
  fc.constantFrom('F64', 'F32', 'F16', 'BF16', 'I64', 'I32', 'I16', 'I8', 'U8', 'BOOL'),
  fc.string(),
);
const dim = fc.oneof(fc.nat({ max: 6 }), fc.integer(), fc.double(), fc.constant(2 ** 53), fc.constant(-1));
const entry = fc.record(
  {
    dtype: fc.oneof(dtype, fc.jsonValue()),
    shape: fc.oneof(fc.array(dim, { maxLength: 8 }), fc.jsonValue()),
    data_offsets: fc.oneof(fc.tuple(fc.nat({ max: 64 }), fc.nat({ max: 64 })), fc.jsonValue()),
  },
  { requiredKeys: [] },
);
const name = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom('__proto__', '__metadata__', 'constructor', ''),
);
/** Headers that look like safetensors: entries with random (often invalid) fields, random metadata. */
const structured = fc
  .tuple(
    fc.dictionary(name, fc.oneof(entry, fc.jsonValue()), { maxKeys: 6 }),
    fc.option(fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.jsonValue()), { maxKeys: 4 }), {
      nil: undefined,
    }),
    fc.uint8Array({ maxLength: 64 }),
  )
  .map(([entries, meta, data]) =>
    file(JSON.stringify(meta === undefined ? entries : { ...entries, __metadata__: meta }), data),
  );
/** Any JSON value as the header, with some data. */
const anyJson = fc
  .tuple(fc.jsonValue(), fc.uint8Array({ maxLength: 32 }))
  .map(([j, d]) => file(JSON.stringify(j) ?? '', d));
/** Deep nesting, long arrays, long strings, many entries (up to and just past the limits). */
const hostile = fc
  .tuple(
    fc.constantFrom('deep', 'array', 'string', 'entries'),
    fc.oneof(fc.integer({ min: 1, max: 100 }), fc.constantFrom(63, 64, 65, 1000, 8192, 8193, 20_000)),
  )
  .map(([kind, n]) => {
    const none = new Uint8Array(0);
    if (kind === 'deep') return file(`{"a":${'['.repeat(n)}${']'.repeat(n)}}`, none);
    if (kind === 'array')
      return file(
        `{"a":{"dtype":"U8","shape":[${new Array(n).fill(1).join(',')}],"data_offsets":[0,1]}}`,
        new Uint8Array(1),
      );
    if (kind === 'string')
      return file(`{"__metadata__":{"k":"${'x'.repeat(n * 50)}"},"${'y'.repeat(n)}":1}`, none);
    const parts = Array.from(
      { length: n },
      (_, i) => `"t${i}":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}`,
    );
    return file(`{${parts.join(',')}}`, none);
  });
const random = fc.uint8Array({ maxLength: 128 });

it('fuzz: random, mutated and hostile safetensors files give a result or a clean Error', async () => {
  const guard = new FuzzGuard(
    'loadSafetensors',
    (e) =>
      e instanceof Error &&
      e.constructor === Error &&
      /^load: fuzz is not a valid safetensors file: /.test(e.message) &&
      e.message.length < 400,
  );
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(fc.constantFrom(...seeds), mutated, structured, anyJson, hostile, random),
      async (bytes) => {
        await guard.run(bytes.length, () => {
          const r = loadSafetensors(bytes, 'fuzz');
          expect(Object.getPrototypeOf(r.tensors)).toBeNull();
          for (const t of Object.values(r.tensors)) expect(t.shape.length).toBeLessThanOrEqual(64);
          for (const v of Object.values(r.metadata)) expect(typeof v).toBe('string');
        });
      },
    ),
    { numRuns: fuzzRuns(400), seed: fuzzSeed(), endOnFailure: true },
  );
  guard.check();
});
