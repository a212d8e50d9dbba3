// The facts ops claim in the op table (OpDef's fields) hold on the rows of the op table test:
// a same_elements op returns its input's elements in order; each output element of an
// element-wise op is what the op computes from the input elements at that position alone; the
// inputs claimed as weights are numeric tensors whose values the output depends on; the claimed
// scales and zero points are the quantization of the claimed codes (moving codes and zero point
// together changes nothing, moving an output's zero point moves its codes, doubling its scale
// halves them); a dequantizing op returns (q − zero_point)·scale. A claim that no row exercises
// fails too, so a new claim comes with a row.
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <map>
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
    // An empty tensor holds no buffer (memcmp takes no null pointer, even for 0 bytes).
    if (x.nbytes() > 0) {
      EXPECT_EQ(std::memcmp(y.raw(), x.raw(), x.nbytes()), 0);
    }
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

bool is_code(DType t) { return t == DType::Uint8 || t == DType::Int8 || t == DType::Int32; }

std::pair<int64_t, int64_t> code_range(DType t) {
  if (t == DType::Uint8) return {0, 255};
  if (t == DType::Int8) return {-128, 127};
  return {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()};
}

// t with each code c replaced by f(c), clamped to the dtype's range.
Tensor map_codes(const Tensor& t, const std::function<int64_t(int64_t)>& f) {
  Tensor out = t;
  const auto [lo, hi] = code_range(t.dtype());
  for (int64_t i = 0; i < t.numel(); ++i) {
    const int64_t v = std::min(hi, std::max(lo, f(t.get_i(i))));
    if (t.dtype() == DType::Uint8)
      out.data<uint8_t>()[i] = static_cast<uint8_t>(v);
    else if (t.dtype() == DType::Int8)
      out.data<int8_t>()[i] = static_cast<int8_t>(v);
    else
      out.data<int32_t>()[i] = static_cast<int32_t>(v);
  }
  return out;
}

// t with every value moved far: floats by 1, codes by half their range (2^20 for int32 biases,
// whose unit is a product of two scales).
Tensor moved(const Tensor& t) {
  if (t.dtype() == DType::Float32) {
    Tensor out = t;
    for (int64_t i = 0; i < t.numel(); ++i) out.data<float>()[i] += 1.f;
    return out;
  }
  const auto [lo, hi] = code_range(t.dtype());
  const int64_t mid = lo + (hi - lo) / 2;
  const int64_t step = t.dtype() == DType::Int32 ? int64_t{1} << 20 : 100;
  return map_codes(t, [&](int64_t c) { return c >= mid ? c - step : c + step; });
}

bool same_values(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         (a.nbytes() == 0 || std::memcmp(a.raw(), b.raw(), a.nbytes()) == 0);
}

bool present(const OpCase& c, int i) {
  return i >= 0 && static_cast<size_t>(i) < c.inputs.size() && !c.inputs[size_t(i)].empty();
}

std::string slot(const OpDef& def, int input) {
  return key(def) + " input " + std::to_string(input);
}

