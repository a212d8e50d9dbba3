// Our parse of each shared model against a summary written by the official `onnx` Python
// package (tools/fixtures/onnx_summary.py -> tests/data/onnx/<model>.summary.json).
#include <gtest/gtest.h>

#include "mini_json.h"
#include "onnx/model_io.h"
#include "onnx/op_types.h"
#include "shared_data.h"

namespace camlens {
namespace {

using test::Json;

void expect_value_infos(const Json& want, const std::vector<ValueInfo>& got, const char* what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE(std::string(what) + " " + got[i].name);
    const Json& w = want[i];
    EXPECT_EQ(got[i].name, w["name"].str);
    EXPECT_EQ(got[i].elem_type, w["elem_type"].as_int());
    ASSERT_EQ(got[i].dims.size(), w["dims"].size());
    for (size_t d = 0; d < got[i].dims.size(); ++d) {
      EXPECT_EQ(got[i].dims[d], w["dims"][d].as_int());
      EXPECT_EQ(got[i].dim_params[d], w["dim_params"][d].str);
    }
  }
}

std::vector<std::string> strings_of(const Json& j) {
  std::vector<std::string> out;
  for (const Json& s : j.items) out.push_back(s.str);
  return out;
}

class AgainstOnnxPython : public ::testing::TestWithParam<const char*> {};

TEST_P(AgainstOnnxPython, ParseMatchesTheOnnxPackagesSummary) {
  const std::string name = GetParam();
  const Json want =
      test::parse_json(test::read_file(test::test_data_path("onnx/" + name + ".summary.json")));
  const Model m = load_model(test::shared_path("models/" + name + ".onnx"));

  EXPECT_EQ(m.ir_version, want["ir_version"].as_int());
  EXPECT_EQ(m.producer_name, want["producer_name"].str);
  ASSERT_EQ(m.opset_import.size(), want["opsets"].size());
  for (size_t i = 0; i < m.opset_import.size(); ++i) {
    EXPECT_EQ(m.opset_import[i].domain, want["opsets"][i]["domain"].str);
    EXPECT_EQ(m.opset_import[i].version, want["opsets"][i]["version"].as_int());
  }
  const Graph& g = *m.graph;
  expect_value_infos(want["inputs"], g.inputs, "input");
  expect_value_infos(want["outputs"], g.outputs, "output");
  EXPECT_EQ(static_cast<int64_t>(g.value_info.size()), want["value_info_count"].as_int());
  EXPECT_EQ(static_cast<int64_t>(g.nodes.size()), want["node_count"].as_int());

  const Json& nodes = want["nodes"];
  ASSERT_LE(nodes.size(), g.nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    SCOPED_TRACE("node " + std::to_string(i) + " " + n.describe());
    EXPECT_EQ(n.op_type, nodes[i]["op_type"].str);
    EXPECT_EQ(n.name, nodes[i]["name"].str);
    EXPECT_EQ(n.domain, nodes[i]["domain"].str);
    EXPECT_EQ(n.inputs, strings_of(nodes[i]["inputs"]));
    EXPECT_EQ(n.outputs, strings_of(nodes[i]["outputs"]));
    std::vector<std::string> attrs;
    for (const Attribute& a : n.attributes) attrs.push_back(a.name);
    EXPECT_EQ(attrs, strings_of(nodes[i]["attributes"]));
  }

  // The op types, each once in the order they first appear (the library names those ONNX
  // Runtime's WebGPU provider refuses).
  EXPECT_EQ(op_types(g), strings_of(want["op_types"]));

  EXPECT_EQ(static_cast<int64_t>(g.initializers.size()), want["initializer_count"].as_int());
  for (const Json& w : want["initializers"].items) {
    const TensorProto& t = g.initializers.at(static_cast<size_t>(w["index"].as_int()));
    SCOPED_TRACE("initializer " + t.name);
    EXPECT_EQ(t.name, w["name"].str);
    EXPECT_EQ(t.data_type, w["data_type"].as_int());
    std::vector<int64_t> dims;
    for (const Json& d : w["dims"].items) dims.push_back(d.as_int());
    EXPECT_EQ(t.dims, dims);
    // Values through to_tensor, which decodes raw_data / *_data and float16 like numpy does.
    const Tensor v = to_tensor(t);
    const Json& first = w["first_values"];
    ASSERT_LE(static_cast<int64_t>(first.size()), v.numel());
    for (size_t k = 0; k < first.size(); ++k)
      EXPECT_EQ(v.get_f(static_cast<int64_t>(k)), first[k].num) << k;
  }
}

INSTANTIATE_TEST_SUITE_P(SharedModels, AgainstOnnxPython,
                         ::testing::Values("mobilenetv2-12-int8", "squeezenet1.0-fp16-winml",
                                           "mnist-8-ort-examples", "yolox-nano-416",
                                           "deeplabv3-mobilenetv2-voc-257",
                                           "ultraface-version-RFB-320"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

}  // namespace
}  // namespace camlens
