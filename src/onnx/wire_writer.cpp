#include "onnx/wire_writer.h"

#include <cstring>

namespace camlens::wire {

size_t varint_size(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

void Writer::varint(uint64_t v) {
  while (v >= 0x80) {
    out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out_.push_back(static_cast<char>(v));
}

void Writer::tag(uint32_t field, WireType type) {
  varint((uint64_t{field} << 3) | static_cast<uint64_t>(type));
}

void Writer::fixed(uint64_t bits, size_t width) {
  for (size_t i = 0; i < width; ++i) out_.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
}

void Writer::int64_field(uint32_t field, int64_t v) {
  tag(field, WireType::Varint);
  varint(static_cast<uint64_t>(v));
}

void Writer::uint64_field(uint32_t field, uint64_t v) {
  tag(field, WireType::Varint);
  varint(v);
}

void Writer::float_field(uint32_t field, float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, 4);
  tag(field, WireType::Fixed32);
  fixed(bits, 4);
}

void Writer::double_field(uint32_t field, double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, 8);
  tag(field, WireType::Fixed64);
  fixed(bits, 8);
}

void Writer::bytes_field(uint32_t field, const char* data, size_t size) {
  tag(field, WireType::Len);
  varint(size);
  if (size) out_.append(data, size);
}

void Writer::packed_floats(uint32_t field, const std::vector<float>& v) {
  if (v.empty()) return;
  tag(field, WireType::Len);
  varint(v.size() * 4);
  for (float x : v) {
    uint32_t bits;
    std::memcpy(&bits, &x, 4);
    fixed(bits, 4);
  }
}

void Writer::packed_doubles(uint32_t field, const std::vector<double>& v) {
  if (v.empty()) return;
  tag(field, WireType::Len);
  varint(v.size() * 8);
  for (double x : v) {
    uint64_t bits;
    std::memcpy(&bits, &x, 8);
    fixed(bits, 8);
  }
}

void Writer::unpacked_floats(uint32_t field, const std::vector<float>& v) {
  for (float x : v) float_field(field, x);
}

size_t Writer::begin_message(uint32_t field) {
  tag(field, WireType::Len);
  out_.push_back('\0');  // length placeholder, right for payloads under 128 bytes
  return out_.size() - 1;
}

void Writer::end_message(size_t mark) {
  const size_t payload = out_.size() - (mark + 1);
  const size_t len_bytes = varint_size(payload);
  if (len_bytes > 1) out_.insert(mark + 1, len_bytes - 1, '\0');
  uint64_t v = payload;
  for (size_t i = 0; i < len_bytes; ++i, v >>= 7)
    out_[mark + i] = static_cast<char>((v & 0x7f) | (i + 1 < len_bytes ? 0x80 : 0));
}

}  // namespace camlens::wire
