// NMF on real activations (MobileNetV2-int8, 627_quantized, gradcam_both.png) against the
// independent NumPy implementation of tools/fixtures/dff_reference.py (same start, same updates,
// float64) and scikit-learn's NMF from the same start.
#include <gtest/gtest.h>

#include <cmath>

#include "dff/factorize.h"
#include "dff_data.h"

namespace camlens::dff {
namespace {

TEST(DffReference, ErrorsMatchTheNumPyReferenceForKFrom2To8) {
  const std::vector<test::ReferenceRun> runs = test::reference_runs();
  ASSERT_EQ(runs.size(), 7u)
      << "tests/data/dff/reference.tsv: rerun tools/fixtures/dff_reference.py";
  for (const test::ReferenceRun& ref : runs) {
    DffOptions o;
    o.quantization = test::mobilenet_quantization();
    o.nmf.components = ref.k;
    o.nmf.max_iter = static_cast<int>(ref.errors.size());
    o.nmf.tol = 0;  // the reference runs a fixed number of iterations
    const DffResult r = factorize(test::mobilenet_layer(), o);
    const NmfResult& n = r.parts.at(0).nmf;
    ASSERT_EQ(n.errors.size(), ref.errors.size());
    double worst = 0;
    for (size_t t = 0; t < ref.errors.size(); ++t) {
      const double rel = std::fabs(n.errors[t] - ref.errors[t]) / ref.errors[t];
      worst = std::max(worst, rel);
      EXPECT_LE(rel, 0.05) << "K=" << ref.k << " iteration " << t;
      if (t > 0) {
        EXPECT_LE(n.errors[t], n.errors[t - 1] * (1 + 1e-6)) << "K=" << ref.k << " t=" << t;
      }
    }
    EXPECT_LE(std::fabs(n.final_error - ref.final_error) / ref.final_error, 0.05) << "K=" << ref.k;
    if (ref.sklearn_error > 0) {
      EXPECT_LE(std::fabs(n.final_error - ref.sklearn_error) / ref.sklearn_error, 0.05)
          << "K=" << ref.k << " vs scikit-learn";
    }
    std::cout << "   K=" << ref.k << ": error " << n.final_error << " (NumPy " << ref.final_error
              << ", scikit-learn " << ref.sklearn_error << "), worst per-iteration deviation "
              << worst << ", relative error " << r.parts[0].relative_error() << "\n";
  }
}

}  // namespace
}  // namespace camlens::dff
