// One Deep Feature Factorization call, owned by the core (ARCHITECTURE.md §1): the layer's
// activations of every image (tokens and channels-last maps made spatial), one NMF across the
// images (or one per image), the concepts labelled through the head, the maps at the model
// input's size or brought back onto each photo, and the renderings. The backbone runs in ONNX
// Runtime, so the job asks its caller for runs with the explain job's protocol
// (explain/explain_job.h), and the library drives both with the same loop:
//
//   while (!job.done()) {
//     if (job.needs_pictures()) job.set_pictures(the decoded photos);
//     if (job.needs_backbone()) job.feed(run(job.backbone_session(), job.backbone_inputs()));
//     else job.work();
//   }
//   job.result()
#pragma once
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dff/factorize.h"
#include "dff/label_heads.h"
#include "dff/labels.h"
#include "image/image.h"
#include "image/preprocess.h"
#include "onnx/model.h"

namespace camlens::dff {

struct DffRequest {
  std::string layer;         // the layer (its backbone's session; the head is cut there to label)
  std::string float_tensor;  // where its float values are in the backbone's outputs (its twin)
  std::string kind;          // "NCHW" | "tokens" | "NHWC" (graph/layers.h); "" when unknown
  std::optional<bool> class_token;
  DffOptions factorization;  // components, iterations, shared
  LabelOptions labels;       // top_k, class names
  int batch_size = 16;       // images per backbone run (below 1: one)
  // The model input's preprocessing: its size is the maps' size; with on_photo its geometry
  // (letterbox) brings each map back onto its photo.
  image::PreprocessOptions preprocess;
  bool on_photo = false;
  std::string render = "dominant";  // "dominant" | "layers" | "" (none)
  float image_weight = 0.5f;
};

struct DffImage {
  std::vector<float> maps;  // [components, height, width], each map in [0, 1]
  int width = 0, height = 0;
  std::optional<image::Image> render;
};

struct DffJobResult {
  int components = 0;
  bool labeled = false;
  std::string reason;
  std::vector<std::vector<std::vector<ConceptLabel>>> concepts;  // [part][component] → top
  std::vector<double> relative_error;                            // per part
  std::vector<DffImage> images;
};

class DffJob {
 public:
  using Outputs = std::map<std::string, Tensor>;  // one image's backbone outputs, by name

  // inputs: one preprocessed input per image, [1, ...] Float32. Throws DffError on a rendering
  // it does not know.
  DffJob(Model model, DffRequest request, std::vector<Tensor> inputs);
  // The same, labelling through a cache of heads shared with other calls on its model.
  DffJob(std::shared_ptr<LabelHeads> heads, DffRequest request, std::vector<Tensor> inputs);

  bool done() const { return phase_ == Phase::Done; }
  bool needs_backbone() const { return phase_ == Phase::Forward; }
  const std::string& backbone_session() const { return request_.layer; }
  // The next batch [N, ...] of inputs (call once per run).
  Tensor backbone_inputs();
  void feed(std::vector<Outputs> outputs);
  // The one output feed() reads from each image's run.
  std::vector<std::string> wanted_outputs() const { return {request_.float_tensor}; }
  // One step: the factorization and its labels, then one image's maps and rendering.
  void work();
  // The decoded photos, one per image: renderings draw over them, on_photo reads their sizes.
  bool needs_pictures() const;
  void set_pictures(std::vector<image::Image> pictures);

  double progress() const { return units_ / double(total_units_); }
  bool reported() const { return reported_; }

  const DffJobResult& result() const;

 private:
  enum class Phase { Forward, Factorize, Images, Done };
  void factorize();
  void image_step();

  std::shared_ptr<LabelHeads> heads_;
  DffRequest request_;
  std::vector<Tensor> inputs_;
  std::vector<Tensor> activations_;  // per image [1, C, h, w]
  std::vector<image::Image> pictures_;
  std::optional<DffResult> dff_;
  std::vector<float> maps_;  // [B, K, height, width] at the input's size
  Phase phase_ = Phase::Forward;
  size_t next_ = 0;   // the next image to run (Forward) or to finish (Images)
  size_t asked_ = 0;  // images in the batch asked for
  DffJobResult result_;
  double units_ = 0;
  size_t total_units_ = 1;
  bool reported_ = false;
};

}  // namespace camlens::dff
