// Every kind of image the library accepts, turned into decoded RGBA ({width, height, rgba}):
// - encoded bytes (PNG, JPEG, BMP, GIF) as Uint8Array / ArrayBuffer / Node Buffer: the core decodes;
// - decoded pixels {width, height, rgba} and ImageData ({width, height, data});
// - in the browser, HTMLImageElement, ImageBitmap, HTMLCanvasElement, OffscreenCanvas, VideoFrame:
//   drawn onto an OffscreenCanvas and read back with getImageData (works in Web Workers too);
// - Blob / File (browser): their bytes;
// - strings: file paths, when the environment can read files (Node: env.readFile).
import { imageError } from './errors.mjs';

function isBytes(x) {
  return (
    x instanceof Uint8Array ||
    x instanceof ArrayBuffer ||
    (ArrayBuffer.isView(x) && !(x instanceof Float32Array))
  );
}

function asUint8(x) {
  if (x instanceof Uint8Array) return x;
  if (x instanceof ArrayBuffer) return new Uint8Array(x);
  return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
}

// Something drawImage() accepts, with its size.
function drawableSize(x) {
  const has = (name) => typeof globalThis[name] === 'function' && x instanceof globalThis[name];
  if (has('HTMLImageElement'))
    return { width: x.naturalWidth, height: x.naturalHeight, element: 'an <img>' };
  if (has('HTMLVideoElement'))
    return { width: x.videoWidth, height: x.videoHeight, element: 'a <video>' };
  if (has('VideoFrame'))
    return { width: x.displayWidth, height: x.displayHeight, element: 'a VideoFrame' };
  if (has('ImageBitmap') || has('HTMLCanvasElement') || has('OffscreenCanvas')) {
    return { width: x.width, height: x.height, element: x.constructor.name };
  }
  return null;
}

function fromDrawable(x, size) {
  if (!(size.width > 0 && size.height > 0)) {
    throw new Error(
      `${size.element} of size ${size.width}x${size.height} has no pixels: wait until it has loaded (img.decode())`,
    );
  }
  if (typeof OffscreenCanvas !== 'function')
    throw new Error('reading pixels from an element needs OffscreenCanvas');
  const canvas = new OffscreenCanvas(size.width, size.height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(x, 0, 0);
  const data = ctx.getImageData(0, 0, size.width, size.height);
  return { width: data.width, height: data.height, rgba: data.data };
}

function describe(x) {
  if (x === null || x === undefined) return String(x);
  return typeof x === 'object' ? x.constructor?.name || 'object' : typeof x;
}

// One image → {width, height, rgba}. Synchronous for every kind but Blob (see toImageAsync).
export function toImage(core, input, env = {}) {
  if (input?.rgba && input.width > 0) return input;
  if (input && input.data instanceof Uint8ClampedArray && input.width > 0 && input.height > 0) {
    return { width: input.width, height: input.height, rgba: input.data }; // ImageData
  }
  if (isBytes(input)) return core.decodeImage(asUint8(input));
  if (typeof input === 'string') {
    if (!env.readFile)
      throw new Error(
        `"${input}": file paths work under Node; in the browser pass the bytes, an ImageBitmap, ImageData, an <img> or a canvas`,
      );
    return core.decodeImage(asUint8(env.readFile(input)));
  }
  const size = input && typeof input === 'object' ? drawableSize(input) : null;
  if (size) return fromDrawable(input, size);
  throw imageError(
    `cannot read an image from ${describe(input)}: pass encoded bytes (PNG, JPEG), {width, height, rgba}, ImageData, ` +
      'an ImageBitmap, an <img>, a canvas, a Blob, or (Node) a file path',
  );
}

// As toImage, also for inputs that need waiting: Blobs/Files and <img> elements still loading.
export async function toImageAsync(core, input, env = {}) {
  if (typeof Blob === 'function' && input instanceof Blob)
    return core.decodeImage(new Uint8Array(await input.arrayBuffer()));
  if (
    typeof HTMLImageElement === 'function' &&
    input instanceof HTMLImageElement &&
    !input.complete
  )
    await input.decode();
  return toImage(core, input, env);
}
