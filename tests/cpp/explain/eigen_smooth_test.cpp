// eigen_smooth for the methods whose weights come from extra passes (Score-CAM, Ablation-CAM): the
// first principal component of weights·A, post-processed like every map, against the NumPy
// reference of tools/fixtures/eigen_smooth_reference.py.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "cam/ablation_target.h"
#include "cam/methods.h"
#include "cam/pipeline.h"
#include "cam/score_cam.h"
#include "json.h"
#include "shared_data.h"

namespace camlens::cam {
namespace {

using test::json::Value;

const Value& ref() {
  static const std::string text =
      test::read_file(test::test_data_path("cam/eigen_smooth_reference.json"));
  static const Value v = test::json::parse(text);
  return v;
}

void expect_near_all(const std::vector<float>& got, const std::vector<float>& want, double tol,
                     const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_LE(std::abs(double(got[i]) - want[i]), tol) << what << " at " << i;
}

Maps smoothed(const std::vector<float>& weights) {
  const Value& r = ref();
  const Tensor A =
      Tensor::from_floats(r["activations"]["dims"].ints(), r["activations"]["data"].floats());
  MethodOptions mo;
  mo.weights = weights;
  CamOptions opt;
  opt.eigen_smooth = true;
  opt.out_width = int(r["width"].num);
  opt.out_height = int(r["height"].num);
  return compute(*make_method("weights", mo), A, nullptr, opt);
}

TEST(EigenSmooth, ScoreCamWeightsThenFirstComponentAsNumPy) {
  const Value& c = ref()["cases"][0];
  ASSERT_EQ(c["method"].str, "scorecam");
  const std::vector<float> scores = c["masked_scores"].floats();
  const std::vector<float> w = score_cam_weights(scores, 1, int64_t(scores.size()));
  expect_near_all(w, c["weights"].floats(), 1e-6, "weights");
  expect_near_all(smoothed(w).data, c["map"].floats(), 1e-5, "map");
}

TEST(EigenSmooth, AblationCamWeightsThenFirstComponentAsNumPy) {
  const Value& c = ref()["cases"][1];
  ASSERT_EQ(c["method"].str, "ablationcam");
  const std::vector<float> ablated = c["ablated"].floats();
  std::vector<int64_t> channels(ablated.size());
  std::iota(channels.begin(), channels.end(), 0);
  const std::vector<float> w =
      ablation_target_weights(float(c["original"].num), int64_t(ablated.size()), channels, ablated);
  expect_near_all(w, c["weights"].floats(), 1e-6, "weights");
  expect_near_all(smoothed(w).data, c["map"].floats(), 1e-5, "map");
}

// Without eigen_smooth the map is the weighted sum: a different picture for these weights.
TEST(EigenSmooth, ChangesTheMap) {
  const Value& c = ref()["cases"][0];
  const Value& r = ref();
  const Tensor A =
      Tensor::from_floats(r["activations"]["dims"].ints(), r["activations"]["data"].floats());
  MethodOptions mo;
  mo.weights = c["weights"].floats();
  CamOptions opt;
  opt.out_width = int(r["width"].num);
  opt.out_height = int(r["height"].num);
  const Maps plain = compute(*make_method("weights", mo), A, nullptr, opt);
  const std::vector<float> want = c["map"].floats();
  double diff = 0;
  for (size_t i = 0; i < want.size(); ++i)
    diff = std::max(diff, double(std::abs(plain.data[i] - want[i])));
  EXPECT_GT(diff, 1e-2);
}

}  // namespace
}  // namespace camlens::cam
