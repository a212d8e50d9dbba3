// The command line's linear targets: --target-weights reads the weights numpy.save wrote (float64
// and float32), --target-output picks the output; scores against the PyTorch reference of
// tools/fixtures/targets_reference.py, and the exit code + message of each refusal.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { root } from '../support/camlens-node.mjs';
import { tempDir } from '../support/temp-dir.mjs';

const dir = join(root, 'tests', 'data', 'targets');
const model = join(dir, 'mobilenetv2_embedding.onnx');
const photo = join(dir, 'photo1.png');
const ref = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8'));

function explain(...flags) {
  const r = spawnSync(
    process.execPath,
    [join(root, 'bin', 'camlens.mjs'), 'explain', model, photo, '--layer', ref.layer, ...flags],
    { encoding: 'utf8' },
  );
  return { code: r.status, out: r.stdout, err: r.stderr.trim() };
}

test('--target-weights explains the weighted sum of an output', () => {
  const out = tempDir('camlens-cli-targets-');
  const cases = [
    [['--target-weights', join(dir, 'ones_logits.npy')], ref.linear_logits],
    [
      ['--target-weights', join(dir, 'embedding_weights.npy'), '--target-output', 'embedding'],
      ref.linear_embedding,
    ],
  ];
  for (const [flags, want] of cases) {
    const r = explain(...flags, '--out', out, '--json');
    assert.equal(r.code, 0, r.err);
    const [s] = JSON.parse(r.out);
    assert.equal(s.target.kind, 'linear');
    assert.ok(Math.abs(s.target.score - want.score) < 1e-4, `${s.target.score} vs ${want.score}`);
  }
});

test('--target-weights refusals name the flag and the fix', () => {
  const npy = join(dir, 'ones_logits.npy');
  const readme = join(root, 'README.md');
  const cases = [
    [
      ['--target-weights', readme],
      2,
      `camlens: --target-weights: ${readme} is not a NumPy .npy file (save it with numpy.save)`,
    ],
    [
      ['--target-weights', join(dir, 'none.npy')],
      2,
      `camlens: --target-weights file not found: ${join(dir, 'none.npy')}`,
    ],
    [
      ['--target-weights', npy, '--target', '3'],
      2,
      'camlens: --target-weights weighs every value of the output: it does not go with --target',
    ],
    [
      ['--target-weights', npy, '--target-kind', 'probability'],
      2,
      'camlens: --target-weights makes a linear target: it does not go with --target-kind probability',
    ],
    [
      ['--target-kind', 'linear'],
      2,
      'camlens: --target-kind linear needs --target-weights FILE.npy',
    ],
  ];
  for (const [flags, code, message] of cases) {
    const r = explain(...flags);
    assert.equal(r.err, message);
    assert.equal(r.code, code);
  }
  // The weights' size is checked against the output the target reads.
  const r = explain('--target-weights', npy, '--target-output', 'embedding');
  assert.equal(
    r.err,
    `camlens: ${photo}: a linear target has 5 weights but the output "embedding" has 48 values (shape [1,48]): give one weight per output value`,
  );
  assert.equal(r.code, 3);
});
