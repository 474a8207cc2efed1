// Random CSV text (quotes, delimiters, blank lines, missing values, categories) and random
// options: the parser and readCsv end in a consistent result or a clean error naming the op.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { fuzzRuns, fuzzSeed } from '../../../tests/repo/fuzz.js';
import { FuzzGuard } from '../../../tests/repo/fuzz-guard.js';
import { CsvParser, type ReadCsvOptions, readCsv } from '../src/index.js';

const clean = (e: unknown) =>
  e instanceof Error && /^(readCsv|CSV|CsvParser|parseCsv)[:\s]/.test(e.message) && e.message.length < 2000;

/** Text from CSV's special characters plus a few values, so quoting and rows vary a lot. */
const csvText = fc
  .array(
    fc.oneof(
      fc.constantFrom(',', '"', '\n', '\r\n', '\r', ';', ' ', 'NA', '', '?', '\uFEFF'),
      fc.constantFrom('a', 'b', 'y', 'x1', 'cat', 'dog', '1', '2', '-3.5', '1e3', 'NaN', 'Infinity'),
      fc.string({ maxLength: 4 }),
    ),
    { maxLength: 60 },
  )
  .map((parts) => parts.join(''));

/** Tables that parse: a header and rows of numbers, categories and missing values. */
const table = fc
  .tuple(
    fc.integer({ min: 1, max: 5 }),
    fc.array(
      fc.array(fc.constantFrom('0', '1', '2', '3.5', '-1', 'red', 'blue', 'NA', '', '"q,uoted"'), {
        minLength: 5,
        maxLength: 5,
      }),
      { maxLength: 12 },
    ),
  )
  .map(([cols, rows]) => {
    const head = Array.from({ length: cols }, (_, i) => (i === cols - 1 ? 'y' : `c${i}`));
    return [head.join(','), ...rows.map((r) => r.slice(0, cols).join(','))].join('\n');
  });

const anyOptions: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    label: fc.constantFrom('y', 'c0', 0, 7, 'nope'),
    missing: fc.constantFrom('error', 'drop', 'mean', 0, -1, 'bogus', Number.NaN),
    encoding: fc.constantFrom('oneHot', 'label', { c0: 'label' }, { zz: 'label' }, 'x'),
    labelType: fc.constantFrom('auto', 'class', 'regression', 'other'),
    header: fc.boolean(),
    delimiter: fc.constantFrom(',', ';', '"', ',,'),
    categorical: fc.constantFrom('auto', [], ['c0'], ['nope']),
    maxCategories: fc.constantFrom(1, 2, 1000, 0),
    maxBytes: fc.constantFrom(16, 2 ** 20),
    lable: fc.constant('y'),
  },
  { requiredKeys: [] },
);

/** Options a user would pass: mostly valid, so the encoders run too. */
const usualOptions: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    label: fc.constant('y'),
    missing: fc.constantFrom('drop', 'mean', 0),
    encoding: fc.constantFrom('oneHot', 'label'),
    labelType: fc.constantFrom('auto', 'class'),
  },
  { requiredKeys: [] },
);

const options = fc.oneof({ weight: 3, arbitrary: usualOptions }, { weight: 1, arbitrary: anyOptions });

it('fuzz: CsvParser gives records or a SyntaxError with line and column, for any chunking', async () => {
  const guard = new FuzzGuard('CsvParser', clean);
  await fc.assert(
    fc.asyncProperty(csvText, fc.array(fc.nat(), { maxLength: 4 }), async (text, cuts) => {
      await guard.run(text.length * 2, () => {
        const whole = new CsvParser();
        const a = [...whole.push(text), ...whole.end()].map((r) => r.fields);
        const chunked = new CsvParser();
        const b: string[][] = [];
        let at = 0;
        for (const cut of [...cuts.map((c) => c % (text.length + 1)).sort((x, y) => x - y), text.length]) {
          b.push(...chunked.push(text.slice(at, Math.max(at, cut))).map((r) => r.fields));
          at = Math.max(at, cut);
        }
        b.push(...chunked.end().map((r) => r.fields));
        expect(b).toEqual(a);
      });
    }),
    { numRuns: fuzzRuns(300), seed: fuzzSeed() },
  );
  guard.check();
});

it('fuzz: readCsv with random text and options gives a consistent dataset or a clean error', async () => {
  const guard = new FuzzGuard('readCsv', clean);
  await fc.assert(
    fc.asyncProperty(fc.oneof(csvText, table, table), options, async (text, opts) => {
      await guard.run(text.length * 2, async () => {
        const ds = await readCsv(text, opts as ReadCsvOptions);
        expect(ds.x.shape).toEqual([ds.length, ds.featureNames.length]);
        if (ds.y) expect(ds.y.shape).toEqual([ds.length]);
        expect(ds.length).toBeGreaterThan(0);
      });
    }),
    { numRuns: fuzzRuns(300), seed: fuzzSeed() },
  );
  guard.check();
});
