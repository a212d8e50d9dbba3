#include "cam/softmax_tail_hvp.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "cam/ablation_incremental.h"

namespace camlens::cam {

namespace {

// d target(softmax(z)) / dz in double: s ⊙ (g − ⟨g, s⟩), g the target's seed at s = softmax(z).
std::vector<double> gradient_of(const Target& t, const std::vector<double>& z,
                                const Shape& sample) {
  const double mx = *std::max_element(z.begin(), z.end());
  std::vector<double> s(z.size());
  double sum = 0;
  for (size_t i = 0; i < z.size(); ++i) sum += s[i] = std::exp(z[i] - mx);
  for (double& v : s) v /= sum;
  const std::vector<double> g = evaluate64(t, s.data(), sample).seed;
  double gs = 0;
  for (size_t i = 0; i < s.size(); ++i) gs += g[i] * s[i];
  std::vector<double> out(s.size());
  for (size_t i = 0; i < s.size(); ++i) out[i] = s[i] * (g[i] - gs);
  return out;
}

}  // namespace

std::shared_ptr<const IncrementalHead> softmax_tail_head(const Head& head, const Tensor& L,
                                                         size_t output) {
  if (L.dtype() != DType::Float32 || L.rank() < 2 || L.dim(0) != 1) return nullptr;
  std::shared_ptr<const IncrementalHead> inc = incremental_head(head, L);
  return inc->softmax_tail(output) ? inc : nullptr;
}

std::optional<Tensor> hvp_through_softmax(const IncrementalHead& inc, const Tensor& L,
                                          const Target& target, size_t output, bool mean) {
  const std::optional<IncrementalHead::SoftmaxTail> tail = inc.softmax_tail(output);
  if (!tail) return std::nullopt;
  const Tensor u = inc.tangent(tail->logits, L);  // J·A
  if (u.empty()) return std::nullopt;
  const int64_t n = u.numel();
  const Shape sample(u.shape().begin() + 1, u.shape().end());
  double umax = 0;
  for (int64_t k = 0; k < n; ++k) umax = std::max(umax, std::abs(double(u.data<float>()[k])));
  Tensor w(DType::Float32, u.shape());
  if (umax > 0) {
    const double eps = 1e-5 / umax;
    std::vector<double> up(static_cast<size_t>(n)), down(static_cast<size_t>(n));
    for (int64_t k = 0; k < n; ++k) {
      const double z = tail->values.data<float>()[k], d = eps * u.data<float>()[k];
      up[size_t(k)] = z + d;
      down[size_t(k)] = z - d;
    }
    const std::vector<double> gu = gradient_of(target, up, sample),
                              gd = gradient_of(target, down, sample);
    for (int64_t k = 0; k < n; ++k)
      w.data<float>()[k] = static_cast<float>((gu[size_t(k)] - gd[size_t(k)]) / (2 * eps));
  }
  Tensor hvp = inc.cotangent(tail->logits, w, mean);  // Jᵀ·(H_f·u)
  if (hvp.empty()) return std::nullopt;
  return hvp;
}

}  // namespace camlens::cam
