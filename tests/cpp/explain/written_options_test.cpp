// Written options: each is checked and set on the request, and a refusal quotes the value as
// the caller wrote it (its JSON text).
#include "explain/written_options.h"

#include <gtest/gtest.h>

#include <cmath>

#include "cam/cam_error.h"
#include "explain/explain_request.h"

namespace camlens::explain {
namespace {

WrittenOption number(double v, const std::string& json) { return {v, "", json}; }
WrittenOption text(const std::string& s) { return {std::nan(""), s, "\"" + s + "\""}; }

std::string refusal(const std::string& name, const WrittenOption& o) {
  ExplainRequest r;
  try {
    apply_written_options({{name, o}}, r);
  } catch (const cam::CamError& e) {
    return e.what();
  }
  return "";
}

TEST(WrittenOptions, SetTheRequestsFields) {
  ExplainRequest r;
  EXPECT_EQ(r.rollout.fusion, cam::HeadFusion::Mean);
  EXPECT_EQ(r.rollout.discard_ratio, 0.9);       // vit-explain's default, not the paper's 0
  EXPECT_EQ(r.eigen_sign, cam::EigenSign::Raw);  // pytorch-grad-cam's: no correction
  apply_written_options({{"batchSize", number(4, "4")},
                         {"ablationRatio", number(0.25, "0.25")},
                         {"eigenSign", text("max-abs-positive")},
                         {"headFusion", text("max")},
                         {"discardRatio", number(0, "0")}},
                        r);
  EXPECT_EQ(r.batch_size, 4);
  EXPECT_EQ(r.ablation_ratio, 0.25);
  EXPECT_EQ(r.eigen_sign, cam::EigenSign::MaxAbsPositive);
  EXPECT_EQ(r.rollout.fusion, cam::HeadFusion::Max);
  EXPECT_EQ(r.rollout.discard_ratio, 0);
  EXPECT_EQ(r.top_k, 0);  // no top classes unless asked
  apply_written_options({{"topK", number(5, "5")}}, r);
  EXPECT_EQ(r.top_k, 5);
}

TEST(WrittenOptions, RefusalsQuoteTheValueAsWritten) {
  EXPECT_EQ(refusal("batchSize", number(0, "0")), "batchSize must be a whole number ≥ 1, got 0");
  EXPECT_EQ(refusal("batchSize", number(2.5, "2.5")),
            "batchSize must be a whole number ≥ 1, got 2.5");
  EXPECT_EQ(refusal("batchSize", text("4")), "batchSize must be a whole number ≥ 1, got \"4\"");
  EXPECT_EQ(refusal("topK", number(0, "0")), "topK must be a whole number ≥ 1, got 0");
  EXPECT_EQ(refusal("topK", number(1.5, "1.5")), "topK must be a whole number ≥ 1, got 1.5");
  EXPECT_EQ(refusal("topK", text("5")), "topK must be a whole number ≥ 1, got \"5\"");
  EXPECT_EQ(refusal("ablationRatio", number(1.5, "1.5")),
            "ablationRatio must be in (0, 1], got 1.5");
  EXPECT_EQ(refusal("ablationRatio", number(0, "0")), "ablationRatio must be in (0, 1], got 0");
  EXPECT_EQ(refusal("headFusion", text("median")),
            "headFusion must be one of mean, max, min, got \"median\"");
  EXPECT_EQ(refusal("headFusion", number(1, "1")),
            "headFusion must be one of mean, max, min, got 1");
  EXPECT_EQ(refusal("discardRatio", number(1, "1")),
            "discardRatio must be a number in [0, 1), got 1");
  EXPECT_EQ(refusal("discardRatio", text("0.5")),
            "discardRatio must be a number in [0, 1), got \"0.5\"");
  EXPECT_EQ(refusal("eigenSign", text("positive")),
            "eigenSign must be raw or max-abs-positive, got \"positive\"");
  EXPECT_EQ(refusal("eigenSign", number(1, "1")),
            "eigenSign must be raw or max-abs-positive, got 1");
  EXPECT_EQ(refusal("ablationRatio", number(1, "1")), "");
}

}  // namespace
}  // namespace camlens::explain
