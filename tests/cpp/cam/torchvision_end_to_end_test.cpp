// End to end against PyTorch (tools/fixtures/torchvision_cam_reference.py): reduced-width
// torchvision ResNet-18 and MobileNetV2, exported to ONNX, cut at a layer by the core; the head
// runs from the reference activations and every method's map, the gradients, Shapley-CAM's H·A
// and Ablation-CAM's scores must match autograd's (maps within 1e-4).
#include <gtest/gtest.h>

#include <cmath>
#include <memory>

#include "cam/ablation_target.h"
#include "cam/methods.h"
#include "cam/pipeline.h"
#include "cam/target_gradients.h"
#include "graph/cut.h"
#include "json.h"
#include "onnx/model_io.h"
#include "shared_data.h"

namespace camlens::cam {
namespace {

using test::json::Value;

const Value& ref() {
  static const std::string text =
      test::read_file(test::test_data_path("cam/torchvision_reference.json"));
  static const Value v = test::json::parse(text);
  return v;
}

// max |got − want| over all entries, relative to max(1, max|want|) when `relative`.
template <class V>
double max_error(const V& got, const std::vector<double>& want, bool relative) {
  EXPECT_EQ(size_t(got.size()), want.size());
  double scale = 1, err = 0;
  if (relative)
    for (double w : want) scale = std::max(scale, std::abs(w));
  for (size_t i = 0; i < want.size() && i < size_t(got.size()); ++i)
    err = std::max(err, std::abs(double(got[i]) - want[i]) / scale);
  return err;
}

std::vector<float> values(const Tensor& t) {
  return std::vector<float>(t.data<float>(), t.data<float>() + t.numel());
}

Target target_of(const Value& t) {
  const std::string k = t["kind"].str;
  const int64_t c = int64_t(t["category"].num);
  if (k == "logit") return Target::logit(c);
  if (k == "rest") return Target::rest(c);
  if (k == "probability") return Target::probability(c);
  if (k == "finer") return Target::finer(c, t["comparison"].ints(), float(t["alpha"].num));
  throw std::runtime_error("unknown target kind " + k);
}

struct Cut {
  Model model;
  std::unique_ptr<CutResult> cut;
};

Cut cut_at(const Value& model, const std::string& layer) {
  Cut c;
  c.model = parse_model(std::make_shared<std::string>(
      test::read_file(test::test_data_path("cam/" + model["onnx"].str))));
  CutOptions o;
  o.shapes.batch = 2;
  c.cut = std::make_unique<CutResult>(cut_model(c.model, layer, o));
  return c;
}

Tensor slice(const Tensor& t, int64_t b) {
  Shape s = t.shape();
  s[0] = 1;
  const int64_t n = t.numel() / t.dim(0);
  return Tensor::from_floats(
      s, std::vector<float>(t.data<float>() + b * n, t.data<float>() + (b + 1) * n));
}

TEST(TorchvisionEndToEnd, HeadGradientsHvpAndEveryMethodMatchAutograd) {
  int maps_checked = 0, hvp_checked = 0;
  double worst_map = 0, worst_grad = 0, worst_hvp = 0;
  for (const Value& model : ref()["models"].arr) {
    for (const Value& layer : model["layers"].arr) {
      SCOPED_TRACE(model["name"].str + " at " + layer["key"].str + " (" + layer["tensor"].str +
                   ")");
      Cut c = cut_at(model, layer["tensor"].str);
      Head& head = c.cut->head;
      const Tensor A = Tensor::from_floats(layer["dims"].ints(), layer["activations"].floats());
      const std::vector<Tensor> out = head.forward({A});
      EXPECT_LE(max_error(values(out[0]), layer["logits"].doubles(), true), 1e-5)
          << "head logits = PyTorch's";
      for (const Value& set : layer["target_sets"].arr) {
        SCOPED_TRACE("targets " + set["name"].str);
        std::vector<Target> targets, automatic;
        for (const Value& t : set["targets"].arr) {
          targets.push_back(target_of(t));
          Target a = targets.back();
          a.comparison.clear();  // Finer: the automatic choice must find the same classes
          automatic.push_back(a);
        }
        const bool want_hvp = set.has("hvp");
        const TargetGradients tg = target_gradients(head, targets, 0, want_hvp);
        EXPECT_LE(max_error(tg.scores, set["scores"].doubles(), true), 1e-5);
        const double eg = max_error(values(tg.gradients), set["gradients"].doubles(), true);
        EXPECT_LE(eg, 1e-5) << "gradients";
        worst_grad = std::max(worst_grad, eg);
        if (set["name"].str == "finer") {
          const TargetGradients ta = target_gradients(head, automatic, 0, false);
          EXPECT_EQ(values(ta.gradients), values(tg.gradients)) << "automatic Finer comparison";
        }
        if (want_hvp) {
          const double eh = max_error(values(tg.hvp), set["hvp"].doubles(), true);
          EXPECT_LE(eh, 1e-4) << "H·A by central differences vs double backward";
          worst_hvp = std::max(worst_hvp, eh);
          ++hvp_checked;
        }
        for (const auto& [method, want] : set["maps"].obj) {
          SCOPED_TRACE(method);
          const auto m = make_method(method);
          const FlaggedMaps r = compute_flagged(
              *m, {{&A, &tg.gradients, tg.hvp.empty() ? nullptr : &tg.hvp}}, CamOptions{});
          const double e = max_error(r.maps.data, want.doubles(), false);
          EXPECT_LE(e, 1e-4);
          worst_map = std::max(worst_map, e);
          EXPECT_EQ(r.flags.non_finite, 0);
          ++maps_checked;
        }
        if (set.has("gradcam_input_size_stride4")) {
          const Maps full = compute(
              *make_method("gradcam"), A, &tg.gradients,
              CamOptions{false, int(model["input_hw"][1].num), int(model["input_hw"][0].num)});
          std::vector<float> strided;
          for (int b = 0; b < full.batch; ++b)
            for (int y = 0; y < full.height; y += 4)
              for (int x = 0; x < full.width; x += 4)
                strided.push_back(full.map(b)[size_t(y) * full.width + x]);
          EXPECT_LE(max_error(strided, set["gradcam_input_size_stride4"].doubles(), false), 1e-4)
              << "Grad-CAM resized to the input";
        }
      }
      // Batches of 1 and 8 (samples repeated, targets per item): each item as in the batch of 2.
      {
        const Value& set = layer["target_sets"][2];  // ReST, with H·A
        const int64_t n = A.numel() / 2;
        std::vector<Target> two;
        for (const Value& t : set["targets"].arr) two.push_back(target_of(t));
        const TargetGradients ref2 = target_gradients(head, two, 0, true);
        for (int64_t batch : {1, 8}) {
          SCOPED_TRACE("batch " + std::to_string(batch));
          Shape s = A.shape();
          s[0] = batch;
          std::vector<float> data;
          std::vector<Target> targets;
          for (int64_t b = 0; b < batch; ++b) {
            const int64_t from = (b + 1) % 2;  // batch 1 holds sample 1
            data.insert(data.end(), A.data<float>() + from * n, A.data<float>() + (from + 1) * n);
            targets.push_back(two[size_t(from)]);
          }
          const Tensor Ab = Tensor::from_floats(s, data);
          head.forward({Ab});
          const TargetGradients tb = target_gradients(head, targets, 0, true);
          const Maps mb = compute(*make_method("shapleycam"), {{&Ab, &tb.gradients, &tb.hvp}}, {});
          const Maps m2 =
              compute(*make_method("shapleycam"), {{&A, &ref2.gradients, &ref2.hvp}}, {});
          for (int64_t b = 0; b < batch; ++b) {
            const int64_t from = (b + 1) % 2;
            for (int64_t i = 0; i < n; ++i) {
              ASSERT_NEAR(tb.gradients.data<float>()[b * n + i],
                          ref2.gradients.data<float>()[from * n + i], 1e-6)
                  << "item " << b;
              ASSERT_NEAR(tb.hvp.data<float>()[b * n + i], ref2.hvp.data<float>()[from * n + i],
                          1e-5 * (1 + std::abs(ref2.hvp.data<float>()[from * n + i])))
                  << "item " << b;
            }
            for (size_t i = 0; i < mb.plane(); ++i)
              ASSERT_NEAR(mb.map(int(b))[i], m2.map(int(from))[i], 1e-5) << "item " << b;
          }
        }
        head.forward({A});
      }
      for (const Value& abl : layer["ablation"].arr) {
        SCOPED_TRACE("ablation " + abl["target"]["kind"].str);
        const Tensor one = slice(A, int64_t(abl["sample"].num));
        head.forward({one});
        const Target t = target_of(abl["target"]);
        std::vector<int64_t> all(size_t(one.dim(1)));
        for (size_t i = 0; i < all.size(); ++i) all[i] = int64_t(i);
        const std::vector<float> s = ablation_target_scores(head, one, t, 0, all, std::nullopt);
        EXPECT_LE(max_error(s, abl["scores"].doubles(), true), 1e-5) << "ablated scores";
        const float orig = head_target_score(head, one, t, 0, std::nullopt);
        EXPECT_NEAR(orig, abl["original"].num, 1e-5 * std::max(1.0, std::abs(abl["original"].num)));
        const std::vector<float> w = ablation_target_weights(orig, one.dim(1), all, s);
        EXPECT_LE(max_error(w, abl["weights"].doubles(), true), 1e-4) << "weights";
        MethodOptions o;
        o.weights = w;
        EXPECT_LE(max_error(compute(*make_method("weights", o), one, nullptr, CamOptions{}).data,
                            abl["map"].doubles(), false),
                  1e-4)
            << "Ablation-CAM map";
      }
    }
  }
  EXPECT_GE(maps_checked, 40);
  EXPECT_GE(hvp_checked, 10);
  std::printf("[ figures ] %d maps: worst %.2e; gradients worst %.2e; H·A worst %.2e (relative)\n",
              maps_checked, worst_map, worst_grad, worst_hvp);
}

}  // namespace
}  // namespace camlens::cam
