import { load, loadSafetensors, save } from '@tessera/nn';
import { tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';

/** Builds a safetensors file by hand, byte by byte, from the format specification. */
function handMade(headerJson: string, data: number[]): Uint8Array {
  const header = new TextEncoder().encode(headerJson);
  const out = new Uint8Array(8 + header.length + data.length);
  let n = header.length;
  for (let i = 0; i < 8; i++) {
    out[i] = n & 0xff;
    n = Math.floor(n / 256);
  }
  out.set(header, 8);
  out.set(data, 8 + header.length);
  return out;
}

describe('safetensors', () => {
  it('round-trips every dtype with metadata', () => {
    const dict = {
      w: tensor([
        [1.5, -2],
        [3, 4.25],
      ]),
      d: tensor([1e-300, 2], { dtype: 'float64' }),
      i: tensor([1, -2, 3]),
      b: tensor([true, false]),
      s: tensor(7.5),
    };
    const bytes = save(dict, { format: 'pt' });
    const back = loadSafetensors(bytes);
    expect(back.metadata).toEqual({ format: 'pt' });
    for (const [k, t] of Object.entries(dict)) {
      expect(back.tensors[k]!.dtype).toBe(t.dtype);
      expect(back.tensors[k]!.shape).toEqual(t.shape);
      expect(back.tensors[k]!.arraySync()).toEqual(t.arraySync());
    }
    // Header is padded so data starts 8-byte aligned.
    const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + headerLen) % 8).toBe(0);
  });

  it('decodes a file written byte by byte from the specification', () => {
    // F32 [2] = [1.0, -2.0] little endian; I64 [1] = [5]; F16 [1] = [1.5]; BF16 [1] = [-3.0]
    const f32 = [0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0];
    const i64 = [5, 0, 0, 0, 0, 0, 0, 0];
    const f16 = [0x00, 0x3e];
    const bf16 = [0x40, 0xc0];
    const header =
      '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},' +
      '"n":{"dtype":"I64","shape":[1],"data_offsets":[8,16]},' +
      '"h":{"dtype":"F16","shape":[1],"data_offsets":[16,18]},' +
      '"g":{"dtype":"BF16","shape":[],"data_offsets":[18,20]},' +
      '"__metadata__":{"k":"v"}}';
    const file = loadSafetensors(handMade(header, [...f32, ...i64, ...f16, ...bf16]));
    expect(file.tensors.a!.arraySync()).toEqual([1, -2]);
    expect(file.tensors.n!.dtype).toBe('int32');
    expect(file.tensors.n!.arraySync()).toEqual([5]);
    expect(file.tensors.h!.arraySync()).toEqual([1.5]);
    expect(file.tensors.g!.arraySync()).toEqual(-3);
    expect(file.metadata).toEqual({ k: 'v' });
  });

  const ok = '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
  it.each([
    ['truncated length', new Uint8Array([1, 2, 3]), /shorter than the 8-byte header length/],
    ['header past end', handMade(ok, [0, 0, 0, 0]).subarray(0, 20), /runs past the end/],
    ['missing data', handMade(ok, [0, 0, 0, 0]), /outside the 4 data bytes/],
    [
      'overlap',
      handMade(
        '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}}',
        [0, 0, 0, 0, 0, 0],
      ),
      /overlaps/,
    ],
    [
      'size mismatch',
      handMade('{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', [0, 0, 0, 0, 0, 0, 0, 0]),
      /needs 12/,
    ],
    [
      'hole',
      handMade('{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', [0, 0, 0, 0, 0, 0, 0, 0]),
      /hole/,
    ],
    [
      'bad dtype',
      handMade('{"a":{"dtype":"Q7","shape":[1],"data_offsets":[0,1]}}', [0]),
      /unsupported dtype/,
    ],
    ['not json', handMade('{nope', []), /not valid UTF-8 JSON/],
  ])('rejects %s', (_name, bytes, msg) => {
    expect(() => load(bytes)).toThrow(msg);
  });

  it('rejects an oversize header without allocating it', () => {
    const bytes = new Uint8Array(16);
    new DataView(bytes.buffer).setBigUint64(0, 2n ** 62n, true);
    expect(() => load(bytes)).toThrow(/exceeds the 100000000-byte limit/);
  });
});

