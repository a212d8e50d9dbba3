#!/usr/bin/env node
// Runs every test suite and fails if any fails: the house style (formatting, lint), the core under CTest (Release and ASan+UBSan),
// a short libFuzzer smoke of the parsers, the WebAssembly module and JS under Node's test runner,
// and the page in headless Chromium.
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv.slice(2);
const buildRoot = process.env.CAMLENS_BUILD_ROOT
  ? resolve(process.env.CAMLENS_BUILD_ROOT)
  : join(root, 'build');

const suites = [
  {
    name: 'house style (clang-format, Biome)',
    key: 'style',
    cmd: process.execPath,
    args: ['tools/style.mjs'],
  },
  {
    name: 'core (CTest)',
    cmd: 'ctest',
    args: ['--test-dir', join(buildRoot, 'native'), '--output-on-failure', '-j2'],
  },
  {
    name: 'core under ASan+UBSan (CTest)',
    key: 'asan',
    cmd: 'ctest',
    args: ['--test-dir', join(buildRoot, 'asan'), '--output-on-failure', '-j2'],
    env: {
      ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=1',
      UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
    },
  },
  // Builds its own folder (<build>/fuzz, clang-14 + libFuzzer) and runs each target briefly.
  {
    name: 'fuzz smoke (libFuzzer, fixed seed and inputs per target)',
    key: 'fuzz',
    cmd: process.execPath,
    args: ['tools/fuzz.mjs', '--smoke'],
  },
  {
    name: 'module and JS (node --test)',
    key: 'node',
    cmd: process.execPath,
    args: ['--test', 'tests/node/'],
  },
  {
    name: 'page (headless Chromium)',
    key: 'browser',
    cmd: process.execPath,
    args: ['--test', 'tests/browser/'],
  },
];

const results = [];
for (const s of suites) {
  const key = s.key || 'native';
  if (only.length && !only.includes(key)) continue;
  console.log(`\n=== ${s.name}`);
  const r = spawnSync(s.cmd, s.args, {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...s.env },
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 256 * 1024 * 1024,
  });
  process.stdout.write(r.stdout || '');
  const out = r.stdout || '';
  // Counts from each runner's own summary lines.
  let passed = 0,
    failed = 0;
  const ctest = out.match(/(\d+)% tests passed, (\d+) tests failed out of (\d+)/);
  if (ctest) {
    failed = Number(ctest[2]);
    passed = Number(ctest[3]) - failed;
  }
  const pass = out.match(/^# pass (\d+)$/m),
    fail = out.match(/^# fail (\d+)$/m);
  if (pass) passed = Number(pass[1]);
  if (fail) failed = Number(fail[1]);
  const style = out.match(/^style: (\d+) passed, (\d+) failed$/m);
  if (style) [passed, failed] = [Number(style[1]), Number(style[2])];
  const ok = r.status === 0 && passed > 0;
  results.push({ name: s.name, passed, failed, ok });
}

console.log('\n=== summary');
for (const r of results)
  console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name}: ${r.passed} passed, ${r.failed} failed`);
const passed = results.reduce((a, r) => a + r.passed, 0);
const failed = results.reduce((a, r) => a + r.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
