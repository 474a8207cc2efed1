// readCsv under hostile input: very wide headers, categorical explosions, files without rows
// and mistyped options.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CsvParser, readCsv } from '../src/index.js';

describe('readCsv limits', () => {
  it('handles 300,000 columns in linear time, with short messages', async () => {
    const n = 300_000;
    const names = Array.from({ length: n }, (_, i) => `c${i}`);
    const row = Array.from({ length: n }, (_, i) => String(i % 10));
    // The quadratic duplicate check took minutes here (80,000 columns: 4.8 s).
    const ds = await readCsv(`${names.join(',')}\n${row.join(',')}\n`, { label: `c${n - 1}` });
    expect(ds.x.shape).toEqual([1, n - 1]);
    await expect(readCsv(`${names.join(',')},c${n - 7}\n`)).rejects.toThrow(
      `readCsv: column name "c${n - 7}" appears twice in the header`,
    );
    // A ragged row names the columns, but not all 300,000 of them.
    const err = await readCsv(`${names.join(',')}\n1,2\n`).catch((e: Error) => e);
    expect((err as Error).message).toMatch(
      /^readCsv: line 2 has 2 fields but there are 300000 columns \(c0, c1, .*c19, \.\.\. \(300000 columns\)\)$/,
    );
    expect((err as Error).message.length).toBeLessThan(400);
  }, 30_000);

  it('caps one-hot categories and the size of x, naming the column and the option', async () => {
    const rows = Array.from({ length: 1500 }, (_, i) => `id${i},${i % 2}`);
    const text = `id,y\n${rows.join('\n')}\n`;
    await expect(readCsv(text, { label: 'y' })).rejects.toThrow(
      `readCsv: column "id" has 1500 categories, over maxCategories (1000) for one-hot encoding: pass maxCategories: 1500 to allow it, or encoding: { "id": 'label' } for one integer column`,
    );
    const wide = await readCsv(text, { label: 'y', maxCategories: 1500 });
    expect(wide.x.shape).toEqual([1500, 1500]);
    const coded = await readCsv(text, { label: 'y', encoding: { id: 'label' } });
    expect(coded.x.shape).toEqual([1500, 1]);
    await expect(readCsv(text, { label: 'y', maxCategories: 1500, maxBytes: 2 ** 20 })).rejects.toThrow(
      'readCsv: x would be [1500, 1500] float32 (9000000 bytes), over maxBytes (1048576): pass a larger maxBytes, or label-encode wide categorical columns',
    );
  });

  it('rejects a file with a header but no rows, naming the file', async () => {
    // Before: "LabelEncoder.transform: call fit(values) first".
    await expect(readCsv('a,b,label\n', { label: 'label' })).rejects.toThrow(
      'readCsv: no data rows: the CSV has a header (a, b, label) but no records',
    );
    await expect(readCsv('a,b\n\n\n', { name: 'empty.csv' })).rejects.toThrow(
      'readCsv: empty.csv: no data rows: the CSV has a header (a, b) but no records',
    );
    const dir = mkdtempSync(join(tmpdir(), 'tessera-csv-'));
    try {
      const file = join(dir, 'head.csv');
      writeFileSync(file, 'x,y\n');
      const url = pathToFileURL(file);
      await expect(readCsv(url, { label: 'y' })).rejects.toThrow(
        `readCsv: ${url.href}: no data rows: the CSV has a header (x, y) but no records`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // Every row dropped for a missing value: no rows left either.
    await expect(readCsv('a,y\nNA,1\n2,\n', { label: 'y', missing: 'drop' })).rejects.toThrow(
      "readCsv: no rows left: all 2 have a missing value (see missing: 'mean' or a number to fill them)",
    );
  });

  it('rejects unknown options and invalid values with a did-you-mean', async () => {
    const text = 'a,b,y\n1,x,0\n2,z,1\n';
    await expect(readCsv(text, { labels: 'y' } as never)).rejects.toThrow(
      "readCsv: unknown option 'labels', did you mean 'label'?",
    );
    await expect(readCsv(text, { missing_values: 'drop' } as never)).rejects.toThrow(
      /readCsv: unknown option 'missing_values'/,
    );
    await expect(readCsv(text, { missing: 'bogus' as never })).rejects.toThrow(
      /readCsv: option 'missing' must be .*'error'.*'drop'.*'mean', got the string "bogus"/,
    );
    await expect(readCsv(text, { labelType: 'classes' as never })).rejects.toThrow(
      /readCsv: option 'labelType' must be/,
    );
    await expect(readCsv(text, { header: 'yes' as never })).rejects.toThrow(
      /readCsv: option 'header' must be/,
    );
    await expect(readCsv(text, { label: 'y', encoding: { B: 'label' } })).rejects.toThrow(
      'readCsv: encoding names the column "B", which is not in the file; did you mean "b"? (columns: a, b, y)',
    );
    await expect(readCsv(text, { label: 'y', encoding: { b: 'ordinal' as never } })).rejects.toThrow(
      `readCsv: encoding of "b" must be 'oneHot' or 'label', got "ordinal"`,
    );
    expect(() => new CsvParser({ delimeter: ';' } as never)).toThrow(
      "CsvParser: unknown option 'delimeter', did you mean 'delimiter'?",
    );
    await expect(readCsv(text, { maxCategories: 0 })).rejects.toThrow(
      'readCsv: maxCategories and maxBytes must be positive, got 0 and 1073741824',
    );
  });
});
