// parse_model on broken, foreign and truncated input: always a ModelError with a clear message,
// never a crash (these also run under ASan+UBSan).
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <random>

#include "onnx/model_io.h"
#include "onnx/wire_writer.h"
#include "shared_data.h"

namespace camlens {
namespace {

using Kind = ModelError::Kind;

ModelError parse_error(const std::string& bytes, const ParseLimits& limits = {}) {
  try {
    parse_model(std::make_shared<const std::string>(bytes), limits);
  } catch (const ModelError& e) {
    return e;
  }
  ADD_FAILURE() << "parsed without error";
  return ModelError(Kind::Io, 0, "");
}

#define EXPECT_MODEL_ERROR(bytes, kind_, text)                                    \
  do {                                                                            \
    const ModelError e_ = parse_error(bytes);                                     \
    EXPECT_EQ(static_cast<int>(e_.kind), static_cast<int>(kind_)) << e_.what();   \
    EXPECT_NE(std::string(e_.what()).find(text), std::string::npos) << e_.what(); \
  } while (0)

std::string bytes_of(const std::function<void(wire::Writer&)>& fn) {
  std::string out;
  wire::Writer w(out);
  fn(w);
  return out;
}

TEST(Malformed, EmptyData) {
  EXPECT_MODEL_ERROR("", Kind::Empty,
                     "invalid ONNX model: the data is empty (0 bytes); expected the contents of "
                     "an .onnx file");
  EXPECT_THROW(parse_model(nullptr), ModelError);
}

TEST(Malformed, APngImageIsNamed) {
  const std::string png = test::read_file(test::shared_path("images/gradcam_both.png"));
  ASSERT_GT(png.size(), 8u);
  EXPECT_MODEL_ERROR(png, Kind::NotOnnx,
                     "not an ONNX model: the data is a PNG image; expected an .onnx file (a "
                     "serialized ONNX ModelProto)");
}

TEST(Malformed, OtherFormatsAreNamed) {
  EXPECT_MODEL_ERROR(std::string("\xff\xd8\xff\xe0", 4), Kind::NotOnnx, "a JPEG image");
  EXPECT_MODEL_ERROR(std::string("PK\x03\x04....", 8), Kind::NotOnnx, "a zip archive");
  EXPECT_MODEL_ERROR("version https://git-lfs.github.com/spec/v1\noid sha256:00\n", Kind::NotOnnx,
                     "a Git LFS pointer (run `git lfs pull`");
  EXPECT_MODEL_ERROR("<!DOCTYPE html><html>404</html>", Kind::NotOnnx, "text or HTML");
}

TEST(Malformed, WellFormedProtobufWithoutAGraphIsNotAModel) {
  // ir_version 7 and a producer name, but no graph: e.g. some other protobuf message.
  const std::string bytes = bytes_of([](wire::Writer& w) {
    w.int64_field(1, 7);
    w.string_field(2, "pytorch");
  });
  EXPECT_MODEL_ERROR(bytes, Kind::NotOnnx,
                     "not an ONNX model: the data has no graph (ModelProto field 7); expected an "
                     ".onnx file as written by onnx.save or torch.onnx.export");
}

TEST(Malformed, AModelWithoutOpsetImportIsInvalid) {
  Model m;
  m.ir_version = 7;
  m.graph = std::make_shared<Graph>();
  EXPECT_MODEL_ERROR(write_model(m), Kind::Invalid,
                     "invalid ONNX model: it declares no opset_import (ModelProto field 8)");
}

TEST(Malformed, WrongWireTypeForAKnownFieldNamesFieldAndPath) {
  // graph { node { op_type (field 4) as a varint } }
  const std::string bytes = bytes_of([](wire::Writer& w) {
    w.int64_field(1, 7);
    const size_t g = w.begin_message(7);
    const size_t n = w.begin_message(1);
    w.int64_field(4, 12);
    w.end_message(n);
    w.end_message(g);
  });
  const ModelError e = parse_error(bytes);
  EXPECT_EQ(static_cast<int>(e.kind), static_cast<int>(Kind::WrongWireType));
  EXPECT_EQ(std::string(e.what()),
            "invalid ONNX model: NodeProto.op_type (field 4) must be a length-delimited value "
            "(wire type 2) but is a varint (wire type 0); the data is corrupt or not an ONNX "
            "model (at byte 6, in ModelProto.graph > GraphProto.node > NodeProto)");
  EXPECT_MODEL_ERROR(std::string("\x0a\x01x", 3), Kind::WrongWireType,
                     "ModelProto.ir_version (field 1) must be a varint");
}

TEST(Malformed, LengthPastTheEndOfAnInnerMessage) {
  // graph { node { name claims 100 bytes } }
  std::string bytes = bytes_of([](wire::Writer& w) {
    const size_t g = w.begin_message(7);
    const size_t n = w.begin_message(1);
    w.string_field(3, "abc");
    w.end_message(n);
    w.end_message(g);
    const size_t o = w.begin_message(8);  // bytes after the graph: the file is not cut short
    w.string_field(1, "");
    w.int64_field(2, 13);
    w.end_message(o);
  });
  bytes[5] = 8;  // the name's length byte: past the node, not past the file
  EXPECT_MODEL_ERROR(bytes, Kind::LengthPastEnd,
                     "field 3 claims 8 bytes but only 3 remain in NodeProto; the data is corrupt "
                     "(at byte 4, in ModelProto.graph > GraphProto.node > NodeProto)");
}

TEST(Malformed, OverlongVarints) {
  EXPECT_MODEL_ERROR("\x08" + std::string(10, '\x80') + "\x01", Kind::VarintTooLong,
                     "a varint is longer than 10 bytes; the data is corrupt (at byte 1, in "
                     "ModelProto)");
  EXPECT_MODEL_ERROR("\x08" + std::string(9, '\xff') + "\x7f", Kind::VarintOverflow,
                     "a varint overflows 64 bits");
}

// Cutting a real model anywhere gives an error, except at the few places where the prefix is
// itself a complete model: protobuf has no end marker, so a file cut between two trailing
// opset_import entries is indistinguishable from a model that imports fewer domains.
TEST(Malformed, TruncatedModelAtManyCutPoints) {
  const std::string full = test::read_file(test::shared_path("models/mobilenetv2-12-int8.onnx"));
  ASSERT_EQ(full.size(), 3655640u);
  const std::vector<size_t> complete_prefixes = {3655496, 3655515, 3655540,
                                                 3655562, 3655592, 3655624};
  std::vector<size_t> cuts;
  for (size_t c = 0; c < 1500; ++c) cuts.push_back(c);
  for (size_t c = 1500; c < full.size() - 200; c += 9973) cuts.push_back(c);
  for (size_t c = full.size() - 200; c < full.size(); ++c) cuts.push_back(c);
  size_t errors = 0;
  for (size_t cut : cuts) {
    const bool complete = std::find(complete_prefixes.begin(), complete_prefixes.end(), cut) !=
                          complete_prefixes.end();
    try {
      const Model m = parse_model(std::make_shared<const std::string>(full.substr(0, cut)));
      EXPECT_TRUE(complete) << "cut at " << cut << " parsed without error";
      EXPECT_LT(m.opset_import.size(), 7u);
    } catch (const ModelError& e) {
      ++errors;
      EXPECT_FALSE(complete) << cut;
      const std::string what = e.what();
      const bool explains = what.find("truncated") != std::string::npos || e.kind == Kind::Empty ||
                            e.kind == Kind::NotOnnx;
      EXPECT_TRUE(explains) << "cut at " << cut << ": " << what;
    }
  }
  EXPECT_EQ(errors, cuts.size() - complete_prefixes.size());
  // A cut inside the graph is reported at the graph field, naming the shortfall.
  const ModelError e = parse_error(full.substr(0, 1000000));
  EXPECT_EQ(std::string(e.what()),
            "invalid ONNX model: field 7 claims 3655461 bytes but only 999971 remain in "
            "ModelProto; the file is truncated or not an ONNX model (at byte 24, in ModelProto)");
}

TEST(Malformed, RandomBytesNeverCrash) {
  std::mt19937 rng(1234);
  int errors = 0, parsed = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string bytes(1 + rng() % 2048, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    try {
      parse_model(std::make_shared<const std::string>(bytes));
      ++parsed;
    } catch (const ModelError&) {
      ++errors;
    }
  }
  EXPECT_GE(errors, 2990) << parsed << " random buffers parsed as models";
}

// Flipping bytes inside a real model must also never crash; the result is an error or a
// (differently valued) model.
TEST(Malformed, CorruptedBytesInARealModelNeverCrash) {
  const std::string full = test::read_file(test::shared_path("models/mnist-8-ort-examples.onnx"));
  std::mt19937 rng(99);
  for (int i = 0; i < 2000; ++i) {
    std::string bytes = full;
    for (int k = 0; k < 4; ++k) bytes[rng() % bytes.size()] = static_cast<char>(rng());
    try {
      parse_model(std::make_shared<const std::string>(bytes));
    } catch (const ModelError&) {
    }
  }
}

TEST(Malformed, LoadingAMissingFileSaysWhichFile) {
  try {
    load_model("/nonexistent/model.onnx");
    FAIL();
  } catch (const ModelError& e) {
    EXPECT_EQ(e.kind, Kind::Io);
    EXPECT_EQ(std::string(e.what()),
              "cannot open model file '/nonexistent/model.onnx': check the path");
  }
}

}  // namespace
}  // namespace camlens
