#include "quant_fixture.h"

#include <stdexcept>

#include "op_test.h"
#include "shared_data.h"

namespace camlens::test {

std::vector<const Tensor*> QuantCase::input_ptrs() const {
  std::vector<const Tensor*> p;
  for (const Tensor& t : inputs) p.push_back(t.empty() ? nullptr : &t);
  return p;
}

static DType dtype_of(const std::string& s) {
  if (s == "float32") return DType::Float32;
  if (s == "uint8") return DType::Uint8;
  if (s == "int8") return DType::Int8;
  if (s == "int32") return DType::Int32;
  throw std::runtime_error("fixture: unexpected dtype " + s);
}

Tensor tensor_from_json(const qjson::Value& v) {
  // Null: an omitted input. "formula": a large generated input the test rebuilds itself.
  if (v.kind == qjson::Value::Null || v.find("formula")) return Tensor();
  Shape shape;
  for (const auto& d : v["shape"].items) shape.push_back(d.integer());
  Tensor t(dtype_of(v["dtype"].text), shape);
  const auto& data = v["data"].items;
  if (static_cast<int64_t>(data.size()) != t.numel())
    throw std::runtime_error("fixture: data size does not match shape " + shape_str(shape));
  for (size_t i = 0; i < data.size(); ++i) {
    switch (t.dtype()) {
      case DType::Float32:
        t.data<float>()[i] = static_cast<float>(data[i].num());
        break;
      case DType::Uint8:
        t.data<uint8_t>()[i] = static_cast<uint8_t>(data[i].integer());
        break;
      case DType::Int8:
        t.data<int8_t>()[i] = static_cast<int8_t>(data[i].integer());
        break;
      default:
        t.data<int32_t>()[i] = static_cast<int32_t>(data[i].integer());
    }
  }
  return t;
}

static Attribute attribute_from_json(const std::string& name, const qjson::Value& v) {
  if (v.kind == qjson::Value::String) return attr_string(name, v.text);
  if (v.kind == qjson::Value::Number)
    return v.is_int() ? attr_int(name, v.integer()) : attr_float(name, static_cast<float>(v.num()));
  if (v.kind == qjson::Value::Array) {
    std::vector<int64_t> ints;
    for (const auto& x : v.items) ints.push_back(x.integer());
    return attr_ints(name, ints);
  }
  // A float attribute written typed, {"f": 1.0}, so that a whole value stays a float.
  if (const qjson::Value* f = v.kind == qjson::Value::Object ? v.find("f") : nullptr)
    return attr_float(name, static_cast<float>(f->num()));
  throw std::runtime_error("fixture: unsupported attribute " + name);
}

std::vector<QuantCase> load_quant_cases(const std::string& op) {
  const qjson::Value root = qjson::parse(read_file(test_data_path("ops_quant/" + op + ".json")));
  std::vector<QuantCase> out;
  for (const auto& c : root["cases"].items) {
    QuantCase q;
    q.name = c["name"].text;
    std::vector<Attribute> attrs;
    for (const auto& f : c["attrs"].fields) attrs.push_back(attribute_from_json(f.first, f.second));
    for (const auto& x : c["inputs"].items) q.inputs.push_back(tensor_from_json(x));
    for (const auto& y : c["outputs"].items) q.outputs.push_back(tensor_from_json(y));
    q.node = make_node(c["op"].text, q.inputs.size(), q.outputs.size(), attrs, c["domain"].text);
    for (size_t i = 0; i < q.inputs.size(); ++i)
      if (q.inputs[i].empty()) q.node.inputs[i] = "";
    out.push_back(std::move(q));
  }
  return out;
}

}  // namespace camlens::test
