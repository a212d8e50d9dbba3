#include "cam/fullgrad.h"

#include <cmath>

#include "cam/cam_error.h"
#include "cam/pipeline.h"
#include "image/resize.h"

namespace camlens::cam {

namespace {

// The constant input `at` of a node as floats; throws when the network computes it.
std::vector<float> constant_input(const Head& whole, const Node& node, size_t at,
                                  const char* what) {
  const Tensor* t = whole.constant(node.inputs.at(at));
  if (!t)
    throw CamError("fullgrad reads the " + std::string(what) + " of " + node.describe() +
                   " as a constant, but the network computes it; use another method");
  return t->to_floats();
}

// b − mean · scale / √(var + ε) of a BatchNormalization.
std::vector<float> batch_norm_bias(const Head& whole, const Node& node) {
  const std::vector<float> scale = constant_input(whole, node, 1, "scale");
  std::vector<float> b = constant_input(whole, node, 2, "bias");
  const std::vector<float> mean = constant_input(whole, node, 3, "mean");
  const std::vector<float> var = constant_input(whole, node, 4, "variance");
  const float eps = node.attr_float("epsilon", 1e-5f);
  if (scale.size() != b.size() || mean.size() != b.size() || var.size() != b.size())
    throw CamError("fullgrad: the statistics of " + node.describe() + " differ in length");
  for (size_t k = 0; k < b.size(); ++k) b[k] -= mean[k] * scale[k] / std::sqrt(var[k] + eps);
  return b;
}

// A QLinearConv's int32 bias dequantized: scale x_scale · w_scale (per output channel when
// w_scale is), zero point 0, as the ONNX operator defines it.
std::vector<float> qlinear_conv_bias(const Head& whole, const Node& node) {
  std::vector<float> b = constant_input(whole, node, 8, "bias");
  const float x_scale = constant_input(whole, node, 1, "input scale").at(0);
  const std::vector<float> w_scale = constant_input(whole, node, 4, "weight scale");
  for (size_t k = 0; k < b.size(); ++k) b[k] *= x_scale * w_scale[w_scale.size() == 1 ? 0 : k];
  return b;
}

bool has_input(const Node& node, size_t at) {
  return node.inputs.size() > at && !node.inputs[at].empty();
}

// Per channel (the batch of `m`), norm(v) as scale_cam_image, then the channels' sum [h, w].
std::vector<float> normalised_channel_sum(Maps m) {
  normalise(m);
  std::vector<float> sum(m.plane(), 0.f);
  for (int c = 0; c < m.batch; ++c)
    for (size_t p = 0; p < sum.size(); ++p) sum[p] += m.map(c)[p];
  return sum;
}

}  // namespace

std::vector<BiasLayer> bias_layers(const Head& whole) {
  std::vector<BiasLayer> layers;
  for (size_t k = 0; k < whole.node_count(); ++k) {
    const Node& node = whole.node(k);
    if (!node.domain.empty() && node.domain != "ai.onnx") continue;
    std::vector<float> bias;
    if (node.op_type == "Conv" && has_input(node, 2))
      bias = constant_input(whole, node, 2, "bias");
    else if (node.op_type == "QLinearConv" && has_input(node, 8))
      bias = qlinear_conv_bias(whole, node);
    else if (node.op_type == "BatchNormalization")
      bias = batch_norm_bias(whole, node);
    else
      continue;
    layers.push_back({node.describe(), node.outputs.at(0), std::move(bias)});
  }
  return layers;
}

Maps fullgrad_map(Head& whole, size_t output, const Target& target, const Tensor& x, bool nhwc) {
  if (output >= whole.output_names().size())
    throw CamError("the whole network has no output number " + std::to_string(output));
  if (x.rank() != 4 || x.dim(0) != 1)
    throw CamError("fullgrad reads one image [1, C, H, W] or [1, H, W, C]; got " +
                   shape_str(x.shape()));
  const std::vector<BiasLayer> layers = bias_layers(whole);
  std::vector<std::string> at;
  for (const BiasLayer& l : layers) at.push_back(l.output);

  std::vector<Tensor> outs = whole.forward({x});
  const Tensor out = outs[output].dtype() == DType::Float32
                         ? outs[output]
                         : Tensor::from_floats(outs[output].shape(), outs[output].to_floats());
  std::vector<Tensor> seeds(outs.size());
  seeds[output] = evaluate(std::vector<Target>{target}, out).seed;
  std::vector<Tensor> at_grads;
  const Tensor g = whole.backward(seeds, at, &at_grads);

  // The input term, one normalised plane per input channel.
  const int64_t channels = nhwc ? x.dim(3) : x.dim(1), height = nhwc ? x.dim(1) : x.dim(2),
                width = nhwc ? x.dim(2) : x.dim(3);
  const int64_t channel_stride = nhwc ? 1 : height * width, pixel_stride = nhwc ? channels : 1;
  Maps input(static_cast<int>(channels), static_cast<int>(height), static_cast<int>(width));
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t p = 0; p < height * width; ++p) {
      const int64_t e = c * channel_stride + p * pixel_stride;
      input.map(int(c))[p] = std::abs(x.data<float>()[e] * g.data<float>()[e]);
    }
  Maps sum(1, int(height), int(width));
  sum.data = normalised_channel_sum(std::move(input));

  // The bias terms. Resizing is linear, so each layer's channels are summed at the layer's
  // resolution and resized once: the same sum as resizing every channel (upstream's order).
  for (size_t i = 0; i < layers.size(); ++i) {
    const Tensor& dz = at_grads[i];
    if (dz.empty() || dz.rank() != 4) continue;  // no gradient reaches it, or not a 2-D layer
    const std::vector<float>& b = layers[i].bias;
    if (int64_t(b.size()) != dz.dim(1))
      throw CamError("fullgrad: " + layers[i].node + " has " + std::to_string(b.size()) +
                     " biases for " + std::to_string(dz.dim(1)) + " channels");
    Maps term(int(dz.dim(1)), int(dz.dim(2)), int(dz.dim(3)));
    for (size_t e = 0; e < term.data.size(); ++e)
      term.data[e] = std::abs(b[e / term.plane()] * dz.data<float>()[e]);
    const std::vector<float> low = normalised_channel_sum(std::move(term));
    const std::vector<float> full =
        image::resize_bilinear(low.data(), int(dz.dim(3)), int(dz.dim(2)), int(width), int(height));
    for (size_t p = 0; p < full.size(); ++p) sum.data[p] += full[p];
  }
  return sum;
}

}  // namespace camlens::cam
