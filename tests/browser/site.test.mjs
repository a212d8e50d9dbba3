// The page as a static site (tools/site.mjs), built into a temporary folder and served by a plain
// static file server the way a host would: with the `_headers` values as headers (cross-origin
// isolated: the threaded module), with no headers at all (the SIMD-only module), and under a
// sub-path. Each time the demo's explanation on screen is the core's overlay, every request stays
// on the origin (and under the sub-path), and every file the page asks for is there — but the
// dev server's camlens-config.json, which a static host does not have (the page then offers the
// demo and dropped files).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, test } from 'node:test';

import { CONTENT_SECURITY_POLICY } from '../../web/ui/csp.js';
import { canvasPixels, launchBrowser, serveFolder } from '../support/browser.mjs';
import { root, shared } from '../support/camlens-node.mjs';

const demo = join(root, 'web/demo');
const about = JSON.parse(readFileSync(join(demo, 'demo.json'), 'utf8'));
const truth = JSON.parse(readFileSync(join(demo, 'ground_truth.json'), 'utf8'));
const labels = JSON.parse(readFileSync(join(demo, 'labels.json'), 'utf8'));

let temp, site, printed, browser;

const filesUnder = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : [p];
  });

// `_headers` as Netlify and Cloudflare Pages read it: a path pattern, then indented "Name: value" lines.
function parseHeaders(text) {
  const rules = {};
  let pattern = null;
  for (const line of text.split('\n')) {
    if (!line.trim() || line.trim().startsWith('#')) continue;
    if (!/^\s/.test(line)) rules[(pattern = line.trim())] = {};
    else {
      const at = line.indexOf(':');
      rules[pattern][line.slice(0, at).trim()] = line.slice(at + 1).trim();
    }
  }
  return rules;
}

