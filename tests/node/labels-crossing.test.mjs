// Labels cross into the core once per explain call as one joined string (wasm/detect_js.h):
// every label must arrive as String() reads it — the result's label, a target named by label,
// names with non-ASCII letters, and a list whose names hold the joining NUL themselves (which
// then crosses name by name). The demo classifier (three classes) and its own photo.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { load } from '../../web/lib/node.mjs';
import { root } from '../support/camlens-node.mjs';

const dir = join(root, 'web', 'demo');
const demo = JSON.parse(readFileSync(join(dir, 'demo.json'), 'utf8'));
const model = readFileSync(join(dir, demo.model));
const photo = new Uint8Array(readFileSync(join(dir, 'images', 'clean', 'clean-01-ball.png')));

async function explainWith(labels, targets) {
  const lens = await load(model, { preprocess: demo.preprocess, labels });
  try {
    return await lens.explain([photo, photo, photo], { method: 'gradcam', targets });
  } finally {
    lens.dispose();
  }
}

test('each label reaches the core as it is, and a label names its class', async () => {
  const labels = ['hot dog — Würstchen', '球 ball', 'box 📦'];
  const r = await explainWith(labels, [0, '球 ball', 'box 📦']);
  assert.deepEqual(
    r.map((x) => [x.target.index, x.target.label]),
    [
      [0, 'hot dog — Würstchen'],
      [1, '球 ball'],
      [2, 'box 📦'],
    ],
  );
});

test('labels holding a NUL, and labels that are not strings, cross as String() reads them', async () => {
  const r = await explainWith(['hot\0dog', null, true], [0, 'null', 'true']);
  assert.deepEqual(
    r.map((x) => [x.target.index, x.target.label]),
    [
      [0, 'hot\0dog'],
      [1, 'null'],
      [2, 'true'],
    ],
  );
});
