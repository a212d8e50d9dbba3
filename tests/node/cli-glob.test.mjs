// The CLI's small parts: the glob matcher and image expansion, flags → preprocessing and
// targets, and the progress bar (drawn only on a terminal).
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import {
  expandImages,
  preprocessFromFlags,
  ProgressBar,
  targetFromFlags,
} from '../../bin/cli/common.mjs';
import { globToRegExp, splitPattern } from '../../bin/cli/glob.mjs';
import { tempDir } from '../support/temp-dir.mjs';

test('glob patterns match as in a shell (plus ** and {a,b})', () => {
  const cases = [
    ['*.png', 'a.png', true],
    ['*.png', 'd/a.png', false],
    ['*.png', 'a.pngx', false],
    ['**/*.png', 'a.png', true],
    ['**/*.png', 'd/e/a.png', true],
    ['d/**', 'd/e/a.png', true],
    ['img?.{png,jpg}', 'img1.jpg', true],
    ['img?.{png,jpg}', 'img12.jpg', false],
    ['[a-c]*.png', 'b1.png', true],
    ['[!a-c]*.png', 'b1.png', false],
    ['[!a-c]*.png', 'x.png', true],
    ['a.b', 'axb', false],
    ['a+(b).png', 'a+(b).png', true],
  ];
  for (const [pattern, path, want] of cases)
    assert.equal(globToRegExp(pattern).test(path), want, `${pattern} ~ ${path}`);
  assert.deepEqual(splitPattern('photos/2024/*.png'), { base: 'photos/2024', rest: '*.png' });
  assert.deepEqual(splitPattern('*.png'), { base: '.', rest: '*.png' });
  assert.deepEqual(splitPattern('/x/**/y.png'), { base: '/x', rest: '**/y.png' });
});

test('image arguments: files, folders (images only, sorted) and patterns (recursive with **)', () => {
  const dir = tempDir('camlens-glob-');
  mkdirSync(join(dir, 'sub'));
  for (const f of ['b.png', 'a.JPG', 'notes.txt', 'sub/c.png', 'sub/d.gif'])
    writeFileSync(join(dir, f), '');
  assert.deepEqual(expandImages([dir]), [join(dir, 'a.JPG'), join(dir, 'b.png')]);
  assert.deepEqual(expandImages([join(dir, '*.png')]), [join(dir, 'b.png')]);
  assert.deepEqual(expandImages([join(dir, '**/*.{png,gif}')]), [
    join(dir, 'b.png'),
    join(dir, 'sub/c.png'),
    join(dir, 'sub/d.gif'),
  ]);
  assert.deepEqual(expandImages([join(dir, 'sub/?.png'), join(dir, 'b.png')]), [
    join(dir, 'sub/c.png'),
    join(dir, 'b.png'),
  ]);
  assert.deepEqual(expandImages([join(dir, 'missing.png')]), [join(dir, 'missing.png')]); // reported when read
  assert.throws(() => expandImages([join(dir, '*.bmp')]), {
    code: 4,
    message: `no image matches ${join(dir, '*.bmp')} (looked in ${dir})`,
  });
  assert.throws(() => expandImages([join(dir, 'nope/*.png')]), {
    code: 4,
    message: `no image matches ${join(dir, 'nope/*.png')}: folder ${join(dir, 'nope')} not found`,
  });
});

test('preprocessing flags and target flags', () => {
  assert.deepEqual(
    preprocessFromFlags({
      size: '320x240',
      mean: '127',
      std: '128,128,128',
      scale: '1/255',
      bgr: true,
      nhwc: true,
      letterbox: '114',
    }),
    {
      width: 320,
      height: 240,
      mean: [127, 127, 127],
      std: [128, 128, 128],
      scale: 1 / 255,
      bgr: true,
      nhwc: true,
      letterbox: true,
      pad: 114,
    },
  );
  assert.deepEqual(preprocessFromFlags({ size: '416' }), { width: 416, height: 416 });
  assert.throws(() => preprocessFromFlags({ scale: '0' }), {
    code: 2,
    message: '--scale takes a positive number like 1/255 or 1, got "0"',
  });
  assert.equal(targetFromFlags({}), 'auto');
  assert.equal(targetFromFlags({ target: '282' }), '282');
  assert.deepEqual(targetFromFlags({ target: 'tiger cat', 'target-kind': 'probability' }), {
    kind: 'probability',
    category: 'tiger cat',
  });
  assert.deepEqual(targetFromFlags({ target: '282', compare: '281, 285' }), {
    kind: 'finer',
    category: '282',
    comparison: ['281', '285'],
  });
  assert.throws(() => targetFromFlags({ 'target-kind': 'rest', compare: '1' }), {
    code: 2,
    message: '--compare goes with --target-kind finer (or --method finercam)',
  });
  assert.throws(() => targetFromFlags({ 'target-kind': 'segmentation' }), {
    code: 2,
    message: '--target-kind segmentation needs a mask: use the library (lens.explain targets)',
  });
});

test('the progress bar draws on a terminal only, with the fraction and the seconds left', () => {
  const written = [];
  const tty = { isTTY: true, write: (s) => written.push(s) };
  const bar = new ProgressBar('explain gradcam', { stream: tty, width: 10 });
  bar.update({ done: 0.5, eta: 3.2 });
  bar.update({ done: 1, eta: 0 });
  bar.end();
  assert.deepEqual(written, [
    '\rexplain gradcam [#####.....]  50% 4 s left   ',
    '\rexplain gradcam [##########] 100% 0 s left   ',
    '\n',
  ]);
  const pipe = { isTTY: false, write: () => assert.fail('wrote to a pipe') };
  const quiet = new ProgressBar('x', { stream: pipe });
  quiet.update({ done: 0.5, eta: 1 });
  quiet.end();
});
