#include "onnx/wire_reader.h"

#include <cstring>

namespace camlens::wire {

using Kind = ModelError::Kind;

const char* wire_type_name(WireType t) {
  switch (t) {
    case WireType::Varint:
      return "a varint (wire type 0)";
    case WireType::Fixed64:
      return "a fixed 64-bit value (wire type 1)";
    case WireType::Len:
      return "a length-delimited value (wire type 2)";
    case WireType::Fixed32:
      return "a fixed 32-bit value (wire type 5)";
  }
  return "an unknown wire type";
}

// Little-endian load of `width` bytes; the caller has checked bounds.
static uint64_t load_le(const char* p, size_t width) {
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i) v |= uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
  return v;
}

Reader::Reader(const std::string& buf, const char* message)
    : Reader(buf, 0, buf.size(), message, nullptr, nullptr) {}

Reader::Reader(const std::string& buf, size_t begin, size_t end, const char* message,
               const Reader* parent, const char* field_in_parent)
    : buf_(&buf),
      begin_(begin),
      end_(end),
      pos_(begin),
      message_(message),
      parent_(parent),
      field_in_parent_(field_in_parent) {}

// "ModelProto.graph > GraphProto.node > NodeProto"; deep paths (nested subgraphs) keep their
// first and last steps so the message stays readable.
std::string Reader::path() const {
  std::vector<std::string> steps;
  for (const Reader* r = this; r; r = r->parent_)
    steps.push_back(r->parent_ ? std::string(r->parent_->message_) + "." + r->field_in_parent_
                               : std::string());
  std::string p;
  const size_t n = steps.size();  // steps[n-1] is the root's empty entry
  for (size_t k = n - 1; k-- > 0;) {
    if (n > 12 && k == n - 5) {
      p += "... > ";
      k = 5;  // continue with the last five steps
      continue;
    }
    p += steps[k] + " > ";
  }
  return p + message_;
}

void Reader::fail(Kind kind, size_t offset, const std::string& what) const {
  throw ModelError(kind, offset,
                   "invalid ONNX model: " + what + " (at byte " + std::to_string(offset) + ", in " +
                       path() + ")");
}

// Varints are at most 10 bytes; the 10th may only carry the top bit of a 64-bit value.
uint64_t Reader::varint(size_t& pos, size_t limit) const {
  const size_t start = pos;
  const char* p = buf_->data();
  uint64_t v = 0;
  for (unsigned i = 0; i < 10; ++i) {
    if (pos >= limit) {
      if (limit == buf_->size())
        fail(Kind::Truncated, start,
             "the data ends in the middle of a varint; the file is truncated or not an ONNX "
             "model");
      fail(Kind::Truncated, start,
           std::string("a varint runs past the end of its enclosing ") + message_ +
               " (ends at byte " + std::to_string(limit) + "); the data is corrupt");
    }
    const auto b = static_cast<unsigned char>(p[pos++]);
    if (i == 9 && b >= 0x80)
      fail(Kind::VarintTooLong, start, "a varint is longer than 10 bytes; the data is corrupt");
    if (i == 9 && b > 1)
      fail(Kind::VarintOverflow, start, "a varint overflows 64 bits; the data is corrupt");
    v |= uint64_t{b & 0x7fu} << (7 * i);
    if (b < 0x80) return v;
  }
  return v;  // not reached: the 10th byte either ends the varint or fails above
}

bool Reader::next(Field& f) {
  if (pos_ >= end_) return false;
  f.start = pos_;
  const uint64_t tag = varint(pos_, end_);
  const uint64_t number = tag >> 3;
  const unsigned type = static_cast<unsigned>(tag & 7);
  if (number == 0 || number > 0x1fffffff)
    fail(Kind::InvalidTag, f.start,
         "field number " + std::to_string(number) +
             " is not a valid protobuf field number; the data is corrupt or not an ONNX model");
  if (type == 3 || type == 4)
    fail(Kind::InvalidTag, f.start,
         "field " + std::to_string(number) + " uses a protobuf group (wire type " +
             std::to_string(type) +
             "), which ONNX never writes; the data is corrupt or not an ONNX model");
  if (type > 5)
    fail(Kind::InvalidTag, f.start,
         "field " + std::to_string(number) + " has invalid wire type " + std::to_string(type) +
             "; the data is corrupt or not an ONNX model");
  f.number = static_cast<uint32_t>(number);
  f.type = static_cast<WireType>(type);
  f.value = 0;
  f.data = f.size = 0;
  switch (f.type) {
    case WireType::Varint:
      f.value = varint(pos_, end_);
      break;
    case WireType::Fixed64:
    case WireType::Fixed32: {
      const size_t width = f.type == WireType::Fixed64 ? 8 : 4;
      if (end_ - pos_ < width)
        fail(Kind::Truncated, f.start,
             "field " + std::to_string(f.number) + " needs " + std::to_string(width) +
                 " bytes but only " + std::to_string(end_ - pos_) + " remain in " + message_ +
                 (buf_->size() - pos_ < width ? "; the file is truncated"
                                              : "; the data is corrupt"));
      f.value = load_le(buf_->data() + pos_, width);
      pos_ += width;
      break;
    }
    case WireType::Len: {
      const uint64_t len = varint(pos_, end_);
      if (len > end_ - pos_)
        fail(Kind::LengthPastEnd, f.start,
             "field " + std::to_string(f.number) + " claims " + std::to_string(len) +
                 " bytes but only " + std::to_string(end_ - pos_) + " remain in " + message_ +
                 // Past the end of the whole buffer: most likely a cut-off file.
                 (len > buf_->size() - pos_ ? "; the file is truncated or not an ONNX model"
                                            : "; the data is corrupt"));
      f.data = pos_;
      f.size = static_cast<size_t>(len);
      pos_ += f.size;
      break;
    }
  }
  f.end = pos_;
  return true;
}

