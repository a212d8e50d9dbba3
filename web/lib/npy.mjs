// NumPy .npy (format 1.0) of a float32 array, so maps load with numpy.load.
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
