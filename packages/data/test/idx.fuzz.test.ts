// Random and mutated IDX files, plain and gzipped: each ends in a result whose data matches its
// shape or in a clean `loadIdx: <name>: ...` Error, quickly and without large allocations.
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { fuzzRuns, fuzzSeed } from '../../../tests/repo/fuzz.js';
import { FuzzGuard } from '../../../tests/repo/fuzz-guard.js';
import { encodeIdx, type IdxArray, loadIdx } from '../src/index.js';

const seeds: IdxArray[] = [
  { type: 'uint8', shape: [3, 2, 2], data: Uint8Array.from({ length: 12 }, (_, i) => i * 20) },
  { type: 'uint8', shape: [4], data: Uint8Array.from([7, 2, 1, 9]) },
  { type: 'int16', shape: [3], data: Int16Array.from([-32768, 258, 32767]) },
  { type: 'float64', shape: [2], data: Float64Array.from([1, 2]) },
  { type: 'int32', shape: [2, 1], data: Int32Array.from([-5, 6]) },
];
const plain = seeds.map(encodeIdx);
const files = [...plain, ...plain.map((b) => new Uint8Array(gzipSync(b)))];

/** Overwrite a few bytes (header bytes most often) and maybe cut the file short. */
const mutated = fc
  .tuple(
    fc.constantFrom(...files),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
    fc.option(fc.nat(), { nil: undefined }),
  )
  .map(([seed, edits, cut]) => {
    const b = seed.slice();
    for (const [at, v] of edits) b[at % Math.min(b.length, at % 2 ? 24 : b.length)] = v;
    return cut === undefined ? b : b.subarray(0, cut % (b.length + 1));
  });

/** Valid gzip of a (possibly lying) header followed by up to 256 KiB of arbitrary bytes. */
const gzippedLies = fc
  .tuple(
    fc.constantFrom(0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e, 0x07),
    fc.array(fc.oneof(fc.nat({ max: 300 }), fc.constant(2 ** 32 - 1)), { minLength: 0, maxLength: 5 }),
    fc.nat({ max: 2 ** 18 }),
    fc.integer({ min: 0, max: 255 }),
  )
  .map(([code, dims, n, fill]) => {
    const head = new Uint8Array(4 + 4 * dims.length);
    const dv = new DataView(head.buffer);
    dv.setUint32(0, (code << 8) | dims.length);
    dims.forEach((d, i) => {
      dv.setUint32(4 + 4 * i, d);
    });
    const body = new Uint8Array(n).fill(fill);
    return new Uint8Array(gzipSync(Buffer.concat([head, body])));
  });

const random = fc.uint8Array({ maxLength: 96 });
const gzipPrefixed = fc.uint8Array({ maxLength: 64 }).map((b) => Uint8Array.from([0x1f, 0x8b, ...b]));

it('fuzz: random, mutated and lying IDX files give a result or a clean Error', async () => {
  const guard = new FuzzGuard(
    'loadIdx',
    (e) => e instanceof Error && e.constructor === Error && /^loadIdx: fuzz: /.test(e.message),
  );
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(fc.constantFrom(...files), mutated, random, gzipPrefixed, gzippedLies),
      fc.constantFrom(undefined, 1 << 16),
      async (bytes, maxBytes) => {
        await guard.run(bytes.length, async () => {
          const r = await loadIdx(bytes, { name: 'fuzz', maxBytes });
          expect(r.data.length).toBe(r.shape.reduce((a, b) => a * b, 1));
        });
      },
    ),
    { numRuns: fuzzRuns(300), seed: fuzzSeed() },
  );
  guard.check();
});
