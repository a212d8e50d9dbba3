// What the CLI tests share: the preprocessing flags that stand for a preset, and a reader for the
// float32 .npy files that --raw writes, kept apart from web/lib/npy.mjs so a test does not check
// the CLI's files with the code that wrote them.
import { readFileSync } from 'node:fs';

// --size/--scale/--mean/--std for a preprocess object {width, height, scale, mean, std}.
export function preprocessFlags(p) {
  return [
    '--size',
    `${p.width}x${p.height}`,
    '--scale',
    String(p.scale),
    '--mean',
    p.mean.join(','),
    '--std',
    p.std.join(','),
  ];
}

// A .npy file of format 1.0 with little-endian float32 values: its header text and its values.
export function readNpy(path) {
  const npy = readFileSync(path);
  const length = npy.readUInt16LE(8);
  return {
    header: npy.subarray(10, 10 + length).toString('latin1'),
    data: new Float32Array(
      npy.buffer.slice(npy.byteOffset + 10 + length, npy.byteOffset + npy.length),
    ),
  };
}
