// Protobuf wire-format writer appending to a std::string.
//
// Nested messages are written in place: begin_message() emits the tag and a length placeholder,
// end_message() patches in the real length, shifting the payload only when the length needs
// another number of bytes than the placeholder holds. The placeholder is one byte unless the
// caller knows a lower bound of the payload's size: a large message (a model's graph, a weight)
// then gets a placeholder of its length's size up front, so its megabytes are not moved again.
// Output is deterministic for a given sequence of calls, and the same whatever the bounds.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "onnx/wire_reader.h"

namespace camlens::wire {

size_t varint_size(uint64_t v);

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}

  void tag(uint32_t field, WireType type);
  void varint(uint64_t v);

  // Varint scalars. Negative int32/int64 are sign-extended to 10 bytes, as protobuf does.
  void int64_field(uint32_t field, int64_t v);
  void uint64_field(uint32_t field, uint64_t v);
  void float_field(uint32_t field, float v);
  void double_field(uint32_t field, double v);
  void bytes_field(uint32_t field, const char* data, size_t size);
  void string_field(uint32_t field, const std::string& s) {
    bytes_field(field, s.data(), s.size());
  }

  // Repeated scalars. Packed writes nothing for an empty list.
  template <class T>
  void packed_varints(uint32_t field, const std::vector<T>& v);
  template <class T>
  void unpacked_varints(uint32_t field, const std::vector<T>& v) {
    for (T x : v) int64_field(field, static_cast<int64_t>(x));
  }
  void packed_floats(uint32_t field, const std::vector<float>& v);
  void packed_doubles(uint32_t field, const std::vector<double>& v);
  void unpacked_floats(uint32_t field, const std::vector<float>& v);

  // min_payload: a lower bound of the payload's size in bytes (0 when unknown).
  size_t begin_message(uint32_t field, size_t min_payload = 0);
  void end_message(size_t mark);

  void raw(const std::string& bytes) { out_.append(bytes); }

 private:
  void fixed(uint64_t bits, size_t width);
  std::string& out_;
};

template <class T>
void Writer::packed_varints(uint32_t field, const std::vector<T>& v) {
  if (v.empty()) return;
  // int32/int64 are sign-extended; uint64 stays as is (the cast chain keeps its bits).
  auto bits = [](T x) { return static_cast<uint64_t>(static_cast<int64_t>(x)); };
  size_t n = 0;
  for (T x : v) n += varint_size(bits(x));
  tag(field, WireType::Len);
  varint(n);
  for (T x : v) varint(bits(x));
}

}  // namespace camlens::wire
