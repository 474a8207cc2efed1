import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvParser, DataLoader, parseCsv, readCsv } from '../src/index.js';

async function records(source: Parameters<typeof parseCsv>[0]) {
  const out: string[][] = [];
  for await (const r of parseCsv(source)) out.push(r.fields);
  return out;
}

describe('CSV parser (RFC 4180)', () => {
  it('parses quoted fields with delimiters, newlines and doubled quotes', async () => {
    const text = 'a,b,c\r\n1,"x, y","say ""hi"""\r\n2,"multi\nline",\n"",3,"end"';
    expect(await records(text)).toEqual([
      ['a', 'b', 'c'],
      ['1', 'x, y', 'say "hi"'],
      ['2', 'multi\nline', ''],
      ['', '3', 'end'],
    ]);
  });

  it('gives the same records for any chunking of the input (streaming)', async () => {
    const text = 'h1,h2\r\n"a\r\nb","c""d"\r\n,\n"x",y\r\nlast,"q"';
    const whole = await records(text);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat({ max: text.length }), { maxLength: 8 }), async (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const chunks: string[] = [];
        let at = 0;
        for (const p of [...points, text.length]) {
          chunks.push(text.slice(at, p));
          at = p;
        }
        expect(await records(chunks)).toEqual(whole);
        const bytes = new TextEncoder().encode(text);
        const byteChunks = [...points.map((p) => Math.min(p, bytes.length)), bytes.length].map((p, i, all) =>
          bytes.subarray(i === 0 ? 0 : all[i - 1], p),
        );
        expect(
          await records(
            (async function* () {
              yield* byteChunks;
            })(),
          ),
        ).toEqual(whole);
      }),
      { numRuns: 100, seed: 7 },
    );
  });

  it('tracks lines, skips blank lines and handles BOM, CR-only and no final newline', async () => {
    const p = new CsvParser();
    const got = [...p.push('a;b'), ...p.push('\n\n1,"2\n3"\n\n4,5'), ...p.end()];
    expect(got).toEqual([
      { fields: ['a;b'], line: 1 },
      { fields: ['1', '2\n3'], line: 3 },
      { fields: ['4', '5'], line: 6 },
    ]);
    expect(await records(new TextEncoder().encode('\uFEFFx,y\ra,b\r'))).toEqual([
      ['x', 'y'],
      ['a', 'b'],
    ]);
    const semi: string[][] = [];
    for await (const r of parseCsv('a;"b;c"\n', { delimiter: ';' })) semi.push(r.fields);
    expect(semi).toEqual([['a', 'b;c']]);
  });

  it('reports malformed quoting with line and column', async () => {
    await expect(records('a,b\n1,"open\n2,3')).rejects.toThrow(
      'CSV: line 2, column 3: quoted field is never closed (unexpected end of input)',
    );
    await expect(records('a,b\n1,"x"y\n')).rejects.toThrow(
      'CSV: line 2, column 6: unexpected "y" after the closing quote of a quoted field (a quote inside a quoted field must be doubled)',
    );
    expect(() => new CsvParser({ delimiter: '"' })).toThrow(
      /delimiter and quote must be two different single characters/,
    );
  });
});

