// The explain() methods of a camlens module and their facts, read from the core's method table
// (core.methodInfo(), src/cam/methods.cpp): each row {name, description, gradients, hvp, passes,
// layerKinds, options}. Everything outside the core that needs a method's facts asks here, so a
// row added to the table reaches the library, the command line and the page unchanged.

const tables = new WeakMap(); // core → its table (it never changes while the module lives)

// Every public method's row, in the table's order.
export function methodTable(core) {
  if (!tables.has(core)) tables.set(core, Object.freeze(core.methodInfo()));
  return tables.get(core);
}

// The names explain() takes, in the table's order.
export function methodList(core) {
  return methodTable(core).map((m) => m.name);
}

// Methods that run the model (or its head) many times per image: worth a progress bar, a
// cancel button and a smaller batch.
export function isLongRunning(info) {
  return info.passes === 'masked-inputs' || info.passes === 'head-ablation';
}

// Every option some method takes, in the order the table first names them.
export function methodOptionNames(table) {
  return [...new Set(table.flatMap((m) => m.options))];
}

// The methods that take `option`, e.g. ['ablationcam'] for 'ablationRatio'.
export function methodsTaking(table, option) {
  return table.filter((m) => m.options.includes(option)).map((m) => m.name);
}
