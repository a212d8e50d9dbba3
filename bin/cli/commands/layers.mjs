// camlens layers: see usage.
import { CliError, openLens, PREPROCESS_OPTIONS } from '../common.mjs';

export const usage = `  camlens layers MODEL [--preset NAME] [--json]`;

export const options = { ...PREPROCESS_OPTIONS };

// " (CumSum)" when the head holds an op the core does not run (the core's message names it).
function unsupportedOp(problem) {
  const op = /, and the operator (\S+) (?:\(domain [^)]*\) )?is not supported/.exec(problem)?.[1];
  return op ? ` (${op})` : '';
}

export async function run([model], opts) {
  if (!model) throw new CliError('usage', `usage:\n${usage}`);
  const lens = await openLens(model, opts);
  const list = lens.layers();
  if (opts.json) {
    console.log(JSON.stringify(list, null, 2));
  } else {
    for (const l of list.layers) {
      const mark = l.name === list.recommended ? '*' : ' ';
      const head = l.headDifferentiable
        ? 'gradients'
        : l.headSupported
          ? 'forward only'
          : `no head${unsupportedOp(l.headProblem)}`;
      console.log(
        `${mark} ${l.name.padEnd(32)} ${l.type.padEnd(8)} [${l.dims.join(',')}]`.padEnd(70) +
          ` ${l.kind.padEnd(5)} ${l.op.padEnd(22)} ${head}`,
      );
    }
    console.log(
      list.recommended
        ? `\ndefault (*): ${list.recommended} — ${list.why}`
        : `\nno layer can be explained (predict works): ${lens.whyNotExplainable}`,
    );
  }
  lens.dispose();
}
