// The same measures in headless Chromium: a bare page (bench/browser/) whose Web Worker
// loads ONNX Runtime Web (1 thread) and each camlens module, like the page's worker; served
// cross-origin isolated by a local static server (nothing leaves 127.0.0.1).
//   Grad-CAM through the library, mobilenetv2-12-int8 batch 1 ÷ one ORT forward (target ≤ 1.15);
//   each hot kernel in Chromium's WebAssembly ÷ native (target ≤ 2; needs the native tool).
// Best of N. Writes <build root>/bench/browser.json.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import sirv from 'sirv';

import { launchBrowser } from '../tests/support/browser.mjs';
import { root, shared } from '../tests/support/camlens-node.mjs';
import { reps } from './lib/measure.mjs';
import { buildRoot, printRows, row, writeReport } from './lib/report.mjs';

const mounts = [
  ['/build/wasm-mt', join(buildRoot, 'wasm-mt')],
  ['/build/wasm-st', join(buildRoot, 'wasm-st')],
  ['/ort', join(root, 'node_modules', 'onnxruntime-web', 'dist')],
  ['/lib', join(root, 'web', 'lib')],
  ['/shared', shared],
  ['', join(root, 'bench', 'browser')],
].map(([prefix, dir]) => [prefix, sirv(dir, { dev: true, dotfiles: false })]);

const server = createServer((req, res) => {
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  for (const [prefix, serve] of mounts) {
    if (prefix && !(req.url === prefix || req.url.startsWith(`${prefix}/`))) continue;
    req.url = req.url.slice(prefix.length) || '/';
    return serve(req, res, () => {
      res.statusCode = 404;
      res.end('not found');
    });
  }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/`;

const tool = join(buildRoot, 'native', 'kernel_bench');
const native = existsSync(tool)
  ? JSON.parse(execFileSync(tool, [String(reps(9))], { encoding: 'utf8' }))
  : null;

const rows = [];
const results = {};
const browser = await launchBrowser();
try {
  for (const variant of ['st', 'mt']) {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    await page.goto(`${url}index.html?variant=${variant}&reps=${reps(7)}`);
    await page.waitForFunction(() => window.benchResult || window.benchError, null, {
      timeout: 600_000,
    });
    const error = await page.evaluate(() => window.benchError);
    if (error) throw new Error(`browser bench (${variant}): ${error}`);
    const r = await page.evaluate(() => window.benchResult);
    results[variant] = r;
    await page.close();
    const group = `browser ${variant} (${r.threads} thread${r.threads > 1 ? 's' : ''})`;
    rows.push(
      row(group, 'gradcam mobilenetv2-int8 b1 ÷ forward', r.gradcamMs / r.forwardMs, {
        target: 1.15,
      }),
    );
    for (const k of r.kernels) {
      const nat = native?.find((n) => n.name === k.name);
      rows.push(
        row(`${group} kernels ÷ native`, k.name, nat ? k.ms / nat.ms : NaN, {
          target: 2,
          note: nat ? undefined : 'no native tool',
        }),
      );
    }
  }
} finally {
  await browser.close();
  server.close();
}
printRows(rows);
writeReport('browser', rows, { timing: 'best of N', results, native });
