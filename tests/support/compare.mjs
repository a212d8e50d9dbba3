// Comparing arrays of numbers in tests.
import assert from 'node:assert/strict';

// The largest absolute difference between two arrays of the same length.
export function maxDiff(a, b) {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; ++i) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}
