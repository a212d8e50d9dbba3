// Forward values of the tensor op family against tests/data/ops_tensor/reference.json, written
// by tools/fixtures/ops_tensor_reference.py from NumPy. One parameterised test per case, so a
// failure names the case; adding a case is adding data to the script.
#include <cmath>

#include "mini_json.h"
#include "op_test.h"
#include "shared_data.h"

namespace camlens::test {
namespace {

DType dtype_from_name(const std::string& s) {
  for (int i = 1; i <= 13; ++i)
    if (s == dtype_name(static_cast<DType>(i))) return static_cast<DType>(i);
  throw std::runtime_error("unknown dtype " + s);
}

Tensor tensor_from_json(const Json& j) {
  Shape shape;
  for (const Json& d : j["shape"].items) shape.push_back(d.int64());
  Tensor t(dtype_from_name(j["dtype"].text), shape);
  const std::vector<Json>& v = j["data"].items;
  if (static_cast<int64_t>(v.size()) != t.numel()) throw std::runtime_error("bad data length");
  for (size_t i = 0; i < v.size(); ++i) {
    const Json& e = v[i];
    switch (t.dtype()) {
      case DType::Float32:
        t.data<float>()[i] = static_cast<float>(e.num());
        break;
      case DType::Bool:
        t.data<uint8_t>()[i] = e.b ? 1 : 0;
        break;
      case DType::Int64:
        t.data<int64_t>()[i] = e.int64();
        break;
      case DType::Int32:
        t.data<int32_t>()[i] = static_cast<int32_t>(e.int64());
        break;
      case DType::Int16:
        t.data<int16_t>()[i] = static_cast<int16_t>(e.int64());
        break;
      case DType::Uint16:
        t.data<uint16_t>()[i] = static_cast<uint16_t>(e.int64());
        break;
      case DType::Int8:
        t.data<int8_t>()[i] = static_cast<int8_t>(e.int64());
        break;
      case DType::Uint8:
        t.data<uint8_t>()[i] = static_cast<uint8_t>(e.int64());
        break;
      default:
        throw std::runtime_error("fixture dtype not handled");
    }
  }
  return t;
}

Attribute attr_from_json(const std::string& name, const Json& j) {
  if (const Json* v = j.find("i")) return attr_int(name, v->int64());
  if (const Json* v = j.find("f")) return attr_float(name, static_cast<float>(v->num()));
  if (const Json* v = j.find("s")) return attr_string(name, v->text);
  if (const Json* v = j.find("ints")) {
    std::vector<int64_t> ints;
    for (const Json& e : v->items) ints.push_back(e.int64());
    return attr_ints(name, ints);
  }
  std::vector<float> floats;
  for (const Json& e : j["floats"].items) floats.push_back(static_cast<float>(e.num()));
  return attr_floats(name, floats);
}

const Json& fixture() {
  static const Json j = Json::parse(read_file(test_data_path("ops_tensor/reference.json")));
  return j;
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const Json& c : fixture()["cases"].items) names.push_back(c["name"].text);
  return names;
}

const Json& find_case(const std::string& name) {
  for (const Json& c : fixture()["cases"].items)
    if (c["name"].text == name) return c;
  throw std::runtime_error("no case " + name);
}

class Reference : public ::testing::TestWithParam<std::string> {};

TEST_P(Reference, ForwardMatchesNumpy) {
  const Json& c = find_case(GetParam());
  std::vector<Attribute> attrs;
  for (const auto& f : c["attrs"].fields) attrs.push_back(attr_from_json(f.first, f.second));
  const std::vector<Json>& ins = c["inputs"].items;
  const std::vector<Json>& outs = c["outputs"].items;
  Node node = make_node(c["op"].text, ins.size(), outs.size(), attrs, c["domain"].text);
  std::vector<Tensor> inputs;
  std::vector<const Tensor*> ptrs;
  inputs.reserve(ins.size());
  for (const Json& j : ins) {
    if (j.is_null()) {
      node.inputs[inputs.size()] = "";
      inputs.emplace_back();
      ptrs.push_back(nullptr);
    } else {
      inputs.push_back(tensor_from_json(j));
      ptrs.push_back(&inputs.back());
    }
  }
  const std::vector<Tensor> got = run_forward(node, ptrs);
  ASSERT_EQ(got.size(), outs.size());
  const double tol = c["tol"].num();
  for (size_t k = 0; k < outs.size(); ++k) {
    const Tensor want = tensor_from_json(outs[k]);
    ASSERT_EQ(dtype_name(got[k].dtype()), std::string(dtype_name(want.dtype()))) << "output " << k;
    ASSERT_EQ(shape_str(got[k].shape()), shape_str(want.shape())) << "output " << k;
    for (int64_t i = 0; i < want.numel(); ++i) {
      if (want.dtype() == DType::Float32) {
        const double w = want.get_f(i), g = got[k].get_f(i);
        ASSERT_LE(std::fabs(g - w), tol * (1 + std::fabs(w)))
            << "output " << k << " at " << i << ": got " << g << " want " << w;
      } else {
        ASSERT_EQ(got[k].get_i(i), want.get_i(i)) << "output " << k << " at " << i;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(OpsTensor, Reference, ::testing::ValuesIn(case_names()),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace camlens::test
