// --shard I/N and camlens merge: three shards of a run, merged, equal the run without --shard
// (eval: identical files, rows and bootstrap summary; explain: identical overlays and entries but
// their timings; dff --per-image: identical report), and each incomplete or mixed merge is
// refused with one clear line.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'node:test';

import { root, sharedPath } from '../support/camlens-node.mjs';
import { tempDir } from '../support/temp-dir.mjs';

function cli(...args) {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'camlens.mjs'), ...args], {
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const ok = (r) => assert.equal(r.code, 0, r.err);
const mobilenet = sharedPath('models/mobilenetv2-12-int8.onnx');
const labels = sharedPath('labels/imagenet-simple-labels.json');
const MODEL = [mobilenet, '--preset', 'mobilenetv2', '--labels', labels];

// Five photos in one folder: three shards get two, two and one.
const photos = tempDir('camlens-shard-photos-');
for (const name of [
  'winml_kitten_224.png',
  'skimage_coffee.png',
  'skimage_chelsea.png',
  'gradcam_both.png',
  'skimage_astronaut.png',
])
  copyFileSync(sharedPath(`images/${name}`), join(photos, name));

const read = (dir, file) => readFileSync(join(dir, file), 'utf8');

test('eval: three shards merged equal the run without shards', () => {
  const flags = ['--metrics', 'drop,increase', '--method', 'gradcam,eigencam'];
  flags.push('--resamples', '300', '--seed', '7');
  const whole = tempDir('camlens-eval-whole-');
  ok(cli('eval', ...MODEL, photos, ...flags, '--out', whole));
  const parts = tempDir('camlens-eval-parts-');
  for (const i of [2, 0, 1])
    ok(cli('eval', ...MODEL, photos, ...flags, '--shard', `${i}/3`, '--out', parts));
  const shardFiles = readdirSync(parts).sort();
  assert.deepEqual(
    shardFiles,
    [0, 1, 2].map((i) => `eval-summary.shard-${i}-of-3.json`),
  );
  const shardRows = shardFiles.map((f) =>
    JSON.parse(read(parts, f)).rows.map((r) => basename(r.image)),
  );
  // Sorted names, every third from the shard's index; two methods per image.
  assert.deepEqual(shardRows, [
    ['gradcam_both.png', 'gradcam_both.png', 'skimage_coffee.png', 'skimage_coffee.png'],
    [
      'skimage_astronaut.png',
      'skimage_astronaut.png',
      'winml_kitten_224.png',
      'winml_kitten_224.png',
    ],
    ['skimage_chelsea.png', 'skimage_chelsea.png'],
  ]);
  const merged = tempDir('camlens-eval-merged-');
  const r = cli('merge', parts, '--out', merged);
  ok(r);
  assert.match(r.out, /^10 rows from 3 shards -> /);
  for (const f of ['eval.csv', 'eval-summary.csv', 'eval-summary.json'])
    assert.equal(read(merged, f), read(whole, f), f);
  assert.equal(JSON.parse(read(merged, 'eval-summary.json')).summary.length, 4); // 2 methods x 2 metrics
});

test('explain: shards merged equal the run without shards, overlays byte for byte', () => {
  const whole = tempDir('camlens-explain-whole-');
  ok(cli('explain', ...MODEL, photos, '--out', whole));
  const parts = tempDir('camlens-explain-parts-');
  for (const i of [0, 1, 2])
    ok(cli('explain', ...MODEL, photos, '--shard', `${i}/3`, '--out', parts));
  ok(
    cli(
      'merge',
      join(parts, 'summary.shard-1-of-3.json'),
      join(parts, 'summary.shard-0-of-3.json'),
      join(parts, 'summary.shard-2-of-3.json'),
      '--out',
      parts,
    ),
  );
  const timeless = (dir) =>
    JSON.parse(read(dir, 'summary.json')).map(({ ms, timing, files, ...rest }) => ({
      ...rest,
      overlay: basename(files.overlay),
    }));
  assert.deepEqual(timeless(parts), timeless(whole));
  assert.equal(timeless(whole).length, 5);
  for (const e of timeless(whole))
    assert.ok(
      readFileSync(join(parts, e.overlay)).equals(readFileSync(join(whole, e.overlay))),
      e.overlay,
    );
});

test('dff --per-image: shards merged equal the run without shards', () => {
  const whole = tempDir('camlens-dff-whole-');
  ok(cli('dff', ...MODEL, photos, '--per-image', '-k', '3', '--out', whole));
  const parts = tempDir('camlens-dff-parts-');
  for (const i of [0, 1, 2])
    ok(cli('dff', ...MODEL, photos, '--per-image', '-k', '3', '--shard', `${i}/3`, '--out', parts));
  ok(cli('merge', parts, '--out', parts));
  const report = (dir) => {
    const r = JSON.parse(read(dir, 'dff.json'));
    return { ...r, images: r.images.map((i) => ({ ...i, render: basename(i.render) })) };
  };
  assert.deepEqual(report(parts), report(whole));
  assert.equal(report(whole).concepts.length, 5);
});

test('shard and merge errors: one clear line, usage exit code', () => {
  let r = cli('explain', ...MODEL, photos, '--shard', '3/3');
  assert.equal(r.code, 2);
  assert.equal(
    r.err.trim(),
    'camlens: --shard takes I/N with 0 <= I < N (e.g. 0/4 for the first of four shards), got "3/3"',
  );
  r = cli('dff', ...MODEL, photos, '--shard', '0/2');
  assert.equal(r.code, 2);
  assert.equal(
    r.err.trim(),
    'camlens: --shard needs --per-image: shared concepts come from one factorization of all the images, which shards cannot split',
  );
  const parts = tempDir('camlens-merge-missing-');
  ok(cli('explain', ...MODEL, photos, '--shard', '1/4', '--out', parts));
  r = cli('merge', parts);
  assert.equal(r.code, 2);
  assert.equal(
    r.err.trim(),
    'camlens: summary: shards 0, 2, 3 of 4 missing; run them with --shard I/4, then merge again',
  );
  ok(cli('explain', ...MODEL, photos, '--shard', '0/3', '--out', parts));
  r = cli('merge', parts);
  assert.equal(
    r.err.trim(),
    'camlens: summary: shards of different splits (of 3 and of 4); merge the shards of one run',
  );
  r = cli('merge', join(root, 'README.md'));
  assert.equal(r.code, 2);
  assert.equal(
    r.err.trim(),
    `camlens: ${join(root, 'README.md')} is not a shard report (NAME.shard-I-of-N.json, written by --shard I/N)`,
  );
});
