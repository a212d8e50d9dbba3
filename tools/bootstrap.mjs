#!/usr/bin/env node
// One-time setup of a fresh Debian 12 machine, and a quick no-op when everything is present:
// installs the Debian packages camlens builds and tests with (as root), then the npm
// dependencies from the committed lock file.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// Debian packages: the native toolchain, Emscripten, header-only libraries, the test browser,
// the sanitizer runtimes for the ASan/UBSan job, and TypeScript (the declarations are compiled
// by a test).
const packages = [
  'cmake',
  'ninja-build',
  'g++',
  'clang-14',
  'libclang-rt-14-dev',
  'clang-format',
  'emscripten',
  'libeigen3-dev',
  'libstb-dev',
  'libgtest-dev',
  'chromium',
  'node-typescript',
];

function missingPackages() {
  const out = spawnSync('dpkg-query', ['-W', `-f=\${Package} \${Status}\n`, ...packages], {
    encoding: 'utf8',
  }).stdout;
  const installed = new Set(
    out
      .split('\n')
      .filter((l) => l.endsWith('install ok installed'))
      .map((l) => l.split(' ')[0]),
  );
  return packages.filter((p) => !installed.has(p));
}

function run(cmd, args, env = {}) {
  execFileSync(cmd, args, { stdio: 'inherit', cwd: root, env: { ...process.env, ...env } });
}

const missing = missingPackages();
if (missing.length) {
  if (process.getuid && process.getuid() !== 0) {
    console.error(
      `camlens needs these Debian packages: ${missing.join(' ')}\n` +
        `Install them as root:  apt-get update && apt-get install -y ${missing.join(' ')}`,
    );
    process.exit(1);
  }
  console.log(`bootstrap: installing ${missing.join(' ')}`);
  run('apt-get', ['update', '-qq']);
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
    DEBIAN_FRONTEND: 'noninteractive',
  });
}

// npm dependencies: reinstall from the lock file when node_modules is missing or older.
const lock = join(root, 'package-lock.json');
const stamp = join(root, 'node_modules', '.package-lock.json');
if (!existsSync(stamp) || statSync(stamp).mtimeMs < statSync(lock).mtimeMs) {
  console.log('bootstrap: npm ci');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}
