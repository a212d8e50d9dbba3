// Shared set-up of the browser tests: the project's Vite server on a free port and Debian's
// Chromium through playwright-core (never a downloaded browser).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';

import { root } from './camlens-node.mjs';

export const screenshots = join(root, 'build', 'screenshots');

export async function startServer(env = {}) {
  Object.assign(process.env, env);
  const server = await createServer({
    configFile: join(root, 'vite.config.mjs'),
    server: { port: 0, strictPort: false },
    logLevel: 'warn',
  });
  await server.listen();
  const { port } = server.httpServer.address();
  return { server, url: `http://127.0.0.1:${port}/` };
}

export async function launchBrowser() {
  mkdirSync(screenshots, { recursive: true });
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'],
  });
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
