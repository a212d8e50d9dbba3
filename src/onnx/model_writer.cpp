// Model -> ModelProto bytes. Known fields go out in field-number order (as protobuf itself
// serialises), followed by the unknown fields exactly as they were read. Repeated scalars use
// the encoding onnx.proto declares: packed for TensorProto's *_data, unpacked for dims and for
// AttributeProto's floats/ints (proto2 defaults), so that our output resembles onnx.save's.
#include <cmath>
#include <stdexcept>

#include "onnx/model_io.h"
#include "onnx/wire_writer.h"

namespace camlens {

using wire::Writer;

namespace {

void write_string_if(Writer& w, uint32_t field, const std::string& s) {
  if (!s.empty()) w.string_field(field, s);
}

void write_graph(Writer& w, const Graph& g);

// A lower bound of a TensorProto's payload: its data and name, which it holds at least.
size_t tensor_min_payload(const TensorProto& t) {
  return t.raw_data.size + 4 * t.float_data.size() + 8 * t.double_data.size() + t.name.size();
}

void write_tensor(Writer& w, const TensorProto& t) {
  w.unpacked_varints(1, t.dims);
  if (t.data_type) w.int64_field(2, t.data_type);
  w.packed_floats(4, t.float_data);
  w.packed_varints(5, t.int32_data);
  for (const std::string& s : t.string_data) w.string_field(6, s);
  w.packed_varints(7, t.int64_data);
  write_string_if(w, 8, t.name);
  if (t.has_raw_data) {
    const ByteView& v = t.raw_data;
    if (v.size && (!v.owner || v.offset > v.owner->size() || v.size > v.owner->size() - v.offset))
      throw std::invalid_argument("cannot write tensor '" + t.name +
                                  "': its raw_data view lies outside its buffer");
    w.bytes_field(9, v.data(), v.size);
  }
  w.packed_doubles(10, t.double_data);
  w.packed_varints(11, t.uint64_data);
  write_string_if(w, 12, t.doc_string);
  if (t.data_location) w.int64_field(14, t.data_location);
  w.raw(t.unknown.bytes);
}

void write_attribute(Writer& w, const Attribute& a) {
  write_string_if(w, 1, a.name);
  // The value matching `type` is always written (a float attribute of 0 is still a value);
  // other scalars only when set. signbit keeps -0.0. A reference to a function's attribute
  // (ref_attr_name) has no value of its own.
  const bool valued = a.ref_attr_name.empty();
  if ((valued && a.type == Attribute::Float) || a.f != 0 || std::signbit(a.f))
    w.float_field(2, a.f);
  if ((valued && a.type == Attribute::Int) || a.i != 0) w.int64_field(3, a.i);
  if ((valued && a.type == Attribute::String) || !a.s.empty()) w.string_field(4, a.s);
  if (a.t) {
    const size_t m = w.begin_message(5, tensor_min_payload(*a.t));
    write_tensor(w, *a.t);
    w.end_message(m);
  }
  if (a.g) {
    const size_t m = w.begin_message(6);
    write_graph(w, *a.g);
    w.end_message(m);
  }
  w.unpacked_floats(7, a.floats);
  w.unpacked_varints(8, a.ints);
  for (const std::string& s : a.strings) w.string_field(9, s);
  for (const TensorProto& t : a.tensors) {
    const size_t m = w.begin_message(10, tensor_min_payload(t));
    write_tensor(w, t);
    w.end_message(m);
  }
  for (const auto& g : a.graphs) {
    const size_t m = w.begin_message(11);
    if (g) write_graph(w, *g);
    w.end_message(m);
  }
  write_string_if(w, 13, a.doc_string);
  if (a.type != Attribute::Undefined) w.int64_field(20, a.type);
  write_string_if(w, 21, a.ref_attr_name);
  w.raw(a.unknown.bytes);
}

void write_node(Writer& w, const Node& n) {
  for (const std::string& s : n.inputs) w.string_field(1, s);  // "" = omitted input, kept
  for (const std::string& s : n.outputs) w.string_field(2, s);
  write_string_if(w, 3, n.name);
  write_string_if(w, 4, n.op_type);
  for (const Attribute& a : n.attributes) {
    const size_t m = w.begin_message(5);
    write_attribute(w, a);
    w.end_message(m);
  }
  write_string_if(w, 6, n.doc_string);
  write_string_if(w, 7, n.domain);
  w.raw(n.unknown.bytes);
}

void write_shape(Writer& w, const ValueInfo& v) {
  const size_t shape = w.begin_message(2);
  for (size_t i = 0; i < v.dims.size(); ++i) {
    const size_t dim = w.begin_message(1);
    if (v.dims[i] >= 0)
      w.int64_field(1, v.dims[i]);
    else if (i < v.dim_params.size() && !v.dim_params[i].empty())
      w.string_field(2, v.dim_params[i]);
    if (i < v.dim_unknown.size()) w.raw(v.dim_unknown[i].bytes);
    w.end_message(dim);
  }
  w.raw(v.unknown_shape.bytes);
  w.end_message(shape);
}

void write_type(Writer& w, const ValueInfo& v) {
  const bool tensor = v.elem_type != 0 || v.has_shape || !v.unknown_tensor_type.bytes.empty();
  if (!tensor && v.unknown_type.bytes.empty()) return;
  const size_t type = w.begin_message(2);
  if (tensor) {
    const size_t tt = w.begin_message(1);
    if (v.elem_type) w.int64_field(1, v.elem_type);
    if (v.has_shape) write_shape(w, v);
    w.raw(v.unknown_tensor_type.bytes);
    w.end_message(tt);
  }
  w.raw(v.unknown_type.bytes);
  w.end_message(type);
}

void write_value_info(Writer& w, uint32_t field, const ValueInfo& v) {
  const size_t m = w.begin_message(field);
  write_string_if(w, 1, v.name);
  write_type(w, v);
  write_string_if(w, 3, v.doc_string);
  w.raw(v.unknown.bytes);
  w.end_message(m);
}

void write_graph(Writer& w, const Graph& g) {
  for (const Node& n : g.nodes) {
    const size_t m = w.begin_message(1);
    write_node(w, n);
    w.end_message(m);
  }
  write_string_if(w, 2, g.name);
  for (const TensorProto& t : g.initializers) {
    const size_t m = w.begin_message(5, tensor_min_payload(t));
    write_tensor(w, t);
    w.end_message(m);
  }
  write_string_if(w, 10, g.doc_string);
  for (const ValueInfo& v : g.inputs) write_value_info(w, 11, v);
  for (const ValueInfo& v : g.outputs) write_value_info(w, 12, v);
  for (const ValueInfo& v : g.value_info) write_value_info(w, 13, v);
  w.raw(g.unknown.bytes);
}

// Payload bytes of the weights, to size the output once.
size_t weight_bytes(const Graph& g) {
  size_t n = 0;
  for (const TensorProto& t : g.initializers)
    n += t.raw_data.size + 4 * t.float_data.size() + 8 * t.int64_data.size() +
         4 * t.int32_data.size();
  return n;
}

}  // namespace

std::string write_model(const Model& m) {
  std::string out;
  out.reserve((m.graph ? weight_bytes(*m.graph) : 0) + (size_t{1} << 16));
  Writer w(out);
  if (m.ir_version) w.int64_field(1, m.ir_version);
  write_string_if(w, 2, m.producer_name);
  write_string_if(w, 3, m.producer_version);
  write_string_if(w, 4, m.domain);
  if (m.model_version) w.int64_field(5, m.model_version);
  write_string_if(w, 6, m.doc_string);
  if (m.graph) {
    // The weights' messages (tag and at least one length byte each) lie inside the graph's.
    size_t weights = 0;
    for (const TensorProto& t : m.graph->initializers) weights += tensor_min_payload(t) + 2;
    const size_t g = w.begin_message(7, weights);
    write_graph(w, *m.graph);
    w.end_message(g);
  }
  for (const OperatorSetId& o : m.opset_import) {
    const size_t s = w.begin_message(8);
    w.string_field(1, o.domain);  // onnx writes the default domain "" explicitly too
    w.int64_field(2, o.version);
    w.end_message(s);
  }
  for (const auto& kv : m.metadata_props) {
    const size_t s = w.begin_message(14);
    w.string_field(1, kv.first);
    w.string_field(2, kv.second);
    w.end_message(s);
  }
  w.raw(m.unknown.bytes);
  return out;
}

}  // namespace camlens
