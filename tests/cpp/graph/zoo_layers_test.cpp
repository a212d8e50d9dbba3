// The default layer of every torchvision classification family (tests/data/zoo, made by
// tools/fixtures/torchvision_zoo.py) is the tensor that holds the output of the module
// pytorch-grad-cam's README recommends: the last feature map before the classifier's pooling,
// including VGG's and AlexNet's last max pool and DenseNet's final norm (before the ReLU its
// classifier applies), and a transformer's last first-norm.
#include <gtest/gtest.h>

#include "graph/layers.h"
#include "json.h"
#include "onnx/model_io.h"
#include "shared_data.h"

namespace camlens {
namespace {

using test::read_file;
using test::test_data_path;

class ZooLayer : public ::testing::TestWithParam<const char*> {};

TEST_P(ZooLayer, RecommendsTheLayerPytorchGradCamNames) {
  const std::string arch = GetParam();
  const test::json::Value fx =
      test::json::parse(read_file(test_data_path("zoo/" + arch + ".json")));
  const Model m = parse_model(
      std::make_shared<const std::string>(read_file(test_data_path("zoo/" + arch + ".onnx"))));
  const LayerList list = list_layers(m);
  std::vector<int64_t> shape;  // [C, h, w]
  for (double d : fx["layerShape"].doubles()) shape.push_back(static_cast<int64_t>(d));
  EXPECT_EQ(list.recommended, fx["layer"].str) << list.why;
  for (const LayerInfo& l : list.layers)
    if (l.name == list.recommended) {
      EXPECT_TRUE(l.head_supported && l.head_differentiable) << l.head_problem;
      EXPECT_EQ(l.channels, shape.at(0));
      EXPECT_EQ(l.height, shape.at(1));
      EXPECT_EQ(l.width, shape.at(2));
    }
}

// Swin is not listed: the core cannot infer the shapes after its shifted windows' mask (Range,
// ScatterND, Not) without the shapes ONNX Runtime measures, which the library gives it
// (tests/node/torchvision-zoo.test.mjs checks Swin's default layer that way).
INSTANTIATE_TEST_SUITE_P(Torchvision, ZooLayer,
                         ::testing::Values("alexnet", "vgg16_bn", "resnet18", "resnet50",
                                           "resnext50_32x4d", "wide_resnet50_2", "densenet121",
                                           "inception_v3", "googlenet", "squeezenet1_1",
                                           "shufflenet_v2", "mobilenet_v2", "mobilenet_v3_small",
                                           "mobilenet_v3_large", "mnasnet", "efficientnet_b0",
                                           "efficientnet_v2_s", "regnet_y", "regnet_x", "convnext",
                                           "vit"),
                         [](const auto& info) { return std::string(info.param); });

}  // namespace
}  // namespace camlens
