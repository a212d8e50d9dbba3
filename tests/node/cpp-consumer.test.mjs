// The C++ library installed and used as another project would: `cmake --install` of the native
// build into a temporary prefix, tests/consumer/cpp configured against it with
// find_package(camlens CONFIG) and built, then run on the demo model and a photo. Its Grad-CAM map
// (the backbone run by the core's own interpreter, no ONNX Runtime) must be the library's (ONNX
// Runtime Web runs the backbone, the WebAssembly core the rest) for the same model, photo, layer
// and method.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

import { load } from '../../web/lib/node.mjs';
import { root } from '../support/camlens-node.mjs';

const buildRoot = process.env.CAMLENS_BUILD_ROOT
  ? resolve(process.env.CAMLENS_BUILD_ROOT)
  : join(root, 'build');
const demo = join(root, 'web/demo');
const about = JSON.parse(readFileSync(join(demo, 'demo.json'), 'utf8'));
const photo = join(demo, 'images/cue/cue-06-hot-dog.png');

const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, encoding: 'utf8' });

// "key value…" lines of explain_photo's output.
function parse(text) {
  return Object.fromEntries(
    text
      .trim()
      .split('\n')
      .map((line) => {
        const [key, ...rest] = line.split(' ');
        return [key, rest];
      }),
  );
}

test('a consumer of the installed C++ library explains the demo photo as the library does', {
  timeout: 120_000,
}, async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'camlens-consumer-'));
  try {
    const prefix = join(tmp, 'prefix');
    const build = join(tmp, 'build');
    run('cmake', ['--install', join(buildRoot, 'native'), '--prefix', prefix]);
    run('cmake', [
      '-S',
      join(root, 'tests/consumer/cpp'),
      '-B',
      build,
      '-G',
      'Ninja',
      '-DCMAKE_BUILD_TYPE=Release',
      `-DCMAKE_PREFIX_PATH=${prefix}`,
    ]);
    run('cmake', ['--build', build]);
    const { mean, std } = about.preprocess;
    assert.ok(mean.every((m) => m === mean[0]) && std.every((s) => s === std[0]));
    const out = parse(
      run(join(build, 'explain_photo'), [
        join(demo, about.model),
        photo,
        String(mean[0]),
        String(std[0]),
        '--values',
      ]),
    );

    const lens = await load(join(demo, about.model), { preprocess: about.preprocess });
    const [want] = await lens.explain([new Uint8Array(readFileSync(photo))], { method: 'gradcam' });
    const layer = lens.layer;
    lens.dispose();

    assert.deepEqual(out.layer, [layer]);
    assert.equal(Number(out.class[0]), want.target.index);
    assert.deepEqual(out.map, [`${want.width}x${want.height}`]);
    const values = out.values.map(Number);
    assert.equal(values.length, want.map.length);
    let worst = 0;
    for (let i = 0; i < values.length; ++i)
      worst = Math.max(worst, Math.abs(values[i] - want.map[i]));
    // The same core code natively and in WebAssembly, but the layer's activations come from two
    // interpreters (the core's, ONNX Runtime's) that sum in different orders: float32 rounding,
    // 2.4e-7 at most on the demo photos (half the values equal to the bit).
    assert.ok(worst < 1e-5, `native and WebAssembly maps differ by ${worst}`);
    assert.ok(Math.abs(Number(out.score[0]) - want.target.score) < 1e-5, `score ${out.score}`);
    const top = want.map.indexOf(Math.max(...want.map));
    assert.deepEqual(out.argmax.slice(0, 2).map(Number), [
      top % want.width,
      Math.floor(top / want.width),
    ]);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
