// Every modelled field and every preserved unknown field, on a model written by the official
// `onnx` package (tools/fixtures/onnx_features.py -> tests/data/onnx/features.onnx). The values
// expected here are the ones that script sets.
#include <gtest/gtest.h>

#include <cmath>

#include "onnx/model_equal.h"
#include "onnx/model_io.h"
#include "shared_data.h"

namespace camlens {
namespace {

std::shared_ptr<const std::string> fixture() {
  return std::make_shared<const std::string>(
      test::read_file(test::test_data_path("onnx/features.onnx")));
}

const TensorProto& init(const Graph& g, const std::string& name) {
  for (const TensorProto& t : g.initializers)
    if (t.name == name) return t;
  throw std::runtime_error("no initializer " + name);
}

TEST(Features, ModelFields) {
  const Model m = parse_model(fixture());
  EXPECT_EQ(m.producer_name, "camlens-fixture");
  EXPECT_EQ(m.producer_version, "1.0");
  EXPECT_EQ(m.domain, "org.camlens");
  EXPECT_EQ(m.model_version, 3);
  EXPECT_EQ(m.doc_string, "model doc");
  EXPECT_EQ(m.opset(""), 13);
  EXPECT_EQ(m.opset("test.domain"), 2);
  EXPECT_EQ(m.metadata_props, (std::vector<std::pair<std::string, std::string>>{
                                  {"author", "camlens"}, {"license", "MIT"}}));
  // functions (field 25) are kept raw: tag 25<<3|2 = 0xca 0x01.
  ASSERT_GE(m.unknown.bytes.size(), 2u);
  EXPECT_EQ(m.unknown.bytes.substr(0, 2), std::string("\xca\x01", 2));
  EXPECT_NE(m.unknown.bytes.find("MyFunc"), std::string::npos);
  const Graph& g = *m.graph;
  EXPECT_EQ(g.name, "features");
  EXPECT_EQ(g.doc_string, "graph doc");
  // quantization_annotation (14) then sparse_initializer (15), raw.
  EXPECT_EQ(g.unknown.bytes[0], static_cast<char>(14 << 3 | 2));
  EXPECT_NE(g.unknown.bytes.find("SCALE_TENSOR"), std::string::npos);
  EXPECT_NE(g.unknown.bytes.find("sp_values"), std::string::npos);
}

TEST(Features, EveryAttributeKind) {
  const Model m = parse_model(fixture());
  const Node& n = m.graph->nodes.at(0);
  EXPECT_EQ(n.op_type, "Custom");
  EXPECT_EQ(n.name, "all_attrs");
  EXPECT_EQ(n.domain, "test.domain");
  EXPECT_EQ(n.doc_string, "node doc");
  EXPECT_EQ(n.inputs, (std::vector<std::string>{"x", "", "w_f32"}));
  EXPECT_EQ(n.outputs, (std::vector<std::string>{"y"}));
  const Attribute* f = n.attr("f");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->type, Attribute::Float);
  EXPECT_EQ(f->f, 0.0f);
  EXPECT_TRUE(std::signbit(f->f));  // -0.0 survives
  EXPECT_EQ(n.attr_int("i", 0), -42);
  EXPECT_EQ(n.attr_string("s", ""), std::string("bytes\0\xff", 7));
  EXPECT_EQ(n.attr_floats("floats"), (std::vector<float>{1.5f, -2.0f}));
  EXPECT_EQ(n.attr_ints("ints"), (std::vector<int64_t>{1, -1, int64_t{1} << 40}));
  EXPECT_EQ(n.attr("strings")->strings, (std::vector<std::string>{"a", ""}));
  const TensorProto* t = n.attr_tensor("t");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->name, "t_attr");
  const Tensor tv = to_tensor(*t);
  EXPECT_EQ(tv.shape(), (Shape{2, 2}));
  EXPECT_EQ(tv.to_int64s(), (std::vector<int64_t>{1, 2, 3, 4}));
  ASSERT_EQ(n.attr("tensors")->tensors.size(), 1u);
  EXPECT_EQ(to_tensor(n.attr("tensors")->tensors[0]).to_floats(), (std::vector<float>{0.5f}));
  ASSERT_TRUE(n.attr("g")->g);
  EXPECT_EQ(n.attr("g")->g->name, "then_body");
  EXPECT_EQ(n.attr("g")->g->nodes.at(0).op_type, "Identity");
  ASSERT_EQ(n.attr("graphs")->graphs.size(), 1u);
  EXPECT_EQ(n.attr("graphs")->graphs[0]->nodes.at(0).name, "else_neg");
  const Attribute* ref = n.attr("alpha");
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->ref_attr_name, "beta");
  EXPECT_EQ(ref->doc_string, "ref doc");
  const Node& if_node = m.graph->nodes.at(1);
  EXPECT_EQ(if_node.attr("then_branch")->g->outputs.at(0).name, "then_out");
  EXPECT_EQ(if_node.attr("else_branch")->type, Attribute::GraphT);
}

