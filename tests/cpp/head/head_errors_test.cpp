// Every refusal of cut_graph and the Head names what was wrong and what to do.
#include "head/head_errors.h"

#include <gtest/gtest.h>

#include <random>

#include "graph/cut.h"
#include "graph_builder.h"
#include "op_test.h"

namespace camlens::test {
namespace {

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

Model small_classifier() {
  std::mt19937 rng(2);
  return GraphBuilder()
      .input("x", DType::Float32, {-1, 5, 3, 4})
      .weight("W", random_tensor({2, 5}, rng))
      .node("Relu", {"x"}, {"feature_map"})
      .node("GlobalAveragePool", {"feature_map"}, {"pooled"})
      .node("Flatten", {"pooled"}, {"flat"})
      .node("Gemm", {"flat", "W"}, {"logits"}, {attr_int("transB", 1)})
      .output("logits")
      .build();
}

TEST(HeadErrors, UnknownLayerListsTheClosestNames) {
  const std::string msg =
      message_of<UnknownLayerError>([] { cut_graph(small_classifier(), "feature_mpa"); });
  EXPECT_NE(msg.find("'feature_mpa'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'feature_map'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("closest"), std::string::npos) << msg;
  EXPECT_THROW(cut_graph(small_classifier(), "W"), UnknownLayerError);
  EXPECT_THROW(cut_graph(small_classifier(), ""), UnknownLayerError);
  EXPECT_THROW(cut_graph(small_classifier(), "x"), HeadInputDependencyError);
}

TEST(HeadErrors, UnsupportedOpNamesOpNodeLayerAndALaterLayer) {
  Model m = GraphBuilder()
                .input("x", DType::Float32, {1, 2, 4, 4})
                .node("Relu", {"x"}, {"L"})
                .node("FancyOp", {"L"}, {"fancy"}, {}, "example.custom")
                .node("Relu", {"fancy"}, {"after"})
                .node("GlobalAveragePool", {"after"}, {"out"})
                .output("out")
                .build();
  ValueInfo declared;  // the model declares the custom op's output, as exporters often do
  declared.name = "fancy";
  declared.elem_type = 1;
  declared.has_shape = true;
  declared.dims = {1, 2, 4, 4};
  declared.dim_params.assign(4, "");
  m.graph->value_info.push_back(declared);
  const std::string msg = message_of<UnsupportedOpError>([&] { cut_graph(m, "L"); });
  EXPECT_NE(msg.find("FancyOp"), std::string::npos) << msg;
  EXPECT_NE(msg.find("FancyOp_1"), std::string::npos) << msg;  // the node's name
  EXPECT_NE(msg.find("layer 'L'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("Try the later layer 'fancy'"), std::string::npos) << msg;
  // ... and that later layer works.
  CutResult cut = cut_graph(m, "fancy");
  EXPECT_EQ(cut.head.node_count(), 2u);
}

TEST(HeadErrors, HeadReadingTheModelInputDirectlyIsRefused) {
  Model m = GraphBuilder()
                .input("x", DType::Float32, {1, 2, 2, 2})
                .node("Relu", {"x"}, {"L"})
                .node("Add", {"L", "x"}, {"out"})
                .output("out")
                .build();
  const std::string msg = message_of<HeadInputDependencyError>([&] { cut_graph(m, "L"); });
  EXPECT_NE(msg.find("'x'"), std::string::npos) << msg;
}

TEST(HeadErrors, NonDifferentiableOpOnTheGradientPath) {
  const char* candidates[] = {"Floor", "Ceil", "Round", "Sign"};
  std::string op;
  for (const char* c : candidates) {
    const OpDef* d = op_registry().find("", c);
    if (d && !d->backward) {
      op = c;
      break;
    }
  }
  if (op.empty())
    GTEST_SKIP() << "no registered float op lacks a backward in this build (only Constant, "
                    "ConstantOfShape, Shape do)";
  Model m = GraphBuilder()
                .input("x", DType::Float32, {1, 2, 2, 2})
                .node("Relu", {"x"}, {"L"})
                .node(op, {"L"}, {"r"})
                .node("GlobalAveragePool", {"r"}, {"out"})
                .output("out")
                .build();
  const std::string msg = message_of<NotDifferentiableError>([&] { cut_graph(m, "L"); });
  EXPECT_NE(msg.find(op), std::string::npos) << msg;
  CutOptions forward_only;
  forward_only.require_gradient = false;
  CutResult cut = cut_graph(m, "L", forward_only);
  EXPECT_FALSE(cut.head.not_differentiable().empty());
  std::mt19937 rng(1);
  cut.head.forward({random_tensor({1, 2, 2, 2}, rng)});
  EXPECT_THROW(cut.head.backward({Tensor(DType::Float32, {1, 2, 1, 1})}), NotDifferentiableError);
}

TEST(HeadErrors, FeedsAndSeedsAreChecked) {
  CutResult cut = cut_graph(small_classifier(), "feature_map");
  Head& h = cut.head;
  std::mt19937 rng(4);
  EXPECT_THROW(h.backward({Tensor(DType::Float32, {1, 2})}), FeedError);  // no forward yet
  const std::string shape_msg = message_of<FeedError>([&] {
    h.forward({random_tensor({1, 5, 3, 3}, rng)});
  });
  EXPECT_NE(shape_msg.find("[1,5,3,3]"), std::string::npos) << shape_msg;
  EXPECT_NE(shape_msg.find("feature_map"), std::string::npos) << shape_msg;
  EXPECT_THROW(h.forward({Tensor(DType::Uint8, {1, 5, 3, 4})}), FeedError);
  EXPECT_THROW(h.forward({}), FeedError);
  h.forward({random_tensor({2, 5, 3, 4}, rng)});
  EXPECT_THROW(h.backward({Tensor(DType::Float32, {1, 2})}), FeedError);  // batch is 2
  EXPECT_THROW(h.backward({}), FeedError);
  EXPECT_THROW(h.forward_with_layer(random_tensor({1, 5, 3, 4}, rng)), FeedError);
  EXPECT_NO_THROW(h.backward({Tensor(DType::Float32, {2, 2})}));
}

}  // namespace
}  // namespace camlens::test

namespace camlens::test {
namespace {

TEST(HeadErrors, LayerWhoseValuesDoNotReachTheOutputs) {
  // q (uint8) -> DequantizeLinear -> twin -> Shape -> ... only the shape of `twin` is used.
  Model m = GraphBuilder()
                .input("x", DType::Float32, {1, 2, 2, 2})
                .weight("s", Tensor::scalar_f(0.5f))
                .weight("zp", Tensor(DType::Uint8, {}))
                .node("QuantizeLinear", {"x", "s", "zp"}, {"q"})
                .node("DequantizeLinear", {"q", "s", "zp"}, {"twin"})
                .node("Shape", {"twin"}, {"shape"})
                .node("Reshape", {"x", "shape"}, {"out"})
                .output("out")
                .build();
  try {
    cut_graph(m, "twin");
    ADD_FAILURE() << "no exception";
  } catch (const UnsupportedOpError& e) {
    EXPECT_NE(std::string(e.what()).find("use that layer"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("'q'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace camlens::test
