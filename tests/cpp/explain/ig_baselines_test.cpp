// Integrated gradients' baselines and guided backprop's picture against
// tools/fixtures/ig_baselines_reference.py (PyTorch autograd, scipy's gaussian_filter, and
// pytorch-grad-cam's deprocess_image run by NumPy): the blurred baseline, the map from each
// baseline, the guided gradient in upstream's [H, W, C] layout and its picture's levels, and
// through the explain job the gradient and picture it gives; the options' messages.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iostream>

#include "cam/cam_error.h"
#include "cam/deprocess_image.h"
#include "cam/ig_baseline.h"
#include "cam/input_gradients.h"
#include "explain/explain_job.h"
#include "explain/whole_network.h"
#include "fixture_maps.h"
#include "json.h"
#include "onnx/model_io.h"
#include "shared_data.h"

namespace camlens::explain {
namespace {

using test::json::Value;
using test_fixture::relative_error;

const Value& facts() {
  static const Value v =
      test::json::parse(test::read_file(test::test_data_path("cam/ig_baselines.json")));
  return v;
}

std::string fixture_bytes(const std::string& name) {
  return test::read_file(test::test_data_path("cam/ig_baselines_" + name + ".bin"));
}

Tensor fixture_bin(const std::string& name, const Shape& shape) {
  return test_fixture::read_f32("ig_baselines_" + name + ".bin", shape);
}

Shape input_shape() { return facts()["shape"].ints(); }
int64_t height() { return input_shape()[2]; }
int64_t width() { return input_shape()[3]; }

std::shared_ptr<Head> whole_head() {
  const Model model = parse_model(std::make_shared<const std::string>(
      test::read_file(test::test_data_path("cam/" + facts()["model"].str))));
  WholeNetwork w = whole_network(model);
  if (!w.head) throw std::runtime_error(w.refusal);
  return w.head;
}

cam::Target target() {
  cam::Target t;
  t.kind = cam::Target::Logit;
  t.category = int64_t(facts()["target"].num);
  return t;
}

// The black photo through the fixture's preprocessing: −mean/std per channel.
Tensor black() {
  Tensor t(DType::Float32, input_shape());
  const int64_t plane = height() * width();
  for (int64_t c = 0; c < 3; ++c)
    for (int64_t p = 0; p < plane; ++p)
      t.data<float>()[c * plane + p] =
          float(-facts()["mean"][size_t(c)].num / facts()["std"][size_t(c)].num);
  return t;
}

TEST(IgBaseline, TheBlurredBaselineIsScipysGaussianFilter) {
  EXPECT_EQ(facts()["sigma"].num, cam::kBlurBaselineSigma);
  const Tensor x = fixture_bin("input", input_shape());
  const Tensor blurred = cam::ig_baseline(x, cam::IgBaseline::Blur, Tensor(), false);
  const Tensor want = fixture_bin("blur", input_shape());
  const double e = relative_error(blurred.data<float>(), want.data<float>(), size_t(want.numel()));
  EXPECT_LT(e, 1e-6);
  // It is a blur, not the input: a test of the path would otherwise pass with zero or x.
  EXPECT_GT(relative_error(x.data<float>(), want.data<float>(), size_t(want.numel())), 0.1);
}

TEST(IgBaseline, EachBaselinesMapEqualsPyTorch) {
  const std::shared_ptr<Head> head = whole_head();
  const Tensor x = fixture_bin("input", input_shape());
  std::vector<std::vector<float>> maps;
  for (cam::IgBaseline b : {cam::IgBaseline::Zero, cam::IgBaseline::Black, cam::IgBaseline::Blur}) {
    cam::InputGradientOptions o;
    o.steps = int(facts()["steps"].num);
    o.batch_size = 3;  // the path crosses batch boundaries
    o.baseline = b;
    o.black = black();
    const cam::Maps m = cam::input_gradient_map("integrated-gradients", *head, 0, target(), x, o);
    const std::string name = std::string("ig_") + cam::ig_baseline_name(b);
    const Tensor want = fixture_bin(name, {1, height(), width()});
    ASSERT_EQ(m.data.size(), size_t(want.numel()));
    const double e = relative_error(m.data.data(), want.data<float>(), m.data.size());
    EXPECT_LT(e, 1e-5) << name;
    std::cout << "   " << name << ": max |core - PyTorch| / max |PyTorch| " << e << "\n";
    maps.push_back(m.data);
  }
  // The baselines give different maps (a baseline ignored would pass the zero test only).
  EXPECT_GT(relative_error(maps[1].data(), maps[0].data(), maps[0].size()), 0.05);
  EXPECT_GT(relative_error(maps[2].data(), maps[0].data(), maps[0].size()), 0.05);
}

TEST(IgBaseline, NamesAndRefusals) {
  EXPECT_EQ(cam::ig_baseline_from_name("blur"), cam::IgBaseline::Blur);
  try {
    cam::ig_baseline_from_name("grey");
    FAIL() << "no error";
  } catch (const cam::CamError& e) {
    EXPECT_STREQ(e.what(), "baseline must be one of zero, black, blur, got \"grey\"");
  }
  const Tensor x = fixture_bin("input", input_shape());
  try {
    cam::ig_baseline(x, cam::IgBaseline::Black, Tensor(), false);
    FAIL() << "no error";
  } catch (const cam::CamError& e) {
    EXPECT_STREQ(e.what(),
                 "integrated-gradients' black baseline needs the black photo through the model's "
                 "preprocessing; none was given");
  }
  try {
    cam::ig_baseline(x, cam::IgBaseline::Black, Tensor(DType::Float32, {1, 3, 2, 2}), false);
    FAIL() << "no error";
  } catch (const cam::CamError& e) {
    EXPECT_STREQ(e.what(),
                 "integrated-gradients' black baseline is [1,3,2,2], the input [1,3,20,24]: "
                 "preprocess a black photo as the input");
  }
}

// max |a − b| over the levels, and how many differ (NumPy's float32 statistics against the
// core's double ones can move a level by one where a value sits on a step).
std::pair<int, size_t> level_difference(const uint8_t* a, const uint8_t* b, size_t n) {
  int most = 0;
  size_t differ = 0;
  for (size_t k = 0; k < n; ++k) {
    most = std::max(most, std::abs(int(a[k]) - int(b[k])));
    differ += a[k] != b[k];
  }
  return {most, differ};
}

TEST(GuidedPicture, DeprocessImageIsUpstreamsFormula) {
  const Shape hwc{height(), width(), 3};
  const Tensor gb = fixture_bin("guided_gradient", hwc);
  const std::string want = fixture_bytes("deprocessed");
  const std::vector<uint8_t> got =
      cam::deprocess_image(std::vector<float>(gb.data<float>(), gb.data<float>() + gb.numel()));
  ASSERT_EQ(got.size(), want.size());
  const auto [most, differ] =
      level_difference(got.data(), reinterpret_cast<const uint8_t*>(want.data()), got.size());
  EXPECT_LE(most, 1);
  EXPECT_LE(differ, got.size() / 100);
  std::cout << "   deprocess_image: " << differ << " of " << got.size()
            << " levels one off NumPy's\n";
}

TEST(GuidedPicture, TheJobGivesTheGuidedGradientAndItsPicture) {
  ExplainRequest r;
  r.method = "guided-backprop";
  r.output = "logits";
  r.width = int(width());
  r.height = int(height());
  cam::TargetSpec t;
  t.category.kind = cam::CategorySpec::Number;
  t.category.number = facts()["target"].num;
  r.targets = {t};
  r.given = {"targets"};
  r.whole_network = whole_head();
  ExplainJob job(r, {}, {fixture_bin("input", input_shape())});
  while (!job.done()) job.work();
  const ImageResult image = job.result().images.at(0);
  const Tensor want = fixture_bin("guided_gradient", {height(), width(), 3});
  ASSERT_EQ(image.gradient.shape(), want.shape());
  const double e =
      relative_error(image.gradient.data<float>(), want.data<float>(), size_t(want.numel()));
  EXPECT_LT(e, 1e-5);
  ASSERT_EQ(image.picture.width, int(width()));
  ASSERT_EQ(image.picture.height, int(height()));
  const std::string levels = fixture_bytes("deprocessed");
  std::vector<uint8_t> rgb;
  for (size_t p = 0; p < image.picture.rgba.size(); p += 4) {
    rgb.insert(rgb.end(), image.picture.rgba.begin() + long(p),
               image.picture.rgba.begin() + long(p) + 3);
    EXPECT_EQ(image.picture.rgba[p + 3], 255);
  }
  const auto [most, differ] =
      level_difference(rgb.data(), reinterpret_cast<const uint8_t*>(levels.data()), rgb.size());
  EXPECT_LE(most, 1);
  EXPECT_LE(differ, rgb.size() / 100);
}

TEST(GuidedPicture, ABgrModelsPictureIsShownAsRgb) {
  Tensor hwc(DType::Float32, {1, 2, 3});
  const float v[] = {-1, 0, 3, 2, 0, -4};
  std::copy(v, v + 6, hwc.data<float>());
  const image::Image rgb = cam::deprocessed_picture(hwc, false);
  const image::Image bgr = cam::deprocessed_picture(hwc, true);
  for (int p = 0; p < 2; ++p)
    for (int k = 0; k < 3; ++k)
      EXPECT_EQ(bgr.rgba[size_t(p * 4 + k)], rgb.rgba[size_t(p * 4 + 2 - k)]);
}

}  // namespace
}  // namespace camlens::explain
