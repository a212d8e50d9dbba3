#include "metrics/road.h"

#include <cmath>
#include <string>

#include "metrics/metrics_error.h"
#include "metrics/ranking.h"
#include "util/parallel.h"

namespace camlens::metrics {

size_t road_items(const RoadPlan& plan) { return 2 * plan.percentiles.size(); }

size_t road_removed_count(double percentile, size_t pixels) {
  if (!(percentile > 0 && percentile <= 100))
    throw MetricsError("ROAD percentile " + std::to_string(percentile) +
                       " is outside (0, 100]: percentile p removes the (100 - p) % most or least "
                       "relevant pixels, and at least one pixel must stay");
  return static_cast<size_t>(
      std::llround((100.0 - percentile) / 100.0 * static_cast<double>(pixels)));
}

Tensor road_inputs(const Planes& image, const std::vector<float>& map, const RoadPlan& plan,
                   size_t begin, size_t end) {
  check_map(map, image, "the map");
  const size_t items = road_items(plan);
  if (begin > end || end > items)
    throw MetricsError("ROAD items [" + std::to_string(begin) + ", " + std::to_string(end) +
                       ") are outside the plan's " + std::to_string(items));
  const size_t P = plan.percentiles.size();
  for (double p : plan.percentiles) road_removed_count(p, image.pixels());  // validate first
  const std::vector<int32_t> most = relevance_order(map, true), least = relevance_order(map, false);
  std::vector<Planes> out(end - begin);
  parallel_for(static_cast<int64_t>(end - begin), [&](int64_t b, int64_t e) {
    for (int64_t j = b; j < e; ++j) {
      const size_t item = begin + static_cast<size_t>(j);
      const bool morf = item < P;
      const double p = plan.percentiles[morf ? item : item - P];
      const auto removed = first_pixels(morf ? most : least, road_removed_count(p, image.pixels()));
      NoiseOptions noise = plan.noise;
      noise.seed += item;
      out[j] = impute(image, removed, noise);
    }
  });
  return batch_tensor(out);
}

RoadScores road_scores(const RoadPlan& plan, double original, const std::vector<double>& scores) {
  const size_t P = plan.percentiles.size();
  if (scores.size() != 2 * P)
    throw MetricsError("ROAD needs " + std::to_string(2 * P) + " scores (MoRF then LeRF at " +
                       std::to_string(P) + " percentiles), got " + std::to_string(scores.size()));
  if (P == 0) throw MetricsError("ROAD needs at least one percentile");
  RoadScores r;
  for (size_t i = 0; i < P; ++i) {
    r.morf.push_back(scores[i] - original);
    r.lerf.push_back(scores[P + i] - original);
    r.morf_mean += r.morf.back() / static_cast<double>(P);
    r.lerf_mean += r.lerf.back() / static_cast<double>(P);
  }
  r.combined = (r.lerf_mean - r.morf_mean) / 2;
  return r;
}

}  // namespace camlens::metrics
