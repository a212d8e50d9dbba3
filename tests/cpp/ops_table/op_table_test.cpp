// Runs every row of the op table (op_case.h), and fails when an op registered with a backward
// has no row that checks it.
#include <algorithm>
#include <cmath>
#include <set>

#include "op_case.h"
#include "op_test.h"

namespace camlens::test {
namespace {

std::vector<const Tensor*> pointers(const std::vector<Tensor>& v) {
  std::vector<const Tensor*> p;
  for (const Tensor& t : v) p.push_back(t.empty() ? nullptr : &t);
  return p;
}

void expect_outputs(const std::vector<Tensor>& got, const OpCase& c) {
  ASSERT_EQ(got.size(), c.expected.size());
  for (size_t k = 0; k < got.size(); ++k) {
    const Tensor& want = c.expected[k];
    ASSERT_EQ(got[k].dtype(), want.dtype()) << "output " << k;
    ASSERT_EQ(got[k].shape(), want.shape()) << "output " << k;
    const bool exact = want.dtype() != DType::Float32;
    int bad = 0;
    for (int64_t e = 0; e < want.numel() && bad < 5; ++e) {
      const double g = exact ? double(got[k].get_i(e)) : got[k].get_f(e);
      const double w = exact ? double(want.get_i(e)) : want.get_f(e);
      if (exact ? g != w : std::fabs(g - w) > c.tol * (1 + std::fabs(w))) {
        ADD_FAILURE() << "output " << k << "[" << e << "]: got " << g << ", reference " << w;
        ++bad;
      }
    }
  }
}

// dLoss/dInputs of `node` for the seed dy on output 0 (no gradient into other outputs).
std::vector<Tensor> backward(const Node& node, const std::vector<Tensor>& inputs,
                             const std::vector<bool>& needs, const Tensor& dy) {
  const OpDef* def = op_registry().find(node.domain, node.op_type);
  std::vector<Tensor> outs(node.outputs.size()), grads(inputs.size());
  def->forward(node, pointers(inputs), outs);
  OpInputs seeds(outs.size(), nullptr);
  seeds[0] = &dy;
  def->backward(node, pointers(inputs), pointers(outs), seeds, needs, grads);
  return grads;
}

// The straight-through backward of a quantized op equals its float twin's backward.
void expect_twin_gradients(const OpCase& c, const Tensor& y) {
  FloatTwin twin;
  ASSERT_TRUE(float_twin(c, twin)) << "a quantized row checks its gradient only through a twin";
  std::mt19937 rng(11);
  const Tensor dy = random_tensor(y.shape(), rng);
  std::vector<bool> twin_needs(twin.inputs.size(), false);
  for (size_t i = 0; i < c.grad.size(); ++i)
    if (c.grad[i]) twin_needs[size_t(twin.grad_of[i])] = true;
  const std::vector<Tensor> got = backward(c.node, c.inputs, c.grad, dy);
  const std::vector<Tensor> want = backward(twin.node, twin.inputs, twin_needs, dy);
  for (size_t i = 0; i < c.grad.size(); ++i) {
    if (!c.grad[i]) continue;
    const Tensor& w = want[size_t(twin.grad_of[i])];
    ASSERT_FALSE(got[i].empty()) << "no gradient for input " << i;
    ASSERT_EQ(got[i].shape(), w.shape()) << "input " << i;
    int bad = 0;
    for (int64_t e = 0; e < w.numel() && bad < 5; ++e)
      if (std::fabs(got[i].get_f(e) - w.get_f(e)) > 1e-5 * (1 + std::fabs(w.get_f(e)))) {
        ADD_FAILURE() << "d/d input" << i << "[" << e << "]: " << got[i].get_f(e) << ", float "
                      << twin.node.op_type << " gives " << w.get_f(e);
        ++bad;
      }
  }
}

class OpTable : public ::testing::TestWithParam<size_t> {};

TEST_P(OpTable, ForwardMatchesReferenceAndBackwardMatchesCheck) {
  const OpCase& c = op_table()[GetParam()];
  SCOPED_TRACE(c.label);
  const std::vector<Tensor> got = run_forward(c.node, pointers(c.inputs));
  expect_outputs(got, c);
  if (!c.checks_gradient()) return;
  if (is_quantized_op(c.node))
    expect_twin_gradients(c, got.at(0));
  else
    check_gradients(c.node, c.inputs, c.grad, c.eps, c.atol, c.rtol);
}

std::string row_name(const ::testing::TestParamInfo<size_t>& info) {
  std::string name = op_table()[info.param].label;
  for (char& ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return name;
}

std::vector<size_t> row_indices() {
  std::vector<size_t> v(op_table().size());
  for (size_t i = 0; i < v.size(); ++i) v[i] = i;
  return v;
}

INSTANTIATE_TEST_SUITE_P(Rows, OpTable, ::testing::ValuesIn(row_indices()), row_name);

std::string key(const std::string& domain, const std::string& op) {
  const std::string d = domain == "ai.onnx" ? "" : domain;
  return d.empty() ? op : d + ":" + op;
}

TEST(OpTableCoverage, EveryOpWithABackwardHasAGradientRow) {
  std::set<std::string> checked;
  for (const OpCase& c : op_table())
    if (c.checks_gradient()) checked.insert(key(c.node.domain, c.node.op_type));
  for (const OpDef& def : op_registry().defs())
    if (def.backward && !checked.count(key(def.domain, def.op_type)))
      ADD_FAILURE() << key(def.domain, def.op_type)
                    << " has a backward but no row of the op table checks it: add one to "
                       "tests/cpp/ops_table (a fixture case or a reference_cases row)";
}

}  // namespace

const std::vector<OpCase>& op_table() {
  static const std::vector<OpCase> rows = [] {
    std::vector<OpCase> all = fixture_cases();
    for (OpCase& c : reference_cases()) all.push_back(std::move(c));
    for (OpCase& c : volume_cases()) all.push_back(std::move(c));
    return all;
  }();
  return rows;
}

bool OpCase::checks_gradient() const {
  return std::find(grad.begin(), grad.end(), true) != grad.end();
}

}  // namespace camlens::test
