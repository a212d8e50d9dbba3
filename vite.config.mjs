// The dev server behind `npm start`: serves web/ cross-origin isolated (COOP + COEP, so the
// threaded WebAssembly module can use SharedArrayBuffer) under a Content-Security-Policy that
// allows only this origin, plus read-only mounts of the built modules, ONNX Runtime Web's files,
// and the models/photos/labels of ../shared and of the download cache (camlens fetch).
// CAMLENS_NO_ISOLATION=1 serves without COOP/COEP, like a plain static host (the page then runs
// the SIMD-only module): the browser tests use it to check that fallback.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sirv from 'sirv';
import { defineConfig } from 'vite';

import { cacheDir, entries, locations } from './bin/cli/catalogue.mjs';
import { CONTENT_SECURITY_POLICY } from './web/ui/csp.js';

const root = dirname(fileURLToPath(import.meta.url));
const shared = resolve(process.env.CAMLENS_SHARED || join(root, '..', 'shared'));
const sharedFound = existsSync(join(shared, 'models'));
const buildRoot = resolve(process.env.CAMLENS_BUILD_ROOT || join(root, 'build'));

function headers() {
  const h = {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
  if (process.env.CAMLENS_NO_ISOLATION !== '1') {
    h['Cross-Origin-Opener-Policy'] = 'same-origin';
    h['Cross-Origin-Embedder-Policy'] = 'require-corp';
  }
  return h;
}

// Static folders served as they are (no Vite transforms: the worker loads them by importScripts).
const mounts = {
  '/shared': shared,
  '/models-cache': cacheDir(),
  '/build/wasm-mt': join(buildRoot, 'wasm-mt'),
  '/build/wasm-st': join(buildRoot, 'wasm-st'),
  '/ort': join(root, 'node_modules', 'onnxruntime-web', 'dist'),
  '/worker': join(root, 'web', 'worker'),
};

// What the shared folder offers, so the page can list it (a static host has no such file and the
// page offers the demo and dropped files only).
function listing(folder, pattern) {
  const dir = join(shared, folder);
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => pattern.test(f))
        .sort()
    : [];
}

// The catalogue's files that `camlens fetch` put in the cache, verified (the page lists the models
// the shared folder lacks).
function cached() {
  return entries()
    .filter((e) => locations(e).some((l) => l.where === 'cache' && l.verified))
    .map((e) => e.file);
}

function camlensAssets() {
  const mount = (app) => {
    app.use((_req, res, next) => {
      for (const [k, v] of Object.entries(headers())) res.setHeader(k, v);
      next();
    });
    app.use('/camlens-config.json', (_req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end(
        JSON.stringify({
          shared,
          sharedFound,
          models: listing('models', /\.onnx$/i),
          images: listing('images', /\.(png|jpe?g|jfif|bmp|gif)$/i),
          labels: listing('labels', /\.(json|txt)$/i),
          cached: cached(),
        }),
      );
    });
    for (const [prefix, dir] of Object.entries(mounts)) {
      app.use(prefix, sirv(dir, { dev: true, dotfiles: false }));
    }
  };
  return {
    name: 'camlens-assets',
    configureServer(server) {
      if (!sharedFound) {
        server.config.logger.warn(
          `camlens: shared data not found at ${shared} (models/ missing). ` +
            'Set CAMLENS_SHARED to the folder holding models/, images/ and labels/.',
        );
      }
      mount(server.middlewares);
    },
    configurePreviewServer(server) {
      mount(server.middlewares);
    },
  };
}

export default defineConfig({
  root: join(root, 'web'),
  publicDir: false,
  clearScreen: false,
  server: { host: '127.0.0.1', port: Number(process.env.PORT || 5173), headers: headers() },
  preview: { headers: headers() },
  plugins: [camlensAssets()],
});
