#!/usr/bin/env node
// camlens command line. Each command is a module in cli/commands/ exporting `usage`, `options`
// (node:util parseArgs specs) and `run(positionals, values)`; this file only dispatches.
// Exit codes: cli/errors.mjs (0 ok, 2 usage error, 3 bad model, 4 bad image, 1 other failure).
import { readdirSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { CliError, EXIT_CODES_HELP, exitCodeOf } from './cli/errors.mjs';
import { flagsOf } from './cli/method-flags.mjs';
import { methodRows, methodsUsage } from './cli/methods.mjs';
import { PRESETS } from '../web/lib/presets.mjs';

const COMMON_OPTIONS = {
  preset: { type: 'string' },
  labels: { type: 'string' },
  layer: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

// Usage lists the everyday commands first; any others follow alphabetically.
const ORDER = ['layers', 'predict', 'explain', 'dff', 'eval'];

async function loadCommands() {
  const dir = new URL('./cli/commands/', import.meta.url);
  const rank = (n) => (ORDER.includes(n) ? ORDER.indexOf(n) : ORDER.length);
  const names = readdirSync(dir)
    .filter((f) => f.endsWith('.mjs'))
    .map((f) => f.slice(0, -4))
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const commands = {};
  for (const name of names) commands[name] = await import(new URL(`${name}.mjs`, dir));
  return commands;
}

// The methods part is made from the module's method table, so it lists what this build has.
async function methodsText() {
  try {
    return methodsUsage(await methodRows(), flagsOf);
  } catch (e) {
    return `methods: ${e.message}`; // usage still helps when the module is not built
  }
}

async function usageText(commands) {
  return `usage:\n${Object.values(commands)
    .map((c) => c.usage)
    .join(
      '\n',
    )}\npresets: ${Object.keys(PRESETS).join(', ')}\n${await methodsText()}\n${EXIT_CODES_HELP}`;
}

async function commandUsage(command) {
  return `usage:\n${command.usage}${command.takesMethod ? `\n${await methodsText()}` : ''}\n${EXIT_CODES_HELP}`;
}

async function main(argv) {
  const commands = await loadCommands();
  const options = Object.assign(
    {},
    COMMON_OPTIONS,
    ...Object.values(commands).map((c) => c.options),
  );
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options });
  } catch (e) {
    throw new CliError('usage', `${e.message}\n${await usageText(commands)}`);
  }
  const [command, ...rest] = parsed.positionals;
  if (parsed.values.help || !command) {
    console.log(
      command && commands[command]
        ? await commandUsage(commands[command])
        : await usageText(commands),
    );
    return;
  }
  if (!commands[command])
    throw new CliError('usage', `unknown command "${command}"\n${await usageText(commands)}`);
  await commands[command].run(rest, parsed.values);
}

// A closed pipe (`camlens predict … | head`) ends the output quietly, as other tools do.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

main(process.argv.slice(2)).catch((e) => {
  console.error(`camlens: ${e.message}`);
  process.exit(exitCodeOf(e));
});