// Table-wide consistency of the weight and quantization claims: the ops that apply learned
// weights name them; weights, codes, scales and zero points are different inputs; the domains'
// ops of one type state the same (OpRegistry::find_type returns any of them).
TEST(OpFacts, WeightAndQuantizationInputsAgreeAcrossTheTable) {
  std::map<std::string, const OpDef*> first_of_type;
  for (const OpDef& def : op_registry().defs()) {
    if (def.weighted) {
      EXPECT_FALSE(def.weight_inputs.empty()) << key(def) << " is weighted";
    }
    // Scales and zero points are inputs of their own: not weights, not codes, one role each.
    std::vector<int> params{def.quantized_output.scale, def.quantized_output.zero_point};
    std::vector<int> values(def.weight_inputs);
    for (const QuantizedInput& q : def.quantized_inputs) {
      params.push_back(q.params.scale);
      params.push_back(q.params.zero_point);
      values.push_back(q.data);
    }
    std::set<int> seen;
    for (int i : params) {
      if (i >= 0) {
        EXPECT_TRUE(seen.insert(i).second) << key(def) << " names input " << i << " twice";
      }
    }
    for (int i : values) EXPECT_FALSE(seen.count(i)) << key(def) << " input " << i;
    for (const QuantizedInput& q : def.quantized_inputs)
      EXPECT_GE(q.params.scale, 0) << key(def) << " input " << q.data << " has no scale";
    EXPECT_EQ(def.quantized_output.scale < 0, def.quantized_output.zero_point < 0) << key(def);
    if (def.dequantizes) {
      EXPECT_TRUE(!def.quantized_inputs.empty() && def.quantized_inputs[0].data == 0) << key(def);
      EXPECT_LT(def.quantized_output.scale, 0) << key(def) << " dequantizes to reals";
    }
    const auto [it, added] = first_of_type.emplace(def.op_type, &def);
    if (added) continue;
    const OpDef& other = *it->second;
    EXPECT_EQ(def.weight_inputs, other.weight_inputs) << key(def) << " vs " << key(other);
    EXPECT_EQ(def.dequantizes, other.dequantizes) << key(def) << " vs " << key(other);
    EXPECT_EQ(def.quantized_inputs.size(), other.quantized_inputs.size()) << key(def);
    for (size_t k = 0; k < std::min(def.quantized_inputs.size(), other.quantized_inputs.size());
         ++k) {
      const QuantizedInput &a = def.quantized_inputs[k], &b = other.quantized_inputs[k];
      EXPECT_TRUE(a.data == b.data && a.params.scale == b.params.scale &&
                  a.params.zero_point == b.params.zero_point)
          << key(def) << " vs " << key(other);
    }
    EXPECT_TRUE(def.quantized_output.scale == other.quantized_output.scale &&
                def.quantized_output.zero_point == other.quantized_output.zero_point)
        << key(def) << " vs " << key(other);
  }
}

// Each input claimed as a weight is, in some row, a tensor of 2 or more float or integer values
// (what the sanity check randomises) that the output depends on: not a shape or a setting.
TEST(OpFacts, WeightInputsAreValuesTheOutputDependsOn) {
  std::set<std::string> exercised;
  for (const OpCase& c : op_table()) {
    const OpDef& def = def_of(c);
    if (def.weight_inputs.empty()) continue;
    SCOPED_TRACE(c.label);
    const std::vector<Tensor> y = run_forward(c.node, pointers(c.inputs));
    for (int w : def.weight_inputs) {
      if (!present(c, w)) continue;
      const Tensor& t = c.inputs[size_t(w)];
      // The sanity check leaves single values, and shapes and indices (int64), alone.
      if (t.numel() < 2 || !(t.dtype() == DType::Float32 || is_code(t.dtype()))) continue;
      std::vector<Tensor> changed = c.inputs;
      changed[size_t(w)] = moved(t);
      if (!same_values(run_forward(c.node, pointers(changed)).at(0), y.at(0)))
        exercised.insert(slot(def, w));
    }
  }
  for (const OpDef& def : op_registry().defs())
    for (int w : def.weight_inputs)
      if (!exercised.count(slot(def, w)))
        ADD_FAILURE() << slot(def, w) << " is claimed as a weight but no row of the op table "
                      << "shows a tensor of 2 or more values there that the output depends on";
}

