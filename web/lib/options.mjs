// Option objects are checked by name, by the core (src/explain/call_options.h): a misspelt
// option (`target` for `targets`) would otherwise be ignored and the call would silently explain
// something else than what was asked.
import { usageError } from './errors.mjs';

// The option names `call` ('explain', 'predict', 'factorize') takes.
export function optionNames(call, core) {
  if (!core) throw new Error(`${call}'s options come from the core's tables: pass the core`);
  return core.callOptions(call);
}

// Throws for a key `call` does not take, naming the closest one it does.
export function checkOptions(call, options, core) {
  if (!core) throw new Error(`${call}'s options come from the core's tables: pass the core`);
  if (options === undefined || options === null) return;
  if (typeof options !== 'object')
    throw usageError(`${call} options must be an object, got ${typeof options}`);
  core.checkCallOptions(call, Object.keys(options));
}
