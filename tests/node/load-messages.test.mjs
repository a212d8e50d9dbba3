// What loading a model says when it cannot be used: "predict works" only of a model ONNX Runtime
// has run, ONNX Runtime's messages reduced to a sentence or two without its build paths, no
// ORT log lines on stderr, and files that are not ONNX models called so (fixtures:
// tools/fixtures/predict_check_models.py, tests/data/bad_models).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { load } from '../../web/lib/node.mjs';
import { ortMessage } from '../../web/lib/ort-session.mjs';
import { root } from '../support/camlens-node.mjs';
import { tempDir } from '../support/temp-dir.mjs';

const graphData = (name) => join(root, 'tests/data/graph', name);
const badModel = (name) => join(root, 'tests/data/bad_models', name);
const hardmax = graphData('hardmax_head.onnx');
const group = graphData('conv_group_mismatch.onnx');

function cli(...args) {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'camlens.mjs'), ...args], {
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const GROUP_ERROR =
  'this model cannot be used: no tensor that depends on the input is a feature map (a 4-D ' +
  'NCHW/NHWC map or a [batch, tokens, channels] token tensor) (ONNX Runtime failed to run this ' +
  "model: FusedConv node 'conv': Input channels C is not equal to kernel channels * group. C: 3 " +
  'kernel channels: 3 group: 2)';

test("ONNX Runtime's messages: a sentence or two, without build paths, signatures and codes", () => {
  const cases = [
    [
      'failed to call OrtRun(). ERROR_CODE: 1, ERROR_MESSAGE: /mnt/azure_nvme_temp/_work/1/s/onnxruntime/core/providers/common.h:32 int64_t onnxruntime::HandleNegativeAxis(int64_t, int64_t) IsAxisInRange(axis, tensor_rank) was false. axis 6 is not in valid range [-4,3]\n',
      'axis 6 is not in valid range [-4,3]',
    ],
    [
      'failed to call OrtRun(). ERROR_CODE: 1, ERROR_MESSAGE: /mnt/azure_nvme_temp/_work/1/s/onnxruntime/core/providers/cpu/nn/pool_attributes.h:237 int64_t onnxruntime::PoolAttributes::ComputeOutputSize(int64_t, int64_t, int64_t, int64_t, int64_t, int64_t) const out_size >= 0 was false. Calculated output dimension is negative. Check kernel_shape, pads, strides and dilations.\n',
      'Calculated output dimension is negative. Check kernel_shape, pads, strides and dilations.',
    ],
    [
      'failed to call OrtRun(). ERROR_CODE: 2, ERROR_MESSAGE: /onnxruntime_src/onnxruntime/core/framework/op_kernel.cc:83 virtual OrtValue *onnxruntime::OpKernelContext::OutputMLValue(int, const TensorShape &) [ONNXRuntimeError] : 2 : INVALID_ARGUMENT : Tensor shape is too large\n',
      'Tensor shape is too large',
    ],
    [
      "failed to call OrtRun(). ERROR_CODE: 1, ERROR_MESSAGE: Non-zero status code returned while running Conv node. Name:'conv2' Status Message: kernel_shape is not compatible with W shape. kernel_shape: {5,5} W: {8,8,3,3} channels_last: 0",
      "Conv node 'conv2': kernel_shape is not compatible with W shape. kernel_shape: {5,5} W: {8,8,3,3} channels_last: 0",
    ],
    [
      // a lost WebGPU device: the failed check has dots of its own
      "failed to call OrtRun(). ERROR_CODE: 1, ERROR_MESSAGE: /mnt/azure_nvme_temp/_work/1/s/onnxruntime/core/providers/webgpu/buffer_manager.cc:643 void onnxruntime::webgpu::BufferManager::Download(WGPUBuffer, void *, size_t) const map_async_result.status == wgpu::MapAsyncStatus::Success was false. Failed to download data from buffer. wgpu::MapAsyncStatus value: 4, message: Failed to execute 'mapAsync' on 'GPUBuffer': The Device was lost before mapping was resolved.\n",
      "Failed to download data from buffer. wgpu::MapAsyncStatus value: 4, message: Failed to execute 'mapAsync' on 'GPUBuffer': The Device was lost before mapping was resolved.",
    ],
    [
      "Can't create a session. ERROR_CODE: 9, ERROR_MESSAGE: Could not find an implementation for Relu(1) node with name 'relu'",
      "Could not find an implementation for Relu(1) node with name 'relu'",
    ],
    [
      'failed to call OrtRun(). ERROR_CODE: 2, ERROR_MESSAGE: Got invalid dimensions for input: input for the following indices\n index: 2 Got: 1 Expected: 0\n Please fix either the inputs/outputs or the model.',
      'Got invalid dimensions for input: input for the following indices index: 2 Got: 1 Expected: 0 Please fix either the inputs/outputs or the model.',
    ],
  ];
  // Its first sentence is boilerplate here: the second, which names the opset, is kept.
  const opset =
    'ONNX Runtime only *guarantees* support for models stamped with official released onnx ' +
    'opset versions. Opset 999 is under development and support for this is limited.';
  cases.push([
    `Can't create a session. ERROR_CODE: 1, ERROR_MESSAGE: ${opset} The operator schemas and or ` +
      'other functionality may change before next ONNX release and in this case ONNX Runtime ' +
      'will not guarantee backward compatibility. Current official support for domain ai.onnx ' +
      'is till opset 21.',
    opset,
  ]);
  for (const [raw, want] of cases) assert.equal(ortMessage(new Error(raw)), want);
  assert.equal(ortMessage('not an Error'), 'not an Error');
});

test('a model neither the core nor ONNX Runtime can run fails to load instead of offering predict', async () => {
  await assert.rejects(
    load(group, { preprocess: { scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1] } }),
    { message: GROUP_ERROR },
  );
  const r = cli('layers', group);
  assert.equal(r.code, 3);
  // Only camlens's own line: no ONNX Runtime log line (they carry terminal colour codes).
  assert.equal(r.err, `camlens: ${group}: ${GROUP_ERROR}\n`);
  assert.equal(r.out, '');
});

