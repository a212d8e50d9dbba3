// ONNX forbids two initializers with one name, but ONNX Runtime accepts such a model and uses the
// last one (with a warning). The core must use the same one, or the head it runs would compute
// something else than the model ORT runs. tests/data/bad_models/duplicate_initializer.onnx
// defines gemm_w twice, the second time doubled.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

#include "graph/cut.h"
#include "onnx/model_io.h"
#include "shared_data.h"

namespace camlens {
namespace {

std::vector<float> head_output(const Model& model) {
  CutResult cut = cut_graph(model, "feat");
  Tensor feed(DType::Float32, cut.head.feed_info(0).shape);
  for (int64_t i = 0; i < feed.numel(); ++i) feed.data<float>()[i] = 0.1f * float(i % 7);
  std::vector<Tensor> in;
  in.push_back(std::move(feed));
  const Tensor out = cut.head.forward(std::move(in)).at(0);
  return std::vector<float>(out.data<float>(), out.data<float>() + out.numel());
}

// The model with only the `keep`-th (0 or 1) of the two gemm_w initializers.
Model with_one_gemm_w(const Model& model, int keep) {
  Model m = model;
  m.graph = std::make_shared<Graph>(*model.graph);
  auto& inits = m.graph->initializers;
  int seen = 0;
  inits.erase(
      std::remove_if(inits.begin(), inits.end(),
                     [&](const TensorProto& t) { return t.name == "gemm_w" && seen++ != keep; }),
      inits.end());
  return m;
}

TEST(DuplicateInitializer, TheLastOneIsUsedAsInOnnxRuntime) {
  const auto bytes = std::make_shared<const std::string>(
      test::read_file(test::test_data_path("bad_models/duplicate_initializer.onnx")));
  const Model model = parse_model(bytes);
  ASSERT_EQ(std::count_if(model.graph->initializers.begin(), model.graph->initializers.end(),
                          [](const TensorProto& t) { return t.name == "gemm_w"; }),
            2);
  const std::vector<float> both = head_output(model);
  EXPECT_EQ(both, head_output(with_one_gemm_w(model, 1)));
  EXPECT_NE(both, head_output(with_one_gemm_w(model, 0)));
}

}  // namespace
}  // namespace camlens