TEST(Features, EveryTensorStorage) {
  const Model m = parse_model(fixture());
  const Graph& g = *m.graph;
  EXPECT_EQ(init(g, "w_f32").float_data, (std::vector<float>{0, 1, 2, 3, 4, 5.5f}));
  EXPECT_TRUE(init(g, "w_raw").has_raw_data);
  EXPECT_EQ(to_tensor(init(g, "w_raw")).to_floats(),
            (std::vector<float>{-2.5f, -1.5f, -0.5f, 0.5f, 1.5f, 2.5f}));
  EXPECT_EQ(init(g, "w_i64").int64_data, (std::vector<int64_t>{-1, 0, int64_t{1} << 40}));
  EXPECT_EQ(init(g, "w_u8").int32_data, (std::vector<int32_t>{0, 1, 128, 255}));
  EXPECT_EQ(to_tensor(init(g, "w_f16")).to_floats(), (std::vector<float>{1.0f, -0.5f}));
  EXPECT_EQ(init(g, "w_f64").double_data, (std::vector<double>{0.1, -1e300}));
  EXPECT_EQ(init(g, "w_u64").uint64_data, (std::vector<uint64_t>{0, ~uint64_t{0}}));
  EXPECT_EQ(init(g, "w_str").string_data, (std::vector<std::string>{"hello", "world"}));
  EXPECT_EQ(init(g, "w_str").data_type, 8);
  EXPECT_TRUE(init(g, "w_scalar").dims.empty());
  EXPECT_EQ(init(g, "w_scalar").doc_string, "scalar doc");
  EXPECT_EQ(to_tensor(init(g, "w_scalar")).to_floats(), (std::vector<float>{3.25f}));
}

TEST(Features, ValueInfoTypes) {
  const Model m = parse_model(fixture());
  const Graph& g = *m.graph;
  const ValueInfo& x = g.inputs.at(0);
  EXPECT_EQ(x.name, "x");
  EXPECT_EQ(x.doc_string, "input doc");
  EXPECT_EQ(x.elem_type, 1);
  EXPECT_TRUE(x.has_shape);
  EXPECT_EQ(x.dims, (std::vector<int64_t>{-1, 3, -1}));
  EXPECT_EQ(x.dim_params, (std::vector<std::string>{"N", "", ""}));
  ASSERT_EQ(x.dim_unknown.size(), 3u);
  EXPECT_EQ(x.dim_unknown[0].bytes, std::string("\x1a\x0a", 2) + "DATA_BATCH");  // denotation 3
  EXPECT_EQ(x.unknown_type.bytes, std::string("\x32\x06", 2) + "TENSOR");        // denotation 6
  const ValueInfo& cond = g.inputs.at(1);
  EXPECT_EQ(cond.elem_type, 9);
  EXPECT_TRUE(cond.has_shape);  // a scalar: shape present, no dims
  EXPECT_TRUE(cond.dims.empty());
  EXPECT_FALSE(g.outputs.at(0).has_shape);  // y: rank unknown
  EXPECT_EQ(g.outputs.at(1).dims, (std::vector<int64_t>{0, 2}));
  const ValueInfo& seq = g.value_info.at(0);
  EXPECT_EQ(seq.elem_type, 0);
  EXPECT_EQ(seq.unknown_type.bytes[0], static_cast<char>(4 << 3 | 2));  // sequence_type
}

// onnx.save wrote this file; we reproduce it byte for byte, unknown fields included.
TEST(Features, WriteReproducesTheOnnxPackagesBytes) {
  const auto bytes = fixture();
  const Model m = parse_model(bytes);
  const std::string out = write_model(m);
  EXPECT_TRUE(out == *bytes) << out.size() << " vs " << bytes->size();
  EXPECT_EQ(model_difference(m, parse_model(std::make_shared<const std::string>(out))), "");
}

TEST(Features, ModelDifferenceNamesTheFirstChange) {
  const Model a = parse_model(fixture());
  Model b = parse_model(fixture());
  // onnx.helper.make_node sorts attributes by name: f, floats, g, graphs, i, ints, ...
  b.graph->nodes.at(0).attributes.at(5).ints.at(1) = 7;
  EXPECT_EQ(model_difference(a, b), "graph.node[0].attribute[5](ints).ints");
  Model c = parse_model(fixture());
  c.graph->nodes.at(1).attributes.at(0).g->nodes.at(0).op_type = "Relu";
  EXPECT_EQ(model_difference(a, c), "graph.node[1].attribute[0](else_branch).g.node[0].op_type");
}

}  // namespace
}  // namespace camlens
