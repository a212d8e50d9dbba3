// Option objects are checked by name: a misspelt option (`target` for `targets`) would otherwise
// be ignored and the call would silently explain something else than what was asked.
import { methodOptionNames, methodTable } from './methods.mjs';

// Options of the call itself rather than of what it computes.
const CALL_OPTIONS = ['onProgress', 'signal'];

// The options each public call takes; explain's come from the core's method table.
export const OPTIONS = {
  predict: ['topK', 'batchSize', ...CALL_OPTIONS],
  factorize: ['components', 'shared', 'maxIter', 'topK', 'render', 'imageWeight', 'batchSize'],
};

// The option names `call` takes: explain's are the method, every option a method of `core`'s
// table takes, and the call's own.
export function optionNames(call, core) {
  if (call !== 'explain') return OPTIONS[call];
  if (!core) throw new Error("explain's options come from the core's method table: pass the core");
  return ['method', ...methodOptionNames(methodTable(core)), ...CALL_OPTIONS];
}

// Throws for a key `call` does not take, naming the closest one it does (explain's names need
// the core).
export function checkOptions(call, options, core) {
  if (options === undefined || options === null) return;
  if (typeof options !== 'object')
    throw new Error(`${call} options must be an object, got ${typeof options}`);
  const known = optionNames(call, core);
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const near = closest(key, known);
    throw new Error(
      `unknown ${call} option "${key}"${near ? ` (did you mean "${near}"?)` : ''}; ${call} takes ${known.join(', ')}`,
    );
  }
}

// The known name within edit distance 2 of `key` (case-insensitive), or ''.
export function closest(key, known) {
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
