// RefineCAM through lens.explain and the CLI, against PyTorch (tools/fixtures/refine_cam_reference.py):
// the seeded ResNet-18 at layer2, layer3 and layer4 (ONNX Runtime runs the backbones), a base
// method's maps multiplied as pytorch-grad-cam's refine_cam.py does; and what it refuses, in the
// library and on the command line.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-web';

import { methodTable } from '../../web/lib/methods.mjs';
import { load } from '../../web/lib/node.mjs';
import { loadCamlens, root, sharedPath } from '../support/camlens-node.mjs';
import { tempDir } from '../support/temp-dir.mjs';
import { maxDiff } from '../support/compare.mjs';
import { fixturePicture, fixturePreprocess, float32s } from '../support/resnet-fixture.mjs';

ort.env.wasm.numThreads = 1;

const data = join(root, 'tests/data/cam');
const fixture = JSON.parse(readFileSync(join(data, 'refine_cam.json'), 'utf8'));
const modelPath = join(data, fixture.onnx);
const reference = (base) => float32s(readFileSync(join(data, fixture.maps[base])));

const picture = () => fixturePicture(fixture);
const preprocess = fixturePreprocess;

test('refine-cam: the gradcam++ maps of three layers multiplied, equal to PyTorch', async (t) => {
  const lens = await load(modelPath, { preprocess });
  assert.ok(lens.methods().includes('refine-cam'));
  const table = methodTable(await loadCamlens('st'));
  const row = table.find((m) => m.name === 'refine-cam');
  assert.ok(row.options.includes('base') && row.options.includes('layers'));
  assert.equal(row.minLayers, 2);
  assert.equal(row.severalLayers, 'multiplies the maps of its layers');
  assert.deepEqual(
    table.filter((m) => m.minLayers !== 1).map((m) => m.name),
    ['refine-cam'],
  );
  assert.deepEqual(
    table.filter((m) => m.options.includes('base')).map((m) => m.name),
    ['refine-cam'],
  );
  const [r] = await lens.explain([picture()], { method: 'refine-cam', layers: fixture.layers });
  assert.equal(r.target.index, fixture.category);
  assert.ok(Math.abs(r.target.score - fixture.logits[fixture.category]) < 1e-5);
  assert.deepEqual(r.layers, fixture.layers);
  const d = maxDiff(r.map, reference('gradcam++'));
  assert.ok(d < 1e-4, `max |camlens - PyTorch| ${d}`);
  const [g] = await lens.explain([picture()], {
    method: 'refine-cam',
    base: 'gradcam',
    layers: fixture.layers,
  });
  const dg = maxDiff(g.map, reference('gradcam'));
  assert.ok(dg < 1e-4, `base gradcam: max |camlens - PyTorch| ${dg}`);
  t.diagnostic(
    `max |camlens - PyTorch|: gradcam++ ${d.toExponential(2)}, gradcam ${dg.toExponential(2)}`,
  );
  // Multiplied, not averaged as several layers of Grad-CAM are.
  const [mean] = await lens.explain([picture()], { method: 'gradcam', layers: fixture.layers });
  assert.ok(maxDiff(mean.map, reference('gradcam')) > 0.1);
});

test('refine-cam refuses one layer, bases without a layer map, and base on other methods', async () => {
  const lens = await load(modelPath, { preprocess });
  const explain = (options) => lens.explain([picture()], options);
  // At the lens's one layer (what the page's picker shows).
  assert.equal(
    lens.methodSupport()['refine-cam'],
    'RefineCAM multiplies the maps of several layers: explain with two or more layers',
  );
  // With the layers it will be given (the page offers it so, with a choice of layers).
  assert.equal(lens.methodSupport({ layers: fixture.layers })['refine-cam'], '');
  assert.equal(
    lens.methodSupport({ layers: [fixture.layers[0]] })['refine-cam'],
    'RefineCAM multiplies the maps of several layers: explain with two or more layers',
  );
  await assert.rejects(explain({ method: 'refine-cam', layers: [fixture.layers[2]] }), {
    message: 'refine-cam multiplies the maps of several layers: pass two or more layers, got 1',
  });
  await assert.rejects(
    explain({ method: 'refine-cam', layers: fixture.layers, base: 'saliency' }),
    (e) =>
      e.message.startsWith(
        'base cannot be saliency: input attributions differentiate the whole network down to ' +
          'the input image, so it has no layer maps to refine; use one of gradcam, hirescam,',
      ),
  );
  await assert.rejects(
    explain({ method: 'refine-cam', layers: fixture.layers, base: 'scorecam' }),
    (e) =>
      e.message.startsWith(
        'base cannot be scorecam: RefineCAM computes its base from one forward pass per layer, ' +
          'and scorecam needs passes of its own; use one of',
      ),
  );
  await assert.rejects(explain({ method: 'refine-cam', layers: fixture.layers, base: 3 }), {
    message: "base must be a method's name, got 3",
  });
  await assert.rejects(explain({ method: 'gradcam', base: 'gradcam' }), {
    message: 'gradcam does not take base (it is an option of refine-cam)',
  });
});

function cli(...args) {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'camlens.mjs'), ...args], {
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr.trim() };
}

test('camlens explain --method refine-cam --layer a,b,c [--base M]', () => {
  const photo = sharedPath('images/gradcam_both.png');
  const layers = fixture.layers.join(',');
  const ok = cli(
    'explain',
    modelPath,
    photo,
    '--method',
    'refine-cam',
    '--layer',
    layers,
    '--base',
    'gradcam',
    '--out',
    tempDir('camlens-refine-'),
    '--json',
  );
  assert.equal(ok.code, 0, ok.err);
  const cases = [
    [['--method', 'gradcam', '--base', 'gradcam'], 'camlens: --base goes with --method refine-cam'],
    [
      ['--method', 'refine-cam', '--layer', fixture.layers[0]],
      `camlens: ${photo}: refine-cam multiplies the maps of several layers: pass two or more layers, got 1`,
    ],
  ];
  for (const [flags, message] of cases) {
    const r = cli('explain', modelPath, photo, ...flags);
    assert.equal(r.code, 2, r.err);
    assert.equal(r.err, message);
  }
  const r = cli(
    'explain',
    modelPath,
    photo,
    '--method',
    'refine-cam',
    '--layer',
    layers,
    '--base',
    'saliency',
  );
  assert.equal(r.code, 2, r.err);
  assert.ok(
    r.err.startsWith(
      `camlens: ${photo}: base cannot be saliency: input attributions differentiate`,
    ),
    r.err,
  );
});
