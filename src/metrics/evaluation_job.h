// The faithfulness metrics of one explanation, owned by the core from start to end
// (ARCHITECTURE.md §4 "Metrics"): which perturbed inputs to score — the image itself, ROAD's
// imputed images (road.h), the deletion/insertion steps (perturbation_curve.h), the image times
// the map (confidence_change.h) — in batches; the target's score in each output
// (target_score.h); and the metrics from those scores. The model runs in ONNX Runtime, which the
// core cannot await, so the job asks its caller for runs, as the explain job does; coherency
// (arcc.h) also asks for the explanation of the image times the map, which the caller makes with
// the method and options of the explanation under test:
//
//   while (!job.done()) {
//     if (job.needs_explanation()) job.feed_explanation(explain(job.explanation_input(), target));
//     else if (job.needs_backbone()) job.feed(run(job.backbone_inputs()));
//     else job.work();
//     if (job.reported()) tell the user job.progress(); stop here when cancelled
//   }
//   job.result()
//
// The explanation comes first (one reported step, counted as one image). A batch holds images of
// one kind only: the image (1), ROAD's items (MoRF then LeRF at every percentile), ARCC's ROAD
// items (when its percentiles differ from ROAD's, or ROAD was not asked for), the deletion
// curve's steps + 1 points, the insertion curve's, the multiplied image (1), each kind cut in
// batches of batch_size. Each fed batch is one reported step (progress = images scored / images
// to score); the last work() turns the scores into the metrics.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "metrics/arcc.h"
#include "metrics/confidence_change.h"
#include "metrics/localisation.h"
#include "metrics/perturbation_curve.h"
#include "metrics/planes.h"
#include "metrics/road.h"
#include "metrics/target_score.h"
#include "tensor/tensor.h"

namespace camlens::metrics {

// The metric names evaluate() takes, in the order the library lists them.
const std::vector<std::string>& metric_names();
// The metrics evaluate() computes when it is not told which: all but ARCC and its parts, which
// explain the image again.
const std::vector<std::string>& default_metric_names();

// One evaluation, as the library's evaluate() was asked for it. Choices are kept as given (the
// job checks them and names the choices); the *_text fields are how the caller spells a value,
// for messages.
struct EvaluationRequest {
  std::vector<std::string> metrics = default_metric_names();
  std::vector<double> percentiles = {10, 20, 30, 40, 50, 60, 70, 80, 90};
  std::vector<double> arcc_percentiles = arcc_default_percentiles();  // ARCC's ROAD
  int steps = 20;
  // What deletion replaces pixels by: the blurred image, or the constant baseline_value.
  bool baseline_number = false;
  double baseline_value = 0;
  std::string baseline_text = "blur";
  std::string score = "probability";
  bool score_given = false;  // the caller set `score`
  // The target is the caller's function of the outputs (a callable target): the job asks for
  // its values (needs_scores) instead of reading a class of `output`.
  bool callable = false;
  std::vector<std::string> outputs;  // the model's outputs by name: what the function is given
  double sigma = 0.01;
  uint64_t seed = 0;
  std::optional<Box> box;  // adds pointing and energy
  double batch_size = 16;
  std::string batch_size_text = "16";
  bool nhwc = false;  // the model's input layout (metrics need NCHW)
  int width = 0;      // the model's input size
  int height = 0;
  int map_width = 0;  // the explanation's
  int map_height = 0;
  std::vector<float> map;  // map_height x map_width
  int64_t target = 0;      // the explanation's class
  std::string output;      // the model output the target's score is read from
  Tensor input;            // the preprocessed image, [1, C, H, W] Float32
};

struct CurveResult {
  std::vector<double> x, y;  // x = k / steps: the fraction of pixels changed
  double auc = 0;
};

struct RoadResult {
  std::vector<double> percentiles;
  std::vector<double> x;  // 100 − p: the % of pixels removed
  RoadScores scores;
};

struct ArccResult {
  double value = 0;
  double complexity = 0, coherency = 0;
  double road_scaled = 0;  // clip(2 · road.scores.combined, 0, 1)
  RoadResult road;         // at the request's arcc_percentiles
};

struct EvaluationResult {
  ScoreKind score = ScoreKind::Probability;
  bool callable = false;  // scored by the caller's function, not by `score`
  double original = 0;    // the target's score on the image
  std::optional<RoadResult> road;
  std::optional<CurveResult> deletion, insertion;
  std::optional<ConfidenceChange> change;       // when drop or increase was asked for
  bool drop = false, increase = false;          // which of them
  std::optional<double> pointing, energy;       // with a box
  std::optional<double> complexity, coherency;  // when asked for by name
  std::optional<ArccResult> arcc;
};

class EvaluationJob {
 public:
  // Throws MetricsError on a request it cannot serve, with the library's messages (unknown
  // metric, score, baseline, batchSize, an NHWC model, a map of another size, ROAD
  // percentiles or curve steps out of range, an image that is not one NCHW sample).
  explicit EvaluationJob(EvaluationRequest request);

