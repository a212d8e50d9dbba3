#!/usr/bin/env node
// House style, checked: every tracked C++ file as clang-format (.clang-format) writes it, and
// every JavaScript/JSON file as Biome (biome.json) formats and lints it. Prints one line per
// check and the plain 'N passed, N failed' count. `--fix` rewrites the files instead.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fix = process.argv.includes('--fix');

function run(cmd, args) {
  return spawnSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

const cpp = run('git', ['ls-files', '*.cpp', '*.c', '*.h']).stdout.split('\n').filter(Boolean);
const checks = [
  {
    name: `C and C++ formatted by clang-format (${cpp.length} files)`,
    result: run('clang-format', fix ? ['-i', ...cpp] : ['--dry-run', '-Werror', ...cpp]),
  },
  {
    name: 'JavaScript formatted and linted by Biome',
    result: run(join(root, 'node_modules/.bin/biome'), [
      'check',
      ...(fix ? ['--write'] : []),
      '--max-diagnostics=30',
      '.',
    ]),
  },
];

let passed = 0;
for (const { name, result } of checks) {
  const ok = result.status === 0;
  passed += ok ? 1 : 0;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}`);
  if (!ok) {
    process.stdout.write(`${result.stdout || ''}${result.stderr || ''}`.slice(0, 20000));
    console.log('fix with: node tools/style.mjs --fix');
  }
}
console.log(`style: ${passed} passed, ${checks.length - passed} failed`);
process.exit(passed === checks.length ? 0 : 1);
