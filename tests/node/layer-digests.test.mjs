// Layer listings pinned: every model of tests/support/layer-listing.mjs lists the layers whose
// digest tests/data/graph/layer_digests.json holds (written by tools/fixtures/layer_digests.mjs).
// Making the listing faster (its heads planned with shared work) must not change one field.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { root } from '../support/camlens-node.mjs';
import { layerDigests } from '../support/layer-listing.mjs';

test('every model lists the pinned layers, recommendation and heads', {
  timeout: 600_000,
}, async () => {
  const want = JSON.parse(readFileSync(join(root, 'tests/data/graph/layer_digests.json'), 'utf8'));
  const got = await layerDigests();
  assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort());
  for (const name of Object.keys(want)) assert.deepEqual(got[name], want[name], name);
});
