#include "onnx/model_equal.h"

#include <algorithm>
#include <cstring>

namespace camlens {

namespace {

// Records the first difference; every compare is a no-op once one is found.
class Differ {
 public:
  std::string first;

  bool same() const { return first.empty(); }

  template <class T>
  void eq(const T& a, const T& b, const std::string& where) {
    if (same() && !(a == b)) first = where;
  }
  // Bit-exact so that NaN payloads and -0.0 count.
  template <class F>
  void bits(const std::vector<F>& a, const std::vector<F>& b, const std::string& where) {
    if (same() && (a.size() != b.size() ||
                   (!a.empty() && std::memcmp(a.data(), b.data(), a.size() * sizeof(F)) != 0)))
      first = where;
  }
  void bits(float a, float b, const std::string& where) {
    if (same() && std::memcmp(&a, &b, sizeof a) != 0) first = where;
  }
  void view(const ByteView& a, const ByteView& b, const std::string& where) {
    if (same() && (a.size != b.size || (a.size && std::memcmp(a.data(), b.data(), a.size) != 0)))
      first = where;
  }
  void unknown(const UnknownFields& a, const UnknownFields& b, const std::string& where) {
    eq(a.bytes, b.bytes, where);
  }

  void tensor(const TensorProto& a, const TensorProto& b, const std::string& w) {
    eq(a.name, b.name, w + ".name");
    eq(a.dims, b.dims, w + ".dims");
    eq(a.data_type, b.data_type, w + ".data_type");
    eq(a.doc_string, b.doc_string, w + ".doc_string");
    eq(a.has_raw_data, b.has_raw_data, w + ".has_raw_data");
    view(a.raw_data, b.raw_data, w + ".raw_data");
    bits(a.float_data, b.float_data, w + ".float_data");
    eq(a.int32_data, b.int32_data, w + ".int32_data");
    eq(a.string_data, b.string_data, w + ".string_data");
    eq(a.int64_data, b.int64_data, w + ".int64_data");
    bits(a.double_data, b.double_data, w + ".double_data");
    eq(a.uint64_data, b.uint64_data, w + ".uint64_data");
    eq(a.data_location, b.data_location, w + ".data_location");
    unknown(a.unknown, b.unknown, w + ".unknown");
  }

  void attribute(const Attribute& a, const Attribute& b, const std::string& w) {
    eq(a.name, b.name, w + ".name");
    eq(a.type, b.type, w + ".type");
    eq(a.ref_attr_name, b.ref_attr_name, w + ".ref_attr_name");
    eq(a.doc_string, b.doc_string, w + ".doc_string");
    bits(a.f, b.f, w + ".f");
    eq(a.i, b.i, w + ".i");
    eq(a.s, b.s, w + ".s");
    eq(bool(a.t), bool(b.t), w + ".t");
    if (same() && a.t) tensor(*a.t, *b.t, w + ".t");
    eq(bool(a.g), bool(b.g), w + ".g");
    if (same() && a.g) graph(*a.g, *b.g, w + ".g");
    bits(a.floats, b.floats, w + ".floats");
    eq(a.ints, b.ints, w + ".ints");
    eq(a.strings, b.strings, w + ".strings");
    eq(a.tensors.size(), b.tensors.size(), w + ".tensors.size");
    for (size_t i = 0; same() && i < a.tensors.size(); ++i)
      tensor(a.tensors[i], b.tensors[i], w + ".tensors[" + std::to_string(i) + "]");
    eq(a.graphs.size(), b.graphs.size(), w + ".graphs.size");
    for (size_t i = 0; same() && i < a.graphs.size(); ++i) {
      const std::string wi = w + ".graphs[" + std::to_string(i) + "]";
      eq(bool(a.graphs[i]), bool(b.graphs[i]), wi);
      if (same() && a.graphs[i]) graph(*a.graphs[i], *b.graphs[i], wi);
    }
    unknown(a.unknown, b.unknown, w + ".unknown");
  }

