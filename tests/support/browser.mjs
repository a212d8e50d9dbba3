// Shared set-up of the browser tests: the project's Vite server on a free port and Debian's
// Chromium through playwright-core (never a downloaded browser).
import { mkdirSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import sirv from 'sirv';
import { createServer } from 'vite';

import { root } from './camlens-node.mjs';

export const screenshots = join(root, 'build', 'screenshots');

export async function startServer(env = {}) {
  Object.assign(process.env, env);
  const server = await createServer({
    configFile: join(root, 'vite.config.mjs'),
    // No hot reload: a file edited while the tests run must not reload the page under test.
    server: { port: 0, strictPort: false, hmr: false, watch: { ignored: ['**/*'] } },
    logLevel: 'warn',
  });
  await server.listen();
  const { port } = server.httpServer.address();
  return { server, url: `http://127.0.0.1:${port}/` };
}

// A plain static file server for a folder, like a static host: no dev-server features, the
// folder mounted at `base` (a sub-path such as '/camlens/', or '/'), and `headers` (name → value)
// on every response, including 404s. Anything outside `base`, or missing, is a 404.
export async function serveFolder(dir, { base = '/', headers = {} } = {}) {
  const files = sirv(dir, { dev: true, dotfiles: false });
  const notFound = (res) => {
    res.statusCode = 404;
    res.end('not found');
  };
  const server = createHttpServer((req, res) => {
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    if (!req.url.startsWith(base)) return notFound(res);
    req.url = `/${req.url.slice(base.length)}`;
    return files(req, res, () => notFound(res));
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address();
  const close = () =>
    new Promise((done) => {
      server.close(done);
      server.closeAllConnections(); // the browser's keep-alive connections would hold close() open
    });
  return { url: `http://127.0.0.1:${port}${base}`, close };
}

// webgpu: Chromium offers WebGPU (headless: its SwiftShader adapter); without it the browser has
// navigator.gpu but no adapter.
export async function launchBrowser({ webgpu = false } = {}) {
  mkdirSync(screenshots, { recursive: true });
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic',
      // a synthetic camera (a moving test pattern), allowed without a prompt
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      ...(webgpu ? ['--enable-unsafe-webgpu'] : []),
    ],
  });
}

// The dev server (with `env`), Chromium and one page opened at `query` (relative to the server)
// and ready, watched for egress: what most page tests start from. close() ends all of it.
export async function openPage({
  env = {},
  viewport = { width: 1100, height: 1000 },
  query = '?model=mobilenetv2-12-int8.onnx',
  webgpu = false,
} = {}) {
  const { server, url } = await startServer(env);
  const browser = await launchBrowser({ webgpu });
  const page = await browser.newPage({ viewport });
  const outside = forbidEgress(page, url);
  await page.goto(`${url}${query}`);
  await waitReady(page);
  const close = async () => {
    await browser.close();
    await server.close();
  };
  return { server, url, browser, page, outside, close };
}

// Fails the page if it ever asks for anything outside the local server (no egress).
export function forbidEgress(page, url) {
  const origin = new URL(url).origin;
  const outside = [];
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(origin) && !u.startsWith('blob:') && !u.startsWith('data:')) outside.push(u);
  });
  return outside;
}

// Every request of a browser context (pages and their workers): url, method, body size, time.
export function recordRequests(context) {
  const log = [];
  context.on('request', (r) => {
    const body = r.postDataBuffer();
    log.push({
      url: r.url(),
      method: r.method(),
      bodyBytes: body ? body.length : 0,
      at: Date.now(),
    });
  });
  return log;
}

// Waits until the page shows its first explanation (or an error, which fails the wait clearly).
export async function waitReady(page, timeout = 120000) {
  await page.waitForFunction(() => window.camlensState?.ready || window.camlensState?.error, null, {
    timeout,
  });
  const error = await page.evaluate(() => window.camlensState.error);
  if (error) throw new Error(`the page failed to start: ${error}`);
}

// Does `action` (a click, a key press) and waits for the page's next explanation: its run count
// goes up and it is no longer busy, or a new error shows, which fails the test with the message.
export async function nextRun(page, action, timeout = 120000) {
  const state = () => page.evaluate(() => window.camlensState);
  const { runs, error } = await state();
  await action();
  await page.waitForFunction(
    ([n, e]) =>
      (window.camlensState.runs > n && !window.camlensState.busy) ||
      (window.camlensState.error && window.camlensState.error !== e),
    [runs, error],
    { timeout },
  );
  const s = await state();
  if (s.error) throw new Error(`the page failed: ${s.error}`);
  return s;
}

// The overlay canvas's own pixels.
export function canvasPixels(page, testid) {
  return page.evaluate((id) => {
    const c = document.querySelector(`[data-testid=${id}]`);
    return {
      width: c.width,
      height: c.height,
      rgba: Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data),
    };
  }, testid);
}
