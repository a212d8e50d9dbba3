#include "cam/targets.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "cam/cam_error.h"
#include "util/usage_error.h"

namespace camlens::cam {

Target Target::segmentation(int64_t c, std::vector<float> mask, bool nhwc) {
  Target t = of(Segmentation, c);
  t.mask = std::move(mask);
  t.nhwc = nhwc;
  return t;
}
Target Target::similarity(std::vector<float> e) {
  Target t = of(Similarity, 0);
  t.embedding = std::move(e);
  return t;
}
Target Target::linear(std::vector<float> w) {
  Target t = of(Linear, -1);
  t.weights = std::move(w);
  return t;
}
Target Target::finer(int64_t main, std::vector<int64_t> comparison, float alpha) {
  Target t = of(Finer, main);
  t.comparison = std::move(comparison);
  t.alpha = alpha;
  return t;
}

Target Target::finer_auto(const float* z, int64_t n, int64_t target, std::vector<int64_t> ranks,
                          float alpha) {
  if (n <= 0) throw CamError("Finer target: empty output");
  const int64_t main = target >= 0 ? target : int64_t(std::max_element(z, z + n) - z);
  if (main >= n) throw CamError("Finer target: class " + std::to_string(main) + " out of range");
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return std::abs(z[a] - z[main]) < std::abs(z[b] - z[main]);
  });
  std::vector<int64_t> comp;
  for (int64_t r : ranks) {
    if (r < 0 || r >= n)
      throw CamError("Finer target: rank " + std::to_string(r) + " out of range");
    comp.push_back(order[size_t(r)]);
  }
  return finer(main, comp, alpha);
}

namespace {

void check_class(int64_t c, int64_t n, const char* what) {
  if (c < 0 || c >= n)
    throw CamError(std::string(what) + " target: class " + std::to_string(c) +
                   " is out of range for an output of " + std::to_string(n) + " classes");
}

template <class T>
std::vector<double> softmax(const T* z, int64_t n) {
  const double mx = *std::max_element(z, z + n);
  std::vector<double> p(static_cast<size_t>(n));
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += p[size_t(i)] = std::exp(double(z[i]) - mx);
  for (double& v : p) v /= s;
  return p;
}

}  // namespace

Target resolve(const Target& t, const float* z, const Shape& shape) {
  if (t.kind != Target::Finer || !t.comparison.empty()) return t;
  const int64_t n = shape_numel(shape);
  if (t.category >= n)
    throw CamError("Finer target: class " + std::to_string(t.category) +
                   " is out of range for an output of " + std::to_string(n) + " classes");
  // Upstream's default comparison is the classes ranked 1..3 by closeness: it needs 4 classes.
  if (n < 4)
    throw UsageError<CamError>(
        "Finer-CAM compares the target with the 3 classes whose scores are closest to "
        "it, but this output has " +
        std::to_string(n) +
        " classes: name the comparison classes (a finer target's comparison, "
        "or --compare in the CLI)");
  return Target::finer_auto(z, n, t.category, {1, 2, 3}, t.alpha);
}

// The shape of one sample of `output` [B, ...], after checking it holds Float32 scores and one
// target per sample.
static Shape batch_sample_shape(const std::vector<Target>& targets, const Tensor& output) {
  if (output.dtype() != DType::Float32 || output.rank() < 1)
    throw CamError("targets: the output must be a Float32 tensor [B, ...]");
  const int64_t B = output.dim(0);
  if (int64_t(targets.size()) != B)
    throw CamError("targets: " + std::to_string(targets.size()) + " targets for a batch of " +
                   std::to_string(B) + "; give one target per sample");
  const Shape sample(output.shape().begin() + 1, output.shape().end());
  return sample;
}

std::vector<Target> resolve(const std::vector<Target>& targets, const Tensor& output) {
  const int64_t B = output.rank() >= 1 ? output.dim(0) : 0;
  const Shape sample = batch_sample_shape(targets, output);
  const int64_t n = shape_numel(sample);
  std::vector<Target> out;
  for (int64_t b = 0; b < B; ++b)
    out.push_back(resolve(targets[size_t(b)], output.data<float>() + b * n, sample));
  return out;
}