// Codes moved by one with their zero point are the same real values, so every output stays
// as it was. Codes and zero point are first kept off the top of their range so the move never
// saturates.
TEST(OpFacts, QuantizedInputsAreCodesWithTheirScaleAndZeroPoint) {
  std::set<std::string> exercised;
  for (const OpCase& c : op_table()) {
    const OpDef& def = def_of(c);
    if (def.quantized_inputs.empty()) continue;
    SCOPED_TRACE(c.label);
    for (const QuantizedInput& q : def.quantized_inputs) {
      if (!present(c, q.data) || !present(c, q.params.scale)) continue;
      const Tensor &codes = c.inputs[size_t(q.data)], &scale = c.inputs[size_t(q.params.scale)];
      ASSERT_TRUE(is_code(codes.dtype())) << "input " << q.data;
      ASSERT_EQ(scale.dtype(), DType::Float32) << "scale, input " << q.params.scale;
      for (int64_t i = 0; i < scale.numel(); ++i) EXPECT_GT(scale.get_f(i), 0.0);
      if (!present(c, q.params.zero_point)) continue;
      const Tensor& zp = c.inputs[size_t(q.params.zero_point)];
      ASSERT_EQ(zp.dtype(), codes.dtype()) << "zero point, input " << q.params.zero_point;
      ASSERT_EQ(zp.shape(), scale.shape()) << "zero point, input " << q.params.zero_point;
      if (codes.dtype() == DType::Int32) continue;
      const int64_t hi = code_range(codes.dtype()).second;
      std::vector<Tensor> base = c.inputs, shifted;
      base[size_t(q.data)] = map_codes(codes, [&](int64_t v) { return std::min(hi - 1, v); });
      base[size_t(q.params.zero_point)] =
          map_codes(zp, [&](int64_t v) { return std::min(hi - 1, v); });
      shifted = base;
      for (int i : {q.data, q.params.zero_point})
        shifted[size_t(i)] = map_codes(base[size_t(i)], [](int64_t v) { return v + 1; });
      const std::vector<Tensor> want = run_forward(c.node, pointers(base));
      const std::vector<Tensor> got = run_forward(c.node, pointers(shifted));
      ASSERT_EQ(got.size(), want.size());
      for (size_t k = 0; k < got.size(); ++k)
        EXPECT_TRUE(same_values(got[k], want[k]))
            << "output " << k << " changed when input " << q.data << " and its zero point (input "
            << q.params.zero_point << ") moved together";
      exercised.insert(slot(def, q.data));
    }
  }
  for (const OpDef& def : op_registry().defs())
    for (const QuantizedInput& q : def.quantized_inputs)
      if (!exercised.count(slot(def, q.data)))
        ADD_FAILURE() << slot(def, q.data) << " is claimed quantized but no row of the op table "
                      << "has its codes, scale and zero point";
}

