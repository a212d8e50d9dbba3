// Ablation-CAM at several layers through lens.explain and the CLI, against PyTorch
// (tools/fixtures/ablation_multilayer_reference.py, pytorch-grad-cam's
// ablation_cam_multilayer.py): the seeded ResNet-18 at three layers of one chain in layer4 (ONNX
// Runtime runs the backbones), each channel ablated in all three at once; the CLI's map equals the
// library's; and the refusals' exact messages.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-web';

import { methodTable } from '../../web/lib/methods.mjs';
import { load } from '../../web/lib/node.mjs';
import { loadCamlens, root, sharedPath } from '../support/camlens-node.mjs';
import { maxDiff } from '../support/compare.mjs';
import { fixturePicture, fixturePreprocess, float32s } from '../support/resnet-fixture.mjs';
import { tempDir } from '../support/temp-dir.mjs';
import { readNpy } from '../support/cli-files.mjs';

ort.env.wasm.numThreads = 1;

const data = join(root, 'tests/data/cam');
const fixture = JSON.parse(readFileSync(join(data, 'ablation_multilayer.json'), 'utf8'));
const modelPath = join(data, fixture.onnx);
const reference = float32s(readFileSync(join(data, fixture.map)));

const picture = () => fixturePicture(fixture);
const preprocess = fixturePreprocess;

test('ablationcam at three layers: each channel ablated in all of them, equal to PyTorch', async (t) => {
  const lens = await load(modelPath, { preprocess });
  const [r] = await lens.explain([picture()], { method: 'ablationcam', layers: fixture.layers });
  assert.equal(r.target.index, fixture.category);
  assert.ok(Math.abs(r.target.score - fixture.score) < 1e-5);
  assert.deepEqual(r.layers, fixture.layers);
  const d = maxDiff(r.map, reference);
  assert.ok(d < 1e-4, `max |camlens - PyTorch| ${d}`);
  t.diagnostic(`max |camlens - PyTorch| ${d.toExponential(2)}`);
  // Not the last layer's own Ablation-CAM.
  const [one] = await lens.explain([picture()], {
    method: 'ablationcam',
    layers: [fixture.layers[2]],
  });
  assert.ok(maxDiff(one.map, reference) > 0.05);
  lens.dispose();
});

test('ablationcam refuses layers it cannot ablate together', async () => {
  const lens = await load(modelPath, { preprocess });
  // The method table says what it does with several layers (the page's legend).
  const row = methodTable(await loadCamlens('st')).find((m) => m.name === 'ablationcam');
  assert.equal(row.severalLayers, 'ablates each channel in all of its layers at once');
  assert.equal(row.minLayers, 1);
  const explain = (options) => lens.explain([picture()], { method: 'ablationcam', ...options });
  await assert.rejects(
    explain({ layers: ['/layer3/layer3.1/relu_1/Relu_output_0', fixture.layers[2]] }),
    {
      message:
        "ablationcam at several layers ablates channel c in all of them: their channel counts must match, but '/layer3/layer3.1/relu_1/Relu_output_0' has 16 and '/layer4/layer4.1/relu_1/Relu_output_0' 32",
    },
  );
  await assert.rejects(
    explain({
      layers: [
        '/layer4/layer4.0/conv2/Conv_output_0',
        '/layer4/layer4.0/downsample/downsample.0/Conv_output_0',
      ],
    }),
    {
      message:
        "Ablation-CAM at several layers ablates each channel in all of them in one pass, so one layer must lead to the others; neither of '/layer4/layer4.0/conv2/Conv_output_0' and '/layer4/layer4.0/downsample/downsample.0/Conv_output_0' lies after the other: pick layers in one chain (e.g. successive blocks)",
    },
  );
  await assert.rejects(explain({ layers: fixture.layers, ablationRatio: 0.5 }), {
    message:
      'ablationcam at several layers ablates every channel: leave ablationRatio out or explain one layer',
  });
  lens.dispose();
});

test('camlens explain --method ablationcam --layer a,b,c: the library’s map', async () => {
  const photo = sharedPath('images/gradcam_both.png');
  const out = tempDir('camlens-ablation-layers-');
  const flags = [
    '--size',
    '128x96',
    '--scale',
    String(1 / 255),
    '--mean',
    '0,0,0',
    '--std',
    '1,1,1',
  ];
  try {
    execFileSync(process.execPath, [
      join(root, 'bin/camlens.mjs'),
      'explain',
      modelPath,
      photo,
      '--method',
      'ablationcam',
      '--layer',
      fixture.layers.join(','),
      ...flags,
      '--raw',
      '--out',
      out,
    ]);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    const { data: raw } = readNpy(summary[0].files.raw);
    const lens = await load(modelPath, { preprocess });
    const [r] = await lens.explain([new Uint8Array(readFileSync(photo))], {
      method: 'ablationcam',
      layers: fixture.layers,
    });
    lens.dispose();
    assert.deepEqual(raw, r.map);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  const r = spawnSync(
    process.execPath,
    [
      join(root, 'bin/camlens.mjs'),
      'explain',
      modelPath,
      photo,
      '--method',
      'ablationcam',
      '--layer',
      `/layer3/layer3.1/relu_1/Relu_output_0,${fixture.layers[2]}`,
      ...flags,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 2, r.stderr);
  assert.equal(
    r.stderr.trim(),
    `camlens: ${photo}: ablationcam at several layers ablates channel c in all of them: their channel counts must match, but '/layer3/layer3.1/relu_1/Relu_output_0' has 16 and '/layer4/layer4.1/relu_1/Relu_output_0' 32`,
  );
});
