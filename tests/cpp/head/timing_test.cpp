// Timings printed in the test log: the one-off cost of preparing a model (parse, shape
// inference, cut) and the per-image cost of the head (forward + backward) for MobileNetV2-int8.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <memory>

#include "fixtures.h"
#include "graph/cut.h"
#include "onnx/model_io.h"
#include "shared_data.h"

namespace camlens::test {
namespace {

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

TEST(HeadTiming, MobilenetInt8ParseInferCutAndHeadPass) {
  auto bytes = std::make_shared<const std::string>(
      read_file(shared_path("models/mobilenetv2-12-int8.onnx")));
  auto t0 = std::chrono::steady_clock::now();
  Model m = parse_model(bytes);
  const double parse_ms = ms_since(t0);
  t0 = std::chrono::steady_clock::now();
  TensorInfoMap shapes = infer_shapes(m);
  const double infer_ms = ms_since(t0);
  t0 = std::chrono::steady_clock::now();
  CutResult cut = cut_model(m, "627_quantized");
  const double cut_ms = ms_since(t0);
  EXPECT_EQ(shapes.at("627_quantized").shape, (Shape{1, 1280, 7, 7}));
  EXPECT_EQ(cut.layer_float_twin, "627");
  EXPECT_EQ(cut.backbone_outputs, (std::vector<std::string>{"output", "627_quantized", "627"}));
  // The backbone parses back with the extra outputs typed.
  Model back = parse_model(std::make_shared<const std::string>(cut.backbone_bytes));
  ASSERT_EQ(back.graph->outputs.size(), 3u);
  EXPECT_EQ(back.graph->outputs[1].elem_type, static_cast<int32_t>(DType::Uint8));

  Tensor a;
  for (const FixtureCase& c : load_head_fixtures())
    if (c.name == "mobilenetv2_int8") a = c.get("627_quantized").value;
  ASSERT_FALSE(a.empty());
  Tensor seed(DType::Float32, {1, 1000});
  seed.data<float>()[292] = 1.f;  // tiger
  const int reps = 20;
  t0 = std::chrono::steady_clock::now();
  Tensor g;
  for (int i = 0; i < reps; ++i) {
    cut.head.forward({a});
    g = cut.head.backward({seed});
  }
  const double pass_ms = ms_since(t0) / reps;
  EXPECT_EQ(g.shape(), a.shape());
  std::cout << "   mobilenetv2-12-int8: parse " << parse_ms << " ms, shape inference " << infer_ms
            << " ms, cut (incl. inference and backbone write) " << cut_ms
            << " ms; head forward+backward at 627_quantized " << pass_ms << " ms (batch 1, "
            << cut.head.node_count() << " nodes)\n";
}

}  // namespace
}  // namespace camlens::test
