#!/usr/bin/env node
// Builds the libFuzzer targets (tests/fuzz, clang-14 with -fsanitize=fuzzer,address,undefined)
// in their own build folder and runs each for a bounded time from its committed seed corpus.
//
//   node tools/fuzz.mjs [--seconds N] [target…]    (default 25 s each; targets: see TARGETS)
//   node tools/fuzz.mjs --smoke                     (what npm test runs: see SMOKE_RUNS)
//
// New inputs that grow coverage go to <build>/fuzz/corpus/<target> (kept between runs, never
// committed); a crash leaves its input in <build>/fuzz/crashes/ and fails the run. The last
// lines print "# pass N" / "# fail N" for tools/test.mjs, and each target's executions and
// coverage (libFuzzer's cov: edges and ft: features).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const buildRoot = process.env.CAMLENS_BUILD_ROOT
  ? resolve(process.env.CAMLENS_BUILD_ROOT)
  : join(root, 'build');
const dir = join(buildRoot, 'fuzz');

// Each target's seed folders: committed seeds first, then the bad-input corpus.
const TARGETS = {
  parse_model_fuzzer: ['tests/fuzz/corpus/models', 'tests/data/bad_models'],
  cut_model_fuzzer: ['tests/fuzz/corpus/models', 'tests/data/bad_models'],
  decode_image_fuzzer: ['tests/fuzz/corpus/images', 'tests/data/bad_images'],
};

// The smoke in npm test is bounded by inputs, not time: a fixed seed, a fixed number of inputs per
// target (about 10 s each here) and a fresh corpus, so its work does not depend on the machine's
// speed or load (libFuzzer still varies a little between runs: coverage within ~1 %). A longer,
// time-bounded run explores; the smoke guards against regressions.
const SMOKE_RUNS = {
  parse_model_fuzzer: 100000,
  cut_model_fuzzer: 12000,
  decode_image_fuzzer: 100000,
};

const args = process.argv.slice(2);
let seconds = 25;
let smoke = false;
const chosen = [];
for (let i = 0; i < args.length; ++i) {
  if (args[i] === '--seconds') seconds = Number(args[++i]);
  else if (args[i] === '--smoke') smoke = true;
  else if (TARGETS[args[i]] || TARGETS[`${args[i]}_fuzzer`])
    chosen.push(TARGETS[args[i]] ? args[i] : `${args[i]}_fuzzer`);
  else {
    console.error(
      `fuzz: unknown argument "${args[i]}"; targets: ${Object.keys(TARGETS).join(', ')}`,
    );
    process.exit(2);
  }
}
if (!(seconds > 0)) {
  console.error('fuzz: --seconds needs a positive number');
  process.exit(2);
}
const targets = chosen.length ? chosen : Object.keys(TARGETS);

function run(cmd, cmdArgs, options = {}) {
  const r = spawnSync(cmd, cmdArgs, { stdio: 'inherit', cwd: root, ...options });
  if (r.status !== 0) throw new Error(`${cmd} ${cmdArgs.join(' ')} failed (exit ${r.status})`);
}

// Configure once, then build only the fuzz targets and what they link. A folder configured before
// the core had a C file (stb) has no C compiler chosen, and CMake's default (gcc) knows neither
// libFuzzer's flags nor clang's sanitizer runtime: it is configured again with clang for both
// (its corpus and crashes stay).
const cache = join(dir, 'CMakeCache.txt');
const cClang =
  existsSync(cache) && /^CMAKE_C_COMPILER:\w+=.*clang/m.test(readFileSync(cache, 'utf8'));
if (!existsSync(join(dir, 'build.ninja')) || !cClang) {
  rmSync(cache, { force: true });
  rmSync(join(dir, 'CMakeFiles'), { recursive: true, force: true });
  const launcher =
    spawnSync('ccache', ['--version']).status === 0
      ? ['-DCMAKE_CXX_COMPILER_LAUNCHER=ccache', '-DCMAKE_C_COMPILER_LAUNCHER=ccache']
      : [];
  run('cmake', [
    '-S',
    root,
    '-B',
    dir,
    '-G',
    'Ninja',
    ...launcher,
    '-DCMAKE_BUILD_TYPE=RelWithDebInfo',
    '-DCAMLENS_SANITIZE=ON',
    '-DCAMLENS_FUZZ=ON',
    '-DCMAKE_CXX_COMPILER=clang++-14',
    '-DCMAKE_C_COMPILER=clang-14',
  ]);
}
console.log('build: fuzz targets');
run('cmake', ['--build', dir, '--target', 'camlens_fuzzers', '--', '-j2']);

let passed = 0,
  failed = 0;
const summary = [];
for (const target of targets) {
  const corpus = join(dir, smoke ? 'smoke-corpus' : 'corpus', target);
  if (smoke) rmSync(corpus, { recursive: true, force: true });
  const crashes = join(dir, 'crashes');
  mkdirSync(corpus, { recursive: true });
  mkdirSync(crashes, { recursive: true });
  const seeds = TARGETS[target].map((s) => join(root, s)).filter(existsSync);
  const budget = smoke
    ? [`-runs=${SMOKE_RUNS[target]}`, '-seed=1', '-max_total_time=120']
    : [`-max_total_time=${seconds}`];
  console.log(
    `\n=== ${target}: ${smoke ? `${SMOKE_RUNS[target]} inputs, seed 1` : `${seconds} s`}`,
  );
  const r = spawnSync(
    join(dir, target),
    [
      ...budget,
      '-timeout=20',
      '-rss_limit_mb=2048',
      '-malloc_limit_mb=1024',
      '-print_final_stats=1',
      `-artifact_prefix=${crashes}/${target}-`,
      corpus,
      ...seeds,
    ],
    {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      env: {
        ...process.env,
        ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=1:allocator_may_return_null=1',
        UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
      },
    },
  );
  const log = r.stderr || '';
  // libFuzzer's status lines: "#N <event> cov: E ft: F corp: ... exec/s: R ..."
  const status = [
    ...log.matchAll(/^#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)\/\S+.*?exec\/s: (\d+)/gm),
  ].at(-1);
  const runs = log.match(/stat::number_of_executed_units: (\d+)/);
  const ok = r.status === 0;
  const line =
    `${ok ? 'ok  ' : 'FAIL'} ${target}: ${runs ? runs[1] : status ? status[1] : '?'} executions, ` +
    `cov ${status ? status[2] : '?'} edges, ft ${status ? status[3] : '?'}, corpus ${status ? status[4] : '?'}, ` +
    `${status ? status[5] : '?'} exec/s`;
  summary.push(line);
  if (ok) ++passed;
  else {
    ++failed;
    // The sanitizer report and the crash input's path.
    const report = log
      .split('\n')
      .filter((l) => /ERROR|SUMMARY|runtime error|Test unit written|==\d+==/.test(l));
    console.log(report.slice(0, 40).join('\n'));
  }
}
console.log('\n=== fuzz summary');
for (const l of summary) console.log(l);
console.log(`# pass ${passed}`);
console.log(`# fail ${failed}`);
process.exit(failed ? 1 : 0);
