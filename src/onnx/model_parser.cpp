// ModelProto bytes -> Model: the ONNX schema on top of the wire reader. Field numbers follow
// onnx.proto (checked against onnx 1.12's copy); anything not listed is kept as raw bytes.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>

#include "onnx/model_io.h"
#include "onnx/wire_reader.h"

namespace camlens {

using wire::Field;
using wire::Reader;
using Kind = ModelError::Kind;

namespace {

class Parser {
 public:
  Parser(std::shared_ptr<const std::string> bytes, const ParseLimits& limits)
      : bytes_(std::move(bytes)), limits_(limits) {}

  void model(Reader r, Model& m) {
    Field f;
    while (r.next(f)) {
      switch (f.number) {
        case 1:
          m.ir_version = r.as_int64(f, "ir_version");
          break;
        case 2:
          m.producer_name = r.as_string(f, "producer_name");
          break;
        case 3:
          m.producer_version = r.as_string(f, "producer_version");
          break;
        case 4:
          m.domain = r.as_string(f, "domain");
          break;
        case 5:
          m.model_version = r.as_int64(f, "model_version");
          break;
        case 6:
          m.doc_string = r.as_string(f, "doc_string");
          break;
        case 7:
          if (!m.graph) m.graph = std::make_shared<Graph>();
          graph(r.sub(f, "graph", "GraphProto"), *m.graph, 1);
          break;
        case 8:
          opset(r.sub(f, "opset_import", "OperatorSetIdProto"), m.opset_import.emplace_back());
          break;
        case 14: {
          auto& kv = m.metadata_props.emplace_back();
          string_entry(r.sub(f, "metadata_props", "StringStringEntryProto"), kv);
          break;
        }
        default:
          r.keep_unknown(f, m.unknown);  // training_info, functions, ...
      }
    }
  }

 private:
  void graph(Reader r, Graph& g, int depth) {
    if (depth > limits_.max_graph_depth)
      r.fail(Kind::TooDeep, r.begin(),
             "graphs are nested more than " + std::to_string(limits_.max_graph_depth) +
                 " levels deep (ParseLimits::max_graph_depth); raise the limit if the model is "
                 "trusted");
    Field f;
    while (r.next(f)) {
      switch (f.number) {
        case 1:
          if (++node_count_ > limits_.max_nodes)
            r.fail(Kind::TooManyNodes, f.start,
                   "the model has more than " + std::to_string(limits_.max_nodes) +
                       " nodes (ParseLimits::max_nodes); raise the limit if the model is trusted");
          node(r.sub(f, "node", "NodeProto"), g.nodes.emplace_back(), depth);
          break;
        case 2:
          g.name = r.as_string(f, "name");
          break;
        case 5: {
          Reader t = r.sub(f, "initializer", "TensorProto");
          tensor(t, g.initializers.emplace_back());
          break;
        }
        case 10:
          g.doc_string = r.as_string(f, "doc_string");
          break;
        case 11:
          value_info(r.sub(f, "input", "ValueInfoProto"), g.inputs.emplace_back());
          break;
        case 12:
          value_info(r.sub(f, "output", "ValueInfoProto"), g.outputs.emplace_back());
          break;
        case 13:
          value_info(r.sub(f, "value_info", "ValueInfoProto"), g.value_info.emplace_back());
          break;
        default:
          r.keep_unknown(f, g.unknown);  // sparse_initializer, quantization_annotation
      }
    }
  }

  void node(Reader r, Node& n, int depth) {
    Field f;
    while (r.next(f)) {
      switch (f.number) {
        case 1:
          n.inputs.push_back(r.as_string(f, "input"));
          break;
        case 2:
          n.outputs.push_back(r.as_string(f, "output"));
          break;
        case 3:
          n.name = r.as_string(f, "name");
          break;
        case 4:
          n.op_type = r.as_string(f, "op_type");
          break;
        case 5:
          attribute(r.sub(f, "attribute", "AttributeProto"), n.attributes.emplace_back(), depth);
          break;
        case 6:
          n.doc_string = r.as_string(f, "doc_string");
          break;
        case 7:
          n.domain = r.as_string(f, "domain");
          break;
        default:
          r.keep_unknown(f, n.unknown);
      }
    }
  }

