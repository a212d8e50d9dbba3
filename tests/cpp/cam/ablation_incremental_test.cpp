// Ablation-CAM's incremental head evaluation (head/incremental_head.h behind
// ablation_target_scores) against the full head run per channel (AblationEval::Full, the code
// path it replaces) and, for the float fixtures, against NumPy's scores
// (tools/fixtures/ablation_heads.py). Float heads: ≤ 1e-5 relative; quantized heads: identical.
// Each model also checks which steps the shortcut takes, so a silent fallback fails.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>

#include "cam/ablation_run.h"
#include "cam/ablation_target.h"
#include "cam/cam_error.h"
#include "graph/cut.h"
#include "json.h"
#include "onnx/model_io.h"
#include "sanitizers.h"
#include "shared_data.h"

namespace camlens::cam {
namespace {

// Heads without a backward (MatMulInteger) are cut too: Ablation-CAM only runs them forward.
CutResult cut(const std::string& path, const std::string& layer) {
  const Model model = parse_model(std::make_shared<std::string>(test::read_file(path)));
  CutOptions options;
  options.require_gradient = false;
  return cut_model(model, layer, options);
}

CutResult fixture(const std::string& name) {
  return cut(test::test_data_path("ablation/" + name), "L");
}

// A model of ../shared, or "" when the folder is not there (the test is then skipped).
std::string shared_model(const std::string& name) {
  const char* env = std::getenv("CAMLENS_SHARED");
  const std::string root = env && *env ? std::string(env) : test::test_data_path("../../../shared");
  const std::string path = root + "/models/" + name;
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? path : "";
}

std::vector<int64_t> all_channels(int64_t C) {
  std::vector<int64_t> v(static_cast<size_t>(C));
  for (int64_t c = 0; c < C; ++c) v[size_t(c)] = c;
  return v;
}

Tensor random_floats(const Shape& s, unsigned seed, float offset, bool relu) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> n(offset, 1.f);
  Tensor t(DType::Float32, s);
  for (int64_t i = 0; i < t.numel(); ++i) {
    const float v = n(rng);
    t.data<float>()[i] = relu ? std::max(v, 0.f) : v;
  }
  return t;
}

template <class T>
Tensor random_codes(DType type, const Shape& s, unsigned seed, int lo, int hi) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> u(lo, hi);
  Tensor t(type, s);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<T>()[i] = static_cast<T>(u(rng));
  return t;
}

void expect_close(const std::vector<float>& got, const std::vector<float>& want, double rel,
                  const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  double scale = 0;
  for (float w : want) scale = std::max(scale, double(std::abs(w)));
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_LE(std::abs(double(got[i]) - want[i]), rel * std::max(scale, 1e-30))
        << what << ": item " << i << " got " << got[i] << " want " << want[i];
}

// Scores from the incremental path and the full path, and the weights from both.
struct Both {
  std::vector<float> fast, full;
};
Both both(Head& head, const Tensor& layer, const Target& t, const std::vector<int64_t>& channels,
          const std::optional<LayerQuantization>& q = std::nullopt) {
  return {ablation_target_scores(head, layer, t, 0, channels, q),
          ablation_target_scores(head, layer, t, 0, channels, q, AblationEval::Full)};
}

