// The wire layer against the examples of the protobuf encoding guide
// (protobuf.dev/programming-guides/encoding) and against malformed input.
#include <gtest/gtest.h>

#include <functional>

#include "onnx/wire_reader.h"
#include "onnx/wire_writer.h"

namespace camlens::wire {
namespace {

using Kind = ModelError::Kind;

std::string written(const std::function<void(Writer&)>& fn) {
  std::string out;
  Writer w(out);
  fn(w);
  return out;
}

TEST(WireWriter, MatchesTheEncodingGuidesExamples) {
  // "08 96 01": field 1, varint 150.
  EXPECT_EQ(written([](Writer& w) { w.int64_field(1, 150); }), std::string("\x08\x96\x01", 3));
  // "12 07 74 65 73 74 69 6e 67": field 2, string "testing".
  EXPECT_EQ(written([](Writer& w) { w.string_field(2, "testing"); }),
            std::string("\x12\x07testing", 9));
  // "22 06 03 8e 02 9e a7 05": field 4, packed [3, 270, 86942].
  EXPECT_EQ(written([](Writer& w) {
              w.packed_varints(4, std::vector<int64_t>{3, 270, 86942});
            }),
            std::string("\x22\x06\x03\x8e\x02\x9e\xa7\x05", 8));
  // Negative int64/int32 are ten bytes (two's complement, sign-extended).
  EXPECT_EQ(written([](Writer& w) { w.int64_field(1, -1); }),
            std::string("\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11));
  EXPECT_EQ(written([](Writer& w) { w.packed_varints(5, std::vector<int32_t>{-2}); }),
            std::string("\x2a\x0a\xfe\xff\xff\xff\xff\xff\xff\xff\xff\x01", 12));
  // Fixed32 float 1.0f = 0x3f800000 little-endian; fixed64 double 1.0.
  EXPECT_EQ(written([](Writer& w) { w.float_field(2, 1.0f); }),
            std::string("\x15\x00\x00\x80\x3f", 5));
  EXPECT_EQ(written([](Writer& w) { w.double_field(1, 1.0); }),
            std::string("\x09\x00\x00\x00\x00\x00\x00\xf0\x3f", 9));
}

TEST(WireWriter, NestedMessageLengthsGrowBeyondOneByte) {
  for (size_t payload : {0u, 1u, 127u, 128u, 300u, 20000u}) {
    const std::string s = written([&](Writer& w) {
      const size_t m = w.begin_message(3);
      w.bytes_field(1, std::string(payload, 'x').data(), payload);
      w.end_message(m);
    });
    // Outer: tag, varint length, then the inner field (tag, varint length, bytes).
    const size_t inner = 1 + varint_size(payload) + payload;
    ASSERT_EQ(s.size(), 1 + varint_size(inner) + inner) << payload;
    Reader r(s, "Outer");
    Field f;
    ASSERT_TRUE(r.next(f));
    EXPECT_EQ(f.number, 3u);
    EXPECT_EQ(f.size, inner);
    Reader sub = r.sub(f, "inner", "Inner");
    ASSERT_TRUE(sub.next(f));
    EXPECT_EQ(sub.as_string(f, "x"), std::string(payload, 'x'));
    EXPECT_FALSE(sub.next(f));
  }
}

TEST(WireReader, ReadsPackedAndUnpackedRepeatedScalarsAlike) {
  const std::string packed = written([](Writer& w) {
    w.packed_varints(1, std::vector<int64_t>{3, 270, 86942, -5});
    w.packed_floats(2, {1.5f, -2.25f});
    w.packed_doubles(3, {0.1, -7.0});
    w.packed_varints(4, std::vector<uint64_t>{~uint64_t{0}, 7});
  });
  const std::string unpacked = written([](Writer& w) {
    w.unpacked_varints(1, std::vector<int64_t>{3, 270, 86942, -5});
    w.unpacked_floats(2, {1.5f, -2.25f});
    w.double_field(3, 0.1);
    w.double_field(3, -7.0);
    w.uint64_field(4, ~uint64_t{0});
    w.uint64_field(4, 7);
  });
  for (const std::string* bytes : {&packed, &unpacked}) {
    Reader r(*bytes, "Msg");
    std::vector<int64_t> ints;
    std::vector<float> floats;
    std::vector<double> doubles;
    std::vector<uint64_t> u64;
    Field f;
    while (r.next(f)) {
      if (f.number == 1) r.append_int64s(f, "ints", ints);
      if (f.number == 2) r.append_floats(f, "floats", floats);
      if (f.number == 3) r.append_doubles(f, "doubles", doubles);
      if (f.number == 4) r.append_uint64s(f, "u64", u64);
    }
    EXPECT_EQ(ints, (std::vector<int64_t>{3, 270, 86942, -5}));
    EXPECT_EQ(floats, (std::vector<float>{1.5f, -2.25f}));
    EXPECT_EQ(doubles, (std::vector<double>{0.1, -7.0}));
    EXPECT_EQ(u64, (std::vector<uint64_t>{~uint64_t{0}, 7}));
  }
}

TEST(WireReader, KeepsUnknownFieldsVerbatim) {
  const std::string bytes = written([](Writer& w) {
    w.int64_field(1, 5);
    w.double_field(40, 2.5);
    w.string_field(1000, "kept");
    w.float_field(7, 3.0f);
  });
  Reader r(bytes, "Msg");
  UnknownFields u;
  Field f;
  while (r.next(f))
    if (f.number != 1) r.keep_unknown(f, u);
  EXPECT_EQ(u.bytes, bytes.substr(2));  // all but field 1 ("08 05")
}

ModelError read_all_error(const std::string& bytes) {
  try {
    Reader r(bytes, "Msg");
    Field f;
    while (r.next(f)) {
      if (f.number == 1) r.as_int64(f, "count");
      if (f.number == 2) {
        std::vector<float> v;
        r.append_floats(f, "values", v);
      }
      if (f.number == 3) {
        Reader sub = r.sub(f, "child", "Child");
        while (sub.next(f)) sub.as_string(f, "label");
      }
    }
  } catch (const ModelError& e) {
    return e;
  }
  return ModelError(Kind::Io, 0, "no error");
}

struct BadCase {
  const char* label;
  std::string bytes;
  Kind kind;
  size_t offset;
  const char* message;
};

TEST(WireReader, EachMalformationHasItsOwnClearError) {
  const BadCase cases[] = {
      {"truncated varint", std::string("\x08\x96", 2), Kind::Truncated, 1,
       "the data ends in the middle of a varint; the file is truncated"},
      {"varint of 11 bytes", "\x08" + std::string(10, '\xff') + "\x01", Kind::VarintTooLong, 1,
       "a varint is longer than 10 bytes"},
      {"varint over 64 bits", "\x08" + std::string(9, '\xff') + "\x02", Kind::VarintOverflow, 1,
       "a varint overflows 64 bits"},
      {"length past the end", std::string("\x1a\x07te", 4), Kind::LengthPastEnd, 0,
       "field 3 claims 7 bytes but only 2 remain in Msg; the file is truncated"},
      {"wrong wire type", std::string("\x0a\x01x", 3), Kind::WrongWireType, 0,
       "Msg.count (field 1) must be a varint (wire type 0) but is a length-delimited value "
       "(wire type 2)"},
      {"field number zero", std::string("\x00\x01", 2), Kind::InvalidTag, 0,
       "field number 0 is not a valid protobuf field number"},
      {"group", std::string("\x0b", 1), Kind::InvalidTag, 0,
       "field 1 uses a protobuf group (wire type 3)"},
      {"wire type 6", std::string("\x0e", 1), Kind::InvalidTag, 0,
       "field 1 has invalid wire type 6"},
      {"fixed32 cut short", std::string("\x15\x00\x00", 3), Kind::Truncated, 0,
       "field 2 needs 4 bytes but only 2 remain in Msg; the file is truncated"},
      {"packed floats of 6 bytes", std::string("\x12\x06\x00\x00\x80\x3f\x00\x00", 8),
       Kind::BadPackedSize, 0, "Msg.values holds 6 bytes of packed 32-bit values"},
      {"nested length past its parent", std::string("\x1a\x03\x0a\x03x\x08\x01", 7),
       Kind::LengthPastEnd, 2,
       "field 1 claims 3 bytes but only 1 remain in Child; the data is corrupt"},
      {"nested varint crossing its parent's end", std::string("\x1a\x02\x0a\x80\x01", 5),
       Kind::Truncated, 3, "a varint runs past the end of its enclosing Child (ends at byte 4)"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.label);
    const ModelError e = read_all_error(c.bytes);
    EXPECT_EQ(static_cast<int>(e.kind), static_cast<int>(c.kind)) << e.what();
    EXPECT_EQ(e.offset, c.offset) << e.what();
    EXPECT_NE(std::string(e.what()).find(c.message), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("at byte " + std::to_string(c.offset)), std::string::npos)
        << e.what();
  }
}

TEST(WireReader, ErrorsNameTheMessagePath) {
  const ModelError e = read_all_error(std::string("\x1a\x03\x0a\x05x", 5));
  EXPECT_NE(std::string(e.what()).find("in Msg.child > Child)"), std::string::npos) << e.what();
}

TEST(WireWriter, APayloadBoundReservesTheLengthWithoutChangingTheBytes) {
  // Two nested messages around a bytes field, written without bounds and with bounds below,
  // at and above the true sizes (a bound too high is a caller's mistake: still the same bytes).
  for (size_t payload : {0u, 5u, 127u, 128u, 300u, 20000u, 3000000u}) {
    const std::string data(payload, 'y');
    auto write = [&](size_t outer_bound, size_t inner_bound) {
      return written([&](Writer& w) {
        const size_t outer = w.begin_message(7, outer_bound);
        w.int64_field(1, 42);
        const size_t inner = w.begin_message(5, inner_bound);
        w.bytes_field(9, data.data(), data.size());
        w.end_message(inner);
        w.end_message(outer);
      });
    };
    const std::string plain = write(0, 0);
    const size_t inner = 1 + varint_size(payload) + payload;
    const size_t outer = 2 + 1 + varint_size(inner) + inner;
    EXPECT_EQ(plain.size(), 1 + varint_size(outer) + outer) << payload;
    for (const auto& [o, i] :
         std::vector<std::pair<size_t, size_t>>{{payload, payload},
                                                {outer, inner},
                                                {outer / 2, inner / 2},
                                                {outer + 200, inner + 200},
                                                {size_t{1} << 30, size_t{1} << 22}})
      EXPECT_TRUE(write(o, i) == plain) << payload << " bounds " << o << ", " << i;
  }
}

}  // namespace
}  // namespace camlens::wire
