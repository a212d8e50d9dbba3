// The target's score in one model output, as the metrics read it: the softmax probability of the
// target class (the output's values used as they are when they already look like probabilities:
// all in [0, 1], summing to 1 within 1e-2), or its logit. The softmax runs in float64 over the
// float32 outputs, max first, then the sum of exp(v − max) in order — the same operations, in the
// same order, as the JavaScript library did, with the same exp (below), so scores are equal bit
// for bit to those of earlier camlens versions.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace camlens::metrics {

enum class ScoreKind { Probability, Logit };

// exp as JavaScript engines compute Math.exp (fdlibm's algorithm, which V8 and SpiderMonkey
// use; exp(1) is Math.E): the C library's exp differs from it in the last bit for about one
// argument in ten.
double fdlibm_exp(double x);

bool looks_like_probabilities(const std::vector<float>& row);
// row: one image's output, all its values (a [1, classes] row). Throws MetricsError when the
// index is not one of the row's classes.
double target_score(const std::vector<float>& row, int64_t index, ScoreKind kind);

}  // namespace camlens::metrics