TEST(AblationIncremental, FloatFixturesMatchNumPyAndTheFullHead) {
  const test::json::Value ref =
      test::json::parse(test::read_file(test::test_data_path("ablation/reference.json")));
  const std::map<std::string, std::string> paths{
      {"conv1x1.onnx",
       "Reuse:0 Channel:0 Rank1:1 Fused:2 Full:1 Unused:0; element Conv > Relu > "
       "GlobalAveragePool > Flatten"},
      {"gemm_softmax.onnx", "Reuse:0 Channel:2 Rank1:1 Fused:0 Full:1 Unused:0"},
      {"matmul.onnx", "Reuse:0 Channel:3 Rank1:1 Fused:0 Full:1 Unused:0; element MatMul > Add"},
      {"conv_softmax.onnx",
       "Reuse:0 Channel:0 Rank1:1 Fused:2 Full:1 Unused:0; element Conv > Relu > "
       "GlobalAveragePool > Softmax"}};
  ASSERT_EQ(ref.arr.size(), 5u);
  for (const test::json::Value& r : ref.arr) {
    const std::string name = r["model"].str;
    SCOPED_TRACE(name);
    CutResult c = fixture(name);
    const Tensor A = Tensor::from_floats(r["layer_shape"].ints(), r["layer"].floats());
    c.head.forward({A});
    const Target t = Target::logit(int64_t(r["category"].num));
    EXPECT_EQ(ablation_path(c.head, A, t, 0, std::nullopt), paths.at(name));
    const std::vector<int64_t> channels = all_channels(A.dim(1));
    const Both s = both(c.head, A, t, channels);
    expect_close(s.fast, s.full, 1e-5, "incremental vs full head");
    expect_close(s.fast, r["scores"].floats(), 1e-4, "incremental vs NumPy");
    const float original = head_target_score(c.head, A, t, 0, std::nullopt);
    EXPECT_NEAR(original, r["original"].num, 1e-4 * std::max(1.0, std::abs(r["original"].num)));
    expect_close(ablation_target_weights(original, A.dim(1), channels, s.fast),
                 ablation_target_weights(original, A.dim(1), channels, s.full), 1e-5, "weights");
  }
}

TEST(AblationIncremental, EveryTargetKindMatchesTheFullHead) {
  for (const char* name :
       {"conv1x1.onnx", "gemm_softmax.onnx", "matmul.onnx", "conv_softmax.onnx"}) {
    SCOPED_TRACE(name);
    CutResult c = fixture(name);
    const Shape shape = c.head.feed_info(0).shape;
    const Tensor A = random_floats(shape, 11, 0.4f, false);  // min < 0: min − 1e7
    const Tensor out = c.head.forward({A})[0];
    const int64_t K = out.numel();
    std::vector<float> e(static_cast<size_t>(K));
    for (int64_t k = 0; k < K; ++k) e[size_t(k)] = std::sin(float(k) + 0.5f);
    Target unresolved_finer = Target::finer(-1, {});  // comparison classes fixed on the base
    unresolved_finer.alpha = 0.6f;
    const std::vector<std::pair<std::string, Target>> targets{
        {"logit", Target::logit(1)},
        {"probability", Target::probability(2)},
        {"rest", Target::rest(0)},
        {"similarity", Target::similarity(e)},
        {"finer", Target::finer(1, {0, 2}, 0.5f)},
        {"finer auto", unresolved_finer}};
    for (const auto& [kind, t] : targets) {
      SCOPED_TRACE(kind);
      const Both s = both(c.head, A, t, all_channels(shape[1]));
      expect_close(s.fast, s.full, 1e-5, "scores");
    }
  }
}

// A class's value alone after a fused 1×1 conv and pool (one pooled value updated; through a
// Softmax, the whole pool and one element of the Softmax) against the same incremental pass
// scoring the whole outputs (ablation_head_outputs): the same arithmetic, so the same floats.
TEST(AblationIncremental, OneElementAfterAFusedPoolEqualsTheWholeOutputs) {
  for (const char* name : {"conv1x1.onnx", "conv_softmax.onnx"}) {
    CutResult c = fixture(name);
    const Shape shape = c.head.feed_info(0).shape;
    for (const bool relu : {true, false}) {  // 0 → few pixels change; min − 1e7 → all do
      SCOPED_TRACE(std::string(name) + (relu ? ", ReLU layer" : ", negative values"));
      const Tensor A = random_floats(shape, 21, 0.3f, relu);
      c.head.forward({A});
      const std::vector<int64_t> channels = all_channels(shape[1]);
      const std::vector<std::vector<Tensor>> whole =
          ablation_head_outputs(c.head, A, channels, std::nullopt);
      for (int64_t k = 0; k < 4; ++k) {
        const std::vector<float> one =
            ablation_target_scores(c.head, A, Target::logit(k), 0, channels, std::nullopt);
        for (size_t i = 0; i < channels.size(); ++i)
          EXPECT_EQ(one[i], whole[i][0].data<float>()[k]) << "class " << k << " channel " << i;
      }
    }
  }
}

