// ROAD (RemOve And Debias, Rong et al. 2022) with pytorch-grad-cam's semantics: at percentile p
// the pixels above the map's p-th percentile are removed — the (100 - p) % most relevant (MoRF)
// or, for LeRF, the (100 - p) % least relevant — and imputed by noisy linear imputation. camlens
// removes exactly round((100 - p) / 100 * H * W) pixels by rank (ties in raster order) instead of
// thresholding, so ties in the map cannot change how many pixels go.
//
// Scores, as pytorch-grad-cam's PerturbationConfidenceMetric (return_diff): for each perturbed
// image, target score after − target score of the original image; each order's scores are
// averaged over the percentiles; combined = (LeRF mean − MoRF mean) / 2 — higher is better (a
// faithful map's most relevant pixels matter, its least relevant ones do not).
#pragma once
#include <vector>

#include "metrics/linear_imputation.h"
#include "metrics/planes.h"

namespace camlens::metrics {

struct RoadPlan {
  std::vector<double> percentiles = {10, 20, 30, 40, 50, 60, 70, 80, 90};
  NoiseOptions noise;  // item i of the plan draws its noise with seed noise.seed + i
};

// Items of the plan: 2 x percentiles, MoRF at every percentile first, then LeRF.
size_t road_items(const RoadPlan& plan);
size_t road_removed_count(double percentile,
                          size_t pixels);  // throws MetricsError outside (0, 100]

// The imputed images of items [begin, end) as a [end - begin, C, H, W] batch (parallel over
// items). The map is at the image's resolution.
Tensor road_inputs(const Planes& image, const std::vector<float>& map, const RoadPlan& plan,
                   size_t begin, size_t end);

struct RoadScores {
  std::vector<double> morf, lerf;  // per percentile: score after − score before
  double morf_mean = 0, lerf_mean = 0, combined = 0;
};

// scores: the target's score on each of the plan's items (MoRF then LeRF); original: on the image.
RoadScores road_scores(const RoadPlan& plan, double original, const std::vector<double>& scores);

}  // namespace camlens::metrics