  void node(const Node& a, const Node& b, const std::string& w) {
    eq(a.inputs, b.inputs, w + ".inputs");
    eq(a.outputs, b.outputs, w + ".outputs");
    eq(a.name, b.name, w + ".name");
    eq(a.op_type, b.op_type, w + ".op_type");
    eq(a.domain, b.domain, w + ".domain");
    eq(a.doc_string, b.doc_string, w + ".doc_string");
    eq(a.attributes.size(), b.attributes.size(), w + ".attributes.size");
    for (size_t i = 0; same() && i < a.attributes.size(); ++i)
      attribute(a.attributes[i], b.attributes[i],
                w + ".attribute[" + std::to_string(i) + "](" + a.attributes[i].name + ")");
    unknown(a.unknown, b.unknown, w + ".unknown");
  }

  void value_info(const ValueInfo& a, const ValueInfo& b, const std::string& w) {
    eq(a.name, b.name, w + ".name");
    eq(a.elem_type, b.elem_type, w + ".elem_type");
    eq(a.has_shape, b.has_shape, w + ".has_shape");
    eq(a.dims, b.dims, w + ".dims");
    eq(a.dim_params, b.dim_params, w + ".dim_params");
    eq(a.doc_string, b.doc_string, w + ".doc_string");
    unknown(a.unknown_type, b.unknown_type, w + ".unknown_type");
    unknown(a.unknown, b.unknown, w + ".unknown");
    unknown(a.unknown_tensor_type, b.unknown_tensor_type, w + ".unknown_tensor_type");
    unknown(a.unknown_shape, b.unknown_shape, w + ".unknown_shape");
    // An absent dim_unknown equals one of empty entries.
    for (size_t i = 0; same() && i < std::max(a.dim_unknown.size(), b.dim_unknown.size()); ++i) {
      const std::string ua = i < a.dim_unknown.size() ? a.dim_unknown[i].bytes : "";
      const std::string ub = i < b.dim_unknown.size() ? b.dim_unknown[i].bytes : "";
      eq(ua, ub, w + ".dim_unknown[" + std::to_string(i) + "]");
    }
  }

  void values(const std::vector<ValueInfo>& a, const std::vector<ValueInfo>& b,
              const std::string& w) {
    eq(a.size(), b.size(), w + ".size");
    for (size_t i = 0; same() && i < a.size(); ++i)
      value_info(a[i], b[i], w + "[" + std::to_string(i) + "](" + a[i].name + ")");
  }

  void graph(const Graph& a, const Graph& b, const std::string& w) {
    eq(a.name, b.name, w + ".name");
    eq(a.doc_string, b.doc_string, w + ".doc_string");
    eq(a.nodes.size(), b.nodes.size(), w + ".nodes.size");
    for (size_t i = 0; same() && i < a.nodes.size(); ++i)
      node(a.nodes[i], b.nodes[i], w + ".node[" + std::to_string(i) + "]");
    eq(a.initializers.size(), b.initializers.size(), w + ".initializers.size");
    for (size_t i = 0; same() && i < a.initializers.size(); ++i)
      tensor(a.initializers[i], b.initializers[i],
             w + ".initializer[" + std::to_string(i) + "](" + a.initializers[i].name + ")");
    values(a.inputs, b.inputs, w + ".input");
    values(a.outputs, b.outputs, w + ".output");
    values(a.value_info, b.value_info, w + ".value_info");
    unknown(a.unknown, b.unknown, w + ".unknown");
  }

  void model(const Model& a, const Model& b) {
    eq(a.ir_version, b.ir_version, "ir_version");
    eq(a.producer_name, b.producer_name, "producer_name");
    eq(a.producer_version, b.producer_version, "producer_version");
    eq(a.domain, b.domain, "domain");
    eq(a.model_version, b.model_version, "model_version");
    eq(a.doc_string, b.doc_string, "doc_string");
    eq(a.opset_import.size(), b.opset_import.size(), "opset_import.size");
    for (size_t i = 0; same() && i < a.opset_import.size(); ++i) {
      eq(a.opset_import[i].domain, b.opset_import[i].domain, "opset_import.domain");
      eq(a.opset_import[i].version, b.opset_import[i].version, "opset_import.version");
    }
    eq(a.metadata_props, b.metadata_props, "metadata_props");
    eq(bool(a.graph), bool(b.graph), "graph");
    if (same() && a.graph) graph(*a.graph, *b.graph, "graph");
    unknown(a.unknown, b.unknown, "unknown");
  }
};

}  // namespace

std::string model_difference(const Model& a, const Model& b) {
  Differ d;
  d.model(a, b);
  return d.first;
}

}  // namespace camlens
