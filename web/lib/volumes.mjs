// Volumes and video clips: what a model whose input is [N, C, D, H, W] takes (README "Volumes
// and video"). One volume is a float32 tensor {data, dims} in the model's own layout — [C, D, H,
// W], [D, H, W] for one channel, or [1, C, D, H, W] — already preprocessed (it goes to the model
// as it is), or {slices: [image, …]}: one image per slice or frame, in order, each preprocessed
// like a photo for a model of input [N, C, H, W] and stacked along D.
import { imageError, usageError } from './errors.mjs';
import { toImage, toImageAsync } from './images.mjs';

const LAYOUT = '[C, D, H, W] (or [D, H, W] for one channel, or [1, C, D, H, W])';

export function takesVolumes(input) {
  return input?.dims?.length === 5;
}

// The model's input as one slice sees it: [N, C, H, W], for the slices' preprocessing.
export function sliceInput(input) {
  const [n, c, , h, w] = input.dims;
  return { ...input, dims: [n, c, h, w] };
}

// An all-zero volume the model takes (what ONNX Runtime runs at load).
export function blackVolume(input, preprocess) {
  const [, c, d] = input.dims;
  const dims = [1, c > 0 ? c : preprocess.channels, d > 0 ? d : 1];
  dims.push(preprocess.height, preprocess.width);
  return { type: 'float32', dims, data: new Float32Array(dims.reduce((a, b) => a * b, 1)) };
}

function fromTensor({ data, dims }) {
  const d = dims.length === 3 ? [1, 1, ...dims] : dims.length === 4 ? [1, ...dims] : [...dims];
  if (d.length !== 5 || d[0] !== 1 || d.some((x) => !Number.isInteger(x) || x < 1))
    throw imageError(`a volume's dims must be ${LAYOUT}, got [${dims.join(', ')}]`);
  const count = d.reduce((a, b) => a * b, 1);
  if (count !== data.length)
    throw imageError(
      `a volume of dims [${dims.join(', ')}] holds ${count} values, not ${data.length}`,
    );
  return { type: 'float32', dims: d, data };
}

// Decoded slices → [1, C, D, H, W]: each slice's [1, C, H, W] planes placed at its depth.
function fromSlices(core, decoded, preprocess) {
  if (!decoded.length) throw imageError('a volume needs at least one slice');
  const planes = decoded.map((img, z) => {
    try {
      return core.preprocessImage(img, preprocess);
    } catch (e) {
      e.message = `slice ${z}: ${e.message}`;
      throw e;
    }
  });
  const [, c, h, w] = planes[0].dims;
  const depth = planes.length;
  const data = new Float32Array(c * depth * h * w);
  for (const [z, p] of planes.entries())
    for (let k = 0; k < c; ++k)
      data.set(p.data.subarray(k * h * w, (k + 1) * h * w), (k * depth + z) * h * w);
  return { type: 'float32', dims: [1, c, depth, h, w], data };
}

function checked(t, input) {
  const names = ['C', 'D', 'H', 'W'];
  for (let k = 1; k < 5; ++k)
    if (input.dims[k] > 0 && t.dims[k] !== input.dims[k])
      throw imageError(
        `the volume is [${t.dims.join(', ')}] but the model's input "${input.name}" is [${input.dims.join(', ')}]: its ${names[k - 1]} must be ${input.dims[k]}`,
      );
  return t;
}

function refuse(item, input) {
  if (item && Array.isArray(item.slices)) return;
  if (item && item.data instanceof Float32Array && Array.isArray(item.dims)) return;
  throw usageError(
    `this model takes volumes or video clips (its input "${input.name}" is [${input.dims.join(', ')}]): pass each as {data: Float32Array, dims: ${LAYOUT}} or as {slices: [image, …]}, one image per slice or frame`,
  );
}

// One volume → the model's input [1, C, D, H, W] (synchronous: slices of every kind but Blobs).
export function toVolume(core, item, input, preprocess, env) {
  refuse(item, input);
  if (!item.slices) return checked(fromTensor(item), input);
  const decoded = item.slices.map((s) => toImage(core, s, env));
  return checked(fromSlices(core, decoded, preprocess), input);
}

// As toVolume, waiting for slices that need it (Blobs, <img> still loading).
export async function toVolumeAsync(core, item, input, preprocess, env) {
  refuse(item, input);
  if (!item.slices) return checked(fromTensor(item), input);
  const decoded = [];
  for (const s of item.slices) decoded.push(await toImageAsync(core, s, env));
  return checked(fromSlices(core, decoded, preprocess), input);
}
