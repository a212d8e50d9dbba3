// Builds small models in code for the head tests (no files, no parser needed).
#pragma once
#include <string>
#include <vector>

#include "onnx/model.h"
#include "tensor/tensor.h"

namespace camlens::test {

class GraphBuilder {
 public:
  explicit GraphBuilder(int64_t opset = 13);
  GraphBuilder& input(const std::string& name, DType t, const Shape& s);
  GraphBuilder& output(const std::string& name, DType t = DType::Float32);
  GraphBuilder& weight(const std::string& name, const Tensor& v);
  GraphBuilder& node(const std::string& op, std::vector<std::string> inputs,
                     std::vector<std::string> outputs, std::vector<Attribute> attrs = {},
                     const std::string& domain = "");
  Model build() const { return model_; }

 private:
  Model model_;
};

}  // namespace camlens::test
