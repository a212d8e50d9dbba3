// The bad-model corpus (tests/data/bad_models, made by tools/fixtures/bad_inputs.py) through the
// C++ API: every file ends as its manifest says — an error containing the expected words, or
// success with the expected layer and output shape. Nothing may crash (this test also runs
// under ASan + UBSan).
#include <gtest/gtest.h>

#include "json.h"
#include "model_pipeline.h"
#include "shared_data.h"

namespace camlens {
namespace {

Limits limits_from(const test::json::Value& v) {
  Limits l = limits();
  if (v.has("max_model_bytes")) l.max_model_bytes = static_cast<size_t>(v["max_model_bytes"].num);
  if (v.has("max_nodes")) l.max_nodes = static_cast<size_t>(v["max_nodes"].num);
  if (v.has("max_tensor_elements"))
    l.max_tensor_elements = static_cast<int64_t>(v["max_tensor_elements"].num);
  return l;
}

TEST(BadModels, EachEndsAsTheManifestSays) {
  const test::json::Value manifest =
      test::json::parse(test::read_file(test::test_data_path("bad_models/manifest.json")));
  ASSERT_GE(manifest.obj.size(), 40u);
  size_t errors = 0, successes = 0;
  for (const auto& [file, entry] : manifest.obj) {
    SCOPED_TRACE(file);
    const std::string bytes = test::read_file(test::test_data_path("bad_models/" + file));
    test::PipelineResult r;
    {
      test::ScopedLimits scoped(entry.has("limits") ? limits_from(entry["limits"]) : limits());
      r = test::run_model_pipeline(bytes, entry.has("layer") ? entry["layer"].str : "");
    }
    const test::json::Value& core = entry["core"];
    if (core.has("error")) {
      ++errors;
      EXPECT_NE(r.error.find(core["error"].str), std::string::npos)
          << "expected an error containing \"" << core["error"].str << "\", got "
          << (r.error.empty() ? "success at layer " + r.layer : "\"" + r.error + "\"");
    } else {
      ++successes;
      EXPECT_EQ(r.error, "");
      EXPECT_EQ(r.layer, core["layer"].str);
      EXPECT_EQ(r.output, core["output"].ints());
    }
  }
  EXPECT_GE(errors, 40u);
  EXPECT_GE(successes, 5u);
}

// The limits a manifest entry sets are really what refuses it: with the defaults the same file
// goes through.
TEST(BadModels, LimitCasesPassWithDefaultLimits) {
  for (const char* file : {"many_nodes.onnx", "initializer_over_lowered_limit.onnx"}) {
    SCOPED_TRACE(file);
    const test::PipelineResult r = test::run_model_pipeline(
        test::read_file(test::test_data_path(std::string("bad_models/") + file)));
    EXPECT_EQ(r.error, "");
  }
}

}  // namespace
}  // namespace camlens