describe('readCsv', () => {
  const iris = [
    'sepal_length,sepal_width,color,species',
    '5.1,3.5,red,setosa',
    '7.0,3.2,blue,versicolor',
    '6.3,3.3,red,virginica',
    '4.9,3.0,green,setosa',
  ].join('\n');

  it('builds features (numeric + one-hot) and class labels', async () => {
    const ds = await readCsv(iris, { label: 'species' });
    expect(ds.length).toBe(4);
    expect(ds.featureNames).toEqual([
      'sepal_length',
      'sepal_width',
      'color=blue',
      'color=green',
      'color=red',
    ]);
    expect(ds.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(ds.y!.dtype).toBe('int32');
    expect(ds.y!.arraySync()).toEqual([0, 1, 2, 0]);
    const x = ds.x.arraySync() as number[][];
    expect(x[1]).toEqual([7, Math.fround(3.2), 1, 0, 0]);
    expect(x[3]!.slice(2)).toEqual([0, 1, 0]);
    expect(ds.columnInfo[2]).toEqual({
      name: 'color',
      kind: 'categorical',
      categories: ['blue', 'green', 'red'],
      encoding: 'oneHot',
    });
    const [xi, yi] = ds.get(2);
    expect(xi!.shape).toEqual([5]);
    expect(yi!.item()).toBe(2);
    const loader = new DataLoader(ds, { batchSize: 3 });
    const shapes: number[][] = [];
    for await (const [xb] of loader) shapes.push([...xb!.shape]);
    expect(shapes).toEqual([
      [3, 5],
      [1, 5],
    ]);
  });

  it('label-encodes features on request, chooses columns, and does regression labels', async () => {
    const ds = await readCsv(iris, { label: 'sepal_length', features: ['color', 1], encoding: 'label' });
    expect(ds.featureNames).toEqual(['color', 'sepal_width']);
    expect(ds.x.arraySync()).toEqual([
      [2, 3.5],
      [0, Math.fround(3.2)],
      [2, Math.fround(3.3)],
      [1, 3],
    ]);
    expect(ds.y!.dtype).toBe('float32');
    expect(ds.classes).toBeUndefined();
    const noLabel = await readCsv('a,b\n1,2\n3,4\n');
    expect(noLabel.y).toBeUndefined();
    expect(noLabel.get(1).length).toBe(1);
    // Integer labels are classes by default; labelType overrides.
    const ints = await readCsv('f,y\n0.5,1\n0.25,3\n', { label: 'y' });
    expect(ints.classes).toEqual([1, 3]);
    expect(ints.y!.arraySync()).toEqual([0, 1]);
    const reg = await readCsv('f,y\n0.5,1\n0.25,3\n', { label: 'y', labelType: 'regression' });
    expect(reg.y!.arraySync()).toEqual([1, 3]);
    // No header: columns by index or given names.
    const nh = await readCsv('1,2,x\n3,4,y\n', { header: false, label: 2 });
    expect(nh.featureNames).toEqual(['0', '1']);
    const named = await readCsv('1,2,x\n3,4,y\n', {
      header: false,
      columns: ['p', 'q', 'cls'],
      label: 'cls',
    });
    expect(named.classes).toEqual(['x', 'y']);
  });

  it('reports missing values by row and column, or drops / fills them', async () => {
    const text = 'a,b,c\n1,,x\n2,5,\n3,6,y\nNA,7,x\n';
    const err = await readCsv(text, { label: 'c' }).catch((e: Error) => e.message);
    expect(err).toBe(
      `readCsv: 3 missing values: row 1 (line 2) column "b"; row 2 (line 3) column "c"; row 4 (line 5) column "a". Pass missing: 'drop', 'mean' or a number to handle them`,
    );
    const dropped = await readCsv(text, { label: 'c', missing: 'drop' });
    expect(dropped.length).toBe(1);
    expect(dropped.droppedRows).toEqual([1, 2, 4]);
    expect(dropped.missing.map((m) => [m.row, m.column])).toEqual([
      [1, 'b'],
      [2, 'c'],
      [4, 'a'],
    ]);
    const mean = await readCsv(text, { label: 'c', missing: 'mean' });
    // The row with a missing label is always dropped; features are filled with column means.
    expect(mean.droppedRows).toEqual([2]);
    expect(mean.x.arraySync()).toEqual([
      [1, 6.5],
      [3, 6],
      [2, 7],
    ]);
    const zero = await readCsv(text, { label: 'c', missing: -1 });
    expect(zero.x.arraySync()).toEqual([
      [1, -1],
      [3, 6],
      [-1, 7],
    ]);
  });

  it('errors on ragged rows, unknown columns and bad values', async () => {
    await expect(readCsv('a,b\n1,2\n3\n')).rejects.toThrow(
      'readCsv: line 3 has 1 fields but there are 2 columns (a, b)',
    );
    await expect(readCsv('a,b\n1,2\n', { label: 'z' })).rejects.toThrow(
      'readCsv: label column "z" not found (columns: a, b)',
    );
    await expect(readCsv('a,a\n1,2\n')).rejects.toThrow(/column name "a" appears twice/);
    await expect(readCsv('')).rejects.toThrow('readCsv: the CSV is empty');
    await expect(readCsv('a,y\nfoo,1\n', { label: 'y', categorical: [] })).rejects.toThrow(
      'readCsv: column "a" has the non-numeric value "foo" at row 1 (line 2); list it in categorical',
    );
    await expect(readCsv('a,y\n1,cat\n', { label: 'y', labelType: 'regression' })).rejects.toThrow(
      /label column "y" has the non-numeric value "cat"/,
    );
  });

  it('reads from a file URL in chunks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-csv-'));
    try {
      const rows = [
        'x1,x2,label',
        ...Array.from({ length: 5000 }, (_, i) => `${i},"${i % 7}",${i % 2 ? 'odd' : 'even'}`),
      ];
      const file = join(dir, 'big.csv');
      writeFileSync(file, rows.join('\r\n'));
      const ds = await readCsv(pathToFileURL(file), { label: 'label' });
      expect(ds.length).toBe(5000);
      expect(ds.classes).toEqual(['even', 'odd']);
      expect(ds.get(4999)[0]!.arraySync()).toEqual([4999, 4999 % 7]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
