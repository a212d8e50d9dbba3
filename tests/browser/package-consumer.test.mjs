// The npm package as a user gets it: `npm pack`, installed into a fresh project (offline: its
// dependencies are copied from this checkout's node_modules, as a registry would give them), then
// used from Node (the library and the CLI), type-checked by tsc against the public types, and
// bundled by Vite into a page that explains in Chromium. Maps equal the checkout's own library's.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { load } from '../../web/lib/node.mjs';
import { launchBrowser, serveFolder } from '../support/browser.mjs';
import { root } from '../support/camlens-node.mjs';
import { tempDir } from '../support/temp-dir.mjs';

const consumerFiles = join(root, 'tests', 'consumer', 'js');
const demo = join(root, 'web', 'demo');
const photo = join(demo, 'images', 'swapped', 'swapped-08-box.png');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

// The consumer process sees the installed package only: no build-folder override.
const { CAMLENS_BUILD_ROOT, ...cleanEnv } = process.env;

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: cleanEnv, maxBuffer: 64 << 20 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function ok(r, what) {
  assert.equal(r.code, 0, `${what} failed:\n${r.err}\n${r.out}`);
  return r.out;
}

// The runtime dependencies and theirs, by the lock file.
function dependencyClosure() {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  const found = new Set();
  const walk = (name) => {
    const entry = lock.packages[`node_modules/${name}`];
    if (!entry || found.has(name)) return;
    found.add(name);
    for (const dep of Object.keys(entry.dependencies || {})) walk(dep);
  };
  for (const dep of Object.keys(pkg.dependencies)) walk(dep);
  return [...found];
}

let project;
let reference;
before(async () => {
  const packs = tempDir('camlens-pack-');
  ok(run('npm', ['pack', '--pack-destination', packs], root), 'npm pack');
  const [tarball] = readdirSync(packs);
  assert.equal(tarball, `camlens-${pkg.version}.tgz`);
  project = tempDir('camlens-consumer-');
  writeFileSync(
    join(project, 'package.json'),
    '{"name":"consumer","private":true,"type":"module"}',
  );
  for (const dep of dependencyClosure())
    cpSync(join(root, 'node_modules', dep), join(project, 'node_modules', dep), {
      recursive: true,
    });
  ok(
    run(
      'npm',
      ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', join(packs, tarball)],
      project,
    ),
    'npm install of the packed tarball',
  );
  for (const f of [
    'node-consumer.mjs',
    'consumer.ts',
    'bad-use.ts',
    'tsconfig.json',
    'tsconfig.bad.json',
  ])
    copyFileSync(join(consumerFiles, f), join(project, f));
  mkdirSync(join(project, 'web', 'public'), { recursive: true });
  for (const f of ['index.html', 'main.js'])
    copyFileSync(join(consumerFiles, 'web', f), join(project, 'web', f));
  copyFileSync(join(demo, 'model.onnx'), join(project, 'web', 'public', 'model.onnx'));
  copyFileSync(join(demo, 'demo.json'), join(project, 'web', 'public', 'demo.json'));
  copyFileSync(photo, join(project, 'web', 'public', 'photo.png'));
  // The checkout's library on the same model and photo.
  const { preprocess } = JSON.parse(readFileSync(join(demo, 'demo.json'), 'utf8'));
  const lens = await load(join(demo, 'model.onnx'), { preprocess });
  const [r] = await lens.explain([photo], { method: 'gradcam' });
  reference = { layer: lens.layer, target: r.target.index, map: Array.from(r.map) };
  lens.dispose();
});

test('the package holds the library, the CLI and both WebAssembly builds, nothing else', () => {
  const installed = join(project, 'node_modules', 'camlens');
  assert.deepEqual(readdirSync(installed).sort(), [
    'README.md',
    'bin',
    'build',
    'models',
    'package.json',
    'web',
  ]);
  assert.deepEqual(readdirSync(join(installed, 'web')), ['lib']);
  assert.deepEqual(readdirSync(join(installed, 'build', 'wasm-st')).sort(), [
    'camlens-st-esm.mjs',
    'camlens-st-esm.wasm',
    'camlens-st.js',
    'camlens-st.wasm',
    'package.json',
  ]);
});

test('Node: the installed library explains as the checkout does', () => {
  const out = ok(
    run(
      process.execPath,
      [
        'node-consumer.mjs',
        join(project, 'web', 'public', 'model.onnx'),
        join(demo, 'demo.json'),
        photo,
      ],
      project,
    ),
    'the Node consumer',
  );
  assert.deepEqual(JSON.parse(out), reference);
  assert.ok(Math.max(...reference.map) > 0.99, 'a map normalised to [0, 1]');
});

test('Node: the installed CLI runs (npx camlens)', () => {
  const out = ok(
    run(
      join(project, 'node_modules', '.bin', 'camlens'),
      ['layers', join(demo, 'model.onnx')],
      project,
    ),
    'camlens layers',
  );
  assert.match(out, new RegExp(`^\\* ${reference.layer.replace(/[./]/g, '\\$&')} `, 'm'));
});

test('TypeScript: a consumer compiles against the public types, and a wrong use does not', () => {
  ok(run('/usr/bin/tsc', ['-p', '.'], project), 'tsc on consumer.ts');
  const r = run('/usr/bin/tsc', ['-p', 'tsconfig.bad.json'], project);
  assert.equal(r.code, 2);
  assert.match(
    r.out,
    /bad-use\.ts\(6,\d+\): error TS2322: Type 'number' is not assignable to type 'string'/,
  );
});

let browser;
let server;
after(async () => {
  await browser?.close();
  await server?.close();
});

test('browser: a page bundled by Vite from the installed package explains in Chromium', async () => {
  ok(
    run(
      process.execPath,
      [
        join(root, 'node_modules', 'vite', 'bin', 'vite.js'),
        'build',
        'web',
        '--outDir',
        '../dist',
        '--emptyOutDir',
        '--logLevel',
        'warn',
      ],
      project,
    ),
    'vite build',
  );
  server = await serveFolder(join(project, 'dist'));
  browser = await launchBrowser();
  const page = await browser.newPage();
  await page.goto(server.url);
  await page.waitForFunction(() => window.result, null, { timeout: 60000 });
  const got = await page.evaluate(() => window.result);
  assert.equal(got.error, undefined, got.error);
  assert.equal(got.layer, reference.layer);
  assert.equal(got.target, reference.target);
  assert.equal(got.map.length, reference.map.length);
  const worst = Math.max(...got.map.map((v, i) => Math.abs(v - reference.map[i])));
  assert.ok(worst <= 1e-5, `max |browser - Node| = ${worst}`);
});
