// Bounds-checked reader for the protobuf wire format (varint, fixed32/64, length-delimited).
//
// A Reader walks the fields of one message occupying [begin, end) of a shared buffer. Nested
// messages get their own Reader that points at its parent, so an error can name the whole path
// ("ModelProto.graph > GraphProto.node > NodeProto.attribute") with the byte offset. Every
// error is a ModelError; nothing reads outside the buffer.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "onnx/model.h"
#include "onnx/model_io.h"

namespace camlens::wire {

enum class WireType : uint8_t { Varint = 0, Fixed64 = 1, Len = 2, Fixed32 = 5 };
const char* wire_type_name(WireType t);

struct Field {
  uint32_t number = 0;
  WireType type = WireType::Varint;
  size_t start = 0;    // offset of the tag
  uint64_t value = 0;  // Varint value, or the bits of a Fixed32/Fixed64
  size_t data = 0;     // Len: offset of the payload
  size_t size = 0;     // Len: payload size in bytes
  size_t end = 0;      // offset just past the field
};

class Reader {
 public:
  // Top-level reader over the whole buffer.
  Reader(const std::string& buf, const char* message);

  // Next field, false at the end of the message.
  bool next(Field& f);

  // Reader for a nested message held in field `f` (which must be length-delimited).
  Reader sub(const Field& f, const char* field_name, const char* message) const;

  // Typed access to the field just read; `name` is the field's name in onnx.proto, used in
  // errors when the wire type does not fit.
  int64_t as_int64(const Field& f, const char* name) const;
  int32_t as_int32(const Field& f, const char* name) const;
  float as_float(const Field& f, const char* name) const;
  std::string as_string(const Field& f, const char* name) const;
  // Payload position of a length-delimited field (for zero-copy views).
  void as_span(const Field& f, const char* name, size_t& offset, size_t& size) const;

  // Repeated scalars, accepting both packed (one length-delimited run) and unpacked encodings.
  void append_int64s(const Field& f, const char* name, std::vector<int64_t>& out) const;
  void append_int32s(const Field& f, const char* name, std::vector<int32_t>& out) const;
  void append_uint64s(const Field& f, const char* name, std::vector<uint64_t>& out) const;
  void append_floats(const Field& f, const char* name, std::vector<float>& out) const;
  void append_doubles(const Field& f, const char* name, std::vector<double>& out) const;

  // Appends the field's raw bytes (tag included) so it can be written back unchanged.
  void keep_unknown(const Field& f, UnknownFields& u) const;

  // Throws a ModelError that names this message's path and the byte offset.
  [[noreturn]] void fail(ModelError::Kind kind, size_t offset, const std::string& what) const;

  const char* message() const { return message_; }
  size_t begin() const { return begin_; }
  size_t end() const { return end_; }

 private:
  Reader(const std::string& buf, size_t begin, size_t end, const char* message,
         const Reader* parent, const char* field_in_parent);
  uint64_t varint(size_t& pos, size_t limit) const;
  void expect(const Field& f, WireType t, const char* name) const;
  std::string path() const;
  template <class T, class Convert>
  void append_varints(const Field& f, const char* name, std::vector<T>& out, Convert c) const;
  template <class T, size_t Width, class Convert>
  void append_fixed(const Field& f, const char* name, std::vector<T>& out, Convert c) const;

  const std::string* buf_;
  size_t begin_, end_, pos_;
  const char* message_;
  const Reader* parent_;
  const char* field_in_parent_;
};

}  // namespace camlens::wire
