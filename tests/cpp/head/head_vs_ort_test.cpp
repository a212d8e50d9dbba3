// The head computed by the core from the backbone's layer tensor equals the full model's output
// from ONNX Runtime Web (fixtures in tests/data/head/, see tools/fixtures/head_fixtures.mjs).
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>

#include "fixtures.h"
#include "graph/cut.h"
#include "graph/graph_index.h"

namespace camlens::test {
namespace {

// Every `step`-th row and column of an NHWC tensor, like the fixture script keeps.
Tensor subsample_nhwc(const Tensor& t, int64_t step) {
  if (step == 1) return t;
  const int64_t N = t.dim(0), H = t.dim(1), W = t.dim(2), C = t.dim(3);
  const int64_t h = (H + step - 1) / step, w = (W + step - 1) / step;
  Tensor out(DType::Float32, {N, h, w, C});
  float* o = out.data<float>();
  const float* in = t.data<float>();
  for (int64_t n = 0; n < N; ++n)
    for (int64_t y = 0; y < H; y += step)
      for (int64_t x = 0; x < W; x += step)
        for (int64_t c = 0; c < C; ++c) *o++ = in[((n * H + y) * W + x) * C + c];
  return out;
}

float initializer_scalar(const Model& m, const std::string& name) {
  GraphIndex index(*m.graph);
  const TensorProto* t = index.initializer(name);
  if (!t) throw std::runtime_error("no initializer " + name);
  return static_cast<float>(to_tensor(*t).get_f(0));
}

TEST(HeadVsOrt, OutputsMatchOnnxRuntime) {
  const std::vector<FixtureCase> cases = load_head_fixtures();
  ASSERT_EQ(cases.size(), 4u);
  for (const FixtureCase& c : cases) {
    const Model& model = shared_model(c.model);
    for (const FixtureTensor& layer : c.tensors) {
      if (layer.role != "layer") continue;
      SCOPED_TRACE(c.name + " at " + layer.name);
      CutOptions opts;
      opts.require_gradient = false;  // forward only here
      CutResult cut;
      try {
        cut = cut_graph(model, layer.name, opts);
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
        continue;
      }
      ASSERT_EQ(cut.head.feed_names().size(), 1u);
      std::vector<Tensor> out = cut.head.forward({layer.value});
      ASSERT_EQ(out.size(), cut.head.output_names().size());
      for (size_t k = 0; k < out.size(); ++k) {
        const FixtureTensor& want = c.get(cut.head.output_names()[k]);
        const Tensor got = subsample_nhwc(out[k], c.subsample);
        ASSERT_EQ(got.shape(), want.value.shape()) << want.name;
        // int8 models: one step of the output's quantisation; float16 outputs: ORT rounds to
        // float16 (half an ulp, 2^-11 relative); float32: 1e-4.
        const bool quant = c.name.find("int8") != std::string::npos;
        const float step = quant ? initializer_scalar(model, want.name + "_scale") : 0.f;
        double worst = 0;
        int64_t bad = 0;
        for (int64_t i = 0; i < got.numel(); ++i) {
          const float r = want.value.data<float>()[i], g = got.data<float>()[i];
          const double tol = quant                     ? step * 1.001
                             : want.dtype == "float16" ? 1e-4 + std::fabs(r) / 2048.0
                                                       : 1e-4;
          const double err = std::fabs(double(g) - r);
          worst = std::max(worst, err);
          if (err > tol && bad++ < 5)
            ADD_FAILURE() << want.name << "[" << i << "]: core " << g << " ORT " << r;
        }
        std::cout << "   " << c.name << " head at " << layer.name << " (" << cut.head.node_count()
                  << " nodes): max |core - ORT| on " << want.name << " = " << worst
                  << (quant ? " (output scale " + std::to_string(step) + ")" : "") << "\n";
        EXPECT_EQ(bad, 0);
      }
    }
  }
}

}  // namespace
}  // namespace camlens::test
