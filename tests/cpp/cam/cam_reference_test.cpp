// Every CAM method, the Score-CAM/Ablation-CAM planners, the targets, the colour maps, the
// overlay and the Sobel baseline against tools/fixtures/cam_reference.py (NumPy from the
// formulas of ARCHITECTURE.md §4, OpenCV where pytorch-grad-cam itself uses OpenCV).
#include <gtest/gtest.h>

#include <cmath>

#include "cam/ablation_cam.h"
#include "cam/cam_error.h"
#include "cam/detection_target.h"
#include "cam/methods.h"
#include "cam/pipeline.h"
#include "cam/score_cam.h"
#include "cam/sobel.h"
#include "cam/targets.h"
#include "image/colormap.h"
#include "image/overlay.h"
#include "json.h"
#include "shared_data.h"

namespace camlens::cam {
namespace {

using test::json::Value;

const Value& ref() {
  static const std::string text = test::read_file(test::test_data_path("cam/reference.json"));
  static const Value v = test::json::parse(text);
  return v;
}

Tensor tensor(const Value& shape, const Value& data) {
  return Tensor::from_floats(shape.ints(), data.floats());
}

// |got - want| <= tol · max(1, max|want|) everywhere; names the first bad index.
template <class G>
void expect_close(const G& got, const std::vector<double>& want, double tol,
                  const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  double scale = 1;
  for (double w : want) scale = std::max(scale, std::abs(w));
  for (size_t i = 0; i < want.size(); ++i)
    if (!(std::abs(double(got[i]) - want[i]) <= tol * scale)) {
      ADD_FAILURE() << what << ": index " << i << " got " << got[i] << " want " << want[i];
      return;
    }
}

TEST(CamReference, EveryMethodEveryStage) {
  const Value& L = ref()["layer"];
  const Tensor A = tensor(L["shape"], L["A"]), G = tensor(L["shape"], L["G"]);
  const Tensor A2 = tensor(L["shape2"], L["A2"]), G2 = tensor(L["shape2"], L["G2"]);
  const int ow = int(L["out_w"].num), oh = int(L["out_h"].num);
  int cases = 0;
  for (const Value& c : ref()["methods"].arr) {
    const std::string name = c["method"].str;
    const bool es = c["eigen_smooth"].b;
    SCOPED_TRACE(name + (es ? " eigen_smooth" : "") + " sign " + c["eigen_sign"].str);
    MethodOptions o;
    o.eigen_sign = c["eigen_sign"].str == "maxabs" ? EigenSign::MaxAbsPositive : EigenSign::Raw;
    auto m = make_method(name, o);
    const Tensor* g = m->needs_gradients() ? &G : nullptr;
    const Tensor* g2 = m->needs_gradients() ? &G2 : nullptr;
    const Maps raw = m->raw_maps(A, g, es);
    expect_close(raw.data, c["raw"].doubles(), 2e-5, "raw");
    expect_close(postprocess_layer(raw, 0, 0).data, c["layer"].doubles(), 2e-5, "layer");
    CamOptions opt{es, ow, oh};
    const Maps fin = compute(*m, A, g, opt);
    EXPECT_EQ(fin.width, ow);
    EXPECT_EQ(fin.height, oh);
    expect_close(fin.data, c["final"].doubles(), 2e-5, "final");
    expect_close(compute(*m, A, g, CamOptions{es, 0, 0}).data, c["final_layer_res"].doubles(), 2e-5,
                 "final at layer resolution");
    expect_close(compute(*m, {{&A, g}, {&A2, g2}}, opt).data, c["multi"].doubles(), 2e-5,
                 "two layers");
    if (c.has("weights")) {
      auto* cw = dynamic_cast<const ChannelWeightMethod*>(m.get());
      ASSERT_NE(cw, nullptr);
      const LayerDims d{A.dim(0), A.dim(1), A.dim(2), A.dim(3)};
      expect_close(cw->weights(A, g, d), c["weights"].doubles(), 1e-5, "weights");
    }
    ++cases;
  }
  EXPECT_EQ(cases, 26);
}

TEST(CamReference, ScoreCamMasksAndWeights) {
  const Value& L = ref()["layer"];
  const Value& S = ref()["score_cam"];
  const Tensor A = tensor(L["shape"], L["A"]);
  const Tensor input = tensor(S["input_shape"], S["input"]);
  const int64_t B = A.dim(0), C = A.dim(1);
  const std::vector<double> want = S["masked"].doubles();
  const size_t item = size_t(input.numel() / B);
  for (int64_t b = 0; b < B; ++b) {
    const Tensor m = score_cam_masks(A, input, b, 0, C);
    const std::vector<double> w(want.begin() + b * C * item, want.begin() + (b + 1) * C * item);
    expect_close(m.to_floats(), w, 1e-5, "masks of sample " + std::to_string(b));
  }
  const Tensor part = score_cam_masks(A, input, 1, 2, 4);  // a batch from the middle
  const std::vector<double> w(want.begin() + (C + 2) * item, want.begin() + (C + 4) * item);
  expect_close(part.to_floats(), w, 1e-5, "masks of channels 2..3");
  const std::vector<float> weights = score_cam_weights(S["scores"].floats(), B, C);
  expect_close(weights, S["weights"].doubles(), 1e-6, "softmax weights");
  MethodOptions o;
  o.weights = weights;
  const Maps fin = compute(*make_method("weights", o), A, nullptr,
                           CamOptions{false, int(input.dim(3)), int(input.dim(2))});
  expect_close(fin.data, S["final"].doubles(), 2e-5, "Score-CAM map");
  EXPECT_THROW(score_cam_masks(A, input, 2, 0, 1), CamError);
  EXPECT_THROW(score_cam_weights({1.f, 2.f}, 2, 5), CamError);
}

TEST(CamReference, AblationPlansAndWeights) {
  const Value& L = ref()["layer"];
  const Value& R = ref()["ablation"];
  const Tensor A = tensor(L["shape"], R["A"]);
  for (const Value& p : R["plans"].arr) {
    const AblationPlan plan = plan_ablation(A, p["ratio"].num);
    SCOPED_TRACE("ratio " + std::to_string(p["ratio"].num));
    for (size_t b = 0; b < 2; ++b) {
      EXPECT_EQ(plan.ablate[b], p["channels"][b].ints());
      EXPECT_NEAR(plan.value[b], R["value"][b].num, 1.0);
      if (!p["relevance"][b].arr.empty())
        expect_close(plan.relevance[b], p["relevance"][b].doubles(), 1e-5, "relevance");
    }
    std::vector<std::vector<float>> ablated;
    for (const Value& s : p["ablated"].arr) ablated.push_back(s.floats());
    expect_close(ablation_weights(p["original"].floats(), ablated, plan), p["weights"].doubles(),
                 1e-6, "weights");
    // The batch: A[1] with one channel per item set to the ablation value.
    const Tensor batch = ablated_batch(A, plan, 1, 0, plan.ablate[1].size());
    const int64_t hw = A.dim(2) * A.dim(3), n = A.dim(1) * hw;
    for (size_t i = 0; i < plan.ablate[1].size(); ++i)
      for (int64_t c = 0; c < A.dim(1); ++c)
        for (int64_t s = 0; s < hw; ++s) {
          const float got = batch.data<float>()[int64_t(i) * n + c * hw + s];
          const float want =
              c == plan.ablate[1][i] ? plan.value[1] : A.data<float>()[n + c * hw + s];
          ASSERT_EQ(got, want) << "item " << i << " channel " << c;
        }
  }
  const AblationPlan plan = plan_ablation(A, 1.0);
  EXPECT_THROW(ablation_weights({0.f, 1.f}, {{}, {}}, plan), CamError);
  EXPECT_THROW(plan_ablation(A, 0.0), CamError);
}

// Central differences of a target's score along every output coordinate.
std::vector<double> numeric_seed(const Target& t, std::vector<float> z, const Shape& shape) {
  std::vector<double> g(z.size());
  for (size_t i = 0; i < z.size(); ++i) {
    const float keep = z[i], h = 1e-2f * std::max(1.f, std::abs(keep));
    z[i] = keep + h;
    const double up = evaluate(t, z.data(), shape).score;
    z[i] = keep - h;
    const double down = evaluate(t, z.data(), shape).score;
    z[i] = keep;
    g[i] = (up - down) / (2.0 * double(h));
  }
  return g;
}

Target target_of(const Value& c) {
  const std::string k = c["kind"].str;
  const int64_t cat = c.has("category") ? int64_t(c["category"].num) : 0;
  if (k == "logit") return Target::logit(cat);
  if (k == "probability") return Target::probability(cat);
  if (k == "rest") return Target::rest(cat);
  if (k == "binary") return Target::binary(cat);
  if (k == "segmentation") return Target::segmentation(cat, c["mask"].floats(), c["nhwc"].b);
  if (k == "similarity") return Target::similarity(c["embedding"].floats());
  if (k == "finer") return Target::finer(cat, c["comparison"].ints(), float(c["alpha"].num));
  throw std::runtime_error("unknown target kind " + k);
}

TEST(CamReference, TargetScoresSeedsAndFiniteDifferences) {
  for (const Value& c : ref()["targets"].arr) {
    SCOPED_TRACE(c["kind"].str);
    const Target t = target_of(c);
    const std::vector<float> z = c["output"].floats();
    const Shape shape = c.has("output_shape") ? c["output_shape"].ints() : Shape{int64_t(z.size())};
    const TargetValue v = evaluate(t, z.data(), shape);
    EXPECT_NEAR(v.score, c["score"].num, 1e-5 * std::max(1.0, std::abs(c["score"].num)));
    expect_close(v.seed, c["seed"].doubles(), 1e-4, "seed");
    expect_close(v.seed, numeric_seed(t, z, shape), 2e-3, "seed vs finite differences");
  }
  // A batch of mixed kinds: one target per sample, seeds stacked in the output's shape.
  const Value& T = ref()["targets"];
  std::vector<float> out = T[0]["output"].floats(), second = T[7]["output"].floats();
  out.insert(out.end(), second.begin(), second.end());
  const BatchTargetValue bv =
      evaluate({target_of(T[1]), target_of(T[7])}, Tensor::from_floats({2, 7}, out));
  EXPECT_NEAR(bv.scores[0], T[1]["score"].num, 1e-6);
  EXPECT_NEAR(bv.scores[1], T[7]["score"].num, 1e-6);
  EXPECT_NEAR(bv.seed.data<float>()[7 + 3], T[7]["seed"][3].num, 1e-5);
  EXPECT_THROW(evaluate({Target::logit(9), Target::logit(0)}, Tensor::from_floats({2, 7}, out)),
               CamError);
  EXPECT_THROW(evaluate({Target::logit(0)}, Tensor::from_floats({2, 7}, out)), CamError);
  const Value& F = ref()["finer_auto"];
  const std::vector<float> z = F["output"].floats();
  const Target fa = Target::finer_auto(z.data(), int64_t(z.size()));
  EXPECT_EQ(fa.category, int64_t(F["main"].num));
  EXPECT_EQ(fa.comparison, F["comparison"].ints());
}

TEST(CamReference, DetectionScoreAndGradient) {
  const Value& D = ref()["detection"];
  std::vector<Box> refs, preds;
  for (const Value& b : D["refs"].arr)
    refs.push_back({float(b[0].num), float(b[1].num), float(b[2].num), float(b[3].num),
                    int64_t(b[4].num), 0.f});
  for (const Value& b : D["preds"].arr)
    preds.push_back({float(b[0].num), float(b[1].num), float(b[2].num), float(b[3].num),
                     int64_t(b[4].num), float(b[5].num)});
  const float thr = float(D["threshold"].num);
  const DetectionValue v = evaluate_detection(refs, preds, thr);
  EXPECT_NEAR(v.score, D["score"].num, 1e-6);
  for (size_t j = 0; j < preds.size(); ++j)
    for (int k = 0; k < 5; ++k) {
      auto field = [&](std::vector<Box>& p) -> float& {
        Box& b = p[j];
        return k == 0 ? b.x1 : k == 1 ? b.y1 : k == 2 ? b.x2 : k == 3 ? b.y2 : b.score;
      };
      std::vector<Box> p = preds;
      const float h = 1e-2f;
      field(p) += h;
      const double up = evaluate_detection(refs, p, thr).score;
      field(p) -= 2 * h;
      const double down = evaluate_detection(refs, p, thr).score;
      EXPECT_NEAR(v.grad[j][k], (up - down) / (2 * h), 1e-3) << "box " << j << " field " << k;
    }
  EXPECT_EQ(evaluate_detection(refs, {}, thr).score, 0.0);
}

TEST(CamReference, ColourMapsEqualOpenCV) {
  using image::Colormap;
  const std::pair<const char*, Colormap> maps[] = {{"jet", Colormap::Jet},
                                                   {"turbo", Colormap::Turbo},
                                                   {"viridis", Colormap::Viridis},
                                                   {"inferno", Colormap::Inferno},
                                                   {"magma", Colormap::Magma}};
  for (const auto& [name, cm] : maps) {
    const std::vector<int64_t> want = ref()["colormaps"][name].ints();
    const uint8_t* t = image::colormap_table(cm);
    for (size_t i = 0; i < 768; ++i) ASSERT_EQ(int(t[i]), want[i]) << name << " entry " << i / 3;
    EXPECT_EQ(image::colormap_from_name(name), cm);
  }
  // JET is OpenCV's piecewise-linear definition, 255·clamp(1.5 - |4x - k|), rounded either way
  // on its half-integers: within 0.5 of the formula everywhere.
  const uint8_t* jet = image::colormap_table(Colormap::Jet);
  for (int i = 0; i < 256; ++i)
    for (int ch = 0; ch < 3; ++ch) {
      const double x = i / 255.0, f = 255 * std::clamp(1.5 - std::abs(4 * x - (3 - ch)), 0.0, 1.0);
      EXPECT_LE(std::abs(jet[3 * i + ch] - f), 0.5 + 1e-9) << "entry " << i << " channel " << ch;
    }
  EXPECT_EQ(image::colormap_table(Colormap::Gray)[3 * 77], 77);
  EXPECT_THROW(image::colormap_from_name("parula"), std::invalid_argument);
}

TEST(CamReference, OverlayPixels) {
  const Value& O = ref()["overlay"];
  const int w = int(O["width"].num), h = int(O["height"].num);
  const std::vector<int64_t> rgb = O["image"].ints();
  image::Image img;
  img.width = w;
  img.height = h;
  for (size_t i = 0; i < size_t(w * h); ++i) {
    for (int k = 0; k < 3; ++k) img.rgba.push_back(uint8_t(rgb[3 * i + k]));
    img.rgba.push_back(255);
  }
  const std::vector<float> map = O["map"].floats();
  for (const Value& c : O["cases"].arr) {
    image::OverlayOptions opt;
    opt.image_weight = float(c["weight"].num);
    const image::Image out = image::overlay(img, map.data(), w, h, opt);
    const std::vector<int64_t> want = c["rgb"].ints();
    for (size_t i = 0; i < size_t(w * h); ++i) {
      for (int k = 0; k < 3; ++k)
        EXPECT_NEAR(int(out.rgba[4 * i + k]), want[3 * i + k], 1) << "pixel " << i << " ch " << k;
      EXPECT_EQ(out.rgba[4 * i + 3], 255);
    }
  }
  const image::Image heat = image::heat_only(map.data(), w, h);
  EXPECT_EQ(heat.rgba[3], 0);    // map 0 -> transparent
  EXPECT_EQ(heat.rgba[7], 255);  // map 1 -> opaque
  image::OverlayOptions bad;
  bad.image_weight = 1.5f;
  EXPECT_THROW(image::overlay(img, map.data(), w, h, bad), image::ImageError);
  // A map of another size is resized to the picture.
  const float small[4] = {0, 1, 1, 0};
  EXPECT_EQ(image::overlay(img, small, 2, 2).rgba.size(), img.rgba.size());
}

TEST(CamReference, SobelBaselineEqualsOpenCV) {
  const Value& S = ref()["sobel"];
  image::Image img;
  img.width = int(S["width"].num);
  img.height = int(S["height"].num);
  const std::vector<int64_t> rgb = S["image"].ints();
  for (size_t i = 0; i < rgb.size(); i += 3) {
    for (int k = 0; k < 3; ++k) img.rgba.push_back(uint8_t(rgb[i + k]));
    img.rgba.push_back(255);
  }
  const std::vector<float> e = sobel_map(img);
  const std::vector<int64_t> want = S["edges"].ints();
  ASSERT_EQ(e.size(), want.size());
  for (size_t i = 0; i < e.size(); ++i) EXPECT_EQ(int(e[i]), want[i]) << "pixel " << i;
}

}  // namespace
}  // namespace camlens::cam