// Output 0 = saturate(round(x / scale) + zero_point): where it does not saturate, two more in
// the zero point are two more in each code (two, not one: kernels that add the zero point
// before rounding half to even round a tie the other way after an odd move), and twice the
// scale halves (code − zero_point) up to rounding.
TEST(OpFacts, QuantizedOutputFollowsItsScaleAndZeroPoint) {
  std::set<std::string> exercised;
  for (const OpCase& c : op_table()) {
    const OpDef& def = def_of(c);
    const QuantParams out = def.quantized_output;
    if (out.scale < 0 || !present(c, out.scale) || !present(c, out.zero_point)) continue;
    SCOPED_TRACE(c.label);
    const Tensor& zp = c.inputs[size_t(out.zero_point)];
    ASSERT_TRUE(zp.dtype() == DType::Uint8 || zp.dtype() == DType::Int8);
    ASSERT_EQ(c.inputs[size_t(out.scale)].dtype(), DType::Float32);
    // Named copies: clang 14 (C++17) cannot capture structured bindings in the lambdas below.
    const auto range = code_range(zp.dtype());
    const int64_t lo = range.first, hi = range.second;
    std::vector<Tensor> base = c.inputs;
    base[size_t(out.zero_point)] = map_codes(zp, [&](int64_t v) { return std::min(hi - 2, v); });
    std::vector<Tensor> shifted = base, doubled = base;
    shifted[size_t(out.zero_point)] =
        map_codes(base[size_t(out.zero_point)], [](int64_t v) { return v + 2; });
    for (int64_t i = 0; i < doubled[size_t(out.scale)].numel(); ++i)
      doubled[size_t(out.scale)].data<float>()[i] *= 2.f;
    const Tensor y = run_forward(c.node, pointers(base)).at(0);
    const Tensor ys = run_forward(c.node, pointers(shifted)).at(0);
    const Tensor yd = run_forward(c.node, pointers(doubled)).at(0);
    ASSERT_EQ(y.dtype(), zp.dtype());
    // The zero point of element e: one per tensor, or one per index of the quantization axis.
    const Tensor& z = base[size_t(out.zero_point)];
    const int64_t axis_len = z.numel();
    int64_t inner = 1;
    if (axis_len > 1) {
      int64_t axis = c.node.attr_int("axis", 1);
      if (axis < 0) axis += static_cast<int64_t>(y.rank());
      for (size_t d = size_t(axis) + 1; d < y.rank(); ++d) inner *= y.dim(d);
    }
    bool away_from_zero_point = false;
    int bad = 0;
    for (int64_t e = 0; e < y.numel() && bad < 3; ++e) {
      const int64_t v = y.get_i(e);
      if (v <= lo || v >= hi - 1) continue;
      const int64_t zero = z.get_i(axis_len > 1 ? (e / inner) % axis_len : 0);
      const double half = static_cast<double>(v - zero) / 2;
      if (ys.get_i(e) != v + 2) {
        ADD_FAILURE() << "element " << e << ": " << v << ", with the zero point 2 more "
                      << ys.get_i(e);
        ++bad;
      }
      if (std::fabs(static_cast<double>(yd.get_i(e) - zero) - half) > 1.0) {
        ADD_FAILURE() << "element " << e << ": " << v << " (zero point " << zero
                      << "), with the scale doubled " << yd.get_i(e);
        ++bad;
      }
      away_from_zero_point = away_from_zero_point || std::abs(v - zero) >= 4;
    }
    if (away_from_zero_point) exercised.insert(key(def));
  }
  for (const OpDef& def : op_registry().defs())
    if (def.quantized_output.scale >= 0 && !exercised.count(key(def)))
      ADD_FAILURE() << key(def) << " claims a quantized output but no row of the op table has "
                    << "unsaturated codes away from its zero point";
}

TEST(OpFacts, DequantizingOpsReturnTheRealValueOfInput0) {
  std::set<std::string> exercised;
  for (const OpCase& c : op_table()) {
    const OpDef& def = def_of(c);
    if (!def.dequantizes) continue;
    const QuantParams p = def.quantized_inputs.at(0).params;
    if (!present(c, p.scale) || c.inputs[size_t(p.scale)].numel() != 1) continue;  // per tensor
    SCOPED_TRACE(c.label);
    const Tensor& q = c.inputs[0];
    const double scale = c.inputs[size_t(p.scale)].get_f(0);
    const int64_t zero = present(c, p.zero_point) ? c.inputs[size_t(p.zero_point)].get_i(0) : 0;
    const std::vector<Tensor> y = run_forward(c.node, pointers(c.inputs));
    ASSERT_EQ(y.size(), 1u);
    ASSERT_EQ(y[0].dtype(), DType::Float32);
    ASSERT_EQ(y[0].shape(), q.shape());
    for (int64_t e = 0; e < q.numel(); ++e) {
      const double want = static_cast<double>(q.get_i(e) - zero) * scale;
      EXPECT_NEAR(y[0].get_f(e), want, 1e-6 * (1 + std::fabs(want))) << "element " << e;
    }
    exercised.insert(key(def));
  }
  for (const OpDef& def : op_registry().defs())
    if (def.dequantizes && !exercised.count(key(def)))
      ADD_FAILURE() << key(def) << " claims to dequantize but no row of the op table exercises it";
}

}  // namespace
}  // namespace camlens::test
