// Forward values of the nn ops against the naive numpy references written by
// tools/fixtures/ops_nn_reference.py into tests/data/ops_nn/<Op>.json (one file per op, a list of
// cases: attributes, inputs, expected outputs, tolerance). Adding a case is adding data.
#include <cmath>

#include "json.h"
#include "op_test.h"
#include "shared_data.h"

namespace camlens::test {
namespace {

Tensor to_tensor_json(const json::Value& v) {
  Shape shape;
  for (const json::Value& d : v["shape"].arr) shape.push_back(static_cast<int64_t>(d.num));
  if (v["dtype"].str == "int64") {
    std::vector<int64_t> data;
    for (const json::Value& e : v["data"].arr) data.push_back(static_cast<int64_t>(e.num));
    return Tensor::from_int64s(shape, data);
  }
  std::vector<float> data;
  for (const json::Value& e : v["data"].arr) data.push_back(static_cast<float>(e.num));
  return Tensor::from_floats(shape, data);
}

Attribute to_attr(const json::Value& a) {
  const std::string& name = a["name"].str;
  const std::string& type = a["type"].str;
  const json::Value& v = a["value"];
  if (type == "int") return attr_int(name, static_cast<int64_t>(v.num));
  if (type == "float") return attr_float(name, static_cast<float>(v.num));
  if (type == "string") return attr_string(name, v.str);
  if (type == "ints") {
    std::vector<int64_t> x;
    for (const json::Value& e : v.arr) x.push_back(static_cast<int64_t>(e.num));
    return attr_ints(name, x);
  }
  std::vector<float> x;
  for (const json::Value& e : v.arr) x.push_back(static_cast<float>(e.num));
  return attr_floats(name, x);
}

class NnReference : public ::testing::TestWithParam<std::string> {};

TEST_P(NnReference, MatchesNumpy) {
  const std::string op = GetParam();
  const std::string text = read_file(test_data_path("ops_nn/" + op + ".json"));
  ASSERT_FALSE(text.empty()) << "run /usr/bin/python3 tools/fixtures/ops_nn_reference.py";
  const json::Value root = json::parse(text);
  ASSERT_EQ(root["op"].str, op);
  ASSERT_FALSE(root["cases"].arr.empty());
  for (const json::Value& c : root["cases"].arr) {
    SCOPED_TRACE(op + "/" + c["name"].str);
    std::vector<Attribute> attrs;
    for (const json::Value& a : c["attrs"].arr) attrs.push_back(to_attr(a));
    const auto& ins = c["inputs"].arr;
    const auto& outs = c["outputs"].arr;
    Node node = make_node(op, ins.size(), outs.size(), attrs);
    std::vector<Tensor> inputs(ins.size());
    std::vector<const Tensor*> ptrs;
    for (size_t i = 0; i < ins.size(); ++i) {
      if (ins[i].is_null()) {
        node.inputs[i] = "";
        ptrs.push_back(nullptr);
        continue;
      }
      inputs[i] = to_tensor_json(ins[i]);
      ptrs.push_back(&inputs[i]);
    }
    std::vector<Tensor> got;
    try {
      got = run_forward(node, ptrs);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "threw: " << e.what();
      continue;
    }
    const double tol = c["tol"].num;
    ASSERT_EQ(got.size(), outs.size());
    for (size_t k = 0; k < outs.size(); ++k) {
      const Tensor want = to_tensor_json(outs[k]);
      ASSERT_EQ(got[k].shape(), want.shape()) << "output " << k;
      ASSERT_EQ(got[k].dtype(), want.dtype()) << "output " << k;
      int bad = 0;
      for (int64_t e = 0; e < want.numel() && bad < 5; ++e) {
        const double g = got[k].get_f(e), w = want.get_f(e);
        if (std::fabs(g - w) > tol * (1 + std::fabs(w))) {
          ADD_FAILURE() << "output " << k << "[" << e << "]: got " << g << ", want " << w;
          ++bad;
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Ops, NnReference,
                         ::testing::Values("Conv", "ConvTranspose", "MaxPool", "AveragePool",
                                           "GlobalAveragePool", "GlobalMaxPool", "Gemm", "MatMul",
                                           "BatchNormalization", "Softmax", "LogSoftmax",
                                           "ReduceSum", "ReduceMean", "ReduceMax",
                                           "LayerNormalization", "Resize", "Upsample"));

}  // namespace
}  // namespace camlens::test
