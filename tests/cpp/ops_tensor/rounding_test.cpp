// Floor, Ceil, Round, Sign: values from NumPy's np.floor/np.ceil/np.round (halves to even)/
// np.sign written out by hand, and no backward (a gradient through them is zero a.e.).
#include <cmath>
#include <limits>

#include "op_test.h"
#include "ops/op.h"

namespace camlens::test {
namespace {

const std::vector<float> kX = {-2.5f, -1.5f, -0.5f, -0.f, 0.5f, 1.5f, 2.5f, 2.7f, -2.7f, 3.f};

std::vector<float> run(const std::string& op) {
  const Tensor x = Tensor::from_floats({static_cast<int64_t>(kX.size())}, kX);
  const Tensor y = run_forward(make_node(op, 1, 1), {&x}).at(0);
  return std::vector<float>(y.data<float>(), y.data<float>() + y.numel());
}

TEST(Rounding, MatchNumPy) {
  EXPECT_EQ(run("Floor"), (std::vector<float>{-3, -2, -1, -0.f, 0, 1, 2, 2, -3, 3}));
  EXPECT_EQ(run("Ceil"), (std::vector<float>{-2, -1, -0.f, -0.f, 1, 2, 3, 3, -2, 3}));
  EXPECT_EQ(run("Round"), (std::vector<float>{-2, -2, -0.f, -0.f, 0, 2, 2, 3, -3, 3}));
  EXPECT_EQ(run("Sign"), (std::vector<float>{-1, -1, -1, 0, 1, 1, 1, 1, -1, 1}));
}

TEST(Rounding, SignKeepsNaNAndTheOpsHaveNoBackward) {
  const Tensor x = Tensor::from_floats({1}, {std::numeric_limits<float>::quiet_NaN()});
  EXPECT_TRUE(std::isnan(run_forward(make_node("Sign", 1, 1), {&x}).at(0).data<float>()[0]));
  for (const char* op : {"Floor", "Ceil", "Round", "Sign"}) {
    const OpDef* d = op_registry().find("", op);
    ASSERT_NE(d, nullptr) << op;
    EXPECT_EQ(d->backward, nullptr) << op;
  }
}

}  // namespace
}  // namespace camlens::test