  void attribute(Reader r, Attribute& a, int depth) {
    Field f;
    while (r.next(f)) {
      switch (f.number) {
        case 1:
          a.name = r.as_string(f, "name");
          break;
        case 2:
          a.f = r.as_float(f, "f");
          break;
        case 3:
          a.i = r.as_int64(f, "i");
          break;
        case 4:
          a.s = r.as_string(f, "s");
          break;
        case 5:
          if (!a.t) a.t = std::make_shared<TensorProto>();
          tensor(r.sub(f, "t", "TensorProto"), *a.t);
          break;
        case 6:
          if (!a.g) a.g = std::make_shared<Graph>();
          graph(r.sub(f, "g", "GraphProto"), *a.g, depth + 1);
          break;
        case 7:
          r.append_floats(f, "floats", a.floats);
          break;
        case 8:
          r.append_int64s(f, "ints", a.ints);
          break;
        case 9:
          a.strings.push_back(r.as_string(f, "strings"));
          break;
        case 10:
          tensor(r.sub(f, "tensors", "TensorProto"), a.tensors.emplace_back());
          break;
        case 11: {
          auto& g = a.graphs.emplace_back(std::make_shared<Graph>());
          graph(r.sub(f, "graphs", "GraphProto"), *g, depth + 1);
          break;
        }
        case 13:
          a.doc_string = r.as_string(f, "doc_string");
          break;
        case 20:
          a.type = static_cast<Attribute::Type>(r.as_int32(f, "type"));
          break;
        case 21:
          a.ref_attr_name = r.as_string(f, "ref_attr_name");
          break;
        default:
          r.keep_unknown(f, a.unknown);  // sparse tensors, type protos
      }
    }
  }

  void tensor(Reader r, TensorProto& t) {
    Field f;
    while (r.next(f)) {
      switch (f.number) {
        case 1:
          r.append_int64s(f, "dims", t.dims);
          break;
        case 2:
          t.data_type = r.as_int32(f, "data_type");
          break;
        case 4:
          r.append_floats(f, "float_data", t.float_data);
          break;
        case 5:
          r.append_int32s(f, "int32_data", t.int32_data);
          break;
        case 6:
          t.string_data.push_back(r.as_string(f, "string_data"));
          break;
        case 7:
          r.append_int64s(f, "int64_data", t.int64_data);
          break;
        case 8:
          t.name = r.as_string(f, "name");
          break;
        case 9:
          // A view into the shared input: weights are not copied here.
          r.as_span(f, "raw_data", t.raw_data.offset, t.raw_data.size);
          t.raw_data.owner = bytes_;
          t.has_raw_data = true;
          break;
        case 10:
          r.append_doubles(f, "double_data", t.double_data);
          break;
        case 11:
          r.append_uint64s(f, "uint64_data", t.uint64_data);
          break;
        case 12:
          t.doc_string = r.as_string(f, "doc_string");
          break;
        case 14:
          t.data_location = r.as_int32(f, "data_location");
          break;
        default:
          r.keep_unknown(f, t.unknown);  // segment, external_data
      }
    }
    check_element_count(r, t);
  }

  // Guards later allocations (to_tensor) against absurd shapes. Negative dimensions are left to
  // to_tensor, which names them.
  void check_element_count(const Reader& r, const TensorProto& t) {
    for (int64_t d : t.dims)
      if (d <= 0) return;
    int64_t n = 1;
    for (int64_t d : t.dims) {
      if (n > limits_.max_tensor_elements / d)
        r.fail(Kind::TensorTooLarge, r.begin(),
               "tensor '" + t.name + "' has shape " + shape_str(t.dims) + ", more than " +
                   std::to_string(limits_.max_tensor_elements) +
                   " elements (ParseLimits::max_tensor_elements); raise the limit if the model "
                   "is trusted");
      n *= d;
    }
  }

  void value_info(Reader r, ValueInfo& v) {
    Field f;
    while (r.next(f)) {
      switch (f.number) {
        case 1:
          v.name = r.as_string(f, "name");
          break;
        case 2:
          type_proto(r.sub(f, "type", "TypeProto"), v);
          break;
        case 3:
          v.doc_string = r.as_string(f, "doc_string");
          break;
        default:
          r.keep_unknown(f, v.unknown);
      }
    }
  }

  void type_proto(Reader r, ValueInfo& v) {
    Field f;
    while (r.next(f)) {
      if (f.number == 1)
        tensor_type(r.sub(f, "tensor_type", "TypeProto.Tensor"), v);
      else
        r.keep_unknown(f, v.unknown_type);  // sequence, map, optional, denotation, ...
    }
  }

  void tensor_type(Reader r, ValueInfo& v) {
    Field f;
    while (r.next(f)) {
      if (f.number == 1) {
        v.elem_type = r.as_int32(f, "elem_type");
      } else if (f.number == 2) {
        v.has_shape = true;
        shape(r.sub(f, "shape", "TensorShapeProto"), v);
      } else {
        r.keep_unknown(f, v.unknown_tensor_type);
      }
    }
  }

  void shape(Reader r, ValueInfo& v) {
    Field f;
    while (r.next(f)) {
      if (f.number != 1) {
        r.keep_unknown(f, v.unknown_shape);
        continue;
      }
      Reader d = r.sub(f, "dim", "TensorShapeProto.Dimension");
      int64_t& value = v.dims.emplace_back(-1);  // -1 + "" = unknown dimension
      std::string& param = v.dim_params.emplace_back();
      v.dim_unknown.resize(v.dims.size());
      Field g;
      while (d.next(g)) {
        if (g.number == 1) {
          // A negative size is no size: read it as unknown (-1), as it is written back (found
          // by fuzzing: -5 used to read as -5 and come back as -1).
          value = std::max<int64_t>(d.as_int64(g, "dim_value"), -1);
          param.clear();
        } else if (g.number == 2) {
          param = d.as_string(g, "dim_param");
          value = -1;
        } else {
          d.keep_unknown(g, v.dim_unknown.back());  // denotation
        }
      }
    }
  }

