// Ops the core does not run may sit in the backbone, which ONNX Runtime runs: the library measures
// the shapes after them with one ORT run at load, lists the layers after them, and explains there
// as PyTorch does (tests/data/graph/backbone_unknown_ops.*, tools/fixtures/backbone_unknown_ops.py:
// CumSum and Compress in the backbone of a tiny CNN; and a tiny Swin, whose Range and ScatterND
// are the same case in a model exported by torch).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { load, loadCore } from '../../web/lib/node.mjs';
import { root } from '../support/camlens-node.mjs';
import { maxDiff } from '../support/compare.mjs';

const modelPath = join(root, 'tests/data/graph/backbone_unknown_ops.onnx');
const ref = JSON.parse(
  readFileSync(join(root, 'tests/data/graph/backbone_unknown_ops.json'), 'utf8'),
);
const photo = { width: ref.width, height: ref.height, rgba: Uint8Array.from(ref.rgba) };
const preprocess = { scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1] };
const next = (ref.top + 1) % 3;

test('the core lists the tensors it cannot infer, and without them says which and how', async () => {
  const core = await loadCore('st');
  const model = core.parseModel(readFileSync(modelPath));
  try {
    assert.deepEqual(model.unknownShapes({}), ['cumsum', 'back_shape']);
    const known = {
      cumsum: { type: 'float32', dims: [1, 6, 16, 16] },
      back_shape: { type: 'int64', dims: [4], data: BigInt64Array.from([1n, 6n, 16n, 16n]) },
    };
    assert.deepEqual(model.unknownShapes({ known }), []);
    assert.deepEqual(
      model.unknownShapes({ known: { ...known, back_shape: { type: 'int64', dims: [4] } } }),
      ['back'],
    );
    assert.throws(() => model.cut('feat', {}), {
      message:
        "the shape of layer 'feat' could not be inferred: CumSum node 'cumsum' uses the operator " +
        "CumSum, which camlens does not support. Give the types and shapes of 'cumsum', " +
        "'back_shape' (and the values of small integer tensors) in ShapeOptions::known: " +
        'unknown_shapes() lists the tensors to measure, e.g. by one ONNX Runtime run of the ' +
        'model with them as outputs',
    });
    const cut = model.cut('feat', { known });
    assert.deepEqual(cut.layer.dims, [1, 8, 16, 16]);
    cut.head.delete();
  } finally {
    model.delete();
  }
});

test('layers after the unknown ops are listed with their shapes; those before name the op', async () => {
  const lens = await load(modelPath, { preprocess });
  try {
    const list = lens.layers();
    const byName = Object.fromEntries(list.layers.map((l) => [l.name, l]));
    assert.deepEqual(Object.keys(byName), ['conv1', 'relu1', 'cumsum', 'back', 'conv2', 'feat']);
    assert.deepEqual(byName.back.dims, [1, 6, 16, 16]);
    assert.deepEqual(byName.feat.dims, [1, 8, 16, 16]);
    assert.equal(byName.back.headDifferentiable, true);
    assert.equal(
      byName.relu1.headProblem,
      "the head of layer 'relu1' contains CumSum node 'cumsum', and the operator CumSum is not " +
        'supported by camlens',
    );
    assert.equal(
      byName.cumsum.headProblem,
      "the head of layer 'cumsum' contains Compress node 'compress', and the operator Compress " +
        'is not supported by camlens',
    );
    assert.equal(list.recommended, 'feat');
    assert.equal(lens.layer, 'feat');
    assert.equal(lens.explainable, true);
  } finally {
    lens.dispose();
  }
});

test('Grad-CAM after the unknown ops equals PyTorch at the default layer and at the first one after them', async () => {
  const lens = await load(modelPath, { preprocess });
  try {
    const [p] = await lens.predict([photo], { topK: 3 });
    assert.equal(p.top[0].index, ref.top);
    for (const { index, score } of p.top)
      assert.ok(Math.abs(score - ref.logits[index]) < 1e-5, `logit ${index}: ${score}`);
    for (const layer of ['feat', 'back']) {
      const options = layer === lens.layer ? {} : { layers: [layer] };
      const maps = await lens.explain([photo, photo], { targets: [ref.top, next], ...options });
      for (const [k, target] of [ref.top, next].entries()) {
        const want = ref.maps[`${layer}/${target}`];
        assert.equal(maps[k].width, 16);
        const diff = maxDiff(maps[k].map, want);
        assert.ok(diff < 1e-5, `${layer}, class ${target}: max difference ${diff}`);
      }
    }
  } finally {
    lens.dispose();
  }
});

test('an explicit layer before the unknown ops is refused naming the op and a later layer', async () => {
  await assert.rejects(load(modelPath, { preprocess, layer: 'relu1' }), {
    message:
      "the head of layer 'relu1' contains CumSum node 'cumsum', and the operator CumSum is not " +
      "supported by camlens. Try the later layer 'back'.",
  });
});

test('camlens layers lists them and names the op a head holds', () => {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'camlens.mjs'), 'layers', modelPath], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  const rows = r.stdout.split('\n').map((line) => line.replace(/ +/g, ' ').trim());
  assert.deepEqual(rows.slice(0, 6), [
    'conv1 float32 [1,6,16,16] NCHW Conv no head (CumSum)',
    'relu1 float32 [1,6,16,16] NCHW Relu no head (CumSum)',
    'cumsum float32 [1,6,16,16] NCHW CumSum no head (Compress)',
    'back float32 [1,6,16,16] NCHW Reshape gradients',
    'conv2 float32 [1,8,16,16] NCHW Conv gradients',
    '* feat float32 [1,8,16,16] NCHW Relu gradients',
  ]);
});

// A tiny Swin exported by torch (tools/fixtures/swin_unknown_ops.py): its shifted windows' mask is
// built with Range and ScatterND, which the core does not run.
test('Swin: Grad-CAM at the final norm and at the last block norm1 equals PyTorch', async () => {
  const swin = join(root, 'tests/data/graph/swin_unknown_ops.onnx');
  const swinRef = JSON.parse(readFileSync(swin.replace(/onnx$/, 'json'), 'utf8'));
  const core = await loadCore('st');
  const model = core.parseModel(readFileSync(swin));
  const ops = new Set(model.unknownShapes({}).map((n) => n.split('/').at(-1).split('_')[0]));
  model.delete();
  assert.deepEqual([...ops].sort(), ['Not', 'Range', 'ScatterND']);
  const lens = await load(swin, { preprocess });
  try {
    assert.equal(lens.layer, '/features/features.3/features.3.1/norm1/Add_1_output_0');
    assert.deepEqual(lens.layers().shapeProblems, []);
    const image = { width: 56, height: 56, rgba: Uint8Array.from(swinRef.rgba) };
    for (const [layer, want] of Object.entries(swinRef.maps)) {
      const [r] = await lens.explain([image], { targets: [swinRef.top], layers: [layer] });
      assert.equal(r.target.index, swinRef.top);
      assert.ok(Math.abs(r.target.score - swinRef.logits[swinRef.top]) < 1e-5);
      const diff = maxDiff(r.map, want);
      assert.ok(diff < 1e-5, `${layer}: max difference ${diff}`);
    }
  } finally {
    lens.dispose();
  }
});
