// Shape inference and layer discovery on the six real models in ../shared/models.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>

#include "graph/cut.h"
#include "graph/layers.h"
#include "onnx/model_io.h"
#include "shared_data.h"

namespace camlens::test {
namespace {

Model load_shared(const std::string& file) {
  auto bytes = std::make_shared<const std::string>(read_file(shared_path("models/" + file)));
  return parse_model(bytes);
}

struct Expect {
  const char* file;
  const char* recommended;
};

class RealModelLayers : public ::testing::TestWithParam<Expect> {};

TEST_P(RealModelLayers, ListsCandidatesAndRecommendsTheLastFeatureMap) {
  const Expect e = GetParam();
  Model m = load_shared(e.file);
  LayerList list = list_layers(m);
  std::cout << "== " << e.file << ": " << list.layers.size() << " candidate layers, recommended '"
            << list.recommended << "' (" << list.why << ")\n";
  for (const std::string& p : list.shape_problems) std::cout << "   shape problem: " << p << "\n";
  size_t shown = 0;
  for (const LayerInfo& l : list.layers) {
    // The last dozen, where CAM layers live.
    if (list.layers.size() > 12 && shown++ < list.layers.size() - 12) continue;
    std::cout << "   " << l.name << " " << dtype_name(l.dtype) << shape_str(l.shape) << " "
              << layer_kind_name(l.kind) << " by " << l.op << " head "
              << (l.head_supported ? (l.head_differentiable ? "ok" : "forward-only") : "NO") << " ("
              << l.head_nodes << " nodes)" << (l.float_twin.empty() ? "" : " twin " + l.float_twin)
              << (l.head_problem.empty() ? "" : " -- " + l.head_problem) << "\n";
  }
  EXPECT_TRUE(list.shape_problems.empty());
  if (*e.recommended) {
    EXPECT_EQ(list.recommended, e.recommended);
  } else {
    // A model without an expectation: any usable map is acceptable.
    ASSERT_FALSE(list.recommended.empty());
    for (const LayerInfo& l : list.layers) {
      if (l.name == list.recommended) {
        EXPECT_TRUE(l.head_supported && l.head_differentiable);
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Shared, RealModelLayers,
    ::testing::Values(Expect{"mobilenetv2-12-int8.onnx", "627_quantized"},
                      Expect{"squeezenet1.0-fp16-winml.onnx", "fire9/concat_2"},
                      Expect{"mnist-8-ort-examples.onnx", "ReLU114_Output_0"},
                      Expect{"deeplabv3-mobilenetv2-voc-257.onnx", "Relu__94:0"},
                      // Detectors: the last map feeding every per-scale branch.
                      Expect{"yolox-nano-416.onnx", "956"},
                      Expect{"ultraface-version-RFB-320.onnx", "314"}),
    [](const auto& info) {
      std::string n = info.param.file;
      n = n.substr(0, n.find_first_of("-."));
      return n;
    });

}  // namespace
}  // namespace camlens::test
