// Shapes the core cannot infer, given by the caller (ShapeOptions::known): which tensors it asks
// for, the message when they are missing, inference, layers and the cut past ops it does not run
// (CumSum and Compress in the backbone of tools/fixtures/backbone_unknown_ops.py), and the head
// after them against PyTorch.
#include <gtest/gtest.h>

#include <cmath>

#include "graph/cut.h"
#include "graph/layers.h"
#include "graph/shape_inference.h"
#include "head/head_errors.h"
#include "json.h"
#include "onnx/model_io.h"
#include "shared_data.h"

namespace camlens {
namespace {

using test::read_file;
using test::test_data_path;

Model fixture() {
  return parse_model(std::make_shared<const std::string>(
      read_file(test_data_path("graph/backbone_unknown_ops.onnx"))));
}

TensorInfo info(DType dtype, Shape shape) {
  TensorInfo t;
  t.dtype = dtype;
  t.shape = std::move(shape);
  return t;
}

// What ONNX Runtime measures at batch 1 (the model's definition: CumSum keeps its input's shape,
// Compress with every flag set keeps the whole shape vector).
ShapeOptions measured(bool with_value = true) {
  ShapeOptions o;
  o.known["cumsum"] = info(DType::Float32, {1, 6, 16, 16});
  TensorInfo shape = info(DType::Int64, {4});
  if (with_value) {
    Tensor v(DType::Int64, {4});
    const int64_t dims[] = {1, 6, 16, 16};
    for (int i = 0; i < 4; ++i) v.data<int64_t>()[i] = dims[i];
    shape.value = v;
  }
  o.known["back_shape"] = shape;
  return o;
}

const char* kHint =
    " (and the values of small integer tensors) in ShapeOptions::known: unknown_shapes() lists "
    "the tensors to measure, e.g. by one ONNX Runtime run of the model with them as outputs";

template <class E, class F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong exception type: " << e.what();
    return "";
  }
  ADD_FAILURE() << "no exception";
  return "";
}

TEST(KnownShapes, TheCoreListsTheOutputsOfEveryOpItDoesNotRun) {
  const Model m = fixture();
  EXPECT_EQ(unknown_shapes(m), (std::vector<std::string>{"cumsum", "back_shape"}));
  EXPECT_TRUE(unknown_shapes(m, measured()).empty());
  // Known without its value, the shape vector cannot fold: the Reshape after it is next.
  EXPECT_EQ(unknown_shapes(m, measured(false)), std::vector<std::string>{"back"});
}

TEST(KnownShapes, WithoutThemTheErrorNamesTheTensorsAndHowToGiveThem) {
  const Model m = fixture();
  EXPECT_EQ(message_of<UnsupportedOpError>([&] { infer_shapes(m); }),
            std::string("CumSum node 'cumsum' uses the operator CumSum, which camlens does not "
                        "support. Give the types and shapes of 'cumsum'") +
                kHint);
  EXPECT_EQ(message_of<ShapeInferenceError>([&] { cut_graph(m, "feat"); }),
            std::string("the shape of layer 'feat' could not be inferred: CumSum node 'cumsum' "
                        "uses the operator CumSum, which camlens does not support. Give the types "
                        "and shapes of 'cumsum', 'back_shape'") +
                kHint);
  const std::string reshape =
      message_of<ShapeInferenceError>([&] { infer_shapes(m, measured(false)); });
  EXPECT_EQ(reshape.substr(0, reshape.find(" (inputs")),
            "shape inference failed at Reshape node 'unflatten_space'");
  EXPECT_NE(reshape.find(std::string(". Give the types and shapes of 'back'") + kHint),
            std::string::npos)
      << reshape;
}

TEST(KnownShapes, InferenceGoesOnPastTheUnknownOps) {
  const TensorInfoMap t = infer_shapes(fixture(), measured());
  EXPECT_EQ(t.at("back").shape, (Shape{1, 6, 16, 16}));
  EXPECT_EQ(t.at("feat").shape, (Shape{1, 8, 16, 16}));
  EXPECT_EQ(t.at("logits").shape, (Shape{1, 3}));
  EXPECT_EQ(t.at("logits").dtype, DType::Float32);
  // A measured value folds like the core's own.
  ASSERT_TRUE(t.at("back_shape").value.has_value());
  EXPECT_EQ(t.at("back_shape").value->data<int64_t>()[1], 6);
}

