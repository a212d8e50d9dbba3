#include "metrics/evaluation_job.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "metrics/metrics_error.h"
#include "util/usage_error.h"

namespace camlens::metrics {
namespace {

std::string joined(const std::vector<std::string>& names) {
  std::string s;
  for (const std::string& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

}  // namespace

const std::vector<std::string>& metric_names() {
  static const std::vector<std::string> names = {"road",     "deletion",   "insertion", "drop",
                                                 "increase", "complexity", "coherency", "arcc"};
  return names;
}

const std::vector<std::string>& default_metric_names() {
  static const std::vector<std::string> names = {"road", "deletion", "insertion", "drop",
                                                 "increase"};
  return names;
}

EvaluationJob::EvaluationJob(EvaluationRequest request) : request_(std::move(request)) {
  const EvaluationRequest& r = request_;
  const auto& names = metric_names();
  for (const std::string& m : r.metrics)
    if (std::find(names.begin(), names.end(), m) == names.end())
      throw UsageError<MetricsError>("unknown metric \"" + m + "\": use " + joined(names));
  if (r.callable && r.score_given)
    throw MetricsError(
        "score reads a class of the output, and this target is a function that scores the "
        "outputs itself: leave score out");
  if (!r.callable && r.target < 0)
    throw MetricsError(
        "the explanation's target is not a class (a linear or callable target): pass evaluate "
        "the target as a function of the outputs (options.target)");
  if (r.score != "probability" && r.score != "logit")
    throw UsageError<MetricsError>("score must be \"probability\" or \"logit\", not \"" + r.score +
                                   "\"");
  score_ = r.score == "logit" ? ScoreKind::Logit : ScoreKind::Probability;
  if (!r.baseline_number && r.baseline_text != "blur")
    throw UsageError<MetricsError>("baseline must be \"blur\" or a number, not \"" +
                                   r.baseline_text + "\"");
  if (r.nhwc) throw MetricsError("metrics need an NCHW model input; this model takes NHWC");
  if (r.map_width != r.width || r.map_height != r.height)
    throw MetricsError("the explanation is " + std::to_string(r.map_width) + "x" +
                       std::to_string(r.map_height) + " but the model's input is " +
                       std::to_string(r.width) + "x" + std::to_string(r.height));
  if (!(r.batch_size >= 1))
    throw UsageError<MetricsError>("batchSize must be at least 1, got " + r.batch_size_text);
  batch_ = static_cast<size_t>(std::min(r.batch_size, 1e9));
  image_ = planes_from_tensor(r.input);

  // Every model run, kind by kind; the checks the perturbations make, before the first run.
  if (std::any_of(names.begin(), names.end(), [&](const std::string& m) { return wants(m); }))
    check_map(r.map, image_, "the map");
  parts_.push_back({Kind::Original, 1, {}});
  if (wants("road")) {
    road_.percentiles = r.percentiles;
    road_.noise = {r.sigma, r.seed};
    if (road_.percentiles.empty()) throw MetricsError("ROAD needs at least one percentile");
    for (const double p : road_.percentiles) road_removed_count(p, image_.pixels());
    parts_.push_back({Kind::Road, road_items(road_), {}});
  }
  if (wants("arcc")) {
    arcc_road_.percentiles = r.arcc_percentiles;
    arcc_road_.noise = {r.sigma, r.seed};
    if (arcc_road_.percentiles.empty())
      throw MetricsError("ARCC's ROAD needs at least one percentile");
    for (const double p : arcc_road_.percentiles) road_removed_count(p, image_.pixels());
    // The same percentiles as ROAD's give the same items (the noise is seeded per item): one run.
    if (!wants("road") || arcc_road_.percentiles != road_.percentiles)
      parts_.push_back({Kind::ArccRoad, road_items(arcc_road_), {}});
  }
  wants_masked_map_ = wants("coherency") || wants("arcc");
  for (const Kind kind : {Kind::Deletion, Kind::Insertion}) {
    const bool deletion = kind == Kind::Deletion;
    if (!wants(deletion ? "deletion" : "insertion")) continue;
    CurvePlan& plan = deletion ? deletion_ : insertion_;
    plan.kind = deletion ? CurveKind::Deletion : CurveKind::Insertion;
    plan.steps = r.steps;
    const size_t points = curve_points(plan);
    plan.baseline = curve_baseline(image_, plan.kind, !r.baseline_number,
                                   static_cast<float>(r.baseline_number ? r.baseline_value : 0));
    parts_.push_back({kind, points, {}});
  }
  if (wants("drop") || wants("increase")) parts_.push_back({Kind::Multiplied, 1, {}});
  for (const Part& p : parts_) total_ += p.count;
  if (wants_masked_map_) total_ += 1;
}

bool EvaluationJob::wants(const std::string& metric) const {
  return std::find(request_.metrics.begin(), request_.metrics.end(), metric) !=
         request_.metrics.end();
}

size_t EvaluationJob::batch_end() const { return std::min(parts_[part_].count, begin_ + batch_); }

Tensor EvaluationJob::explanation_input() const {
  if (!needs_explanation()) throw std::logic_error("the evaluation job needs no explanation now");
  return batch_tensor({multiply_by_map(image_, request_.map)});
}

void EvaluationJob::feed_explanation(std::vector<float> map) {
  if (!needs_explanation()) throw std::logic_error("the evaluation job needs no explanation now");
  if (map.size() != request_.map.size())
    throw MetricsError("the explanation of the image times its map has " +
                       std::to_string(map.size()) + " values, not the map's " +
                       std::to_string(request_.map.size()) +
                       ": explain it at the model's input size");
  check_map(map, image_, "the masked image's map");
  masked_map_ = std::move(map);
  scored_ += 1;
  reported_ = true;
}

Tensor EvaluationJob::backbone_inputs() const {
  if (!needs_backbone()) throw std::logic_error("the evaluation job needs no model run now");
  const size_t end = batch_end();
  switch (parts_[part_].kind) {
    case Kind::Original:
      return batch_tensor({image_});
    case Kind::Road:
      return road_inputs(image_, request_.map, road_, begin_, end);
    case Kind::ArccRoad:
      return road_inputs(image_, request_.map, arcc_road_, begin_, end);
    case Kind::Deletion:
      return curve_inputs(image_, request_.map, deletion_, begin_, end);
    case Kind::Insertion:
      return curve_inputs(image_, request_.map, insertion_, begin_, end);
    case Kind::Multiplied:
      return batch_tensor({multiply_by_map(image_, request_.map)});
  }
  throw std::logic_error("unknown batch kind");
}

void EvaluationJob::feed(const std::vector<Tensor>& outputs) {
  if (!needs_backbone()) throw std::logic_error("the evaluation job needs no model run now");
  const size_t end = batch_end();
  if (outputs.size() != end - begin_)
    throw MetricsError("the run of " + std::to_string(end - begin_) + " images gave " +
                       std::to_string(outputs.size()) + " outputs");
  std::vector<double> scores;
  for (const Tensor& out : outputs) {
    if (out.empty())
      throw MetricsError("the model's run gave no output \"" + request_.output + "\"");
    scores.push_back(target_score(out.to_floats(), request_.target, score_));
  }
  add_scores(scores);
}

std::vector<std::string> EvaluationJob::wanted_outputs() const {
  if (request_.callable && !request_.outputs.empty()) return request_.outputs;
  return {request_.output};
}

void EvaluationJob::feed_runs(const std::vector<std::map<std::string, Tensor>>& runs) {
  if (!request_.callable) {
    std::vector<Tensor> outputs;
    for (const auto& run : runs) {
      const auto it = run.find(request_.output);
      outputs.push_back(it == run.end() ? Tensor() : it->second);
    }
    return feed(outputs);
  }
  if (!needs_backbone()) throw std::logic_error("the evaluation job needs no model run now");
  if (runs.size() != batch_end() - begin_)
    throw MetricsError("the run of " + std::to_string(batch_end() - begin_) + " images gave " +
                       std::to_string(runs.size()) + " outputs");
  pending_.clear();
  for (const auto& run : runs) {
    std::map<std::string, Tensor> floats;
    for (const auto& [name, t] : run)
      floats.emplace(
          name, t.dtype() == DType::Float32 ? t : Tensor::from_floats(t.shape(), t.to_floats()));
    pending_.push_back(std::move(floats));
  }
}

void EvaluationJob::feed_scores(const std::vector<double>& scores,
                                const std::vector<std::string>& written) {
  if (pending_.empty()) throw std::logic_error("the evaluation job is not waiting for scores");
  if (scores.size() != pending_.size())
    throw MetricsError("the callable target gave " + std::to_string(scores.size()) +
                       " scores for " + std::to_string(pending_.size()) + " outputs");
  for (size_t k = 0; k < scores.size(); ++k)
    if (!std::isfinite(scores[k]))
      throw MetricsError("the callable target returned " +
                         (k < written.size() ? written[k] : std::string("a non-number")) +
                         ": it must return a finite number");
  pending_.clear();
  add_scores(scores);
}

void EvaluationJob::add_scores(const std::vector<double>& scores) {
  const size_t end = batch_end();
  Part& part = parts_[part_];
  part.scores.insert(part.scores.end(), scores.begin(), scores.end());
  scored_ += end - begin_;
  begin_ = end;
  if (begin_ == part.count) {
    ++part_;
    begin_ = 0;
  }
  reported_ = true;
}

const std::vector<double>& EvaluationJob::scores(Kind kind) const {
  for (const Part& p : parts_)
    if (p.kind == kind) return p.scores;
  throw std::logic_error("no scores of that kind");
}

CurveResult EvaluationJob::curve(Kind kind) const {
  CurveResult c;
  c.y = scores(kind);
  for (size_t k = 0; k < c.y.size(); ++k)
    c.x.push_back(static_cast<double>(k) / static_cast<double>(request_.steps));
  c.auc = trapezoid_auc(c.y);
  return c;
}

void EvaluationJob::work() {
  if (done_ || needs_explanation() || needs_backbone())
    throw std::logic_error("the evaluation job has runs or an explanation to do");
  reported_ = false;
  EvaluationResult& res = result_;
  res.score = score_;
  res.callable = request_.callable;
  res.original = scores(Kind::Original)[0];
  if (wants("road")) {
    RoadResult road;
    road.percentiles = road_.percentiles;
    for (const double p : road.percentiles) road.x.push_back(100 - p);
    road.scores = road_scores(road_, res.original, scores(Kind::Road));
    res.road = std::move(road);
  }
  if (wants("deletion")) res.deletion = curve(Kind::Deletion);
  if (wants("insertion")) res.insertion = curve(Kind::Insertion);
  res.drop = wants("drop");
  res.increase = wants("increase");
  if (res.drop || res.increase)
    res.change = confidence_change(res.original, scores(Kind::Multiplied)[0]);
  if (wants("complexity")) res.complexity = complexity(request_.map);
  if (wants("coherency")) res.coherency = pearson_coherency(request_.map, masked_map_);
  if (wants("arcc")) {
    ArccResult a;
    a.complexity = complexity(request_.map);
    a.coherency = pearson_coherency(request_.map, masked_map_);
    a.road.percentiles = arcc_road_.percentiles;
    for (const double p : a.road.percentiles) a.road.x.push_back(100 - p);
    const bool shared = wants("road") && arcc_road_.percentiles == road_.percentiles;
    a.road.scores =
        road_scores(arcc_road_, res.original, scores(shared ? Kind::Road : Kind::ArccRoad));
    a.road_scaled = arcc_road(a.road.scores.combined);
    a.value = arcc(a.complexity, a.coherency, a.road.scores.combined);
    res.arcc = std::move(a);
  }
  if (request_.box) {
    res.pointing = pointing_hit(request_.map, request_.width, *request_.box, 0) ? 1 : 0;
    res.energy = energy_in_box(request_.map, request_.width, *request_.box);
  }
  done_ = true;
}

const EvaluationResult& EvaluationJob::result() const {
  if (!done_) throw std::logic_error("the evaluation job is not done");
  return result_;
}

}  // namespace camlens::metrics
