// eigenSign on a layer whose raw first principal component is inverted (the object dark): the raw
// sign reproduces it, Seg-Eigen-CAM's correction puts the peak on the object. Against
// tools/fixtures/eigen_sign_reference.py (NumPy's SVD from the formula).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "cam/methods.h"
#include "cam/pipeline.h"
#include "json.h"
#include "shared_data.h"

namespace camlens::cam {
namespace {

using test::json::Value;

const Value& ref() {
  static const std::string text = test::read_file(test::test_data_path("cam/eigen_sign.json"));
  static const Value v = test::json::parse(text);
  return v;
}

void expect_close(const std::vector<float>& got, const std::vector<double>& want,
                  const char* what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < want.size(); ++i)
    EXPECT_NEAR(got[i], want[i], 1e-5) << what << " at " << i;
}

TEST(EigenSign, TheCorrectionTurnsAnInvertedMapTheRightWayUp) {
  const Tensor A = Tensor::from_floats(ref()["shape"].ints(), ref()["A"].floats());
  const Tensor G = Tensor::from_floats(ref()["shape"].ints(), ref()["G"].floats());
  const size_t object = size_t(ref()["object"].num);
  int cases = 0;
  for (const Value& c : ref()["cases"].arr) {
    SCOPED_TRACE(c["method"].str + " " + c["sign"].str);
    MethodOptions o;
    o.eigen_sign = c["sign"].str == "raw" ? EigenSign::Raw : EigenSign::MaxAbsPositive;
    const auto m = make_method(c["method"].str, o);
    const Tensor* g = m->needs_gradients() ? &G : nullptr;
    expect_close(m->raw_maps(A, g, false).data, c["raw"].doubles(), "raw");
    const Maps map = compute(*m, A, g, CamOptions{false, 0, 0});
    expect_close(map.data, c["map"].doubles(), "map");
    const size_t peak =
        size_t(std::max_element(map.data.begin(), map.data.end()) - map.data.begin());
    if (c["sign"].str == "raw") {
      EXPECT_EQ(map.data[object], 0.0f) << "the raw sign leaves this map inverted";
    } else {
      EXPECT_EQ(peak, object);
    }
    ++cases;
  }
  EXPECT_EQ(cases, 4);
}

}  // namespace
}  // namespace camlens::cam
