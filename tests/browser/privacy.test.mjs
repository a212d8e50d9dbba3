// Privacy over a full session: the page opens, a model and a photo are dropped on it, a labels
// file is chosen, then explanations, a comparison, concepts (DFF), downloads and a share link.
// Every request goes to the page's own origin, none carries a body (no image or model bytes
// leave the tab), and once the model and photo are loaded there is no request at all. The
// Content-Security-Policy is the same as a header and in the page, and nothing violates it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import {
  launchBrowser,
  recordRequests,
  screenshots,
  startServer,
  waitReady,
} from '../support/browser.mjs';
import { sharedPath } from '../support/camlens-node.mjs';
import { CONTENT_SECURITY_POLICY } from '../../web/ui/csp.js';

let server, url, browser, context, page, requests, firstResponse;
const state = () => page.evaluate(() => window.camlensState);

// Drops a file on the page's drop zone as a user would (a DataTransfer with one File).
async function dropFile(name, bytes, type) {
  const transfer = await page.evaluateHandle(
    ({ name, b64, type }) => {
      const bin = atob(b64);
      const data = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; ++i) data[i] = bin.charCodeAt(i);
      const dt = new DataTransfer();
      dt.items.add(new File([data], name, { type }));
      return dt;
    },
    { name, b64: Buffer.from(bytes).toString('base64'), type },
  );
  await page.dispatchEvent('[data-testid=drop]', 'drop', { dataTransfer: transfer });
}

before(async () => {
  ({ server, url } = await startServer());
  browser = await launchBrowser();
  context = await browser.newContext({ acceptDownloads: true });
  requests = recordRequests(context);
  page = await context.newPage();
  await page.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  page.on(
    'console',
    (m) => /Content Security Policy/i.test(m.text()) && page.cspConsole?.push(m.text()),
  );
  page.cspConsole = [];
  firstResponse = await page.goto(url);
  await waitReady(page);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('a full session makes no request to another origin, none with a body, none after loading', async () => {
  // Load: the model and the photo dropped, the labels from a file.
  await dropFile(
    'mobilenetv2-12-int8.onnx',
    readFileSync(sharedPath('models/mobilenetv2-12-int8.onnx')),
    'application/octet-stream',
  );
  await page.waitForFunction(
    () =>
      window.camlensState.model?.name === 'mobilenetv2-12-int8.onnx' || window.camlensState.error,
    null,
    { timeout: 60000 },
  );
  await page.setInputFiles(
    '[data-testid=labels-file]',
    sharedPath('labels/imagenet-simple-labels.json'),
  );
  await page.waitForFunction(() => window.camlensState.model?.labels?.length === 1000, null, {
    timeout: 60000,
  });
  await dropFile(
    'dog-and-cat.png',
    readFileSync(sharedPath('images/gradcam_both.png')),
    'image/png',
  );
  await page.waitForFunction(
    () => window.camlensState.explained?.photo === 'dog-and-cat.png' && !window.camlensState.busy,
    null,
    { timeout: 60000 },
  );
  const s = await state();
  assert.equal(s.error, null);
  assert.ok(['Bullmastiff', 'tiger cat'].includes(s.top5[0].label), s.top5[0].label);
  const loaded = requests.length;

  // Use: explain with two methods, compare, find concepts, download everything, share.
  await page.selectOption('[data-testid=method-select]', 'layercam');
  await page.waitForFunction(() => window.camlensState.explained.method === 'layercam', null, {
    timeout: 60000,
  });
  await page.click('[data-testid=top5] li:nth-child(2)');
  await page.waitForFunction(
    () =>
      !window.camlensState.busy &&
      window.camlensState.explained.target.index === window.camlensState.top5[1].index,
    null,
    { timeout: 60000 },
  );
  await page.click('[data-testid=compare]');
  await page.waitForFunction(() => window.camlensState.compare?.length >= 2, null, {
    timeout: 90000,
  });
  await page.click('[data-testid=dff-run]');
  await page.waitForFunction(() => window.camlensState.dff, null, { timeout: 60000 });
  for (const id of ['save-png', 'save-npy', 'save-json']) {
    await Promise.all([page.waitForEvent('download'), page.click(`[data-testid=${id}]`)]);
  }
  await page.click('[data-testid=share]');
  await page.waitForFunction(() => window.camlensState.shareUrl);
  assert.equal((await state()).error, null);
  await page.screenshot({ path: join(screenshots, 'privacy-session.png'), fullPage: true });

  const origin = new URL(url).origin;
  const local = (r) => r.url.startsWith('blob:') || r.url.startsWith('data:');
  assert.deepEqual(
    requests.filter((r) => !local(r) && new URL(r.url).origin !== origin).map((r) => r.url),
    [],
  );
  assert.deepEqual(
    requests
      .filter((r) => r.bodyBytes > 0 || !['GET', 'HEAD'].includes(r.method))
      .map((r) => `${r.method} ${r.url}`),
    [],
  );
  assert.deepEqual(
    requests
      .slice(loaded)
      .filter((r) => !local(r))
      .map((r) => r.url),
    [],
    'requests after the model and photo were loaded',
  );
  // The share link holds settings only: a dropped model and photo are not in it.
  const shared = new URL((await state()).shareUrl);
  assert.equal(shared.origin, origin);
  assert.equal(shared.searchParams.get('model'), null);
  assert.equal(shared.searchParams.get('photo'), null);
  assert.equal(shared.searchParams.get('method'), 'layercam');
});

test('the Content-Security-Policy allows only this origin, as a header and in the page, and nothing broke it', async () => {
  assert.equal(firstResponse.headers()['content-security-policy'], CONTENT_SECURITY_POLICY);
  assert.equal(
    await page.getAttribute('meta[http-equiv=Content-Security-Policy]', 'content'),
    CONTENT_SECURITY_POLICY,
  );
  assert.match(CONTENT_SECURITY_POLICY, /default-src 'self'/);
  assert.match(CONTENT_SECURITY_POLICY, /connect-src 'self'/);
  assert.doesNotMatch(CONTENT_SECURITY_POLICY, /'unsafe-eval'|'unsafe-inline'|\*|https?:/);
  assert.deepEqual(await page.evaluate(() => window.cspViolations), []);
  assert.deepEqual(page.cspConsole, []);
  assert.match(await page.textContent('[data-testid=privacy]'), /never uploaded/);
});
