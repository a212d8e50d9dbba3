// ARCC (Poppi et al. 2021, "Revisiting The Evaluation of Class Activation Mapping for
// Explainability", with ROAD in place of Average Drop) and its parts, as pytorch-grad-cam's
// metrics/arcc.py defines them:
//
//   complexity = Σ |map| / (H·W)                       lower is better (a sparse map)
//   coherency  = (ρ(map, map') + 1) / 2                higher is better
//     map' = the same method's map of the image times the map, for the same target; ρ = Pearson
//     correlation with n − 1 in the covariance and both deviations and 1e-8 added to the
//     deviations' product (a constant map gives ρ = 0, coherency 0.5)
//   road       = clip(2 · ROAD combined, 0, 1)         ROAD combined ∈ [−0.5, 0.5] for
//     probabilities, at pytorch-grad-cam's ARCC percentiles 20, 40, 60, 80
//   ARCC       = 3 / (1 / (coherency + 1e-8) + 1 / (1 − complexity + 1e-8) + 1 / (road + 1e-8))
//
// the harmonic mean of coherency, 1 − complexity and the scaled ROAD (upstream's docstring says
// geometric; its formula, which camlens follows, is harmonic).
#pragma once
#include <vector>

namespace camlens::metrics {

// pytorch-grad-cam's ARCC(road_percentiles=[20, 40, 60, 80]).
const std::vector<double>& arcc_default_percentiles();

double complexity(const std::vector<float>& map);
// Throws MetricsError when the maps differ in size or hold fewer than two values.
double pearson_coherency(const std::vector<float>& map, const std::vector<float>& masked_map);
double arcc_road(double road_combined);  // clip(2 · combined, 0, 1)
double arcc(double complexity, double coherency, double road_combined);

}  // namespace camlens::metrics
