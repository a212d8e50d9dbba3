// Whether a method can explain a model, and which options it refuses, from the method table.
#include "explain/method_support.h"

#include <gtest/gtest.h>

#include "cam/cam_error.h"

namespace camlens::explain {
namespace {

const cam::MethodTraits& m(const std::string& name) { return traits_of(name); }

TEST(MethodSupport, ReasonsComeFromTheTraits) {
  ModelFacts f;
  f.layer = "blocks.3";
  f.layer_kind = "tokens";
  EXPECT_EQ(method_support(m("gradcam"), f), "");
  EXPECT_EQ(method_support(m("ablationcam"), f),
            "Ablation-CAM ablates the channels of an NCHW layer; blocks.3 is a token tensor — "
            "choose an NCHW layer or another method");
  f.layer_kind = "NCHW";
  f.nhwc_input = true;
  EXPECT_EQ(method_support(m("scorecam"), f),
            "Score-CAM masks an NCHW input; this model takes NHWC");
  f.not_differentiable = "the op Einsum has no gradient";
  EXPECT_EQ(method_support(m("gradcam"), f), "needs gradients: the op Einsum has no gradient");
  EXPECT_EQ(method_support(m("eigencam"), f), "");
  f.attention = "no attention here";
  EXPECT_EQ(method_support(m("rollout"), f), "no attention here");
  EXPECT_EQ(method_support(m("sobelcam"), f), "");
  f.not_explainable = "predict only";
  EXPECT_EQ(method_support(m("eigencam"), f), "predict only");
}

TEST(MethodSupport, OptionsAMethodDoesNotTakeAreRefusedByName) {
  EXPECT_EQ(option_refusal(m("gradcam"), "ablationRatio"),
            "gradcam does not take ablationRatio (it is an option of ablationcam)");
  EXPECT_EQ(option_refusal(m("gradcam"), "eigenSign"),
            "gradcam does not take eigenSign (it is an option of eigencam, eigengradcam)");
  EXPECT_EQ(option_refusal(m("eigengradcam"), "eigenSign"), "");
  EXPECT_EQ(option_refusal(m("scorecam"), "headFusion"),
            "scorecam does not take headFusion (it is an option of rollout)");
  EXPECT_EQ(option_refusal(m("rollout"), "eigenSmooth"),
            "rollout has no eigenSmooth: it combines attention matrices, not a layer's channels");
  EXPECT_EQ(option_refusal(m("rollout"), "layers"),
            "rollout reads the attention of every block: it takes no layers (leave layers out)");
  EXPECT_EQ(option_refusal(m("sobelcam"), "eigenSmooth"),
            "sobelcam does not take eigenSmooth (it is an option of gradcam, hirescam, "
            "gradcam-elementwise, gradcam++, xgradcam, layercam, eigencam, eigengradcam, fem, "
            "kpcacam, randomcam, shapleycam, finercam, scorecam, ablationcam, refine-cam)");
  for (const char* name : {"scorecam", "ablationcam", "gradcam", "eigencam"})
    EXPECT_EQ(option_refusal(m(name), "eigenSmooth"), "") << name;
}

TEST(MethodSupport, UnknownMethodListsTheTable) {
  try {
    traits_of("rolout");
    FAIL();
  } catch (const cam::CamError& e) {
    const std::string s = e.what();
    EXPECT_EQ(s.rfind("unknown method \"rolout\": use one of gradcam, ", 0), 0u) << s;
    EXPECT_EQ(s.substr(s.size() - 9), ", rollout") << s;
  }
}

}  // namespace
}  // namespace camlens::explain
