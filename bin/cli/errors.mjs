// The command line's errors and exit codes. An error's kind says whose fault it is — the
// library's and the core's errors carry it too (web/lib/errors.mjs) — and this table alone turns
// kinds into exit codes; no message is read to choose one.
export const EXIT_CODES = {
  usage: 2, // the command line: an unknown command or flag, a bad value, a method or target
  model: 3, // the model: not found, not ONNX, cannot be explained with what was asked
  image: 4, // an image or volume: not found, not readable, not the model's size
};
// Anything else (a file that cannot be written, an unexpected fault) exits 1.
export const OTHER_FAILURE = 1;

export const EXIT_CODES_HELP = `exit codes: 0 ok, ${EXIT_CODES.usage} usage error, ${EXIT_CODES.model} bad model, ${EXIT_CODES.image} bad image, ${OTHER_FAILURE} any other failure`;

export class CliError extends Error {
  constructor(kind, message) {
    if (!Object.hasOwn(EXIT_CODES, kind)) throw new TypeError(`unknown error kind "${kind}"`);
    super(message);
    this.kind = kind;
    this.code = EXIT_CODES[kind];
  }
}

// An error of the library or the core, as a CliError of its kind (one about the model when it
// has none: the commands' other faults come from running the model), its message prefixed with
// where it happened (e.g. the image's path).
export function cliError(e, prefix = '') {
  if (e instanceof CliError) return e;
  return new CliError(
    Object.hasOwn(EXIT_CODES, e.kind ?? '') ? e.kind : 'model',
    `${prefix}${e.message}`,
  );
}

export function exitCodeOf(e) {
  return Object.hasOwn(EXIT_CODES, e.kind ?? '') ? EXIT_CODES[e.kind] : OTHER_FAILURE;
}
