import { deflateRawSync, gzipSync, constants as zlibConstants } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeIdx, type IdxArray, idxToTensor, loadIdx, parseIdx } from '../src/index.js';

/** An IDX header alone: magic number with `code` and the dims. */
function idxHeader(code: number, dims: readonly number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, (code << 8) | dims.length);
  dims.forEach((d, i) => {
    dv.setUint32(4 + 4 * i, d);
  });
  return out;
}

/**
 * gzip of `prefix` then `mib` MiB of zeros, built without inflating it here: one deflate
 * segment of 1 MiB of zeros, ended by a full flush (byte-aligned, no back references across
 * it), repeated. The trailer's CRC is not computed: a reader that inflates it all fails on it.
 */
function gzipBomb(prefix: Uint8Array, mib: number): Uint8Array {
  const flush = { finishFlush: zlibConstants.Z_FULL_FLUSH };
  const first = deflateRawSync(prefix, flush);
  const zeros = deflateRawSync(new Uint8Array(2 ** 20), flush);
  const parts = [Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), first];
  for (let i = 0; i < mib; i++) parts.push(zeros);
  parts.push(Uint8Array.from([3, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
  return new Uint8Array(Buffer.concat(parts));
}

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
      'loadIdx: train-images: shape [3,2,2] of uint8 is 28 bytes, over the limit of 10 (pass a larger maxBytes to load it)',
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

  it('stops inflating a gzip bomb as soon as it passes the size its header declares', async () => {
    // 16 header bytes claiming 32 uint8 values, then 1 GiB of zeros: about 1 MB of gzip.
    const header = encodeIdx({ type: 'uint8', shape: [2, 4, 4], data: new Uint8Array(32) }).subarray(0, 16);
    const bomb = gzipBomb(header, 1024);
    expect(bomb.length).toBeLessThan(2 ** 21);
    globalThis.gc?.();
    const before = process.memoryUsage().arrayBuffers;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    }, 1);
    await expect(loadIdx(bomb, { name: 'bomb.gz' })).rejects.toThrow(
      'loadIdx: bomb.gz: decompresses to more than the 48 bytes its header declares (shape [2,4,4] of uint8): wrong dimensions in the header?',
    );
    clearInterval(sampler);
    // Before, the whole GiB was inflated (3 GB peak); now at most a few inflater chunks.
    expect(peak - before).toBeLessThan(16 * 2 ** 20);
  });

  it('refuses a header that declares more than maxBytes or than its gzip data can hold, before inflating', async () => {
    // An honest [1024,1024,1024] uint8 header (1 GiB of data): over the default 1 GiB limit.
    const big = gzipBomb(idxHeader(0x08, [1024, 1024, 1024]), 1);
    await expect(loadIdx(big, { name: 'big.gz' })).rejects.toThrow(
      'loadIdx: big.gz: shape [1024,1024,1024] of uint8 is 1073741840 bytes, over the limit of 1073741824 (pass a larger maxBytes to load it)',
    );
    // 100 MB declared by ~1 KB of gzip: impossible for deflate, so truncated without allocating.
    const liar = new Uint8Array(gzipSync(idxHeader(0x08, [100, 1000, 1000])));
    await expect(loadIdx(liar, { name: 'liar.gz' })).rejects.toThrow(
      /^loadIdx: liar\.gz: truncated: shape \[100,1000,1000\] of uint8 needs 100000016 bytes but \d+ bytes of gzip data cannot inflate to more than \d+$/,
    );
    // Within limits but short: the usual truncation message.
    const short = new Uint8Array(gzipSync(idxHeader(0x08, [3, 2, 2])));
    await expect(loadIdx(short, { name: 'short.gz' })).rejects.toThrow(
      'loadIdx: short.gz: truncated: shape [3,2,2] of uint8 needs 12 data bytes but only 0 follow the header',
    );
  });

  it('bounds what header dims can make it say and do', async () => {
    // 40 dims of 2^32-1 then a 0: the product would be NaN; a zero dim makes the array empty.
    const zero = idxHeader(0x0b, [...Array(40).fill(2 ** 32 - 1), 0]);
    const r = await loadIdx(zero, { name: 'z' });
    expect(r.data.length).toBe(0);
    expect(r.shape.length).toBe(41);
    // 255 huge dims: the message shortens the shape instead of printing all of them.
    const huge = idxHeader(0x08, Array(255).fill(2 ** 32 - 1));
    await expect(loadIdx(huge, { name: 'h' })).rejects.toThrow(
      /^loadIdx: h: truncated: shape \[(4294967295,){8}\.\.\.\] \(255 dims\) of uint8 needs Infinity data bytes but only 0 follow the header$/,
    );
  });
});
