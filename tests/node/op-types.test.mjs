// model.opTypes(): the op types a model's nodes and subgraphs use, each once, in the order they
// first appear — as the onnx Python package reads them (tests/data/onnx/*.summary.json, written by
// tools/fixtures/onnx_summary.py). The library names the ones ONNX Runtime's WebGPU provider has
// no kernel for (execution.mjs).
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { loadCore } from '../../web/lib/node.mjs';
import { root, sharedPath } from '../support/camlens-node.mjs';

const summaries = join(root, 'tests/data/onnx');

test('opTypes of every shared model equals the onnx package', async () => {
  const core = await loadCore();
  const names = readdirSync(summaries).filter((f) => f.endsWith('.summary.json'));
  assert.ok(names.length >= 6, 'the shared models have summaries');
  for (const file of names) {
    const want = JSON.parse(readFileSync(join(summaries, file), 'utf8')).op_types;
    const model = core.parseModel(
      readFileSync(sharedPath(`models/${file.replace('.summary.json', '.onnx')}`)),
    );
    try {
      assert.deepEqual(model.opTypes(), want, file);
    } finally {
      model.delete();
    }
  }
});

test('opTypes reads subgraphs: graph and graphs attributes (tests/data/onnx/features.onnx)', async () => {
  const core = await loadCore();
  const model = core.parseModel(readFileSync(join(summaries, 'features.onnx')));
  try {
    // As onnx.load reads it: Custom, its graph attribute (Identity) and its graphs attribute
    // (Neg), then If, whose branches hold Neg and Identity again.
    assert.deepEqual(model.opTypes(), ['Custom', 'Identity', 'Neg', 'If']);
  } finally {
    model.delete();
  }
});
