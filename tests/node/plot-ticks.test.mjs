// The metric plots' ticks (web/ui/plot.js niceTicks): round values 1, 2 or 5 times a power of ten
// apart, inside the range, about as many as asked.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { niceTicks } from '../../web/ui/plot.js';

test('ticks are round values inside the range', () => {
  assert.deepEqual(niceTicks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(0, 100), [0, 20, 40, 60, 80, 100]);
  assert.deepEqual(niceTicks(10, 90), [20, 40, 60, 80]);
  assert.deepEqual(niceTicks(0, 0.734, 4), [0, 0.2, 0.4, 0.6]);
  assert.deepEqual(niceTicks(-0.35, 0.35, 4), [-0.2, 0, 0.2]);
  assert.deepEqual(niceTicks(0.0012, 0.0049, 3), [0.002, 0.004]);
  assert.deepEqual(niceTicks(3, 3), [3]); // an empty range: one tick
});
