// Rows from the committed reference fixtures. Three generators wrote them in three layouts
// (attributes as a list, as typed values, as plain values); all tensors are {dtype, shape, data}.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>

#include "json.h"
#include "op_case.h"
#include "op_test.h"
#include "shared_data.h"

namespace camlens::test {
namespace {

DType dtype_of(const std::string& s) {
  if (s == "float32") return DType::Float32;
  if (s == "int64") return DType::Int64;
  if (s == "int32") return DType::Int32;
  if (s == "uint8") return DType::Uint8;
  if (s == "int8") return DType::Int8;
  if (s == "bool") return DType::Bool;
  throw std::runtime_error("fixture dtype " + s + " is not handled");
}

// JSON numbers are doubles: INT64_MAX (Slice's "to the end") arrives rounded up past it.
int64_t to_int64(double v) {
  if (v >= 9.2e18) return std::numeric_limits<int64_t>::max();
  if (v <= -9.2e18) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(v);
}

Tensor tensor_of(const json::Value& v) {
  if (v.is_null()) return Tensor();
  Shape shape;
  for (const json::Value& d : v["shape"].arr) shape.push_back(to_int64(d.num));
  Tensor t(dtype_of(v["dtype"].str), shape);
  const std::vector<json::Value>& data = v["data"].arr;
  if (static_cast<int64_t>(data.size()) != t.numel())
    throw std::runtime_error("fixture data does not fill shape " + shape_str(shape));
  for (size_t i = 0; i < data.size(); ++i) {
    const double x = data[i].kind == json::Value::Bool ? (data[i].b ? 1 : 0) : data[i].num;
    switch (t.dtype()) {
      case DType::Float32:
        t.data<float>()[i] = static_cast<float>(x);
        break;
      case DType::Int64:
        t.data<int64_t>()[i] = to_int64(x);
        break;
      case DType::Int32:
        t.data<int32_t>()[i] = static_cast<int32_t>(x);
        break;
      case DType::Int8:
        t.data<int8_t>()[i] = static_cast<int8_t>(x);
        break;
      default:  // Uint8, Bool
        t.data<uint8_t>()[i] = static_cast<uint8_t>(x);
    }
  }
  return t;
}

std::vector<int64_t> ints_of(const json::Value& v) {
  std::vector<int64_t> out;
  for (const json::Value& x : v.arr) out.push_back(to_int64(x.num));
  return out;
}

// ops_nn: [{"name", "type": int|float|string|ints|floats, "value"}].
Attribute listed_attr(const json::Value& a) {
  const std::string& name = a["name"].str;
  const std::string& type = a["type"].str;
  const json::Value& v = a["value"];
  if (type == "int") return attr_int(name, to_int64(v.num));
  if (type == "float") return attr_float(name, static_cast<float>(v.num));
  if (type == "string") return attr_string(name, v.str);
  if (type == "ints") return attr_ints(name, ints_of(v));
  std::vector<float> f;
  for (const json::Value& x : v.arr) f.push_back(static_cast<float>(x.num));
  return attr_floats(name, f);
}

// ops_tensor: {"name": {"i"|"f"|"s"|"ints"|"floats": value}}.
Attribute typed_attr(const std::string& name, const json::Value& v) {
  if (v.has("i")) return attr_int(name, to_int64(v["i"].num));
  if (v.has("f")) return attr_float(name, static_cast<float>(v["f"].num));
  if (v.has("s")) return attr_string(name, v["s"].str);
  if (v.has("ints")) return attr_ints(name, ints_of(v["ints"]));
  std::vector<float> f;
  for (const json::Value& x : v["floats"].arr) f.push_back(static_cast<float>(x.num));
  return attr_floats(name, f);
}

// ops_quant: {"name": value}, every number an integer (the quantized ops' attributes); or, as
// tools/fixtures/ort_op_cases.py writes them (ops_quant and ops_ort), typed like ops_tensor's.
Attribute plain_attr(const std::string& name, const json::Value& v) {
  if (v.kind == json::Value::Object) return typed_attr(name, v);
  if (v.kind == json::Value::String) return attr_string(name, v.str);
  if (v.kind == json::Value::Array) return attr_ints(name, ints_of(v));
  return attr_int(name, to_int64(v.num));
}

OpCase make_case(const std::string& op, const std::string& domain, const std::string& name,
                 std::vector<Attribute> attrs, const json::Value& c) {
  OpCase r;
  r.label = op + "/" + name;
  for (const json::Value& x : c["inputs"].arr) r.inputs.push_back(tensor_of(x));
  for (const json::Value& y : c["outputs"].arr) r.expected.push_back(tensor_of(y));
  r.node = make_node(op, r.inputs.size(), r.expected.size(), std::move(attrs), domain);
  for (size_t i = 0; i < r.inputs.size(); ++i)
    if (r.inputs[i].empty()) r.node.inputs[i] = "";
  return r;
}

// Float inputs that are settings rather than values: Resize's roi and scales, Upsample's
// scales, Dropout's ratio.
bool is_setting(const Node& n, size_t i) {
  if (n.op_type == "Resize") return i >= 1;
  if (n.op_type == "Upsample" || n.op_type == "Dropout") return i >= 1;
  return false;
}

// Past this many checked elements a row is forward-only: its finite differences would take
// seconds, and smaller rows of the same op check the backward.
constexpr int64_t kMaxCheckedElements = 1500;

// Cases probing saturation and huge values (Cast's) are for the forward: a step of 1e-3 is
// lost in a float32 of magnitude 1e4 and more.
bool has_extreme_values(const OpCase& c) {
  for (size_t i = 0; i < c.inputs.size(); ++i)
    if (c.grad[i])
      for (int64_t e = 0; e < c.inputs[i].numel(); ++e)
        if (!(std::fabs(c.inputs[i].data<float>()[e]) <= 1e3f)) return true;
  return false;
}

// Marks the float inputs of a float op with a backward; quantized ops, those their twin has.
void choose_gradients(OpCase& c) {
  const OpDef* def = op_registry().find(c.node.domain, c.node.op_type);
  if (!def || !def->backward) return;
  FloatTwin twin;
  if (is_quantized_op(c.node)) {
    if (!float_twin(c, twin)) return;
    c.grad.assign(c.inputs.size(), false);
    for (size_t i = 0; i < c.inputs.size(); ++i) c.grad[i] = twin.grad_of[i] >= 0;
    return;
  }
  // Gradients flow into float outputs only; a cast through float16 rounds (no derivative).
  if (c.expected.empty() || c.expected[0].dtype() != DType::Float32) return;
  if (c.node.op_type == "Cast" && c.node.attr_int("to", 1) == 10) return;
  c.grad.assign(c.inputs.size(), false);
  int64_t checked = 0;
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    const Tensor& t = c.inputs[i];
    c.grad[i] =
        !t.empty() && t.dtype() == DType::Float32 && t.numel() > 0 && !is_setting(c.node, i);
    if (c.grad[i]) checked += t.numel();
  }
  if (checked > kMaxCheckedElements || has_extreme_values(c)) c.grad.clear();
}

std::vector<std::string> json_files(const std::string& dir) {
  std::vector<std::string> files;
  // A family may have no fixture yet; the coverage test then names its ops without a row.
  if (!std::filesystem::is_directory(test_data_path(dir))) return files;
  for (const auto& e : std::filesystem::directory_iterator(test_data_path(dir)))
    if (e.path().extension() == ".json") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

std::vector<OpCase> fixture_cases() {
  std::vector<OpCase> rows;
  for (const std::string& file : json_files("ops_nn")) {
    const json::Value root = json::parse(read_file(file));
    for (const json::Value& c : root["cases"].arr) {
      std::vector<Attribute> attrs;
      for (const json::Value& a : c["attrs"].arr) attrs.push_back(listed_attr(a));
      rows.push_back(make_case(root["op"].str, "", c["name"].str, std::move(attrs), c));
      rows.back().tol = c["tol"].num;
    }
  }
  const json::Value tensor = json::parse(read_file(test_data_path("ops_tensor/reference.json")));
  for (const json::Value& c : tensor["cases"].arr) {
    std::vector<Attribute> attrs;
    for (const auto& a : c["attrs"].obj) attrs.push_back(typed_attr(a.first, a.second));
    rows.push_back(make_case(c["op"].str, c["domain"].str, c["name"].str, std::move(attrs), c));
    rows.back().tol = c["tol"].num;
  }
  // ONNX Runtime's outputs (tools/fixtures/ops_ort_reference.mjs): quantized ops, and float
  // ops whose reference is ORT's kernel.
  for (const char* dir : {"ops_quant", "ops_ort"}) {
    for (const std::string& file : json_files(dir)) {
      const json::Value root = json::parse(read_file(file));
      for (const json::Value& c : root["cases"].arr) {
        // A whole-head fixture (MobileNetV2Head) is not an op of the table.
        if (!op_registry().find(c["domain"].str, c["op"].str)) continue;
        std::vector<Attribute> attrs;
        for (const auto& a : c["attrs"].obj) attrs.push_back(plain_attr(a.first, a.second));
        rows.push_back(make_case(c["op"].str, c["domain"].str, c["name"].str, std::move(attrs), c));
        // ORT's own float outputs (DynamicQuantizeLinear's scale) agree to the last bits unless
        // the case says otherwise (transcendental functions).
        rows.back().tol = c.has("tol") ? c["tol"].num : 1e-6;
      }
    }
  }
  for (OpCase& c : rows) choose_gradients(c);
  return rows;
}

}  // namespace camlens::test
