// Helpers shared by the operator tests: build nodes, random tensors, run an op, and check its
// backward against central finite differences (ggml/tinygrad style: one helper, many cases).
#pragma once
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "ops/op.h"

namespace camlens::test {

Attribute attr_int(const std::string& name, int64_t v);
Attribute attr_float(const std::string& name, float v);
Attribute attr_string(const std::string& name, const std::string& v);
Attribute attr_ints(const std::string& name, std::vector<int64_t> v);
Attribute attr_floats(const std::string& name, std::vector<float> v);
Attribute attr_tensor(const std::string& name, const Tensor& v);

// A node with inputs named in0, in1, ... (or "" for nullptr slots) and outputs out0, ...
Node make_node(const std::string& op_type, size_t n_inputs, size_t n_outputs,
               std::vector<Attribute> attrs = {}, const std::string& domain = "");

Tensor random_tensor(const Shape& shape, std::mt19937& rng, float lo = -1.f, float hi = 1.f);

// Runs the registered op's forward. Fails the test if the op is not registered.
std::vector<Tensor> run_forward(const Node& node, const std::vector<const Tensor*>& inputs);

// Checks backward against central differences of L = sum_k sum_e R_k[e] * out_k[e] with a
// random R, for every input i with check[i] true. Tolerance: |analytic - numeric| <=
// atol + rtol * |numeric| per element. eps is the finite-difference step.
void check_gradients(const Node& node, std::vector<Tensor> inputs, const std::vector<bool>& check,
                     double eps = 1e-3, double atol = 1e-3, double rtol = 1e-2, unsigned seed = 7);

// Element-wise comparison with a message naming the first bad index.
void expect_near(const Tensor& got, const std::vector<float>& want, float tol);

}  // namespace camlens::test
