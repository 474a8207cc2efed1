import { type Tensor, tensor } from '@tessera/tensor';
import { describeValue } from '../random.js';

/** Pixels in the layout of the DOM's ImageData: RGBA bytes, row-major. */
export interface ImageDataLike {
  readonly data: Uint8ClampedArray | Uint8Array;
  readonly width: number;
  readonly height: number;
}

/**
 * A drawable browser image: an ImageBitmap, an <img>, an HTMLCanvasElement or an OffscreenCanvas.
 * Written structurally so that the package's types need no DOM lib (a Node project compiles them).
 */
export interface DrawableImageLike {
  readonly width: number;
  readonly height: number;
  /** An <img>'s intrinsic size, used when set. */
  readonly naturalWidth?: number;
  readonly naturalHeight?: number;
}

/** What `imageToTensor` reads: ImageData (or the same shape), an ImageBitmap, an <img>, or a canvas. */
export type ImageSource = ImageDataLike | DrawableImageLike;

/** Options of `imageToTensor`. */
export interface ImageToTensorOptions {
  /** 1 (greyscale, ITU-R 601 luma as PIL's 'L'), 3 (RGB, default) or 4 (RGBA). */
  channels?: 1 | 3 | 4;
  /** Resize to [height, width] while drawing (canvas sources only; default: natural size). */
  size?: readonly [number, number];
}

function isImageDataLike(x: unknown): x is ImageDataLike {
  const o = x as ImageDataLike;
  return (
    o !== null &&
    typeof o === 'object' &&
    (o.data instanceof Uint8ClampedArray || o.data instanceof Uint8Array) &&
    Number.isInteger(o.width) &&
    Number.isInteger(o.height)
  );
}

/** Reads pixels of a drawable source through a (Offscreen)canvas. */
function drawToImageData(
  source: CanvasImageSource,
  size: readonly [number, number] | undefined,
): ImageDataLike {
  const s = source as { naturalWidth?: number; naturalHeight?: number; width: number; height: number };
  const w = size?.[1] ?? (s.naturalWidth || s.width);
  const h = size?.[0] ?? (s.naturalHeight || s.height);
  if (!(w > 0 && h > 0))
    throw new RangeError(`imageToTensor: the image has size ${w}x${h}; is it loaded (await img.decode())?`);
  let ctx: OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D | null = null;
  if (typeof OffscreenCanvas === 'function') ctx = new OffscreenCanvas(w, h).getContext('2d');
  else if (typeof document !== 'undefined') {
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    ctx = canvas.getContext('2d');
  }
  if (ctx === null)
    throw new Error(
      'imageToTensor: needs a browser canvas (OffscreenCanvas or document) to read this image; pass ImageData instead',
    );
  ctx.drawImage(source, 0, 0, w, h);
  return ctx.getImageData(0, 0, w, h);
}

/**
 * Converts an image to a float32 tensor [C, H, W] with values in [0, 1] (torchvision's
 * ToTensor). Accepts ImageData or any object of its shape ({ data: RGBA bytes, width, height }),
 * or, in browsers, an ImageBitmap, HTMLImageElement, HTMLCanvasElement or OffscreenCanvas.
 */
export function imageToTensor(source: ImageSource, opts: ImageToTensorOptions = {}): Tensor {
  const channels = opts.channels ?? 3;
  if (channels !== 1 && channels !== 3 && channels !== 4)
    throw new RangeError(`imageToTensor: channels must be 1, 3 or 4, got ${String(channels)}`);
  let img: ImageDataLike;
  if (isImageDataLike(source)) {
    if (opts.size !== undefined)
      throw new RangeError(
        'imageToTensor: size (resizing) needs a drawable source, not ImageData; use the resize transform',
      );
    img = source;
  } else if (source !== null && typeof source === 'object' && 'width' in source && 'height' in source) {
    img = drawToImageData(source as CanvasImageSource, opts.size);
  } else {
    throw new TypeError(
      `imageToTensor: expected ImageData, an ImageBitmap, an image or a canvas, got ${describeValue(source)}`,
    );
  }
  const { data, width: w, height: h } = img;
  const plane = w * h;
  if (data.length !== 4 * plane)
    throw new RangeError(`imageToTensor: ${w}x${h} RGBA pixels need ${4 * plane} bytes, got ${data.length}`);
  const out = new Float32Array(channels * plane);
  const k = 1 / 255;
  if (channels === 1) {
    for (let i = 0; i < plane; i++) {
      out[i] = (0.299 * data[4 * i]! + 0.587 * data[4 * i + 1]! + 0.114 * data[4 * i + 2]!) * k;
    }
  } else {
    for (let c = 0; c < channels; c++) {
      const o = c * plane;
      for (let i = 0; i < plane; i++) out[o + i] = data[4 * i + c]! * k;
    }
  }
  return tensor(out, { shape: [channels, h, w] });
}

/**
 * Fetches and decodes an image (browsers: `fetch` + `createImageBitmap`) into a tensor
 * [C, H, W] in [0, 1]; see `imageToTensor` for options.
 */
export async function loadImage(url: string | URL, opts: ImageToTensorOptions = {}): Promise<Tensor> {
  if (typeof createImageBitmap !== 'function') {
    throw new Error(
      'loadImage: needs a browser (createImageBitmap); in Node decode the image yourself and pass { data, width, height } to imageToTensor',
    );
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error(`loadImage: GET ${String(url)} failed with HTTP ${res.status}`);
  const bitmap = await createImageBitmap(await res.blob());
  try {
    return imageToTensor(bitmap, opts);
  } finally {
    bitmap.close();
  }
}
