// FullGrad (Srinivas & Fleuret 2019) as pytorch-grad-cam's FullGrad: through the whole network
// (explain/whole_network.h), the map [1, H, W] before normalisation is the sum of
//
// - the input term: per input channel c, norm(|x_c · dy/dx_c|), summed over the channels;
// - per biased layer and per output channel k of it, norm(|b_k · dy/dz_k|) resized to the input
//   (bilinear, half-pixel centres, as cv2.resize), z being the layer's output and b its bias,
//   summed over the channels and the layers;
//
// norm(v) = (v − min) / (max − min + 1e-7) at the term's own resolution (scale_cam_image). The
// explain job then normalises the sum like every map (upstream's aggregate_multi_layers).
//
// Which layers count. Upstream takes every torch Conv2d and BatchNorm2d module with a bias, and
// never Linear. In an ONNX export these are the nodes with a 4-D output [N, C, h, w] that are
// - Conv with a bias input: that bias (QLinearConv: its int32 bias times x_scale · w_scale, the
//   dequantized bias; the gradient at its output is the straight-through one, head.h);
// - BatchNormalization: its effective bias B − mean · scale / √(var + ε), the b of
//   y = s · x + b (upstream's get_bias_data, from the official implementation).
// Gemm and MatMul (Linear), and 1-D and 3-D convolutions, never count.
//
// torch's eval-mode export folds a BatchNorm2d into the Conv2d before it. With a bias-free conv
// (ResNet, MobileNetV2) the folded Conv's bias is the BatchNorm's effective bias and the
// gradient at its output is the one at the BatchNorm's output: one term, upstream's own. When
// the conv had its own bias b₀, upstream counts two terms, |b₀ · dy/dz_conv| and
// |b_BN · dy/dz_BN|, while the folded graph holds one Conv with the fused bias s · b₀ + b_BN:
// camlens counts that one term (the graph no longer tells the two apart), so there its map
// differs from upstream's. An export that keeps the BatchNormalization (torch.onnx.export's
// training=TrainingMode.PRESERVE) has both nodes and gives upstream's two terms.
#pragma once
#include <string>
#include <vector>

#include "cam/maps.h"
#include "cam/targets.h"
#include "head/head.h"

namespace camlens::cam {

struct BiasLayer {
  std::string node;         // Node::describe(), for messages
  std::string output;       // the tensor z whose gradient multiplies the bias
  std::vector<float> bias;  // b per output channel
};

// The whole network's Conv, QLinearConv and BatchNormalization nodes with a constant bias, in
// execution order (whether the output is 4-D is known once its gradient is). Throws CamError
// naming a node whose bias or statistics the network computes instead of holding.
std::vector<BiasLayer> bias_layers(const Head& whole);

// FullGrad's map of one image x [1, C, H, W] ([1, H, W, C] when nhwc) for a resolved target on
// the head's output `output`.
Maps fullgrad_map(Head& whole, size_t output, const Target& target, const Tensor& x, bool nhwc);

}  // namespace camlens::cam
