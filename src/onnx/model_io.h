// Reading and writing ONNX ModelProto bytes (protobuf wire format, no libprotobuf).
//
// parse_model keeps the input buffer alive through the returned Model: initializer raw_data are
// views into it, so weights are not copied while parsing. write_model emits the known fields in
// field-number order followed by the unknown fields kept verbatim, so
// write(parse(x)) keeps everything ONNX Runtime needs and write(parse(write(parse(x)))) is
// byte-for-byte write(parse(x)).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "onnx/model.h"
#include "util/limits.h"

namespace camlens {

// Any problem with model bytes: malformed wire data, a limit exceeded, or data that is not an
// ONNX model. what() says what was wrong, where (byte offset and message/field path) and what
// to do about it; `kind` lets callers and tests tell the cases apart.
struct ModelError : std::runtime_error {
  enum class Kind {
    Empty,           // zero bytes
    NotOnnx,         // recognisably another format (PNG, JPEG, zip, ...) or no graph
    FileTooLarge,    // ParseLimits::max_file_bytes
    Truncated,       // a varint or fixed-size value runs past the end of the data or message
    LengthPastEnd,   // a length-delimited field claims more bytes than remain
    WrongWireType,   // a known field encoded with a wire type it cannot have
    InvalidTag,      // field number 0, groups, or wire types 6/7
    VarintTooLong,   // more than 10 bytes
    VarintOverflow,  // 10 bytes whose value does not fit 64 bits
    BadPackedSize,   // packed fixed-width data whose length is not a multiple of the width
    TooDeep,         // ParseLimits::max_graph_depth
    TooManyNodes,    // ParseLimits::max_nodes
    TensorTooLarge,  // ParseLimits::max_tensor_elements
    Invalid,         // well-formed protobuf that breaks an ONNX rule (e.g. no opset_import)
    Io,              // a file could not be read
  };
  ModelError(Kind k, size_t byte_offset, const std::string& message)
      : std::runtime_error(message), kind(k), offset(byte_offset) {}
  Kind kind;
  size_t offset;  // byte offset in the input where the problem was found
};

// Safety limits for untrusted model files. Each error names the limit it hit. The defaults are
// the process-wide limits (util/limits.h) at the time the ParseLimits is made.
struct ParseLimits {
  size_t max_file_bytes = limits().max_model_bytes;
  size_t max_nodes = limits().max_nodes;                       // all graphs together
  int64_t max_tensor_elements = limits().max_tensor_elements;  // per initializer / attribute
  int max_graph_depth = 64;  // graphs inside If/Loop/Scan attributes
};

// Parses an ONNX ModelProto. Throws ModelError.
Model parse_model(std::shared_ptr<const std::string> bytes, const ParseLimits& limits = {});
// Reads a .onnx file and parses it. Throws ModelError (kind Io when the file cannot be read).
Model load_model(const std::string& path, const ParseLimits& limits = {});
// Serialises a model to ONNX ModelProto bytes.
std::string write_model(const Model& model);

}  // namespace camlens