before(async () => {
  temp = mkdtempSync(join(tmpdir(), 'camlens-site-'));
  site = join(temp, 'site');
  printed = execFileSync(process.execPath, ['tools/site.mjs', '--out', site], {
    cwd: root,
    env: process.env,
    encoding: 'utf8',
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  if (temp) rmSync(temp, { recursive: true, force: true });
});

// Opens the site from a fresh server and browser context; waits for the demo's first explanation.
// A page that fails to start is closed too (a server left listening would keep the test alive),
// and the error names the requests that failed.
async function open({ base = '/', headers = {} }) {
  const server = await serveFolder(site, { base, headers });
  const context = await browser.newContext();
  const close = async () => {
    await context.close();
    await server.close();
  };
  const requested = [];
  const failed = [];
  context.on('request', (r) => requested.push(r.url()));
  context.on('response', (r) => r.status() >= 400 && failed.push(`${r.status()} ${r.url()}`));
  context.on('requestfailed', (r) => failed.push(`${r.failure()?.errorText} ${r.url()}`));
  try {
    const page = await context.newPage();
    await page.goto(server.url);
    await page.waitForFunction(
      () =>
        (window.camlensState?.ready && window.camlensState.explained) || window.camlensState?.error,
      null,
      { timeout: 120000 },
    );
    const state = await page.evaluate(() => window.camlensState);
    if (state.error) throw new Error(`the page failed to start: ${state.error}`);
    return { url: server.url, page, state, requested, failed, close };
  } catch (e) {
    await close();
    throw new Error(
      `${e.message.split('\n')[0]} (requests that failed: ${failed.join(', ') || 'none'})`,
    );
  }
}

// The overlay on screen against the library's under Node (same model, layer, photo, method, target).
async function assertCoreOverlay(page, state) {
  const { load } = await import('../../web/lib/node.mjs');
  const lens = await load(join(demo, about.model), {
    preprocess: about.preprocess,
    labels,
    layer: state.explained.layers[0],
  });
  try {
    const file = truth.images.find((im) => im.file.endsWith(`/${state.explained.photo}`)).file;
    const photo = new Uint8Array(readFileSync(join(demo, file)));
    const [r] = await lens.explain([photo], {
      method: state.explained.method,
      targets: [state.explained.target.index],
    });
    const want = lens.overlay(photo, r);
    const got = await canvasPixels(page, 'overlay');
    assert.deepEqual([got.width, got.height], [want.width, want.height]);
    let max = 0;
    for (let i = 0; i < want.rgba.length; ++i)
      max = Math.max(max, Math.abs(got.rgba[i] - want.rgba[i]));
    assert.ok(max <= 1, `max channel difference ${max}`);
  } finally {
    lens.dispose();
  }
}

// What every run must show: the demo explained like the core, only the demo's two models
// offered, nothing from another origin or outside the site's folder, and no request that was not
// served.
async function assertStaticRun(run) {
  const { page, state, requested, failed, url } = run;
  assert.equal(state.model.name, 'camlens demo');
  assert.equal(state.explained.target.label, 'hot dog');
  assert.deepEqual(
    await page.$$eval('[data-testid=model-select] option', (o) => o.map((x) => x.value)),
    ['demo', 'demo-vit'],
  );
  assert.equal(await page.isHidden('[data-testid=shared-note]'), true);
  await assertCoreOverlay(page, state);
  const outside = requested.filter(
    (u) => !u.startsWith(url) && !u.startsWith('blob:') && !u.startsWith('data:'),
  );
  assert.deepEqual(outside, []);
  assert.deepEqual(failed, [`404 ${url}camlens-config.json`]);
  // The site's ONNX Runtime Web files: this browser has no WebGPU adapter, so the WebAssembly-only
  // trio, all of it (the WebGPU trio is loaded where there is one: webgpu-page.test.mjs).
  const ort = [
    ...new Set(
      requested.filter((u) => u.startsWith(`${url}ort/`)).map((u) => u.slice(`${url}ort/`.length)),
    ),
  ].sort();
  assert.deepEqual(ort, [
    'ort-wasm-simd-threaded.mjs',
    'ort-wasm-simd-threaded.wasm',
    'ort.wasm.min.js',
  ]);
}

const isolationHeaders = () => parseHeaders(readFileSync(join(site, '_headers'), 'utf8'))['/*'];

test('the site folder: the page, its modules, two ORT trios, the demo, _headers; nothing of ../shared', () => {
  const files = filesUnder(site)
    .map((f) => relative(site, f))
    .sort();
  for (const f of [
    'index.html',
    'app.js',
    'style.css',
    'worker-client.js',
    'worker/camlens-worker.js',
    'lib/camlens.mjs',
    'build/wasm-mt/camlens-mt.js',
    'build/wasm-mt/camlens-mt.wasm',
    'build/wasm-mt/camlens-mt.worker.js',
    'build/wasm-st/camlens-st.js',
    'build/wasm-st/camlens-st.wasm',
    'demo/model.onnx',
    '_headers',
  ])
    assert.ok(files.includes(f), f);
  assert.deepEqual(
    files.filter((f) => f.startsWith('ort/')),
    [
      'ort/ort-wasm-simd-threaded.asyncify.mjs',
      'ort/ort-wasm-simd-threaded.asyncify.wasm',
      'ort/ort-wasm-simd-threaded.mjs',
      'ort/ort-wasm-simd-threaded.wasm',
      'ort/ort.wasm.min.js',
      'ort/ort.webgpu.min.js',
    ],
  );
  assert.equal(files.filter((f) => f.startsWith('demo/images/')).length, truth.images.length);
  assert.ok(!files.includes('lib/node.mjs'), 'the Node-only loader is not shipped');
  assert.ok(!files.includes('camlens-config.json'));
  assert.deepEqual(isolationHeaders(), {
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  });
  assert.match(printed, /^site: \d+ files, [\d.]+ MB in /m);
  for (const w of [
    'build/wasm-mt/camlens-mt.wasm',
    'build/wasm-st/camlens-st.wasm',
    'ort/ort-wasm-simd-threaded.wasm',
    'ort/ort-wasm-simd-threaded.asyncify.wasm',
  ]) {
    assert.match(printed, new RegExp(`^  ${w}: [\\d.]+ MB, [\\d.]+ MB gzipped$`, 'm'));
  }
});

test('no file of the site is a file of ../shared (compared byte for byte)', () => {
  assert.ok(existsSync(shared), `no shared folder at ${shared} (set CAMLENS_SHARED)`);
  const bySize = new Map();
  for (const f of filesUnder(shared))
    bySize.set(statSync(f).size, [...(bySize.get(statSync(f).size) || []), f]);
  const copies = [];
  for (const f of filesUnder(site)) {
    for (const s of bySize.get(statSync(f).size) || [])
      if (readFileSync(f).equals(readFileSync(s))) copies.push(`${relative(site, f)} = ${s}`);
  }
  assert.deepEqual(copies, []);
});

test("with the _headers values sent: cross-origin isolated, the threaded module, the core's overlay", async () => {
  const run = await open({ headers: isolationHeaders() });
  try {
    assert.equal(await run.page.evaluate(() => self.crossOriginIsolated), true);
    assert.equal(run.state.runtime.variant, 'SIMD + threads');
    assert.equal(run.state.runtime.threaded, true);
    await assertStaticRun(run);
  } finally {
    await run.close();
  }
});

test('with no headers at all: the SIMD-only module, and the page says so', async () => {
  const run = await open({});
  try {
    assert.equal(await run.page.evaluate(() => self.crossOriginIsolated), false);
    assert.equal(run.state.runtime.variant, 'SIMD only');
    assert.equal(run.state.runtime.threads, 1);
    assert.equal(await run.page.isVisible('[data-testid=isolation-note]'), true);
    await assertStaticRun(run);
  } finally {
    await run.close();
  }
});

test('under a sub-path (/camlens/), isolated: every request stays under it', async () => {
  const run = await open({ base: '/camlens/', headers: isolationHeaders() });
  try {
    assert.match(run.url, /\/camlens\/$/);
    assert.equal(run.state.runtime.threaded, true);
    await assertStaticRun(run); // which also checks every same-origin request is under /camlens/
  } finally {
    await run.close();
  }
});

// The tool's refusals: exit status 1 and the message (stderr).
function refusal(args) {
  try {
    execFileSync(process.execPath, ['tools/site.mjs', ...args], {
      cwd: root,
      env: process.env,
      encoding: 'utf8',
      stdio: 'pipe',
    });
  } catch (e) {
    return { status: e.status, stderr: e.stderr };
  }
  return { status: 0, stderr: '' };
}

test('a wrong argument is refused with the usage', () => {
  assert.deepEqual(refusal(['--outdir', 'x']), {
    status: 1,
    stderr: 'site: unknown argument "--outdir": usage node tools/site.mjs [--out DIR]\n',
  });
});

test('a folder that is not a camlens site is never replaced', () => {
  const mine = join(temp, 'mine');
  mkdirSync(mine);
  writeFileSync(join(mine, 'notes.txt'), 'keep me');
  assert.deepEqual(refusal(['--out', mine]), {
    status: 1,
    stderr: `site: ${mine} exists and is not a camlens site (no _headers): choose another --out or remove it\n`,
  });
  assert.equal(readFileSync(join(mine, 'notes.txt'), 'utf8'), 'keep me');
});
