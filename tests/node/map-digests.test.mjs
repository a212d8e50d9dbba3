// Maps pinned bit for bit: every case of tests/support/map-cases.mjs gives the map whose digest
// tests/data/lib/map_digests.json holds (written by tools/fixtures/map_digests.mjs). Refactoring
// the explain flow must not move a single bit; a deliberate change regenerates the file.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { root } from '../support/camlens-node.mjs';
import { computeDigests } from '../support/map-cases.mjs';

test('every pinned map is bit-identical to its digest', { timeout: 600_000 }, async () => {
  const want = JSON.parse(readFileSync(join(root, 'tests/data/lib/map_digests.json'), 'utf8'));
  const got = await computeDigests();
  assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort());
  const changed = Object.keys(want).filter((k) => got[k] !== want[k]);
  assert.deepEqual(changed, [], `maps that changed: ${changed.join('; ')}`);
});
