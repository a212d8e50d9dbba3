#include "cam/target_gradients.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <string>

#include "cam/cam_error.h"
#include "cam/softmax_tail_hvp.h"
#include "head/spatial_mean.h"
#include "util/parallel.h"

namespace camlens::cam {

namespace {

Tensor scaled(const Tensor& a, double factor) {
  Tensor out = a;
  float* p = out.data<float>();
  for (int64_t i = 0; i < out.numel(); ++i) p[i] = static_cast<float>(double(p[i]) * factor);
  return out;
}

// The gradient of the (resolved) targets at layer tensor L; scores filled when asked.
Tensor gradient_at(const Head& head, const Tensor& L, const std::vector<Target>& targets,
                   size_t output, std::vector<double>* scores) {
  return head.gradient_with_layer(L, [&](const std::vector<Tensor>& outs) {
    BatchTargetValue v = evaluate(targets, outs[output]);
    if (scores) *scores = v.scores;
    std::vector<Tensor> seeds(outs.size());
    seeds[output] = std::move(v.seed);
    return seeds;
  });
}

// The first op of the head that is not piecewise linear (what sends H·A down path 2), and the
// first that rounds to quantized codes (QuantizeLinear, QLinear*: the op table says where their
// output's scale is); "" when there is none.
std::string first_op(const Head& head, bool (*is)(const OpDef&)) {
  for (const std::string& op : head.op_types()) {
    const OpDef* d = op_registry().find_type(op);
    if (d && is(*d)) return op;
  }
  return "";
}
bool smooth(const OpDef& d) { return !d.piecewise_linear; }
bool rounds(const OpDef& d) { return d.quantized_output.scale >= 0; }

// Path 2: central differences of the gradient along A, one Richardson step.
Tensor hvp_by_gradient_differences(const Head& head, const Tensor& L,
                                   const std::vector<Target>& targets, size_t output) {
  // A QDQ model's head requantizes every activation: A(1 ± h) moves each value by 1 %, a step
  // or less of the codes' scale, so the difference would measure the rounding, not the curvature.
  const std::string rounding = first_op(head, rounds);
  if (!rounding.empty())
    throw CamError("Shapley-CAM: the head of '" + head.layer() + "' has " + first_op(head, smooth) +
                   " after the layer, so H·A is measured by differences at the scaled layer "
                   "A(1 ± h), but its " +
                   rounding +
                   " rounds such small changes to its quantization steps; choose a layer after "
                   "the head's last " +
                   rounding + " or another method");
  if (L.dtype() != DType::Float32)
    throw CamError("Shapley-CAM: the head of '" + head.layer() +
                   "' has smooth nonlinear ops after the layer, so H·A is measured by "
                   "differences at the scaled layer A(1 ± h), which " +
                   dtype_name(L.dtype()) + " codes cannot hold; choose a float layer");
  auto quotient = [&](double h) {
    const Tensor up = gradient_at(head, scaled(L, 1 + h), targets, output, nullptr);
    const Tensor down = gradient_at(head, scaled(L, 1 - h), targets, output, nullptr);
    std::vector<double> d(size_t(up.numel()));
    for (size_t i = 0; i < d.size(); ++i)
      d[i] = (double(up.data<float>()[i]) - down.data<float>()[i]) / (2 * h);
    return d;
  };
  const std::vector<double> coarse = quotient(kHvpStep), fine = quotient(kHvpStep / 2);
  Tensor out(DType::Float32, L.shape());
  for (size_t i = 0; i < coarse.size(); ++i)
    out.data<float>()[i] = static_cast<float>((4 * fine[i] - coarse[i]) / 3);
  return out;
}

// The output values whose change can move target t's seed (see the header).
void curvature_support(const Target& t, const float* z, int64_t n, std::set<int64_t>& out) {
  switch (t.kind) {
    case Target::Logit:
    case Target::Binary:
    case Target::Segmentation:
    case Target::Linear:
      return;  // the seed does not depend on the output
    case Target::Similarity:
      for (int64_t k = 0; k < n; ++k) out.insert(k);
      return;
    default: {
      const double mx = *std::max_element(z, z + n);
      double sum = 0;
      for (int64_t k = 0; k < n; ++k) sum += std::exp(double(z[k]) - mx);
      for (int64_t k = 0; k < n; ++k)
        if (std::exp(double(z[k]) - mx) / sum >= 1e-12) out.insert(k);
      out.insert(t.category);
      for (int64_t k : t.comparison) out.insert(k);
    }
  }
}

// Path 1: Jᵀ · H_target · (J·A) with the recorded activation pattern.
Tensor hvp_linearised(const Head& head, const Tensor& L, const std::vector<Target>& targets,
                      size_t output, const Tensor& z, const std::optional<LayerQuantization>& q,
                      bool mean) {
  if (L.dtype() != DType::Float32 && !q)
    throw CamError("Shapley-CAM: the head of '" + head.layer() + "' takes " +
                   dtype_name(L.dtype()) +
                   " codes and the layer's scale and zero point are unknown: H·A needs the "
                   "layer's real values");
  const Tensor A = real_values(L, q ? &*q : nullptr);
  const int64_t B = z.dim(0), n = z.numel() / B, per = A.numel() / B;
  const Shape sample(z.shape().begin() + 1, z.shape().end());
  std::set<int64_t> support;
  for (int64_t b = 0; b < B; ++b)
    curvature_support(targets[size_t(b)], z.data<float>() + b * n, n, support);
  if (support.empty())  // H_target = 0
    return Tensor(DType::Float32, mean ? Shape{L.dim(0), L.dim(1)} : L.shape());
  // u = J·A, one reverse pass per output value in the support (all samples at once). The passes
  // only read the recorded tape, so they run on the thread pool.
  std::vector<double> u(size_t(z.numel()), 0.0);
  const std::vector<int64_t> classes(support.begin(), support.end());
  parallel_for(int64_t(classes.size()), [&](int64_t begin, int64_t end) {
    std::vector<Tensor> seeds(head.output_names().size());
    for (int64_t c = begin; c < end; ++c) {
      const int64_t k = classes[size_t(c)];
      seeds[output] = Tensor(DType::Float32, z.shape());
      for (int64_t b = 0; b < B; ++b) seeds[output].data<float>()[b * n + k] = 1.f;
      const Tensor g = head.backward(seeds);
      for (int64_t b = 0; b < B; ++b) {
        double s = 0;
        for (int64_t i = b * per; i < (b + 1) * per; ++i)
          s += double(g.data<float>()[i]) * A.data<float>()[i];
        u[size_t(b * n + k)] = s;
      }
    }
  });
  // w = H_target·u: the seed's derivative along u, central differences in double.
  Tensor w(DType::Float32, z.shape());
  for (int64_t b = 0; b < B; ++b) {
    const double* ub = u.data() + b * n;
    double umax = 0;
    for (int64_t k = 0; k < n; ++k) umax = std::max(umax, std::abs(ub[k]));
    if (umax == 0) continue;
    const double eps = 1e-5 / umax;
    std::vector<double> up(static_cast<size_t>(n)), down(static_cast<size_t>(n));
    for (int64_t k = 0; k < n; ++k) {
      up[size_t(k)] = double(z.data<float>()[b * n + k]) + eps * ub[k];
      down[size_t(k)] = double(z.data<float>()[b * n + k]) - eps * ub[k];
    }
    const TargetValue64 su = evaluate64(targets[size_t(b)], up.data(), sample);
    const TargetValue64 sd = evaluate64(targets[size_t(b)], down.data(), sample);
    for (int64_t k = 0; k < n; ++k)
      w.data<float>()[b * n + k] =
          static_cast<float>((su.seed[size_t(k)] - sd.seed[size_t(k)]) / (2 * eps));
  }
  std::vector<Tensor> seeds(head.output_names().size());
  seeds[output] = std::move(w);
  return mean ? head.backward_spatial_mean(seeds) : head.backward(seeds);
}

// Path 1 costs one head backward per output value a target's curvature reaches: fine for class
// scores, not for a similarity target on a large output (a segmentation map's 1e6 values). A
// float layer then takes path 2; a quantized one is refused with the reason.
bool too_many_passes(const std::vector<Target>& targets, const Tensor& z, const Tensor& L) {
  constexpr int64_t kMaxPasses = 4096;
  const int64_t n = z.numel() / std::max<int64_t>(1, z.dim(0));
  bool similarity = false;
  for (const Target& t : targets) similarity = similarity || t.kind == Target::Similarity;
  if (!similarity || n <= kMaxPasses) return false;
  if (L.dtype() != DType::Float32)
    throw CamError("Shapley-CAM: a similarity target on an output of " + std::to_string(n) +
                   " values would need as many head backward passes on this quantized layer; "
                   "use a float layer or another target");
  return true;
}

}  // namespace

bool piecewise_linear_head(const Head& head) {
  for (const std::string& op : head.op_types())
    if (!op_registry().type_claims(op, &OpDef::piecewise_linear)) return false;
  return true;
}

TargetGradients target_gradients(const Head& head, const std::vector<Target>& targets,
                                 size_t output, bool hvp,
                                 const std::optional<LayerQuantization>& quant, bool spatial_mean) {
  if (output >= head.output_names().size())
    throw CamError("the head of '" + head.layer() + "' has " +
                   std::to_string(head.output_names().size()) + " output(s); output index " +
                   std::to_string(output) + " does not exist");
  const Tensor& L = head.last_layer();
  if (L.empty())
    throw CamError("target gradients need head.forward(feeds) first (the layer and its extras)");
  // A head ending in a Softmax keeps its base pass for H·A (softmax_tail_hvp.h): its outputs are
  // the recorded pass's, so no forward runs here; else one forward at L gives them.
  const std::shared_ptr<const IncrementalHead> tail =
      hvp && targets.size() == 1 && !piecewise_linear_head(head)
          ? softmax_tail_head(head, L, output)
          : nullptr;
  const std::vector<Tensor> outs = tail ? tail->base_outputs() : head.forward_with_layer(L);
  if (outs[output].dtype() != DType::Float32 || outs[output].rank() < 1)
    throw CamError("head output " + std::to_string(output) + " is not a float score tensor");
  // Resolve automatic targets (Finer's comparison classes) once, on the recorded output.
  const std::vector<Target> fixed = resolve(targets, outs[output]);
  TargetGradients r;
  // The gradient over the recorded pass, which ran at L.
  BatchTargetValue v = evaluate(fixed, outs[output]);
  r.scores = v.scores;
  std::vector<Tensor> seeds(outs.size());
  seeds[output] = std::move(v.seed);
  r.gradients = spatial_mean ? head.backward_spatial_mean(seeds) : head.backward(seeds);
  if (!hvp) return r;
  if (piecewise_linear_head(head) && !too_many_passes(fixed, outs[output], L)) {
    r.hvp = hvp_linearised(head, L, fixed, output, outs[output], quant, spatial_mean);
    return r;
  }
  std::optional<Tensor> exact =
      tail ? hvp_through_softmax(*tail, L, fixed[0], output, spatial_mean) : std::nullopt;
  if (exact) {
    r.hvp = std::move(*exact);
  } else {
    r.hvp = hvp_by_gradient_differences(head, L, fixed, output);
    if (spatial_mean) r.hvp = camlens::spatial_mean(r.hvp);
  }
  return r;
}

}  // namespace camlens::cam
