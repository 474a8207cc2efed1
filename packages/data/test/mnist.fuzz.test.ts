// mnist() over fuzzed image and label files (served by a fake fetch, gzipped or not): a dataset
// whose labels are classes and whose images have pixels, or a clean error naming the op.
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { fuzzRuns, fuzzSeed } from '../../../tests/repo/fuzz.js';
import { FuzzGuard } from '../../../tests/repo/fuzz-guard.js';
import { encodeIdx, mnist } from '../src/index.js';

const clean = (e: unknown) => e instanceof Error && /^(mnist|loadIdx|MnistDataset)[:\s]/.test(e.message);

function idxFile(n: number, rows: number, cols: number, labels: number[]) {
  const images = encodeIdx({ type: 'uint8', shape: [n, rows, cols], data: new Uint8Array(n * rows * cols) });
  const lbl = encodeIdx({ type: 'uint8', shape: [labels.length], data: Uint8Array.from(labels) });
  return { images, labels: lbl };
}

/** Rows or columns: usually some, sometimes none. */
const dim = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 3 }) }, fc.constant(0));

/** A file pair that is valid or nearly so, then bytes overwritten, cut, or gzipped. */
const pair = fc
  .tuple(
    fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, fc.integer({ min: 0, max: 4 })),
    dim,
    dim,
    fc.array(fc.oneof(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 12 })), {
      minLength: 1,
      maxLength: 5,
    }),
    fc.oneof(
      { weight: 2, arbitrary: fc.constant([] as [boolean, number, number][]) },
      fc.array(fc.tuple(fc.boolean(), fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }),
    ),
    fc.boolean(),
    fc.boolean(),
  )
  .map(([n, rows, cols, labels, edits, gzImages, gzLabels]) => {
    // Usually as many images as labels; sometimes a different count.
    const f = idxFile(n ?? labels.length, rows, cols, labels);
    for (const [img, at, v] of edits) {
      const b = img ? f.images : f.labels;
      b[at % b.length] = v;
    }
    return {
      images: gzImages ? new Uint8Array(gzipSync(f.images)) : f.images,
      labels: gzLabels ? new Uint8Array(gzipSync(f.labels)) : f.labels,
    };
  });

it('fuzz: mnist() over mutated files gives a valid dataset or a clean error', async () => {
  const guard = new FuzzGuard('mnist', clean);
  await fc.assert(
    fc.asyncProperty(pair, async ({ images, labels }) => {
      const fetch = async (url: string) =>
        new Response((url.includes('images') ? images : labels) as BodyInit, { status: 200 });
      await guard.run(images.length + labels.length, async () => {
        const ds = await mnist({ baseUrl: 'https://example.test/m/', split: 'test', fetch, cache: false });
        expect(ds.length).toBeGreaterThan(0);
        expect(ds.rows * ds.cols).toBeGreaterThan(0);
        expect(Math.max(...ds.labels)).toBeLessThan(10);
      });
    }),
    { numRuns: fuzzRuns(200), seed: fuzzSeed() },
  );
  guard.check();
});
