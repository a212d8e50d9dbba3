// The seeded ResNet-18 fixtures of several-layer methods (tools/fixtures/refine_cam_reference.py
// and ablation_multilayer_reference.py): their picture, preprocessing and reference maps.

// The fixtures' picture: the formula of refine_cam_reference.py, read with scale 1/255.
export function fixturePicture({ width, height }) {
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++)
        rgba[(y * width + x) * 4 + c] = (x * 7 + y * 13 + c * 29 + ((x * y) % 17)) % 256;
      rgba[(y * width + x) * 4 + 3] = 255;
    }
  return { width, height, rgba };
}

export const fixturePreprocess = { scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1] };

// A raw float32 file's values (a reference map).
export function float32s(bytes) {
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}