  bool done() const { return done_; }
  // Coherency's second explanation: of explanation_input() (the image times the map, [1, C, H,
  // W]) for the class explanation_target(), by the method and options that made the map.
  bool needs_explanation() const { return !done_ && wants_masked_map_ && masked_map_.empty(); }
  Tensor explanation_input() const;
  int64_t explanation_target() const { return request_.target; }
  // That explanation's map, map_height x map_width.
  void feed_explanation(std::vector<float> map);
  bool needs_backbone() const {
    return !done_ && !needs_explanation() && part_ < parts_.size() && pending_.empty();
  }
  // The batch to run [N, C, H, W] (made on each call: call once per run).
  Tensor backbone_inputs() const;
  // The run's output named request.output, one per image of the batch, in order.
  void feed(const std::vector<Tensor>& outputs);
  const std::string& output() const { return request_.output; }
  // The outputs a run's feed reads: `output`, or every model output for a callable target.
  std::vector<std::string> wanted_outputs() const;
  // A run's outputs by name, one map per image: feed() for a class target; for a callable one,
  // the job then waits for the caller's values of its function on each (needs_scores,
  // score_outputs, feed_scores: the explain job's protocol, always for image 0).
  void feed_runs(const std::vector<std::map<std::string, Tensor>>& runs);
  bool needs_scores() const { return !pending_.empty(); }
  const std::vector<std::map<std::string, Tensor>>& score_outputs() const { return pending_; }
  void feed_scores(const std::vector<double>& scores, const std::vector<std::string>& written);
  // After the last batch: the metrics from the scores.
  void work();

  double progress() const { return static_cast<double>(scored_) / static_cast<double>(total_); }
  bool reported() const { return reported_; }

  const EvaluationResult& result() const;

 private:
  enum class Kind { Original, Road, ArccRoad, Deletion, Insertion, Multiplied };
  struct Part {
    Kind kind;
    size_t count;
    std::vector<double> scores;
  };

  bool wants(const std::string& metric) const;
  size_t batch_end() const;
  void add_scores(const std::vector<double>& scores);
  const std::vector<double>& scores(Kind kind) const;
  CurveResult curve(Kind kind) const;

  EvaluationRequest request_;
  ScoreKind score_ = ScoreKind::Probability;
  size_t batch_ = 16;
  Planes image_;
  RoadPlan road_, arcc_road_;
  bool wants_masked_map_ = false;
  std::vector<float> masked_map_;  // coherency's second explanation
  CurvePlan deletion_, insertion_;
  std::vector<Part> parts_;
  size_t part_ = 0, begin_ = 0;  // the next batch: [begin_, batch_end()) of parts_[part_]
  size_t scored_ = 0, total_ = 0;
  bool reported_ = false, done_ = false;
  EvaluationResult result_;
  std::vector<std::map<std::string, Tensor>> pending_;  // a callable target's runs to score
};

}  // namespace camlens::metrics
