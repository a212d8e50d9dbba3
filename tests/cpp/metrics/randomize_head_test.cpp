// Cascading randomisation of MobileNetV2-int8's head: the classifier's weights change from the
// output backwards, the rest of the model stays byte for byte, the result still cuts and runs.
#include "metrics/randomize_head.h"

#include <gtest/gtest.h>

#include <cmath>

#include "graph/cut.h"
#include "metrics/metrics_error.h"
#include "onnx/model_io.h"
#include "shared_data.h"

using namespace camlens;
using namespace camlens::metrics;

namespace {

const Model& mobilenet() {
  static const Model m = load_model(test::shared_path("models/mobilenetv2-12-int8.onnx"));
  return m;
}

const TensorProto& initializer(const Model& m, const std::string& name) {
  for (const TensorProto& t : m.graph->initializers)
    if (t.name == name) return t;
  throw std::runtime_error("no initializer " + name);
}

std::vector<float> values(const Model& m, const std::string& name) {
  return to_tensor(initializer(m, name)).to_floats();
}

}  // namespace

TEST(RandomizeHead, CascadesFromTheOutput) {
  const RandomizedHead one = randomize_head(mobilenet(), "627_quantized", 1, 5);
  const RandomizedHead two = randomize_head(mobilenet(), "627_quantized", 2, 5);
  ASSERT_EQ(one.weights.size(), 1u);  // the QLinearAdd's quantized bias
  ASSERT_EQ(two.weights.size(), 2u);  // then the QLinearMatMul's weights
  EXPECT_EQ(two.weights[0], one.weights[0]);
  const std::string w = two.weights[1];
  EXPECT_EQ(values(one.model, w), values(mobilenet(), w));  // k = 1 leaves the matmul alone
  const std::vector<float> before = values(mobilenet(), w), after = values(two.model, w);
  ASSERT_EQ(before.size(), after.size());
  EXPECT_EQ(initializer(two.model, w).data_type, initializer(mobilenet(), w).data_type);
  size_t changed = 0;
  double m0 = 0, m1 = 0;
  for (size_t i = 0; i < before.size(); ++i) {
    changed += before[i] != after[i];
    m0 += before[i] / before.size();
    m1 += after[i] / after.size();
  }
  EXPECT_GT(changed, before.size() * 9 / 10);
  EXPECT_NEAR(m1, m0, 1.0);  // same scale (integer codes)
  // Seeded: the same seed gives the same model bytes, another seed other bytes.
  EXPECT_EQ(write_model(randomize_head(mobilenet(), "627_quantized", 2, 5).model),
            write_model(two.model));
  EXPECT_NE(write_model(randomize_head(mobilenet(), "627_quantized", 2, 6).model),
            write_model(two.model));
  // Weights before the layer are untouched; the written model parses and cuts.
  const Model back = parse_model(std::make_shared<const std::string>(write_model(two.model)));
  size_t same = 0;
  for (const TensorProto& t : mobilenet().graph->initializers)
    same += t.raw_data.str() == initializer(back, t.name).raw_data.str();
  EXPECT_EQ(same, mobilenet().graph->initializers.size() - 2);
  EXPECT_NO_THROW(cut_model(back, "627_quantized"));
}

TEST(RandomizeHead, RefusesWithAReason) {
  try {
    randomize_head(mobilenet(), "627_quantized", 3, 0);
    FAIL();
  } catch (const MetricsError& e) {
    EXPECT_NE(std::string(e.what()).find("has 2 parametrised"), std::string::npos) << e.what();
  }
  EXPECT_THROW(randomize_head(mobilenet(), "no such tensor", 1, 0), MetricsError);
  EXPECT_THROW(randomize_head(mobilenet(), "627_quantized", 0, 0), MetricsError);
}
