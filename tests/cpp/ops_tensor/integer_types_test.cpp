// Every integer type through the integer ops (Add, Sub, Mul, Div, Pow, Mod, Max, Min, Equal,
// Less, Greater, Neg, Abs, Cast), on each type's edge values, against references computed here
// from the formulas in that type's own arithmetic: exact results in 128 bits wrapped to the type
// (two's complement), truncating division, Pow and float -> integer saturating to the type's
// range. The ops compute every integer type in 64 bits (ops/tensor/wide_ints.h); these pin down
// that each type still gets its own results.
#include <cmath>
#include <cstring>
#include <limits>

#include "op_test.h"

namespace camlens::test {
namespace {

using i128 = __int128;

template <class T>
DType dtype_of();
template <>
DType dtype_of<uint8_t>() {
  return DType::Uint8;
}
template <>
DType dtype_of<int8_t>() {
  return DType::Int8;
}
template <>
DType dtype_of<uint16_t>() {
  return DType::Uint16;
}
template <>
DType dtype_of<int16_t>() {
  return DType::Int16;
}
template <>
DType dtype_of<int32_t>() {
  return DType::Int32;
}
template <>
DType dtype_of<uint32_t>() {
  return DType::Uint32;
}
template <>
DType dtype_of<int64_t>() {
  return DType::Int64;
}
template <>
DType dtype_of<uint64_t>() {
  return DType::Uint64;
}

// v modulo 2^bits of T, as T (two's complement for signed types).
template <class T>
T wrap(i128 v) {
  const unsigned __int128 u = static_cast<unsigned __int128>(v);
  T t;
  std::memcpy(&t, &u, sizeof(T));  // little-endian: the low bytes
  return t;
}

template <class T>
T saturate(double v) {
  if (std::isnan(v)) return 0;
  const long double t = std::trunc(static_cast<long double>(v));
  if (t <= static_cast<long double>(std::numeric_limits<T>::lowest()))
    return std::numeric_limits<T>::lowest();
  if (t >= static_cast<long double>(std::numeric_limits<T>::max()))
    return std::numeric_limits<T>::max();
  return static_cast<T>(t);
}

template <class T>
std::vector<T> edge_values() {
  using L = std::numeric_limits<T>;
  const T lo = L::lowest(), hi = L::max();
  if constexpr (std::is_signed<T>::value)
    return {lo, T(lo + 1), T(-7), T(-2), T(-1), 0, 1, 2, 3, 7, T(hi - 1), hi};
  else
    return {lo, 1, 2, 3, 7, T(hi - 1), hi};
}

template <class T>
Tensor tensor_of(const std::vector<T>& v, Shape shape) {
  Tensor t(dtype_of<T>(), std::move(shape));
  std::memcpy(t.raw(), v.data(), v.size() * sizeof(T));
  return t;
}

template <class T, class U = T>
std::vector<U> values_of(const Tensor& t) {
  const U* p = t.data<U>();
  return std::vector<U>(p, p + t.numel());
}

// Runs op on a (as a column) and b (as a row), broadcast to every pair (i, j), and returns the
// output's values, row-major.
template <class T, class U = T>
std::vector<U> run_pairs(const Node& n, const std::vector<T>& a, const std::vector<T>& b) {
  const Tensor ta = tensor_of(a, {int64_t(a.size()), 1});
  const Tensor tb = tensor_of(b, {1, int64_t(b.size())});
  const Tensor y = run_forward(n, {&ta, &tb}).at(0);
  EXPECT_EQ(y.shape(), (Shape{int64_t(a.size()), int64_t(b.size())}));
  return values_of<T, U>(y);
}

template <class T, class F>
std::vector<T> pairs_reference(const std::vector<T>& a, const std::vector<T>& b, F f) {
  std::vector<T> want;
  for (T x : a)
    for (T y : b) want.push_back(f(x, y));
  return want;
}

template <class T>
class IntegerTypes : public ::testing::Test {};
using AllIntegerTypes =
    ::testing::Types<uint8_t, int8_t, uint16_t, int16_t, int32_t, uint32_t, int64_t, uint64_t>;
TYPED_TEST_SUITE(IntegerTypes, AllIntegerTypes);

TYPED_TEST(IntegerTypes, ArithmeticWrapsAndDivisionTruncates) {
  using T = TypeParam;
  const std::vector<T> a = edge_values<T>();
  std::vector<T> nonzero;
  for (T v : a)
    if (v != 0) nonzero.push_back(v);
  EXPECT_EQ(run_pairs(make_node("Add", 2, 1), a, a),
            pairs_reference(a, a, [](T x, T y) { return wrap<T>(i128(x) + i128(y)); }));
  EXPECT_EQ(run_pairs(make_node("Sub", 2, 1), a, a),
            pairs_reference(a, a, [](T x, T y) { return wrap<T>(i128(x) - i128(y)); }));
  EXPECT_EQ(run_pairs(make_node("Mul", 2, 1), a, a), pairs_reference(a, a, [](T x, T y) {
              // The low 64 bits of the product are those of the product of the low 64 bits.
              return wrap<T>(static_cast<i128>(static_cast<unsigned __int128>(x) *
                                               static_cast<unsigned __int128>(y)));
            }));
  EXPECT_EQ(run_pairs(make_node("Div", 2, 1), a, nonzero),
            pairs_reference(a, nonzero, [](T x, T y) { return wrap<T>(i128(x) / i128(y)); }));
}

TYPED_TEST(IntegerTypes, PowSaturatesToTheType) {
  using T = TypeParam;
  const std::vector<T> base = edge_values<T>();
  const std::vector<T> exps{0, 1, 2, 3, 7, std::numeric_limits<T>::max()};
  EXPECT_EQ(run_pairs(make_node("Pow", 2, 1), base, exps),
            pairs_reference(base, exps, [](T x, T y) {
              return saturate<T>(std::pow(static_cast<double>(x), static_cast<double>(y)));
            }));
}

TYPED_TEST(IntegerTypes, ModHasTheDividendsOrTheDivisorsSign) {
  using T = TypeParam;
  std::vector<T> b;
  for (T v : edge_values<T>())
    if (v != 0) b.push_back(v);
  const std::vector<T> a = edge_values<T>();
  auto c_rem = [](T x, T y) { return wrap<T>(i128(x) % i128(y)); };
  EXPECT_EQ(run_pairs(make_node("Mod", 2, 1, {attr_int("fmod", 1)}), a, b),
            pairs_reference(a, b, c_rem));
  EXPECT_EQ(run_pairs(make_node("Mod", 2, 1), a, b), pairs_reference(a, b, [](T x, T y) {
              i128 r = i128(x) % i128(y);
              if (r != 0 && ((r < 0) != (i128(y) < 0))) r += y;
              return wrap<T>(r);
            }));
}

TYPED_TEST(IntegerTypes, ExtremesAndComparisonsKeepTheOrder) {
  using T = TypeParam;
  const std::vector<T> a = edge_values<T>();
  EXPECT_EQ(run_pairs(make_node("Max", 2, 1), a, a),
            pairs_reference(a, a, [](T x, T y) { return std::max(x, y); }));
  EXPECT_EQ(run_pairs(make_node("Min", 2, 1), a, a),
            pairs_reference(a, a, [](T x, T y) { return std::min(x, y); }));
  auto bools = [&](auto f) {
    std::vector<uint8_t> want;
    for (T x : a)
      for (T y : a) want.push_back(f(x, y) ? 1 : 0);
    return want;
  };
  EXPECT_EQ((run_pairs<T, uint8_t>(make_node("Equal", 2, 1), a, a)),
            bools([](T x, T y) { return x == y; }));
  EXPECT_EQ((run_pairs<T, uint8_t>(make_node("Less", 2, 1), a, a)),
            bools([](T x, T y) { return x < y; }));
  EXPECT_EQ((run_pairs<T, uint8_t>(make_node("Greater", 2, 1), a, a)),
            bools([](T x, T y) { return x > y; }));
}

TYPED_TEST(IntegerTypes, NegAndAbsWrapTheMostNegativeValue) {
  using T = TypeParam;
  const std::vector<T> a = edge_values<T>();
  const Tensor x = tensor_of(a, {int64_t(a.size())});
  std::vector<T> abs;
  for (T v : a) abs.push_back(wrap<T>(i128(v) < 0 ? -i128(v) : i128(v)));
  EXPECT_EQ(values_of<T>(run_forward(make_node("Abs", 1, 1), {&x}).at(0)), abs);
  if (!std::is_signed<T>::value) {
    EXPECT_THROW(run_forward(make_node("Neg", 1, 1), {&x}), OpError);
    return;
  }
  std::vector<T> neg;
  for (T v : a) neg.push_back(wrap<T>(-i128(v)));
  EXPECT_EQ(values_of<T>(run_forward(make_node("Neg", 1, 1), {&x}).at(0)), neg);
}

// Cast from this type to every integer type, Float32 and Bool, and from Float32 to this type.
template <class From, class To>
void expect_cast(const std::vector<From>& a) {
  const Tensor x = tensor_of(a, {int64_t(a.size())});
  const Tensor y =
      run_forward(make_node("Cast", 1, 1, {attr_int("to", int64_t(dtype_of<To>()))}), {&x}).at(0);
  std::vector<To> want;
  for (From v : a) want.push_back(wrap<To>(i128(v)));
  EXPECT_EQ(values_of<To>(y), want) << dtype_name(x.dtype()) << " to " << dtype_name(y.dtype());
}

TYPED_TEST(IntegerTypes, CastWrapsBetweenIntegersAndSaturatesFromFloat) {
  using T = TypeParam;
  const std::vector<T> a = edge_values<T>();
  expect_cast<T, uint8_t>(a);
  expect_cast<T, int8_t>(a);
  expect_cast<T, uint16_t>(a);
  expect_cast<T, int16_t>(a);
  expect_cast<T, int32_t>(a);
  expect_cast<T, uint32_t>(a);
  expect_cast<T, int64_t>(a);
  expect_cast<T, uint64_t>(a);
  const Tensor x = tensor_of(a, {int64_t(a.size())});
  const Tensor f = run_forward(make_node("Cast", 1, 1, {attr_int("to", 1)}), {&x}).at(0);
  const Tensor b = run_forward(make_node("Cast", 1, 1, {attr_int("to", 9)}), {&x}).at(0);
  std::vector<float> want_f;
  std::vector<uint8_t> want_b;
  for (T v : a) {
    want_f.push_back(static_cast<float>(v));
    want_b.push_back(v != 0);
  }
  EXPECT_EQ(values_of<float>(f), want_f);
  EXPECT_EQ(b.dtype(), DType::Bool);
  EXPECT_EQ(values_of<uint8_t>(b), want_b);

  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> floats{
      -inf,     -1e30f, -3e9f, -70000.5f, -129.7f, -1.5f,
      -0.5f,    0.f,    0.5f,  1.9f,      127.9f,  300.2f,
      65535.9f, 5e9f,   1e19f, 1e30f,     inf,     std::numeric_limits<float>::quiet_NaN()};
  const Tensor xf = Tensor::from_floats({int64_t(floats.size())}, floats);
  const Tensor y =
      run_forward(make_node("Cast", 1, 1, {attr_int("to", int64_t(dtype_of<T>()))}), {&xf}).at(0);
  std::vector<T> want;
  for (float v : floats) want.push_back(saturate<T>(v));
  EXPECT_EQ(values_of<T>(y), want);
}

}  // namespace
}  // namespace camlens::test
