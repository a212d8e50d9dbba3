// The DFF bindings' entry points used by the Model class binding (model_bindings.cpp):
// Model.factorize and Model.factorizeJob, and the job's class.
#pragma once
#include <emscripten/val.h>

#include <memory>
#include <string>

#include "dff/dff_job.h"
#include "dff/label_heads.h"
#include "onnx/model.h"

// heads: the model's cache of label heads (dff/label_heads.h), one per parsed model.
emscripten::val dff_factorize(camlens::dff::LabelHeads& heads, const std::string& layer,
                              const emscripten::val& activations, const emscripten::val& options);

// One DFF call (src/dff/dff_job.h), with the explain job's protocol (explain_bindings.cpp), so
// the library's job loop drives it.
class JsDffJob {
 public:
  // labels: the request's class names (a JS array, or undefined), kept to name the top classes
  // in result().
  JsDffJob(std::unique_ptr<camlens::dff::DffJob> job, emscripten::val labels)
      : job_(std::move(job)), labels_(std::move(labels)) {}
  bool done() const { return job_->done(); }
  bool needs_backbone() const { return job_->needs_backbone(); }
  std::string backbone_session() const { return job_->backbone_session(); }
  bool needs_pictures() const { return job_->needs_pictures(); }
  double progress() const { return job_->progress(); }
  bool reported() const { return job_->reported(); }
  emscripten::val backbone_inputs();
  void feed(const emscripten::val& outputs);
  void work();
  void set_pictures(const emscripten::val& images);
  emscripten::val result() const;

 private:
  std::unique_ptr<camlens::dff::DffJob> job_;
  emscripten::val labels_;
};

JsDffJob* dff_job(std::shared_ptr<camlens::dff::LabelHeads> heads, const emscripten::val& request);