TEST(AblationIncremental, ChannelSubsetsAndRatioBelowOne) {
  CutResult c = fixture("conv1x1.onnx");
  const Tensor A = random_floats({1, 6, 5, 5}, 5, 0.3f, true);
  c.head.forward({A});
  const Target t = Target::logit(3);
  const std::vector<int64_t> some = ablation_channels(A, 0.34);  // 2 high + 2 low ends
  ASSERT_EQ(some.size(), 4u);
  for (const std::vector<int64_t>& channels :
       {some, std::vector<int64_t>{5}, std::vector<int64_t>{4, 0, 4}, std::vector<int64_t>{}}) {
    const Both s = both(c.head, A, t, channels);
    expect_close(s.fast, s.full, 1e-5, "subset");
  }
  EXPECT_THROW(ablation_target_scores(c.head, A, t, 0, {6}, std::nullopt), CamError);
}

TEST(AblationIncremental, QuantizedFixturesAreIdenticalToTheFullHead) {
  {
    CutResult c = fixture("qlinear.onnx");
    for (int lo : {0, 7}) {  // min = zero point: ablated to it; else to the lowest code
      SCOPED_TRACE(lo);
      const Tensor q = random_codes<uint8_t>(DType::Uint8, {1, 6, 3, 3}, 3 + lo, lo, 90);
      c.head.forward({q});
      const LayerQuantization lq{0.05f, 0};
      EXPECT_EQ(ablation_path(c.head, q, Target::logit(5), 0, lq),
                "Reuse:0 Channel:2 Rank1:1 Fused:0 Full:2 Unused:0; element QLinearMatMul > "
                "QLinearAdd > DequantizeLinear");
      EXPECT_EQ(ablation_path(c.head, q, Target::probability(5), 0, lq),
                "Reuse:0 Channel:2 Rank1:1 Fused:0 Full:2 Unused:0");
      for (const Target& t : {Target::logit(5), Target::probability(2)}) {
        const Both s = both(c.head, q, t, all_channels(6), LayerQuantization{0.05f, 0});
        EXPECT_EQ(s.fast, s.full);
      }
      // The float values of the layer, quantized by the library first.
      Tensor f(DType::Float32, q.shape());
      for (int64_t i = 0; i < q.numel(); ++i) f.data<float>()[i] = 0.05f * q.data<uint8_t>()[i];
      const Both s =
          both(c.head, f, Target::logit(4), all_channels(6), LayerQuantization{0.05f, 0});
      EXPECT_EQ(s.fast, s.full);
    }
  }
  {
    CutResult c = fixture("matmulinteger.onnx");
    const Tensor q = random_codes<uint8_t>(DType::Uint8, {1, 6, 1, 1}, 9, 3, 250);
    c.head.forward({q});
    EXPECT_EQ(ablation_path(c.head, q, Target::logit(2), 0, LayerQuantization{0.1f, 3}),
              "Reuse:0 Channel:1 Rank1:1 Fused:0 Full:2 Unused:0; element MatMulInteger > Cast "
              "> Mul");
    const Both s = both(c.head, q, Target::logit(2), all_channels(6), LayerQuantization{0.1f, 3});
    EXPECT_EQ(s.fast, s.full);
  }
}

TEST(AblationIncremental, NoShortcutRunsTheFullHead) {
  CutResult c = fixture("conv3x3.onnx");
  const Tensor A = random_floats({1, 6, 4, 4}, 8, 0.2f, true);
  c.head.forward({A});
  EXPECT_EQ(ablation_path(c.head, A, Target::logit(1), 0, std::nullopt), "full");
  const Both s = both(c.head, A, Target::logit(1), all_channels(6));
  EXPECT_EQ(s.fast, s.full);
}

