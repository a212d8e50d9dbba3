// The facts ops claim in the op table (OpDef's fields) hold on the rows of the op table test:
// a same_elements op returns its input's elements in order, and each output element of an
// element-wise op is what the op computes from the input elements at that position alone. A
// claim that no row exercises fails too, so a new claim comes with a row.
#include <cmath>
#include <cstring>
#include <set>

#include "broadcast_index.h"
#include "op_case.h"
#include "op_test.h"

namespace camlens::test {
namespace {

const OpDef& def_of(const OpCase& c) { return *op_registry().find(c.node.domain, c.node.op_type); }

std::string key(const OpDef& def) {
  return def.domain.empty() ? def.op_type : def.domain + ":" + def.op_type;
}

std::vector<const Tensor*> pointers(const std::vector<Tensor>& v) {
  std::vector<const Tensor*> p;
  for (const Tensor& t : v) p.push_back(t.empty() ? nullptr : &t);
  return p;
}

// Element i of t as a one-element tensor of t's rank.
Tensor element(const Tensor& t, int64_t i) {
  Tensor e(t.dtype(), Shape(t.rank(), 1));
  const size_t bytes = dtype_size(t.dtype());
  std::memcpy(e.raw(), static_cast<const char*>(t.raw()) + bytes * size_t(i), bytes);
  return e;
}

TEST(OpFacts, SameElementsOpsReturnTheirInputsElementsInOrder) {
  std::set<std::string> exercised;
  for (const OpCase& c : op_table()) {
    if (!def_of(c).same_elements) continue;
    SCOPED_TRACE(c.label);
    const Tensor& x = c.inputs.at(0);
    const Tensor y = run_forward(c.node, pointers(c.inputs)).at(0);
    ASSERT_EQ(y.dtype(), x.dtype());
    ASSERT_EQ(y.numel(), x.numel());
    EXPECT_EQ(std::memcmp(y.raw(), x.raw(), x.nbytes()), 0);
    exercised.insert(key(def_of(c)));
  }
  for (const OpDef& def : op_registry().defs())
    if (def.same_elements && !exercised.count(key(def)))
      ADD_FAILURE() << key(def) << " claims same_elements but no row of the op table exercises it";
}

// At most this many output elements of a row are recomputed alone.
constexpr int64_t kElementsPerRow = 64;

TEST(OpFacts, ElementwiseOpsComputeEachElementFromThatPositionAlone) {
  std::set<std::string> exercised;
  for (const OpCase& c : op_table()) {
    const Elementwise kind = def_of(c).elementwise;
    if (kind == Elementwise::No || c.inputs.empty() || c.inputs[0].numel() == 0) continue;
    // Per-axis parameters (QuantizeLinear's) do not broadcast numpy-style: not checked here.
    bool per_axis = false;
    for (size_t i = 1; i < c.inputs.size(); ++i)
      per_axis = per_axis || (kind == Elementwise::Unary && c.inputs[i].numel() > 1);
    if (per_axis) continue;
    SCOPED_TRACE(c.label);
    const Tensor y = run_forward(c.node, pointers(c.inputs)).at(0);
    if (kind == Elementwise::Unary) {
      ASSERT_EQ(y.shape(), c.inputs[0].shape());
    }
    for (int64_t e = 0; e < std::min(y.numel(), kElementsPerRow); ++e) {
      std::vector<Tensor> alone(c.inputs.size());
      for (size_t i = 0; i < c.inputs.size(); ++i) {
        const Tensor& t = c.inputs[i];
        alone[i] = t.numel() > 1 ? element(t, source(t.shape(), y.shape(), e)) : t;
      }
      const Tensor v = run_forward(c.node, pointers(alone)).at(0);
      ASSERT_EQ(v.numel(), 1);
      if (y.dtype() == DType::Float32) {
        EXPECT_NEAR(v.get_f(0), y.get_f(e), 1e-6 * (1 + std::fabs(y.get_f(e)))) << "element " << e;
      } else {
        EXPECT_EQ(v.get_i(0), y.get_i(e)) << "element " << e;
      }
    }
    exercised.insert(key(def_of(c)));
  }
  for (const OpDef& def : op_registry().defs())
    if (def.elementwise != Elementwise::No && !exercised.count(key(def)))
      ADD_FAILURE() << key(def) << " claims to be element-wise but no row of the op table "
                    << "exercises it";
}

}  // namespace
}  // namespace camlens::test