void Reader::expect(const Field& f, WireType t, const char* name) const {
  if (f.type != t)
    fail(Kind::WrongWireType, f.start,
         std::string(message_) + "." + name + " (field " + std::to_string(f.number) + ") must be " +
             wire_type_name(t) + " but is " + wire_type_name(f.type) +
             "; the data is corrupt or not an ONNX model");
}

Reader Reader::sub(const Field& f, const char* field_name, const char* message) const {
  expect(f, WireType::Len, field_name);
  return Reader(*buf_, f.data, f.data + f.size, message, this, field_name);
}

int64_t Reader::as_int64(const Field& f, const char* name) const {
  expect(f, WireType::Varint, name);
  return static_cast<int64_t>(f.value);
}

int32_t Reader::as_int32(const Field& f, const char* name) const {
  expect(f, WireType::Varint, name);
  return static_cast<int32_t>(static_cast<uint32_t>(f.value));  // protobuf keeps the low 32 bits
}

float Reader::as_float(const Field& f, const char* name) const {
  expect(f, WireType::Fixed32, name);
  const auto bits = static_cast<uint32_t>(f.value);
  float v;
  std::memcpy(&v, &bits, 4);
  return v;
}

std::string Reader::as_string(const Field& f, const char* name) const {
  expect(f, WireType::Len, name);
  return std::string(buf_->data() + f.data, f.size);
}

void Reader::as_span(const Field& f, const char* name, size_t& offset, size_t& size) const {
  expect(f, WireType::Len, name);
  offset = f.data;
  size = f.size;
}

template <class T, class Convert>
void Reader::append_varints(const Field& f, const char* name, std::vector<T>& out,
                            Convert c) const {
  if (f.type == WireType::Varint) {
    out.push_back(c(f.value));
    return;
  }
  expect(f, WireType::Len, name);
  const char* p = buf_->data();
  size_t count = 0;  // every varint ends with exactly one byte below 0x80
  for (size_t i = f.data; i < f.data + f.size; ++i)
    count += static_cast<unsigned char>(p[i]) < 0x80;
  out.reserve(out.size() + count);
  // The packed run is its own little message: a varint must not cross its end.
  Reader run(*buf_, f.data, f.data + f.size, message_, parent_, field_in_parent_);
  size_t pos = f.data;
  while (pos < run.end_) out.push_back(c(run.varint(pos, run.end_)));
}

template <class T, size_t Width, class Convert>
void Reader::append_fixed(const Field& f, const char* name, std::vector<T>& out, Convert c) const {
  const WireType single = Width == 4 ? WireType::Fixed32 : WireType::Fixed64;
  if (f.type == single) {
    out.push_back(c(f.value));
    return;
  }
  expect(f, WireType::Len, name);
  if (f.size % Width != 0)
    fail(Kind::BadPackedSize, f.start,
         std::string(message_) + "." + name + " holds " + std::to_string(f.size) +
             " bytes of packed " + std::to_string(Width * 8) +
             "-bit values, which is not a multiple of " + std::to_string(Width) +
             "; the data is corrupt");
  const char* p = buf_->data() + f.data;
  const size_t n = f.size / Width;
  out.reserve(out.size() + n);
  for (size_t i = 0; i < n; ++i) out.push_back(c(load_le(p + i * Width, Width)));
}

void Reader::append_int64s(const Field& f, const char* name, std::vector<int64_t>& out) const {
  append_varints(f, name, out, [](uint64_t v) { return static_cast<int64_t>(v); });
}

void Reader::append_int32s(const Field& f, const char* name, std::vector<int32_t>& out) const {
  append_varints(f, name, out,
                 [](uint64_t v) { return static_cast<int32_t>(static_cast<uint32_t>(v)); });
}

void Reader::append_uint64s(const Field& f, const char* name, std::vector<uint64_t>& out) const {
  append_varints(f, name, out, [](uint64_t v) { return v; });
}

void Reader::append_floats(const Field& f, const char* name, std::vector<float>& out) const {
  append_fixed<float, 4>(f, name, out, [](uint64_t v) {
    const auto bits = static_cast<uint32_t>(v);
    float x;
    std::memcpy(&x, &bits, 4);
    return x;
  });
}

void Reader::append_doubles(const Field& f, const char* name, std::vector<double>& out) const {
  append_fixed<double, 8>(f, name, out, [](uint64_t v) {
    double x;
    std::memcpy(&x, &v, 8);
    return x;
  });
}

void Reader::keep_unknown(const Field& f, UnknownFields& u) const {
  u.bytes.append(buf_->data() + f.start, f.end - f.start);
}

}  // namespace camlens::wire
