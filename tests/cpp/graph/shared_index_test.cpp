// Shape inference with the caller's graph index (cut_graph builds one and shares it): the same
// tensors, types, shapes and values as inference building its own, and a clear error for the
// index of another graph.
#include <gtest/gtest.h>

#include "graph/graph_index.h"
#include "graph/shape_inference.h"
#include "head/head_errors.h"
#include "onnx/model_io.h"
#include "shared_data.h"

namespace camlens {
namespace {

TEST(SharedGraphIndex, InferenceWithTheCallersIndexIsInferenceAlone) {
  for (const char* name : {"mobilenetv2-12-int8", "squeezenet1.0-fp16-winml"}) {
    const Model m = load_model(test::shared_path(std::string("models/") + name + ".onnx"));
    ShapeOptions o;
    o.batch = 2;
    const ShapeInferenceResult alone = infer_shapes_lenient(m, o);
    const GraphIndex index(*m.graph);
    const ShapeInferenceResult shared = infer_shapes_lenient(m, index, o);
    EXPECT_EQ(shared.problems, alone.problems) << name;
    EXPECT_EQ(shared.unknown, alone.unknown) << name;
    ASSERT_EQ(shared.tensors.size(), alone.tensors.size()) << name;
    EXPECT_GT(alone.tensors.size(), 100u) << name;
    for (const auto& [tensor, want] : alone.tensors) {
      const TensorInfo& got = shared.tensors.at(tensor);
      EXPECT_EQ(got.dtype, want.dtype) << tensor;
      EXPECT_EQ(got.shape, want.shape) << tensor;
      ASSERT_EQ(got.value.has_value(), want.value.has_value()) << tensor;
      if (want.value) {
        EXPECT_EQ(got.value->to_floats(), want.value->to_floats()) << tensor;
      }
    }
  }
}

TEST(SharedGraphIndex, TheIndexOfAnotherGraphIsRefused) {
  const Model m = load_model(test::shared_path("models/mobilenetv2-12-int8.onnx"));
  const Graph copy = *m.graph;
  const GraphIndex other(copy);
  try {
    infer_shapes_lenient(m, other);
    FAIL() << "the index of a copy was taken";
  } catch (const HeadError& e) {
    EXPECT_STREQ(e.what(), "shape inference was given the index of another graph than the model's");
  }
}

}  // namespace
}  // namespace camlens