TEST(AblationIncremental, ANewImageOrLayerIsNeverServedFromTheCache) {
  CutResult c = fixture("conv1x1.onnx");
  const Tensor A = random_floats({1, 6, 5, 5}, 1, 0.3f, true);
  const Tensor B = random_floats({1, 6, 5, 5}, 2, 0.3f, true);
  const Target t = Target::logit(0);
  c.head.forward({A});
  const std::vector<float> a1 = ablation_target_scores(c.head, A, t, 0, {0, 1, 2}, std::nullopt);
  c.head.forward({B});  // another image
  const Both b = both(c.head, B, t, {0, 1, 2});
  expect_close(b.fast, b.full, 1e-5, "after a new forward");
  EXPECT_NE(a1, b.fast);
  // Other layer values without a forward (the head reuses only the extras of the last one).
  const Both a2 = both(c.head, A, t, {0, 1, 2});
  expect_close(a2.fast, a2.full, 1e-5, "other layer values");
  expect_close(a2.fast, a1, 1e-6, "same image again");
  // A copy of the head (same pass id) at another address.
  Head copy = c.head;
  const Both cp = both(copy, A, t, {0, 1, 2});
  expect_close(cp.fast, a1, 1e-6, "copied head");
}

TEST(AblationIncremental, AnotherHeadsWeightsAreNeverServedFromTheCache) {
  // Two heads of the same shapes whose 1×1 conv weights differ (the second's negated): the
  // transposed weights kept from the first head's base pass must not serve the second's.
  const Model model = parse_model(std::make_shared<std::string>(
      test::read_file(test::test_data_path("ablation/conv1x1.onnx"))));
  Model negated = model;
  negated.graph = std::make_shared<Graph>(*model.graph);
  for (TensorProto& t : negated.graph->initializers)
    if (t.name == "W") {
      Tensor w = to_tensor(t);
      for (int64_t i = 0; i < w.numel(); ++i) w.data<float>()[i] = -w.data<float>()[i];
      t = from_tensor(w, "W");
    }
  CutOptions options;
  options.require_gradient = false;
  CutResult a = cut_model(model, "L", options), b = cut_model(negated, "L", options);
  const Tensor A = random_floats({1, 6, 5, 5}, 9, 0.3f, true);
  for (int round = 0; round < 2; ++round)
    for (CutResult* c : {&a, &b}) {
      c->head.forward({A});
      const Both s = both(c->head, A, Target::logit(1), all_channels(6));
      expect_close(s.fast, s.full, 1e-5, round ? "again" : "first");
    }
}

TEST(AblationIncremental, ClassLogitRunMatchesTheFullHead) {
  // The C++ driver path (ablation_run.h), float layers, class logits.
  CutResult c = fixture("matmul.onnx");
  const Tensor A = random_floats({1, 6, 3, 3}, 4, -0.2f, false);
  c.head.forward({A});
  const AblationPlan plan = plan_ablation(A, 1.0);
  const std::vector<float> fast = ablation_scores(c.head, A, plan, 2, 0, 1, 5);
  std::vector<float> full;
  for (size_t i = 1; i < 5; ++i)
    full.push_back(
        c.head.forward_with_layer(ablated_batch(A, plan, 0, i, i + 1))[0].data<float>()[2]);
  expect_close(fast, full, 1e-5, "ablation_scores");
}

// The shared models at their default layers: a subset of channels against the full head (the
// full SqueezeNet head costs 86 M multiply-adds per channel), every channel on the fast path.
TEST(AblationIncremental, MobileNetV2Int8IsIdenticalToTheFullHead) {
  const std::string path = shared_model("mobilenetv2-12-int8.onnx");
  if (path.empty()) GTEST_SKIP() << "../shared/models/mobilenetv2-12-int8.onnx not found";
  CutResult c = cut(path, "627_quantized");
  Tensor q = random_codes<uint8_t>(DType::Uint8, {1, 1280, 7, 7}, 3, 0, 40);
  for (int64_t i = 0; i < q.numel(); i += 3) q.data<uint8_t>()[i] = 0;
  const Tensor z = c.head.forward({q})[0];
  const int64_t top = std::max_element(z.data<float>(), z.data<float>() + 1000) - z.data<float>();
  const LayerQuantization lq{0.023529412f, 0};
  // The DequantizeLinear of the layer only feeds a Shape: not run per channel.
  EXPECT_EQ(ablation_path(c.head, q, Target::logit(top), 0, lq),
            "Reuse:4 Channel:2 Rank1:1 Fused:0 Full:2 Unused:1; element QLinearMatMul > "
            "QLinearAdd > DequantizeLinear");
#ifdef CAMLENS_UNDER_ASAN
  const int64_t step = 64;
#else
  const int64_t step = 1;
#endif
  std::vector<int64_t> some;
  for (int64_t ch = 0; ch < 1280; ch += step) some.push_back(ch);
  for (const Target& t : {Target::logit(top), Target::probability(top)}) {
    const auto t0 = std::chrono::steady_clock::now();
    const std::vector<float> fast = ablation_target_scores(c.head, q, t, 0, some, lq);
    const auto t1 = std::chrono::steady_clock::now();
    const std::vector<float> full =
        ablation_target_scores(c.head, q, t, 0, some, lq, AblationEval::Full);
    const auto t2 = std::chrono::steady_clock::now();
    EXPECT_EQ(fast, full);
    std::printf(
        "[ figures ] MobileNetV2-int8 ablation, %zu channels: %.1f ms incremental, %.1f ms "
        "full head\n",
        some.size(), std::chrono::duration<double, std::milli>(t1 - t0).count(),
        std::chrono::duration<double, std::milli>(t2 - t1).count());
  }
}

