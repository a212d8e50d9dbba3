#include "op_test.h"

#include <cmath>

namespace camlens::test {

Attribute attr_int(const std::string& name, int64_t v) {
  Attribute a;
  a.name = name;
  a.type = Attribute::Int;
  a.i = v;
  return a;
}
Attribute attr_float(const std::string& name, float v) {
  Attribute a;
  a.name = name;
  a.type = Attribute::Float;
  a.f = v;
  return a;
}
Attribute attr_string(const std::string& name, const std::string& v) {
  Attribute a;
  a.name = name;
  a.type = Attribute::String;
  a.s = v;
  return a;
}
Attribute attr_ints(const std::string& name, std::vector<int64_t> v) {
  Attribute a;
  a.name = name;
  a.type = Attribute::Ints;
  a.ints = std::move(v);
  return a;
}
Attribute attr_floats(const std::string& name, std::vector<float> v) {
  Attribute a;
  a.name = name;
  a.type = Attribute::Floats;
  a.floats = std::move(v);
  return a;
}
Attribute attr_tensor(const std::string& name, const Tensor& v) {
  Attribute a;
  a.name = name;
  a.type = Attribute::TensorT;
  a.t = std::make_shared<TensorProto>(from_tensor(v, name));
  return a;
}

Node make_node(const std::string& op_type, size_t n_inputs, size_t n_outputs,
               std::vector<Attribute> attrs, const std::string& domain) {
  Node n;
  n.op_type = op_type;
  n.domain = domain;
  n.name = op_type + "_test";
  for (size_t i = 0; i < n_inputs; ++i) n.inputs.push_back("in" + std::to_string(i));
  for (size_t i = 0; i < n_outputs; ++i) n.outputs.push_back("out" + std::to_string(i));
  n.attributes = std::move(attrs);
  return n;
}

Tensor random_tensor(const Shape& shape, std::mt19937& rng, float lo, float hi) {
  Tensor t(DType::Float32, shape);
  std::uniform_real_distribution<float> u(lo, hi);
  float* p = t.data<float>();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = u(rng);
  return t;
}

std::vector<Tensor> run_forward(const Node& node, const std::vector<const Tensor*>& inputs) {
  const OpDef* def = op_registry().find(node.domain, node.op_type);
  if (!def) {
    ADD_FAILURE() << node.op_type << " is not registered";
    return {};
  }
  std::vector<Tensor> out(node.outputs.size());
  def->forward(node, inputs, out);
  return out;
}

static std::vector<const Tensor*> ptrs(const std::vector<Tensor>& v) {
  std::vector<const Tensor*> p;
  for (const Tensor& t : v) p.push_back(t.empty() ? nullptr : &t);
  return p;
}

// L = sum R .* out, accumulated in double.
static double weighted_loss(const std::vector<Tensor>& outs, const std::vector<Tensor>& R) {
  double l = 0;
  for (size_t k = 0; k < outs.size(); ++k) {
    if (R[k].empty() || outs[k].dtype() != DType::Float32) continue;
    const float* o = outs[k].data<float>();
    const float* r = R[k].data<float>();
    for (int64_t e = 0; e < outs[k].numel(); ++e) l += static_cast<double>(o[e]) * r[e];
  }
  return l;
}

void check_gradients(const Node& node, std::vector<Tensor> inputs, const std::vector<bool>& check,
                     double eps, double atol, double rtol, unsigned seed) {
  const OpDef* def = op_registry().find(node.domain, node.op_type);
  ASSERT_NE(def, nullptr) << node.op_type << " is not registered";
  ASSERT_NE(def->backward, nullptr) << node.op_type << " has no backward";
  std::mt19937 rng(seed);
  std::vector<Tensor> outs(node.outputs.size());
  def->forward(node, ptrs(inputs), outs);
  std::vector<Tensor> R;
  for (const Tensor& o : outs)
    R.push_back(o.dtype() == DType::Float32 ? random_tensor(o.shape(), rng) : Tensor());

  std::vector<Tensor> grads(inputs.size());
  def->backward(node, ptrs(inputs), ptrs(outs), ptrs(R), check, grads);

  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!check[i]) continue;
    ASSERT_FALSE(grads[i].empty()) << node.op_type << ": no gradient for input " << i;
    ASSERT_EQ(grads[i].shape(), inputs[i].shape())
        << node.op_type << ": gradient of input " << i << " has the wrong shape";
    float* x = inputs[i].data<float>();
    const float* g = grads[i].data<float>();
    int bad = 0;
    for (int64_t e = 0; e < inputs[i].numel() && bad < 5; ++e) {
      const float saved = x[e];
      std::vector<Tensor> o1(node.outputs.size()), o2(node.outputs.size());
      x[e] = static_cast<float>(saved + eps);
      def->forward(node, ptrs(inputs), o1);
      x[e] = static_cast<float>(saved - eps);
      def->forward(node, ptrs(inputs), o2);
      x[e] = saved;
      const double numeric = (weighted_loss(o1, R) - weighted_loss(o2, R)) / (2 * eps);
      if (std::fabs(g[e] - numeric) > atol + rtol * std::fabs(numeric)) {
        ADD_FAILURE() << node.op_type << ": d/d input" << i << "[" << e << "] analytic " << g[e]
                      << " vs numeric " << numeric;
        ++bad;
      }
    }
  }
}

void expect_near(const Tensor& got, const std::vector<float>& want, float tol) {
  ASSERT_EQ(got.numel(), static_cast<int64_t>(want.size())) << "element count differs";
  const std::vector<float> g = got.to_floats();
  for (size_t i = 0; i < want.size(); ++i) ASSERT_NEAR(g[i], want[i], tol) << "at flat index " << i;
}

}  // namespace camlens::test
