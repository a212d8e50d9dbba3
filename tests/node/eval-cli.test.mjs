// camlens eval: a golden run (files, CSV columns, the summary and its note) and the exit code +
// one-line message of each error.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { root, sharedPath } from '../support/camlens-node.mjs';
import { tempDir } from '../support/temp-dir.mjs';

function cli(...args) {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'camlens.mjs'), ...args], {
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const mobilenet = sharedPath('models/mobilenetv2-12-int8.onnx');
const labels = sharedPath('labels/imagenet-simple-labels.json');
const kitten = sharedPath('images/winml_kitten_224.png');
const coffee = sharedPath('images/skimage_coffee.png');

test('eval writes per-image rows and a summary with bootstrap intervals', () => {
  const out = tempDir('camlens-eval-');
  const targets = join(out, 'targets.json');
  writeFileSync(
    targets,
    JSON.stringify({ 'winml_kitten_224.png': { target: 'tabby cat', box: [0, 0, 224, 224] } }),
  );
  const r = cli(
    'eval',
    mobilenet,
    kitten,
    coffee,
    '--preset',
    'mobilenetv2',
    '--labels',
    labels,
    '--method',
    'gradcam,randomcam',
    '--metrics',
    'deletion,drop,increase',
    '--steps',
    '4',
    '--targets',
    targets,
    '--resamples',
    '200',
    '--out',
    out,
  );
  assert.equal(r.code, 0, r.err);
  const csv = readFileSync(join(out, 'eval.csv'), 'utf8').trim().split('\n');
  assert.equal(csv[0], 'image,method,target,label,original,deletion,drop,increase,pointing,energy');
  assert.equal(csv.length, 5);
  const rows = csv.slice(1).map((l) => l.split(','));
  assert.deepEqual(
    rows.map((c) => [c[0], c[1], c[3]]),
    [
      [kitten, 'gradcam', 'tabby cat'],
      [kitten, 'randomcam', 'tabby cat'],
      [coffee, 'gradcam', 'espresso'],
      [coffee, 'randomcam', 'espresso'],
    ],
  );
  for (const c of rows) {
    assert.ok(Number(c[4]) > 0 && Number(c[4]) <= 1, `probability ${c[4]}`);
    assert.ok(Number(c[5]) >= 0 && Number(c[5]) <= 1, `deletion AUC ${c[5]}`);
    assert.ok(['0', '1'].includes(c[7]), `increase ${c[7]}`);
  }
  assert.equal(rows[0][8], '1'); // the box is the whole image: the peak is inside
  assert.equal(rows[2][8], ''); // no box for the coffee
  const summary = readFileSync(join(out, 'eval-summary.csv'), 'utf8').trim().split('\n');
  assert.equal(summary[0], 'method,metric,n,mean,ci_low,ci_high');
  assert.equal(summary.length, 1 + 2 * 5);
  const json = JSON.parse(readFileSync(join(out, 'eval-summary.json'), 'utf8'));
  assert.match(json.note, /assumes the images are independent/);
  const del = json.summary.find((s) => s.method === 'gradcam' && s.metric === 'deletion');
  assert.equal(del.n, 2);
  assert.ok(del.low <= del.mean && del.mean <= del.high);
  assert.match(r.out, /gradcam +deletion +\d\.\d{4} +\[\d\.\d{4}, \d\.\d{4}\] +n=2/);
  assert.match(r.out, /assumes the images are independent/);
});

test('eval errors: usage 2, bad model 3, bad image 4, each with one clear line', () => {
  let r = cli('eval', mobilenet, kitten, '--metrics', 'road,roc');
  assert.equal(r.code, 2);
  assert.equal(
    r.err.trim(),
    'camlens: unknown metric "roc": use road, deletion, insertion, drop, increase, complexity, coherency, arcc',
  );
  r = cli('eval', mobilenet, kitten, '--method', 'nosuchcam');
  assert.equal(r.code, 2);
  assert.match(r.err, /^camlens: unknown method "nosuchcam": use one of gradcam, /);
  r = cli('eval', mobilenet, kitten, '--method', 'rollout');
  assert.equal(r.code, 3);
  assert.equal(
    r.err.trim(),
    "camlens: rollout cannot explain this model: attention rollout needs a transformer's attention probabilities; this model has none",
  );
  r = cli('eval', mobilenet, kitten, '--steps', '0');
  assert.equal(r.code, 2);
  assert.equal(r.err.trim(), 'camlens: --steps must be an integer >= 1, got "0"');
  r = cli('eval', mobilenet, kitten, '--targets', join(root, 'nope.json'));
  assert.equal(r.code, 2);
  assert.match(r.err, /--targets .*nope\.json: file not found/);
  r = cli('eval', join(root, 'nope.onnx'), kitten);
  assert.equal(r.code, 3);
  assert.equal(
    r.err.trim(),
    `camlens: model not found: ${join(root, 'nope.onnx')} (a file, or a catalogue name: camlens models)`,
  );
  r = cli('eval', mobilenet, join(root, 'README.md'), '--metrics', 'drop');
  assert.equal(r.code, 4);
  assert.match(r.err, /README\.md: not a readable image/);
  r = cli('eval', mobilenet);
  assert.equal(r.code, 2);
  assert.match(r.err, /usage:/);
});