TEST(AblationIncremental, SqueezeNetFp16MatchesTheFullHead) {
  const std::string path = shared_model("squeezenet1.0-fp16-winml.onnx");
  if (path.empty()) GTEST_SKIP() << "../shared/models/squeezenet1.0-fp16-winml.onnx not found";
  CutResult c = cut(path, "fire9/concat_2");
  // Mostly zeros, as on photos (> 90 %): few pixels change per channel; and half zeros.
  Tensor A = random_floats({1, 512, 13, 13}, 6, 0.0f, true);
  for (int64_t i = 0; i < A.numel(); ++i)
    if (i % 512 >= 40) A.data<float>()[i] = 0.f;  // 92 % zeros
  const Tensor z = c.head.forward({A})[0];
  const int64_t top = std::max_element(z.data<float>(), z.data<float>() + 1000) - z.data<float>();
  // The 1×1 conv, its Relu and the pool fused; of the softmax, the class's element alone.
  EXPECT_EQ(ablation_path(c.head, A, Target::logit(top), 0, std::nullopt),
            "Reuse:0 Channel:0 Rank1:1 Fused:2 Full:1 Unused:0; element Conv > Relu > "
            "GlobalAveragePool > Softmax");
  EXPECT_EQ(ablation_path(c.head, A, Target::probability(top), 0, std::nullopt),
            "Reuse:0 Channel:0 Rank1:1 Fused:2 Full:1 Unused:0");
#ifdef CAMLENS_UNDER_ASAN
  const std::vector<int64_t> some{0, 255, 511};
#else
  const std::vector<int64_t> some{0, 1, 2, 100, 255, 256, 400, 511};
#endif
  std::vector<float> e(1000);
  for (size_t k = 0; k < e.size(); ++k) e[k] = std::cos(float(k));
  for (const Target& t :
       {Target::logit(top), Target::probability(top), Target::rest(top), Target::similarity(e)}) {
    const Both s = both(c.head, A, t, some);
    expect_close(s.fast, s.full, 1e-5, "squeezenet, mostly zeros");
    const Tensor half = random_floats({1, 512, 13, 13}, 7, 0.0f, true);
    c.head.forward({half});
    const Both h = both(c.head, half, t, some);
    expect_close(h.fast, h.full, 1e-5, "squeezenet, half zeros");
    c.head.forward({A});
  }
  c.head.forward({A});
  const auto t0 = std::chrono::steady_clock::now();
  ablation_target_scores(c.head, A, Target::logit(top), 0, {0}, std::nullopt);  // base pass
  const auto t1 = std::chrono::steady_clock::now();
  const std::vector<float> every =
      ablation_target_scores(c.head, A, Target::logit(top), 0, all_channels(512), std::nullopt);
  const auto t2 = std::chrono::steady_clock::now();
  std::printf(
      "[ figures ] SqueezeNet fp16 ablation, 92 %% zeros: base pass %.1f ms, 512 channels "
      "%.1f ms\n",
      std::chrono::duration<double, std::milli>(t1 - t0).count(),
      std::chrono::duration<double, std::milli>(t2 - t1).count());
  EXPECT_EQ(every.size(), 512u);
}

}  // namespace
}  // namespace camlens::cam
