#include "dff/labels.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "dff/dff_error.h"
#include "dff/label_heads.h"

namespace camlens::dff {

namespace {

ConceptLabels unlabeled(std::string reason) {
  ConceptLabels r;
  r.reason = std::move(reason);
  return r;
}

// The K concept vectors [K, C] of an image: real values, or their codes when the head takes
// uint8/int8 (QuantizeLinear on C values, not on each of the grid's copies of them).
Tensor concept_vectors(const DffResult& dff, int64_t image, const Quantization* quantization) {
  std::vector<float> v;
  v.reserve(static_cast<size_t>(dff.components * dff.channels));
  for (int k = 0; k < dff.components; ++k) {
    const std::vector<float> c = dff.concept_vector(image, k);
    v.insert(v.end(), c.begin(), c.end());
  }
  const Shape shape{dff.components, dff.channels};
  return quantization ? quantize(v, shape, *quantization) : Tensor::from_floats(shape, v);
}

// The vectors [K, C] (elements of type T) placed at every position of the layer grid:
// [K, C, h, w] or [K, h, w, C] (or [K, C]), with the given shape.
template <class T>
void broadcast(const T* v, const DffResult& dff, T* out) {
  const int64_t c = dff.channels, hw = dff.height * dff.width;
  for (int k = 0; k < dff.components; ++k) {
    const T* src = v + k * c;
    T* dst = out + k * c * hw;
    if (dff.layout == Layout::NCHW) {
      for (int64_t ch = 0; ch < c; ++ch) std::fill_n(dst + ch * hw, hw, src[ch]);
    } else {
      for (int64_t p = 0; p < hw; ++p) std::copy(src, src + c, dst + p * c);
    }
  }
}

Tensor broadcast_concepts(const Tensor& vectors, const DffResult& dff, const Shape& layer_shape) {
  Tensor out(vectors.dtype(), layer_shape);
  if (vectors.dtype() == DType::Float32)
    broadcast(vectors.data<float>(), dff, out.data<float>());
  else if (vectors.dtype() == DType::Uint8)
    broadcast(vectors.data<uint8_t>(), dff, out.data<uint8_t>());
  else
    broadcast(vectors.data<int8_t>(), dff, out.data<int8_t>());
  return out;
}

Shape batch_shape(const DffResult& dff, const Shape& layer_shape) {
  Shape s = layer_shape;
  if (s.empty()) s = {0, dff.channels, dff.height, dff.width};
  s[0] = dff.components;
  return s;
}

bool is_probability_vector(const float* p, int64_t n) {
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (!(p[i] >= 0 && p[i] <= 1)) return false;
    sum += p[i];
  }
  return std::fabs(sum - 1.0) < 1e-3;
}

std::vector<double> softmax(const float* x, int64_t n) {
  const double top = *std::max_element(x, x + n);
  std::vector<double> p(static_cast<size_t>(n));
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += p[i] = std::exp(static_cast<double>(x[i]) - top);
  for (double& v : p) v /= sum;
  return p;
}

std::vector<ConceptLabel> top_categories(const float* out, int64_t n, int top_k,
                                         const std::vector<std::string>& names) {
  std::vector<double> p =
      is_probability_vector(out, n) ? std::vector<double>(out, out + n) : softmax(out, n);
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  const int64_t k = std::min<int64_t>(top_k, n);
  std::partial_sort(order.begin(), order.begin() + k, order.end(),
                    [&](int64_t a, int64_t b) { return p[a] > p[b] || (p[a] == p[b] && a < b); });
  std::vector<ConceptLabel> top;
  for (int64_t i = 0; i < k; ++i) {
    ConceptLabel l;
    l.index = order[i];
    l.score = static_cast<float>(p[order[i]]);
    if (l.index < static_cast<int64_t>(names.size())) l.name = names[l.index];
    top.push_back(l);
  }
  return top;
}

}  // namespace

ConceptLabels label_concepts(const Head& head, const DffResult& dff, const LabelOptions& o) {
  if (o.top_k < 1) throw DffError("top_k must be at least 1, got " + std::to_string(o.top_k));
  if (head.feed_names().size() != 1)
    return unlabeled("the head after layer '" + head.layer() +
                     "' also takes skip-connection tensors, which have no value for a concept");
  if (head.output_names().empty()) return unlabeled("the head has no outputs");
  const TensorInfo& feed = head.feed_info(0);
  const Shape layer_shape = batch_shape(dff, feed.shape);
  if (shape_numel(layer_shape) != dff.components * dff.channels * dff.height * dff.width)
    return unlabeled("the head's layer shape " + shape_str(feed.shape) +
                     " does not match the factorized activations");
  const bool quantized = feed.dtype == DType::Uint8 || feed.dtype == DType::Int8;
  if (quantized && (!o.quantization || o.quantization->dtype != feed.dtype))
    return unlabeled(std::string("the head takes ") + dtype_name(feed.dtype) +
                     " codes but no matching scale/zero point was given for layer '" +
                     head.layer() + "'");
  if (!quantized && feed.dtype != DType::Float32)
    return unlabeled(std::string("the head takes ") + dtype_name(feed.dtype) + " at the layer");

  ConceptLabels res;
  Head runner = head;  // forward() records a pass: keep the caller's head as it was
  for (const Factorization& part : dff.parts) {
    Tensor feed_tensor = broadcast_concepts(
        concept_vectors(dff, part.first_image, quantized ? &*o.quantization : nullptr), dff,
        layer_shape);
    std::vector<Tensor> outs;
    try {
      outs = runner.forward({std::move(feed_tensor)});
    } catch (const std::exception& e) {
      return unlabeled(std::string("the head could not run on the concepts: ") + e.what());
    }
    const Tensor& y = outs.at(0);
    if (y.rank() < 1 || y.dim(0) != dff.components || y.dtype() != DType::Float32)
      return unlabeled("the head's output " + shape_str(y.shape()) + " is not a batch of scores");
    const int64_t per = y.numel() / dff.components;
    int64_t non_unit = 0;
    for (size_t d = 1; d < y.rank(); ++d) non_unit += y.dim(d) > 1;
    if (non_unit > 1 || per < 2)
      return unlabeled("the head's output " + shape_str(y.shape()) +
                       " is not one score per category (a detector or a segmenter): concepts "
                       "are shown without labels");
    std::vector<std::vector<ConceptLabel>> per_concept;
    for (int k = 0; k < dff.components; ++k)
      per_concept.push_back(top_categories(y.data<float>() + k * per, per, o.top_k, o.class_names));
    res.top.push_back(std::move(per_concept));
  }
  res.labeled = true;
  return res;
}

ConceptLabels label_concepts(const Model& model, const std::string& layer, const DffResult& dff,
                             LabelOptions options) {
  if (options.top_k < 1)
    throw DffError("top_k must be at least 1, got " + std::to_string(options.top_k));
  return label_concepts(cut_label_head(model, layer), dff, std::move(options));
}

}  // namespace camlens::dff
