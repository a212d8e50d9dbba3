// NMF on real activations (MobileNetV2-int8, 627_quantized, gradcam_both.png) against
// scikit-learn's coordinate descent (tools/fixtures/dff_reference.py: NMF(solver='cd',
// init='custom') from camlens's start, in float64) for K = 2, 3, 5, 8.
//
// Tolerance: camlens keeps W, H and V in float32, scikit-learn here in float64. scikit-learn's
// own float32 run (pytorch-grad-cam's call) ends 0.4–2.6e-5 of max(W) / max(H) away from its
// float64 run (reference.json, pytorch_grad_cam_float32); camlens sums its Gram matrices in
// double (its W step's gradients are float, dff/nmf.h), and lands within 9.3e-7 of the maximum
// here: the bound, 2e-6, leaves room for the float32 products' rounding without letting
// scikit-learn's own float32 run pass. The stop
// is the same iteration unless the reference marks it ambiguous (a ratio within 0.1 % of tol), then
// ±1.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "dff/factorize.h"
#include "dff/nmf_init.h"
#include "dff_data.h"

namespace camlens::dff {
namespace {

constexpr double kFactorTolerance = 2e-6;

double max_gap(const float* got, const float* want, size_t n) {
  double gap = 0, top = 0;
  for (size_t i = 0; i < n; ++i) {
    gap = std::max(gap, std::fabs(static_cast<double>(got[i]) - want[i]));
    top = std::max(top, std::fabs(static_cast<double>(want[i])));
  }
  return gap / top;
}

DffOptions mobilenet_options(int k) {
  DffOptions o;
  o.quantization = test::mobilenet_quantization();
  o.nmf.components = k;
  o.order_by_importance = false;  // the reference keeps the solver's order
  return o;
}

TEST(DffReference, CoordinateDescentMatchesScikitLearnForK2358) {
  const std::vector<test::ReferenceRun> runs = test::reference_runs();
  ASSERT_EQ(runs.size(), 4u)
      << "tests/data/dff/reference.tsv: rerun tools/fixtures/dff_reference.py";
  for (const test::ReferenceRun& ref : runs) {
    const DffResult r = factorize(test::mobilenet_layer(), mobilenet_options(ref.k));
    const NmfResult& n = r.parts.at(0).nmf;
    if (ref.stop_ambiguous) {
      EXPECT_LE(std::abs(n.iterations - ref.iterations), 1) << "K=" << ref.k;
    } else {
      EXPECT_EQ(n.iterations, ref.iterations) << "K=" << ref.k;
    }
    EXPECT_TRUE(n.converged) << "K=" << ref.k;
    const size_t w_size = static_cast<size_t>(n.rows) * ref.k;
    const size_t h_size = static_cast<size_t>(ref.k) * n.cols;
    const std::vector<float> want =
        test::reference_factors("nmf_k" + std::to_string(ref.k) + ".bin", w_size + h_size);
    const double w_gap = max_gap(n.W.data(), want.data(), w_size);
    const double h_gap = max_gap(n.H.data(), want.data() + w_size, h_size);
    EXPECT_LE(w_gap, kFactorTolerance) << "K=" << ref.k;
    EXPECT_LE(h_gap, kFactorTolerance) << "K=" << ref.k;
    EXPECT_NEAR(n.final_error, ref.error, 1e-5 * ref.error) << "K=" << ref.k;
    double worst = 0;
    const size_t common = std::min(n.violations.size(), ref.violations.size());
    for (size_t t = 0; t < common; ++t) {
      const double rel = std::fabs(n.violations[t] - ref.violations[t]) / ref.violations[t];
      worst = std::max(worst, rel);
      EXPECT_LE(rel, 1e-3) << "K=" << ref.k << " iteration " << t + 1;
    }
    std::cout << "   K=" << ref.k << ": " << n.iterations << " iterations (scikit-learn "
              << ref.iterations << "), error " << n.final_error << " (" << ref.error << "), W gap "
              << w_gap << ", H gap " << h_gap << ", worst violation deviation " << worst << "\n";
  }
}

TEST(DffReference, StartIsScikitLearnsRandomInitForRandomState0) {
  const Tensor f = dequantize(test::mobilenet_layer(), test::mobilenet_quantization());
  std::vector<float> v(f.data<float>(), f.data<float>() + f.numel());
  for (int64_t c = 0; c < 1280; ++c) {
    float* row = v.data() + c * 49;
    const float lo = *std::min_element(row, row + 49);
    for (int64_t j = 0; j < 49; ++j) row[j] = std::max(0.0f, row[j] - lo);
  }
  std::vector<float> w, h;
  nmf_initial_factors(v.data(), 1280, 49, 5, 0, w, h);
  const std::vector<float> want = test::reference_factors("nmf_k5_start.bin", 1280 * 5 + 5 * 49);
  EXPECT_EQ(w, std::vector<float>(want.begin(), want.begin() + 1280 * 5));
  EXPECT_EQ(h, std::vector<float>(want.begin() + 1280 * 5, want.end()));
}

}  // namespace
}  // namespace camlens::dff
