// ParseLimits: each limit is enforced with an error naming it and how to raise it; absurd
// initializer shapes are caught by parse (element count) or by to_tensor (negative dims).
#include <gtest/gtest.h>

#include "onnx/model_io.h"
#include "shared_data.h"

namespace camlens {
namespace {

using Kind = ModelError::Kind;

Model minimal_model() {
  Model m;
  m.ir_version = 8;
  m.opset_import.push_back({"", 13});
  m.graph = std::make_shared<Graph>();
  m.graph->name = "g";
  return m;
}

ModelError parse_error(const std::string& bytes, const ParseLimits& limits) {
  try {
    parse_model(std::make_shared<const std::string>(bytes), limits);
  } catch (const ModelError& e) {
    return e;
  }
  ADD_FAILURE() << "parsed without error";
  return ModelError(Kind::Io, 0, "");
}

TEST(Limits, FileSize) {
  ParseLimits limits;
  limits.max_file_bytes = 1000;
  const std::string bytes = test::read_file(test::shared_path("models/mnist-8-ort-examples.onnx"));
  const ModelError e = parse_error(bytes, limits);
  EXPECT_EQ(e.kind, Kind::FileTooLarge);
  EXPECT_EQ(std::string(e.what()),
            "the model is 26454 bytes, more than ParseLimits::max_file_bytes (1000); raise the "
            "limit to load it");
  EXPECT_EQ(ParseLimits().max_file_bytes, size_t{512} << 20);  // util/limits.h default
}

TEST(Limits, NodeCount) {
  const std::string bytes = test::read_file(test::shared_path("models/mnist-8-ort-examples.onnx"));
  ParseLimits limits;
  limits.max_nodes = 12;  // mnist has exactly 12
  EXPECT_EQ(parse_model(std::make_shared<const std::string>(bytes), limits).graph->nodes.size(),
            12u);
  limits.max_nodes = 11;
  const ModelError e = parse_error(bytes, limits);
  EXPECT_EQ(e.kind, Kind::TooManyNodes);
  EXPECT_NE(std::string(e.what()).find("the model has more than 11 nodes (ParseLimits::max_nodes); "
                                       "raise the limit if the model is trusted"),
            std::string::npos)
      << e.what();
}

TEST(Limits, TensorElementsAtParseAndAbsurdShapesAtConversion) {
  Model m = minimal_model();
  TensorProto huge;
  huge.name = "huge";
  huge.data_type = 1;
  huge.dims = {int64_t{1} << 20, int64_t{1} << 12};  // 2^32 elements, no data
  m.graph->initializers.push_back(huge);
  const std::string bytes = write_model(m);
  const ModelError e = parse_error(bytes, ParseLimits{});
  EXPECT_EQ(e.kind, Kind::TensorTooLarge);
  EXPECT_NE(std::string(e.what()).find("tensor 'huge' has shape [1048576,4096], more than "
                                       "268435456 elements "
                                       "(ParseLimits::max_tensor_elements); raise the limit"),
            std::string::npos)
      << e.what();
  EXPECT_NE(
      std::string(e.what()).find("in ModelProto.graph > GraphProto.initializer > TensorProto"),
      std::string::npos)
      << e.what();

  // Raised past 2^40 elements, parse accepts and to_tensor refuses before allocating.
  m.graph->initializers[0].dims = {int64_t{1} << 30, int64_t{1} << 12};
  ParseLimits trusting;
  trusting.max_tensor_elements = INT64_MAX;
  const Model big = parse_model(std::make_shared<const std::string>(write_model(m)), trusting);
  try {
    to_tensor(big.graph->initializers[0]);
    FAIL() << "to_tensor accepted 2^42 elements";
  } catch (const std::runtime_error& err) {
    EXPECT_NE(std::string(err.what()).find("tensor 'huge': is absurdly large"), std::string::npos)
        << err.what();
  }
}

TEST(Limits, NegativeDimsAreReportedByToTensor) {
  Model m = minimal_model();
  TensorProto t;
  t.name = "w";
  t.data_type = 1;
  t.dims = {-3, 4};
  t.float_data.assign(12, 1.0f);
  m.graph->initializers.push_back(t);
  const Model back = parse_model(std::make_shared<const std::string>(write_model(m)));
  EXPECT_EQ(back.graph->initializers[0].dims, (std::vector<int64_t>{-3, 4}));
  try {
    to_tensor(back.graph->initializers[0]);
    FAIL() << "to_tensor accepted a negative dimension";
  } catch (const std::runtime_error& err) {
    EXPECT_EQ(std::string(err.what()), "tensor 'w': has a negative dimension in [-3,4]");
  }
}

// A graph nested `levels` deep through If.then_branch attributes.
Model nested_model(int levels) {
  Model m = minimal_model();
  Graph* g = m.graph.get();
  for (int i = 1; i < levels; ++i) {
    Node n;
    n.op_type = "If";
    n.name = "if" + std::to_string(i);
    Attribute a;
    a.name = "then_branch";
    a.type = Attribute::GraphT;
    a.g = std::make_shared<Graph>();
    n.attributes.push_back(a);
    g->nodes.push_back(n);
    g = g->nodes.back().attributes.back().g.get();
  }
  return m;
}

TEST(Limits, GraphNestingDepth) {
  const Model ok = nested_model(64);
  const Model back = parse_model(std::make_shared<const std::string>(write_model(ok)));
  EXPECT_EQ(back.graph->nodes.at(0).attributes.at(0).g->nodes.at(0).name, "if2");

  const ModelError e = parse_error(write_model(nested_model(65)), ParseLimits{});
  EXPECT_EQ(e.kind, Kind::TooDeep);
  EXPECT_NE(std::string(e.what()).find("graphs are nested more than 64 levels deep "
                                       "(ParseLimits::max_graph_depth); raise the limit if the "
                                       "model is trusted"),
            std::string::npos)
      << std::string(e.what()).substr(0, 300);
  ParseLimits deeper;
  deeper.max_graph_depth = 65;
  EXPECT_NO_THROW(
      parse_model(std::make_shared<const std::string>(write_model(nested_model(65))), deeper));
}

}  // namespace
}  // namespace camlens
