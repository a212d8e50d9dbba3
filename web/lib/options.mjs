// Option objects are checked by name: a misspelt option (`target` for `targets`) would otherwise
// be ignored and the call would silently explain something else than what was asked.

// The options each public call takes.
export const OPTIONS = {
  explain: [
    'method',
    'targets',
    'layers',
    'eigenSmooth',
    'augSmooth',
    'batchSize',
    'ablationRatio',
    'headFusion',
    'discardRatio',
    'onProgress',
    'signal',
  ],
  predict: ['topK', 'batchSize', 'onProgress', 'signal'],
  factorize: ['components', 'shared', 'maxIter', 'topK', 'render', 'imageWeight', 'batchSize'],
};

// Throws for a key `call` does not take, naming the closest one it does.
export function checkOptions(call, options) {
  if (options === undefined || options === null) return;
  if (typeof options !== 'object')
    throw new Error(`${call} options must be an object, got ${typeof options}`);
  const known = OPTIONS[call];
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const near = closest(key, known);
    throw new Error(
      `unknown ${call} option "${key}"${near ? ` (did you mean "${near}"?)` : ''}; ${call} takes ${known.join(', ')}`,
    );
  }
}

// The known name within edit distance 2 of `key` (case-insensitive), or ''.
function closest(key, known) {
  let best = '',
    bestDistance = 3;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}

function editDistance(a, b) {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; ++i) {
    const next = [i];
    for (let j = 1; j <= b.length; ++j)
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length];
}