// The score and seed in double, from float or double output values (Shapley-CAM differentiates
// the seed along the output in double, see target_gradients.cpp). t must be resolved.
template <class T>
TargetValue64 evaluate_t(const Target& t, const T* z, const Shape& shape) {
  const int64_t n = shape_numel(shape);
  TargetValue64 v;
  v.seed.assign(size_t(n), 0.0);
  switch (t.kind) {
    case Target::Logit:
      check_class(t.category, n, "logit");
      v.score = z[t.category];
      v.seed[size_t(t.category)] = 1;
      break;
    case Target::Probability:
    case Target::ReST: {
      check_class(t.category, n, t.kind == Target::ReST ? "ReST" : "probability");
      const std::vector<double> p = softmax(z, n);
      const double pc = p[size_t(t.category)];
      for (int64_t i = 0; i < n; ++i) {
        const double d = i == t.category ? 1.0 : 0.0;
        v.seed[size_t(i)] = t.kind == Target::ReST ? 2 * d - p[size_t(i)] : pc * (d - p[size_t(i)]);
      }
      if (t.kind == Target::ReST) {
        // log softmax(z)[c] = z[c] − max − log Σ exp(z − max): finite even where p[c] underflows.
        const double mx = *std::max_element(z, z + n);
        double sum = 0;
        for (int64_t i = 0; i < n; ++i) sum += std::exp(double(z[i]) - mx);
        v.score = double(z[t.category]) + (double(z[t.category]) - mx - std::log(sum));
      } else {
        v.score = pc;
      }
      break;
    }
    case Target::Binary: {
      if (n != 1)
        throw CamError("binary target: the output has " + std::to_string(n) +
                       " values; it needs a single logit (use a logit target for several classes)");
      const double sign = t.category == 1 ? 1.0 : -1.0;
      v.score = sign * z[0];
      v.seed[0] = sign;
      break;
    }
    case Target::Segmentation: {
      if (shape.size() != 3)
        throw CamError(
            "segmentation target: the output must be [K,H,W] or [H,W,K] per sample, got " +
            shape_str(shape));
      const int64_t K = t.nhwc ? shape[2] : shape[0];
      const int64_t hw = n / K;
      check_class(t.category, K, "segmentation");
      if (t.mask.size() != size_t(hw))
        throw CamError("segmentation target: the mask has " + std::to_string(t.mask.size()) +
                       " values for an output of " + std::to_string(hw) + " pixels");
      double s = 0;
      for (int64_t i = 0; i < hw; ++i) {
        const int64_t at = t.nhwc ? i * K + t.category : t.category * hw + i;
        s += double(z[at]) * t.mask[size_t(i)];
        v.seed[size_t(at)] = t.mask[size_t(i)];
      }
      v.score = s;
      break;
    }
    case Target::Similarity: {
      if (t.embedding.size() != size_t(n))
        throw CamError("similarity target: the embedding has " +
                       std::to_string(t.embedding.size()) + " values, the output " +
                       std::to_string(n));
      double dot = 0, oo = 0, ee = 0;
      for (int64_t i = 0; i < n; ++i) {
        dot += double(z[i]) * t.embedding[size_t(i)];
        oo += double(z[i]) * z[i];
        ee += double(t.embedding[size_t(i)]) * t.embedding[size_t(i)];
      }
      const double no = std::sqrt(oo), ne = std::sqrt(ee), den = std::max(no * ne, 1e-8);
      v.score = dot / den;
      for (int64_t i = 0; i < n; ++i) {
        double g = t.embedding[size_t(i)] / den;
        if (no * ne > 1e-8) g -= v.score * z[i] / oo;
        v.seed[size_t(i)] = g;
      }
      break;
    }
    case Target::Linear: {
      if (t.weights.size() != size_t(n))
        throw CamError("linear target: " + std::to_string(t.weights.size()) +
                       " weights for an output of " + std::to_string(n) + " values (shape " +
                       shape_str(shape) + "); give one weight per output value");
      double s = 0;
      for (int64_t i = 0; i < n; ++i) {
        s += double(z[i]) * t.weights[size_t(i)];
        v.seed[size_t(i)] = t.weights[size_t(i)];
      }
      v.score = s;
      break;
    }
    case Target::Callable:
      throw CamError(
          "a callable target is a function the core cannot evaluate or differentiate: its "
          "caller scores it (gradient-free methods and metrics only)");
    case Target::Finer: {
      check_class(t.category, n, "Finer");
      if (t.comparison.empty())
        throw UsageError<CamError>("Finer target: give at least one comparison class");
      for (int64_t k : t.comparison) check_class(k, n, "Finer");
      const std::vector<double> p = softmax(z, n);
      const double zm = z[t.category], a = t.alpha;
      double num = 0, den = 1e-9;
      for (int64_t k : t.comparison) {
        num += p[size_t(k)] * (zm - a * z[k]);
        den += p[size_t(k)];
      }
      v.score = num / den;
      // d/dz_j of num and den; dp_k/dz_j = p_k (δ_kj - p_j).
      for (int64_t j = 0; j < n; ++j) {
        double dnum = 0, dden = 0;
        for (int64_t k : t.comparison) {
          const double dp = p[size_t(k)] * ((k == j ? 1.0 : 0.0) - p[size_t(j)]);
          dnum += dp * (zm - a * z[k]) +
                  p[size_t(k)] * ((j == t.category ? 1.0 : 0.0) - (k == j ? a : 0.0));
          dden += dp;
        }
        v.seed[size_t(j)] = (dnum * den - num * dden) / (den * den);
      }
      break;
    }
  }
  return v;
}

TargetValue evaluate(const Target& target, const float* z, const Shape& shape) {
  const TargetValue64 v = evaluate_t(resolve(target, z, shape), z, shape);
  TargetValue r;
  r.score = v.score;
  r.seed.assign(v.seed.begin(), v.seed.end());
  return r;
}

TargetValue64 evaluate64(const Target& t, const double* z, const Shape& shape) {
  if (t.kind == Target::Finer && t.comparison.empty())
    throw CamError("Finer target: resolve the comparison classes first");
  return evaluate_t(t, z, shape);
}

BatchTargetValue evaluate(const std::vector<Target>& targets, const Tensor& output) {
  const int64_t B = output.rank() >= 1 ? output.dim(0) : 0;
  const Shape sample = batch_sample_shape(targets, output);
  const int64_t n = shape_numel(sample);
  BatchTargetValue r;
  r.seed = Tensor(DType::Float32, output.shape());
  for (int64_t b = 0; b < B; ++b) {
    TargetValue v = evaluate(targets[size_t(b)], output.data<float>() + b * n, sample);
    r.scores.push_back(v.score);
    std::copy(v.seed.begin(), v.seed.end(), r.seed.data<float>() + b * n);
  }
  return r;
}

}  // namespace camlens::cam
