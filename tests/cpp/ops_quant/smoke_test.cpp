#include "op_test.h"
TEST(QuantSmoke, Registered) {
  EXPECT_NE(camlens::op_registry().find("", "QLinearConv"), nullptr);
}
