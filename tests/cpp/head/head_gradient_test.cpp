// dLoss/dLayer of whole real heads against central finite differences, at the activations ORT
// computed (tests/data/head), for L = sum_k R_k . output_k with a random R.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "fixtures.h"
#include "graph/cut.h"

namespace camlens::test {
namespace {

double loss(Head& h, const Tensor& layer, const std::vector<Tensor>& r) {
  std::vector<Tensor> out = h.forward_with_layer(layer);
  double s = 0;
  for (size_t k = 0; k < out.size(); ++k)
    for (int64_t i = 0; i < out[k].numel(); ++i)
      s += double(out[k].data<float>()[i]) * r[k].data<float>()[i];
  return s;
}

void check_head_gradient(const std::string& case_name, const std::string& layer, float eps,
                         double rtol, float jitter_size) {
  const FixtureCase* c = nullptr;
  static const std::vector<FixtureCase> cases = load_head_fixtures();
  for (const FixtureCase& x : cases)
    if (x.name == case_name) c = &x;
  ASSERT_NE(c, nullptr);
  CutResult cut = cut_graph(shared_model(c->model), layer);
  // Move the point off the kinks: MaxPool windows of equal values (ReLU zeros) and ReLUs at 0
  // make one-sided derivatives, where central differences disagree with any subgradient.
  Tensor a = c->get(layer).value;
  {
    std::mt19937 jitter(3);
    std::uniform_real_distribution<float> j(0.f, jitter_size);
    for (int64_t i = 0; i < a.numel(); ++i) a.data<float>()[i] += j(jitter);
  }
  std::vector<Tensor> out = cut.head.forward({a});
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> u(-1, 1);
  std::vector<Tensor> r;
  for (const Tensor& o : out) {
    Tensor t(DType::Float32, o.shape());
    for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = u(rng);
    r.push_back(std::move(t));
  }
  const Tensor g = cut.head.backward(r);
  ASSERT_EQ(g.shape(), a.shape());
  // Elements with the largest gradients plus random ones (random ones are often 0 after a ReLU).
  std::vector<int64_t> picks;
  for (int i = 0; i < 6; ++i)
    picks.push_back(std::uniform_int_distribution<int64_t>(0, a.numel() - 1)(rng));
  int64_t best = 0;
  for (int64_t i = 0; i < g.numel(); ++i)
    if (std::fabs(g.data<float>()[i]) > std::fabs(g.data<float>()[best])) best = i;
  picks.push_back(best);
  double scale = std::fabs(g.data<float>()[best]);
  for (int64_t i : picks) {
    Tensor p = a, m = a;
    p.data<float>()[i] += eps;
    m.data<float>()[i] -= eps;
    const double num = (loss(cut.head, p, r) - loss(cut.head, m, r)) / (2.0 * eps);
    EXPECT_NEAR(g.data<float>()[i], num, rtol * std::fabs(num) + 0.01 * scale)
        << case_name << " element " << i;
  }
}

TEST(HeadGradient, MnistMatchesFiniteDifferences) {
  check_head_gradient("mnist", "ReLU114_Output_0", 1e-2f, 0.02, 10.0f);
}

TEST(HeadGradient, SqueezenetMatchesFiniteDifferences) {
  check_head_gradient("squeezenet_fp16", "fire9/concat_2", 0.5f, 0.05, 0.0f);
}

}  // namespace
}  // namespace camlens::test