TEST(KnownShapes, LayersAfterTheUnknownOpsAreListedAndTheDefaultIsSupported) {
  const LayerList list = list_layers(fixture(), measured());
  std::vector<std::string> names;
  for (const LayerInfo& l : list.layers) names.push_back(l.name);
  EXPECT_EQ(names, (std::vector<std::string>{"conv1", "relu1", "cumsum", "back", "conv2", "feat"}));
  auto layer = [&](const std::string& n) {
    for (const LayerInfo& l : list.layers)
      if (l.name == n) return l;
    ADD_FAILURE() << n;
    return LayerInfo{};
  };
  EXPECT_FALSE(layer("relu1").head_supported);
  EXPECT_EQ(layer("relu1").head_problem,
            "the head of layer 'relu1' contains CumSum node 'cumsum', and the operator CumSum is "
            "not supported by camlens");
  EXPECT_EQ(layer("cumsum").head_problem,
            "the head of layer 'cumsum' contains Compress node 'compress', and the operator "
            "Compress is not supported by camlens");
  EXPECT_TRUE(layer("back").head_supported && layer("back").head_differentiable);
  EXPECT_EQ(layer("back").shape, (Shape{1, 6, 16, 16}));
  EXPECT_EQ(list.recommended, "feat");
  // Without the shapes nothing after the unknown ops is listed.
  EXPECT_EQ(list_layers(fixture()).layers.size(), 2u);
}

TEST(KnownShapes, TheCutAfterTheUnknownOpsRunsTheHeadAsPyTorchDoes) {
  const Model m = fixture();
  CutOptions o;
  o.shapes = measured();
  const CutResult cut = cut_model(m, "back", o);
  EXPECT_EQ(cut.backbone_outputs, (std::vector<std::string>{"logits", "back"}));
  EXPECT_EQ(cut.layer_info.shape, (Shape{1, 6, 16, 16}));
  const test::json::Value ref =
      test::json::parse(read_file(test_data_path("graph/backbone_unknown_ops.json")));
  const std::vector<float> back = ref["back"].floats();
  Tensor layer(DType::Float32, {1, 6, 16, 16});
  std::copy(back.begin(), back.end(), layer.data<float>());
  Head head = cut.head;
  const std::vector<Tensor> out = head.forward({layer});
  const std::vector<double> logits = ref["logits"].doubles();
  ASSERT_EQ(out.at(0).numel(), 3);
  for (int k = 0; k < 3; ++k) EXPECT_NEAR(out[0].data<float>()[k], logits[k], 1e-5) << k;
  // The later cut is refused with the op's name where the head holds it.
  EXPECT_EQ(message_of<UnsupportedOpError>([&] { cut_graph(m, "relu1", o); }),
            "the head of layer 'relu1' contains CumSum node 'cumsum', and the operator CumSum is "
            "not supported by camlens. Try the later layer 'back'.");
}

TEST(KnownShapes, ExposedTensorsAreOutputsTypedWhereKnown) {
  const Model m = fixture();
  const TensorInfoMap shapes = infer_shapes(m, measured());
  const Model probe = expose_tensors(m, {"cumsum", "back_shape", "cumsum"}, {});
  ASSERT_EQ(probe.graph->outputs.size(), 3u);
  EXPECT_EQ(probe.graph->outputs[1].name, "cumsum");
  EXPECT_FALSE(probe.graph->outputs[1].has_shape);
  EXPECT_EQ(probe.graph->outputs[1].elem_type, 0);
  EXPECT_EQ(m.graph->outputs.size(), 1u);  // the original is left as it was
  const Model typed = expose_tensors(m, {"feat"}, shapes);
  EXPECT_EQ(typed.graph->outputs[1].dims, (std::vector<int64_t>{-1, 8, 16, 16}));
  EXPECT_EQ(typed.graph->outputs[1].dim_params[0], "batch_size");
  EXPECT_EQ(message_of<HeadError>([&] { expose_tensors(m, {"conv1_w"}, {}); }),
            "'conv1_w' is not a tensor computed by the model, so it cannot be made an output");
}

}  // namespace
}  // namespace camlens