describe('safetensors with modules', () => {
  it('round-trips a model: save, load into a fresh one, same outputs', async () => {
    const { BatchNorm1d, LSTM, Linear, Module, loadFile, saveFile } = await import('@tessera/nn');
    const { manualSeed, randn } = await import('@tessera/tensor');
    class Net extends Module {
      lstm = new LSTM(3, 4, { batchFirst: true });
      bn = new BatchNorm1d(4);
      fc = new Linear(4, 2);
      forward(x: import('@tessera/tensor').Tensor) {
        const [out] = this.lstm.call(x);
        return this.fc.call(this.bn.call(out.select(1, -1)));
      }
    }
    manualSeed(1);
    const a = new Net();
    a.call(randn([5, 6, 3])); // updates the batch-norm running statistics
    a.eval();
    manualSeed(2);
    const b = new Net();
    b.eval();
    const x = randn([2, 6, 3]);
    expect(b.call(x).arraySync()).not.toEqual(a.call(x).arraySync());
    const bytes = save(a, { framework: 'tessera' });
    const file = loadSafetensors(bytes);
    expect(Object.keys(file.tensors)).toEqual(Object.keys(a.stateDict()));
    expect(file.tensors['bn.num_batches_tracked']!.arraySync()).toBe(1);
    b.loadStateDict(file.tensors);
    expect(b.call(x).arraySync()).toEqual(a.call(x).arraySync());
    // Through a file on disk too.
    const { mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const path = join(mkdtempSync(join(tmpdir(), 'tessera-nn-')), 'net.safetensors');
    await saveFile(path, a);
    const c = new Net();
    c.eval();
    c.loadStateDict(await loadFile(path));
    expect(c.call(x).arraySync()).toEqual(a.call(x).arraySync());
  });
});

describe('safetensors under hostile headers', () => {
  const entry = (shape: number[], bytes: number) =>
    `{"dtype":"U8","shape":[${shape.join(',')}],"data_offsets":[0,${bytes}]}`;

  it('rejects a header nested 5,000 deep with a short message (no stack overflow)', () => {
    const deep = `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    let msg = '';
    try {
      load(handMade(deep, []));
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/nests deeper than 3 levels/);
    expect(msg.length).toBeLessThan(200);
  });

  it('keeps a tensor named __proto__ as an ordinary entry (null-prototype result)', () => {
    const bytes = handMade(
      `{"__proto__":${entry([2], 2)},"b":{"dtype":"U8","shape":[1],"data_offsets":[2,3]}}`,
      [1, 2, 3],
    );
    const file = loadSafetensors(bytes);
    expect(Object.keys(file.tensors)).toEqual(['__proto__', 'b']);
    expect(Object.getPrototypeOf(file.tensors)).toBeNull();
    expect(Object.hasOwn(file.tensors, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(file.tensors, '__proto__')?.value.arraySync()).toEqual([1, 2]);
    // And it round-trips through save.
    const again = loadSafetensors(save(file.tensors));
    expect(Object.keys(again.tensors)).toEqual(['__proto__', 'b']);
  });

  it('rejects a rank over 64 before parsing the header', () => {
    const shape = new Array(100_000).fill(1);
    expect(() => load(handMade(`{"a":${entry(shape, 1)}}`, [0]))).toThrow(/array longer than 64 elements/);
    expect(() => load(handMade(`{"a":${entry(new Array(64).fill(1), 1)}}`, [0]))).not.toThrow();
  });

  it('rejects more than 8,192 entries before parsing the header, unless maxEntries allows more', () => {
    const parts: string[] = [];
    for (let i = 0; i <= 8192; i++) parts.push(`"t${i}":${entry([0], 0)}`);
    const bytes = handMade(`{${parts.join(',')}}`, []);
    expect(() => load(bytes)).toThrow(/more than 8192 entries/);
    expect(Object.keys(loadSafetensors(bytes, 'big', { maxEntries: 10_000 }).tensors)).toHaveLength(8193);
    expect(() => loadSafetensors(bytes, 'big', { maxEntries: -1 })).toThrow(
      /maxEntries must be a non-negative integer/,
    );
    expect(() => loadSafetensors(bytes, 'big', { max_entries: 9000 } as never)).toThrow(
      "load: unknown option 'max_entries', did you mean 'maxEntries'?",
    );
  });

  it('echoes at most a few dozen characters of a long metadata key, name or dtype', () => {
    const long = 'x'.repeat(1_000_000);
    const cases = [
      `{"__metadata__":{"${long}":1}}`,
      `{"${long}":{"dtype":"F32"}}`,
      `{"a":{"dtype":"${long}","shape":[],"data_offsets":[0,0]}}`,
      `{"a":{"dtype":"F32","shape":"${long}","data_offsets":[0,0]}}`,
    ];
    for (const header of cases) {
      let msg = '';
      try {
        load(handMade(header, []));
      } catch (e) {
        msg = (e as Error).message;
      }
      expect(msg).toMatch(/not a valid safetensors file/);
      expect(msg.length).toBeLessThan(300);
    }
  });

  it('rejects a shape whose element count passes 2^53 without losing precision', () => {
    expect(() => load(handMade(`{"a":${entry([2 ** 40, 2 ** 40], 0)}}`, []))).toThrow(
      /needs more than 2\^53/,
    );
  });
});