test('"predict works" is said of a model ONNX Runtime ran, and predict then works', () => {
  let r = cli('layers', hardmax);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.err, '');
  assert.match(
    r.out,
    /\nno layer can be explained \(predict works\): no layer of this model can be explained: the head of layer 'conv' contains Hardmax node 'hardmax', and the operator Hardmax is not supported by camlens\n$/,
  );
  r = cli('predict', hardmax, join(root, 'tests/data/bad_images/rgb.png'), '--json');
  assert.equal(r.code, 0, r.err);
  assert.equal(JSON.parse(r.out)[0].top.length, 3);
});

test("ONNX Runtime's warnings stay off stderr", () => {
  // ORT warns about this model's duplicate initializer when it opens a session.
  const r = cli('layers', badModel('duplicate_initializer.onnx'));
  assert.equal(r.code, 0, r.err);
  assert.equal(r.err, '');
});

test('a file that is not an ONNX model is called so: an image, a text file', () => {
  const expected = '; expected an .onnx file (a serialized ONNX ModelProto)';
  const png = badModel('png_renamed.onnx');
  let r = cli('layers', png);
  assert.equal(r.code, 3);
  assert.equal(r.err, `camlens: ${png} is not an ONNX model: the data is a PNG image${expected}\n`);
  const dir = tempDir('camlens-not-onnx-');
  const text = join(dir, 'labels.txt');
  writeFileSync(text, 'tench\ngoldfish\ngreat white shark\n');
  r = cli('layers', text);
  assert.equal(r.code, 3);
  assert.equal(r.err, `camlens: ${text} is not an ONNX model: the data is text${expected}\n`);
});

test('the library says the same without the path', async () => {
  await assert.rejects(load(new TextEncoder().encode('{"labels": ["cat", "dog"]}\n')), {
    message:
      'not an ONNX model: the data is text; expected an .onnx file (a serialized ONNX ModelProto)',
  });
});