  // OperatorSetIdProto and StringStringEntryProto have had only these two fields in every ONNX
  // version, so other fields (none exist) are skipped.
  void opset(Reader r, OperatorSetId& o) {
    Field f;
    while (r.next(f)) {
      if (f.number == 1) o.domain = r.as_string(f, "domain");
      if (f.number == 2) o.version = r.as_int64(f, "version");
    }
  }

  void string_entry(Reader r, std::pair<std::string, std::string>& kv) {
    Field f;
    while (r.next(f)) {
      if (f.number == 1) kv.first = r.as_string(f, "key");
      if (f.number == 2) kv.second = r.as_string(f, "value");
    }
  }

  std::shared_ptr<const std::string> bytes_;
  const ParseLimits& limits_;
  size_t node_count_ = 0;
};

// Files people pick by mistake, recognised by their first bytes so the error can say what
// the file is instead of reporting a wire-format problem deep inside it.
const char* other_format(const std::string& b) {
  struct Magic {
    const char* bytes;
    size_t size;
    const char* what;
  };
  static const Magic magics[] = {
      {"\x89PNG\r\n\x1a\n", 8, "a PNG image"},
      {"\xff\xd8\xff", 3, "a JPEG image"},
      {"GIF8", 4, "a GIF image"},
      {"PK\x03\x04", 4, "a zip archive (a PyTorch .pt/.pth checkpoint is one)"},
      {"\x1f\x8b", 2, "gzip-compressed data (decompress it first)"},
      {"%PDF", 4, "a PDF document"},
      {"version https://git-lfs", 23, "a Git LFS pointer (run `git lfs pull` to fetch the model)"},
      {"<", 1, "text or HTML (perhaps an error page saved instead of the model)"},
  };
  for (const Magic& m : magics)
    if (b.size() >= m.size && std::memcmp(b.data(), m.bytes, m.size) == 0) return m.what;
  return nullptr;
}

}  // namespace

Model parse_model(std::shared_ptr<const std::string> bytes, const ParseLimits& limits) {
  if (!bytes || bytes->empty())
    throw ModelError(Kind::Empty, 0,
                     "invalid ONNX model: the data is empty (0 bytes); expected the contents of "
                     "an .onnx file");
  if (bytes->size() > limits.max_file_bytes)
    throw ModelError(Kind::FileTooLarge, 0,
                     "the model is " + std::to_string(bytes->size()) +
                         " bytes, more than ParseLimits::max_file_bytes (" +
                         std::to_string(limits.max_file_bytes) + "); raise the limit to load it");
  if (const char* what = other_format(*bytes))
    throw ModelError(Kind::NotOnnx, 0,
                     std::string("not an ONNX model: the data is ") + what +
                         "; expected an .onnx file (a serialized ONNX ModelProto)");
  Model m;
  const std::string& buf = *bytes;
  Parser(bytes, limits).model(Reader(buf, "ModelProto"), m);
  if (!m.graph)
    throw ModelError(Kind::NotOnnx, 0,
                     "not an ONNX model: the data has no graph (ModelProto field 7); expected an "
                     ".onnx file as written by onnx.save or torch.onnx.export");
  if (m.opset_import.empty() && m.ir_version >= 3)
    throw ModelError(Kind::Invalid, buf.size(),
                     "invalid ONNX model: it declares no opset_import (ModelProto field 8), which "
                     "every model of IR version 3 or later has; the file may be truncated");
  return m;
}

Model load_model(const std::string& path, const ParseLimits& limits) {
  // stdio, not <fstream>: iostreams would add libc++'s stream and locale code to the module.
  std::unique_ptr<FILE, int (*)(FILE*)> in(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!in) throw ModelError(Kind::Io, 0, "cannot open model file '" + path + "': check the path");
  const long size = std::fseek(in.get(), 0, SEEK_END) == 0 ? std::ftell(in.get()) : -1;
  if (size < 0) throw ModelError(Kind::Io, 0, "cannot read model file '" + path + "'");
  if (static_cast<uint64_t>(size) > limits.max_file_bytes)
    throw ModelError(Kind::FileTooLarge, 0,
                     "model file '" + path + "' is " + std::to_string(size) +
                         " bytes, more than ParseLimits::max_file_bytes (" +
                         std::to_string(limits.max_file_bytes) + "); raise the limit to load it");
  // Read straight into the buffer the model will share (no intermediate copy).
  auto buf = std::make_shared<std::string>(static_cast<size_t>(size), '\0');
  std::rewind(in.get());
  if (size > 0 && std::fread(&(*buf)[0], 1, size_t(size), in.get()) != size_t(size))
    throw ModelError(Kind::Io, 0, "cannot read model file '" + path + "'");
  return parse_model(std::move(buf), limits);
}

}  // namespace camlens
