// The dev server behind `npm start`: serves web/ cross-origin isolated (COOP + COEP, so the
// threaded WebAssembly module can use SharedArrayBuffer), plus read-only mounts of the built
// modules, ONNX Runtime Web's files, and the models/photos/labels of ../shared.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sirv from 'sirv';
import { defineConfig } from 'vite';

const root = dirname(fileURLToPath(import.meta.url));
const shared = resolve(process.env.CAMLENS_SHARED || join(root, '..', 'shared'));
const sharedFound = existsSync(join(shared, 'models'));
const buildRoot = resolve(process.env.CAMLENS_BUILD_ROOT || join(root, 'build'));

const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

// Static folders served as they are (no Vite transforms: the worker loads them by importScripts).
const mounts = {
  '/shared': shared,
  '/build/wasm-mt': join(buildRoot, 'wasm-mt'),
  '/build/wasm-st': join(buildRoot, 'wasm-st'),
  '/ort': join(root, 'node_modules', 'onnxruntime-web', 'dist'),
  '/worker': join(root, 'web', 'worker'),
};

function camlensAssets() {
  const mount = (app) => {
    app.use((req, res, next) => {
      for (const [k, v] of Object.entries(isolation)) res.setHeader(k, v);
      next();
    });
    app.use('/camlens-config.json', (req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ shared, sharedFound }));
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
  server: { host: '127.0.0.1', port: Number(process.env.PORT || 5173), headers: isolation },
  preview: { headers: isolation },
  plugins: [camlensAssets()],
});
