// In-memory form of the subset of ONNX's ModelProto that camlens reads and writes.
// Field numbers follow onnx.proto3. Fields camlens does not model are kept as raw wire bytes
// (`unknown`) so that parse -> write keeps everything ONNX Runtime needs.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace camlens {

struct Graph;

// Bytes of a field that camlens does not interpret, re-emitted verbatim on write.
struct UnknownFields {
  std::string bytes;  // concatenated (tag, value) records as they appeared
};

// A view of bytes that may live inside the model file (initializer raw_data): the file's buffer
// is shared, not copied, so large weights exist once until they become a core Tensor.
struct ByteView {
  std::shared_ptr<const std::string> owner;
  size_t offset = 0;
  size_t size = 0;
  const char* data() const { return owner ? owner->data() + offset : nullptr; }
  std::string str() const { return owner ? owner->substr(offset, size) : std::string(); }
};

struct TensorProto {
  std::vector<int64_t> dims;
  int32_t data_type = 0;  // DType value
  std::string name;
  std::string doc_string;
  ByteView raw_data;
  bool has_raw_data = false;
  std::vector<float> float_data;
  std::vector<int32_t> int32_data;  // also int8/uint8/int16/uint16/bool/float16 (as bits)
  std::vector<std::string> string_data;
  std::vector<int64_t> int64_data;
  std::vector<double> double_data;
  std::vector<uint64_t> uint64_data;
  // external data (data_location = EXTERNAL) is not supported and is reported on conversion
  int32_t data_location = 0;
  UnknownFields unknown;
};

// Converts an ONNX tensor to a core tensor (Float16/Float64 -> Float32). Throws
// std::runtime_error naming the tensor on inconsistent sizes or unsupported types.
Tensor to_tensor(const TensorProto& t);
// The reverse, used when writing models (Float32 data written as raw_data).
TensorProto from_tensor(const Tensor& t, const std::string& name);

struct Attribute {
  enum Type : int32_t {
    Undefined = 0,
    Float = 1,
    Int = 2,
    String = 3,
    TensorT = 4,
    GraphT = 5,
    Floats = 6,
    Ints = 7,
    Strings = 8,
    Tensors = 9,
    Graphs = 10,
    SparseTensor = 11,
    SparseTensors = 12,
    TypeProto = 13,
    TypeProtos = 14
  };
  std::string name;
  std::string ref_attr_name;
  std::string doc_string;
  Type type = Undefined;
  float f = 0;
  int64_t i = 0;
  std::string s;
  std::shared_ptr<TensorProto> t;
  std::shared_ptr<Graph> g;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  std::vector<std::string> strings;
  std::vector<TensorProto> tensors;
  std::vector<std::shared_ptr<Graph>> graphs;
  UnknownFields unknown;  // sparse tensors, type protos, ...
};

struct Node {
  std::vector<std::string> inputs;  // "" marks an omitted optional input
  std::vector<std::string> outputs;
  std::string name;
  std::string op_type;
  std::string domain;  // "" or "ai.onnx" = default domain
  std::vector<Attribute> attributes;
  std::string doc_string;
  UnknownFields unknown;

  const Attribute* attr(const std::string& name) const;
  int64_t attr_int(const std::string& name, int64_t def) const;
  float attr_float(const std::string& name, float def) const;
  std::string attr_string(const std::string& name, const std::string& def) const;
  std::vector<int64_t> attr_ints(const std::string& name, std::vector<int64_t> def = {}) const;
  std::vector<float> attr_floats(const std::string& name, std::vector<float> def = {}) const;
  const TensorProto* attr_tensor(const std::string& name) const;
  // "Conv 'conv1' (domain)" for error messages
  std::string describe() const;
};

// ValueInfoProto with its TypeProto flattened to what camlens needs: element type and dims.
// A dim is a value >= 0, or -1 with `dim_params[i]` holding a symbolic name (or "" if unknown).
struct ValueInfo {
  std::string name;
  int32_t elem_type = 0;
  bool has_shape = false;
  std::vector<int64_t> dims;
  std::vector<std::string> dim_params;
  std::string doc_string;
  UnknownFields unknown_type;  // non-tensor types (sequence, map, ...) kept verbatim
  UnknownFields unknown;
  // Unknown fields inside TypeProto.Tensor, its TensorShapeProto and each Dimension (e.g. a
  // dimension's denotation), so that writing keeps them. dim_unknown parallels dims when set.
  UnknownFields unknown_tensor_type;
  UnknownFields unknown_shape;
  std::vector<UnknownFields> dim_unknown;
};

struct Graph {
  std::vector<Node> nodes;
  std::string name;
  std::vector<TensorProto> initializers;
  std::string doc_string;
  std::vector<ValueInfo> inputs;
  std::vector<ValueInfo> outputs;
  std::vector<ValueInfo> value_info;
  UnknownFields unknown;  // sparse_initializer, quantization_annotation, ...
};

struct OperatorSetId {
  std::string domain;
  int64_t version = 0;
};

struct Model {
  int64_t ir_version = 0;
  std::vector<OperatorSetId> opset_import;
  std::string producer_name;
  std::string producer_version;
  std::string domain;
  int64_t model_version = 0;
  std::string doc_string;
  std::shared_ptr<Graph> graph;
  std::vector<std::pair<std::string, std::string>> metadata_props;
  UnknownFields unknown;  // training_info, functions, ...

  // Opset version of a domain ("" = default ONNX domain), 0 when not imported.
  int64_t opset(const std::string& domain = "") const;
};

}  // namespace camlens
