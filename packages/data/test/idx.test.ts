import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeIdx, type IdxArray, idxToTensor, loadIdx, parseIdx } from '../src/index.js';

const images: IdxArray = {
  type: 'uint8',
  shape: [3, 2, 2],
  data: Uint8Array.from({ length: 12 }, (_, i) => i * 20),
};

describe('IDX', () => {
  it('round-trips every element type, plain and gzipped', async () => {
    const arrays: IdxArray[] = [
      images,
      { type: 'uint8', shape: [5], data: Uint8Array.from([7, 2, 1, 0, 255]) },
      { type: 'int8', shape: [2, 2], data: Int8Array.from([-128, -1, 0, 127]) },
      { type: 'int16', shape: [3], data: Int16Array.from([-32768, 258, 32767]) },
      { type: 'int32', shape: [2, 1], data: Int32Array.from([-2147483648, 16909060]) },
      { type: 'float32', shape: [2], data: Float32Array.from([1.5, -0.1]) },
      { type: 'float64', shape: [1, 1, 2], data: Float64Array.from([Math.PI, -1e300]) },
    ];
    for (const arr of arrays) {
      const bytes = encodeIdx(arr);
      for (const input of [bytes, new Uint8Array(gzipSync(bytes))]) {
        const back = await loadIdx(input, { name: arr.type });
        expect(back.type).toBe(arr.type);
        expect(back.shape).toEqual(arr.shape);
        expect(Array.from(back.data)).toEqual(Array.from(arr.data));
      }
    }
    // The header is big-endian: 0x00000803 then sizes.
    expect(Array.from(encodeIdx(images).subarray(0, 16))).toEqual([
      0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 2,
    ]);
    const t = idxToTensor(parseIdx(encodeIdx(images)));
    expect(t.dtype).toBe('int32');
    expect(t.shape).toEqual([3, 2, 2]);
    expect(idxToTensor(arrays[5]!).dtype).toBe('float32');
  });

  it('rejects corrupt files with the file name and the problem', async () => {
    const good = encodeIdx(images);
    const name = { name: 'train-images' };
    const bad = (mutate: (b: Uint8Array) => Uint8Array) => loadIdx(mutate(good.slice()), name);
    await expect(bad((b) => b.subarray(0, 3))).rejects.toThrow(
      'loadIdx: train-images: is only 3 bytes long; an IDX file starts with a 4-byte magic number',
    );
    await expect(
      bad((b) => {
        b[0] = 0x50;
        return b;
      }),
    ).rejects.toThrow(/train-images: bad magic number 0x50000803: an IDX file starts with two zero bytes/);
    await expect(
      bad((b) => {
        b[2] = 0x07;
        return b;
      }),
    ).rejects.toThrow(/bad magic number 0x00000703: unknown element type 0x07/);
    await expect(
      bad((b) => {
        b[3] = 0;
        return b;
      }),
    ).rejects.toThrow(/0 dimensions/);
    await expect(bad((b) => b.subarray(0, 10))).rejects.toThrow(
      'loadIdx: train-images: truncated header: 3 dims need 16 header bytes but the file has 10',
    );
    await expect(bad((b) => b.subarray(0, b.length - 1))).rejects.toThrow(
      'loadIdx: train-images: truncated: shape [3,2,2] of uint8 needs 12 data bytes but only 11 follow the header',
    );
    await expect(
      bad((b) => {
        b[7] = 4; // claims 4 images, has 3
        return b;
      }),
    ).rejects.toThrow(/truncated: shape \[4,2,2\] of uint8 needs 16 data bytes but only 12/);
    await expect(
      bad((b) => {
        b[7] = 2; // claims 2 images, has 3
        return b;
      }),
    ).rejects.toThrow(
      /4 unexpected bytes after the data of shape \[2,2,2\] \(uint8\): wrong dimensions in the header\?/,
    );
    await expect(loadIdx(good, { name: 'labels', expect: { type: 'uint8', ndim: 1 } })).rejects.toThrow(
      'loadIdx: labels: magic number 0x00000803 (uint8, 3 dims) but expected 0x00000801 (uint8, 1 dims)',
    );
    const gz = new Uint8Array(gzipSync(good));
    await expect(loadIdx(gz.subarray(0, gz.length - 10), name)).rejects.toThrow(
      /loadIdx: train-images: corrupt or truncated gzip data/,
    );
    await expect(loadIdx(gz, { ...name, maxBytes: 10 })).rejects.toThrow(
      /decompresses to more than 10 bytes/,
    );
    expect(() => parseIdx(gz, name)).toThrow(/is gzip-compressed; use the async loadIdx/);
    await expect(loadIdx('nope' as never)).rejects.toThrow(
      /expected the file's bytes as a Uint8Array or ArrayBuffer, got the string "nope"/,
    );
    // Huge sizes in the header are caught before allocating anything.
    const huge = good.slice();
    huge.set([255, 255, 255, 255], 4);
    await expect(loadIdx(huge, name)).rejects.toThrow(/truncated: shape \[4294967295,2,2\]/);
  });

  it('fuzz: random and mutated bytes only ever give a result or a clean Error', async () => {
    const seeds = [
      encodeIdx(images),
      new Uint8Array(gzipSync(encodeIdx(images))),
      encodeIdx({ type: 'float64', shape: [2], data: Float64Array.from([1, 2]) }),
    ];
    const mutated = fc
      .tuple(
        fc.constantFrom(...seeds),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        fc.option(fc.nat(), { nil: undefined }),
      )
      .map(([seed, edits, cut]) => {
        const b = seed.slice();
        for (const [at, v] of edits) b[at % b.length] = v;
        return cut === undefined ? b : b.subarray(0, cut % (b.length + 1));
      });
    const random = fc.uint8Array({ maxLength: 64 });
    const gzipPrefixed = fc.uint8Array({ maxLength: 64 }).map((b) => Uint8Array.from([0x1f, 0x8b, ...b]));
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutated, random, gzipPrefixed), async (bytes) => {
        try {
          const r = await loadIdx(bytes, { name: 'fuzz', maxBytes: 1 << 20 });
          expect(r.data.length).toBe(r.shape.reduce((a, b) => a * b, 1));
        } catch (e) {
          expect(e).toBeInstanceOf(Error);
          expect((e as Error).message).toMatch(/^loadIdx: fuzz: /);
        }
      }),
      { numRuns: 400, seed: 20240601 },
    );
  });
});
