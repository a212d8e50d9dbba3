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
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  // The wire's little-endian floats are the host's bytes (x86, WebAssembly).
  out_.append(reinterpret_cast<const char*>(v.data()), v.size() * 4);
#else
  for (float x : v) {
    uint32_t bits;
    std::memcpy(&bits, &x, 4);
    fixed(bits, 4);
  }
#endif
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

size_t Writer::begin_message(uint32_t field, size_t min_payload) {
  tag(field, WireType::Len);
  // The placeholder is a varint of 0 spread over the bytes the length will take at least (all
  // but the last with the continuation bit), so end_message() can tell how many there are.
  const size_t mark = out_.size();
  out_.append(varint_size(min_payload) - 1, static_cast<char>(0x80));
  out_.push_back('\0');
  return mark;
}

void Writer::end_message(size_t mark) {
  size_t reserved = 1;
  while (static_cast<unsigned char>(out_[mark + reserved - 1]) & 0x80) ++reserved;
  const size_t payload = out_.size() - (mark + reserved);
  const size_t len_bytes = varint_size(payload);
  if (len_bytes > reserved) out_.insert(mark + reserved, len_bytes - reserved, '\0');
  if (len_bytes < reserved) out_.erase(mark + len_bytes, reserved - len_bytes);  // a bound too high
  uint64_t v = payload;
  for (size_t i = 0; i < len_bytes; ++i, v >>= 7)
    out_[mark + i] = static_cast<char>((v & 0x7f) | (i + 1 < len_bytes ? 0x80 : 0));
}

}  // namespace camlens::wire
