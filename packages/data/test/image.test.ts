import { describe, expect, it } from 'vitest';
import { imageToTensor, loadImage } from '../src/index.js';

describe('imageToTensor', () => {
  // A 2x1 RGBA image: a red pixel and a half-grey pixel.
  const img = { data: new Uint8ClampedArray([255, 0, 0, 255, 128, 128, 128, 0]), width: 2, height: 1 };

  it('converts ImageData-shaped objects to [C,H,W] in [0, 1]', () => {
    const rgb = imageToTensor(img);
    expect(rgb.shape).toEqual([3, 1, 2]);
    expect(rgb.dtype).toBe('float32');
    const v = rgb.arraySync() as number[][][];
    expect(v[0]![0]![0]).toBe(1);
    expect(v[1]![0]![0]).toBe(0);
    expect(v[2]![0]![1]).toBeCloseTo(128 / 255, 6);
    const rgba = imageToTensor(img, { channels: 4 });
    expect(rgba.shape).toEqual([4, 1, 2]);
    expect((rgba.arraySync() as number[][][])[3]![0]).toEqual([1, 0]);
    const grey = imageToTensor(img, { channels: 1 });
    expect(grey.shape).toEqual([1, 1, 2]);
    expect((grey.arraySync() as number[][][])[0]![0]![0]).toBeCloseTo(0.299, 5);
  });

  it('errors clearly outside the browser and on bad input', async () => {
    expect(() => imageToTensor({ data: new Uint8ClampedArray(3), width: 1, height: 1 })).toThrow(
      'imageToTensor: 1x1 RGBA pixels need 4 bytes, got 3',
    );
    expect(() => imageToTensor(42 as never)).toThrow(
      /expected ImageData, an ImageBitmap, an image or a canvas, got number 42/,
    );
    expect(() => imageToTensor(img, { channels: 2 as never })).toThrow(/channels must be 1, 3 or 4/);
    expect(() => imageToTensor({ width: 3, height: 3 } as never)).toThrow(/needs a browser canvas/);
    await expect(loadImage('https://example.test/a.png')).rejects.toThrow(
      /loadImage: needs a browser \(createImageBitmap\)/,
    );
  });
});
