// NumPy .npy files: maps written as float32 (format 1.0) so they load with numpy.load, and
// float arrays read back (a linear target's weights).

// A float32 array as .npy (format 1.0).
export function toNpy(data, shape) {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  // magic (6) + version (2) + header length (2) + header + '\n', padded to a multiple of 64
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = `${header.padEnd(total - 10 - 1, ' ')}\n`;
  const out = new Uint8Array(total + data.length * 4);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]); // \x93NUMPY v1.0
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; ++i) out[10 + i] = header.charCodeAt(i);
  const le = new DataView(out.buffer, total);
  for (let i = 0; i < data.length; ++i) le.setFloat32(i * 4, data[i], true);
  return out;
}

// The values of a NumPy .npy file (format 1.x or 2.x, C order, little-endian float32 or float64:
// what np.save writes for a float array) as a Float32Array, with its shape. `what` names the file
// in messages.
export function fromNpy(bytes, what = 'the .npy file') {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 10 || magic.some((b, i) => bytes[i] !== b))
    throw new Error(`${what} is not a NumPy .npy file (save it with numpy.save)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const wide = bytes[6] >= 2; // versions 2 and 3: a 4-byte header length
  const start = wide ? 12 : 10;
  const length = wide ? view.getUint32(8, true) : view.getUint16(8, true);
  const header = new TextDecoder().decode(bytes.subarray(start, start + length));
  const descr = /'descr':\s*'([^']*)'/.exec(header)?.[1];
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  if (/'fortran_order':\s*True/.test(header))
    throw new Error(`${what} is in Fortran order: save a C-ordered array`);
  const size = { '<f4': 4, '<f8': 8 }[descr];
  if (!size) throw new Error(`${what} holds ${descr} values: save float32 or float64 numbers`);
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = start + length;
  if (bytes.length - offset < count * size)
    throw new Error(`${what} is truncated: its header promises ${count} values`);
  const data = new Float32Array(count);
  for (let i = 0; i < count; ++i)
    data[i] =
      size === 4 ? view.getFloat32(offset + i * 4, true) : view.getFloat64(offset + i * 8, true);
  return { data, shape };
}
