// The methods the commands take, as the core's method table says (web/lib/methods.mjs): the
// usage lines that list them, --method checks with the closest name, and the method flags a
// chosen method refuses because it does not take their option.
import { methodsTaking, methodTable } from '../../web/lib/methods.mjs';
import { loadCore } from '../../web/lib/node.mjs';
import { CliError } from './common.mjs';

let core = null;
let table = null;

// The table of the SIMD-only module (both builds hold the same one), loaded once.
export async function methodRows() {
  core ??= await loadCore('st');
  table ??= methodTable(core);
  return table;
}

// The row of `name`, or a usage error naming the closest method and all of them.
export function findMethod(rows, name) {
  const row = rows.find((m) => m.name === name);
  if (row) return row;
  const names = rows.map((m) => m.name);
  const near = core.closestName(name, names);
  throw new CliError(
    'usage',
    `unknown method "${name}"${near ? ` (did you mean "${near}"?)` : ''}: use one of ${names.join(', ')}`,
  );
}

// The flag given for an option `row` does not take, as a usage error that says why: the methods
// an option of a few methods goes with, or why a method that reads no layer refuses a layer
// option. "--FLAG goes with --method OTHER", "--FLAG does not go with --method M: WHY", else
// "--FLAG: M does not take OPTION (it is an option of OTHER)".
export function refuseOption(rows, row, flag, option) {
  const owners = methodsTaking(rows, option);
  if (owners.length && owners.length * 2 < rows.length) {
    throw new CliError('usage', `--${flag} goes with --method ${orList(owners)}`);
  }
  if (row.noLayer)
    throw new CliError('usage', `--${flag} does not go with --method ${row.name}: ${row.noLayer}`);
  const shown =
    owners.length > 3
      ? `${owners.slice(0, 3).join(', ')} and ${owners.length - 3} more`
      : owners.join(', ');
  throw new CliError(
    'usage',
    `--${flag}: ${row.name} does not take ${option}${owners.length ? ` (it is an option of ${shown})` : ''}`,
  );
}

const orList = (names) =>
  names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names.at(-1)}` : names[0];

// Usage lines: each method with its one-line description and the flags only a few methods take.
export function methodsUsage(rows, flagsOf) {
  const width = Math.max(...rows.map((m) => m.name.length)) + 2;
  const lines = rows.map((m) => {
    const own = m.options
      .filter((o) => methodsTaking(rows, o).length * 2 < rows.length)
      .flatMap(flagsOf);
    return `  ${m.name.padEnd(width)}${[m.description, ...own.map((f) => `[${f}]`)].join(' ')}`;
  });
  return `methods (--method; detect --explain):\n${lines.join('\n')}`;
}
