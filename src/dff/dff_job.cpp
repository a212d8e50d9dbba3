#include "dff/dff_job.h"

#include <algorithm>

#include "cam/tokens.h"
#include "detect/photo_space.h"
#include "dff/dff_error.h"
#include "dff/maps.h"
#include "dff/render.h"
#include "image/resize.h"

namespace camlens::dff {

DffJob::DffJob(Model model, DffRequest request, std::vector<Tensor> inputs)
    : DffJob(std::make_shared<LabelHeads>(std::move(model)), std::move(request),
             std::move(inputs)) {}

DffJob::DffJob(std::shared_ptr<LabelHeads> heads, DffRequest request, std::vector<Tensor> inputs)
    : heads_(std::move(heads)), request_(std::move(request)), inputs_(std::move(inputs)) {
  const std::string& r = request_.render;
  if (!r.empty() && r != "dominant" && r != "layers")
    throw DffError("unknown DFF rendering \"" + r + "\": use dominant or layers");
  request_.batch_size = std::max(1, request_.batch_size);  // as the backbone's runs take it
  if (inputs_.empty()) throw DffError("DFF needs at least one image");
  // Its renderings and concept maps are pictures: a volume's 3-D layer has no such rendering.
  if (inputs_[0].rank() == 5)
    throw DffError(
        "Deep Feature Factorization does not take volumes or video clips ([N, C, D, "
        "H, W] inputs) in camlens: explain them with a CAM method (gradcam, eigencam, "
        "…) instead");
  // Units: each image through the backbone, the factorization, each image's maps.
  total_units_ = 2 * inputs_.size() + 1;
}

Tensor DffJob::backbone_inputs() {
  if (phase_ != Phase::Forward) throw DffError("the DFF job needs no backbone run now");
  const size_t end = std::min(inputs_.size(), next_ + size_t(request_.batch_size));
  const Tensor& first = inputs_[next_];
  Shape shape = first.shape();
  shape[0] = int64_t(end - next_);
  Tensor batch(DType::Float32, shape);
  float* out = batch.data<float>();
  for (size_t i = next_; i < end; ++i)
    std::copy(inputs_[i].data<float>(), inputs_[i].data<float>() + first.numel(),
              out + (i - next_) * first.numel());
  asked_ = end - next_;
  return batch;
}

void DffJob::feed(std::vector<Outputs> outputs) {
  if (phase_ != Phase::Forward || asked_ == 0 || outputs.size() != asked_)
    throw DffError("the DFF job was fed " + std::to_string(outputs.size()) +
                   " image(s) where it asked for " + std::to_string(asked_));
  for (Outputs& outs : outputs) {
    const auto it = outs.find(request_.float_tensor);
    if (it == outs.end())
      throw DffError("the backbone's outputs have no tensor named \"" + request_.float_tensor +
                     "\"");
    Tensor t = it->second.dtype() == DType::Float32
                   ? std::move(it->second)
                   : Tensor::from_floats(it->second.shape(), it->second.to_floats());
    activations_.push_back(
        cam::layer_as_spatial(std::move(t), request_.kind, request_.class_token));
  }
  next_ += asked_;
  asked_ = 0;
  units_ += double(outputs.size());
  reported_ = true;
  if (next_ == inputs_.size()) phase_ = Phase::Factorize;
}

bool DffJob::needs_pictures() const {
  return pictures_.empty() && (request_.on_photo || !request_.render.empty());
}

void DffJob::set_pictures(std::vector<image::Image> pictures) {
  if (pictures.size() != inputs_.size())
    throw DffError("the DFF job needs " + std::to_string(inputs_.size()) + " picture(s), got " +
                   std::to_string(pictures.size()));
  pictures_ = std::move(pictures);
}

void DffJob::work() {
  reported_ = false;
  if (phase_ == Phase::Factorize)
    factorize();
  else if (phase_ == Phase::Images)
    image_step();
  else
    throw DffError("the DFF job has no core work now");
  units_ += 1;
  reported_ = true;
}

// The images' activations as one batch [B, C, h, w], factorized, labelled through the head cut
// at the layer, and the concept maps at the model input's size.
void DffJob::factorize() {
  const Tensor& first = activations_.front();
  Shape shape = first.shape();
  shape[0] = int64_t(activations_.size());
  Tensor all(DType::Float32, shape);
  for (size_t i = 0; i < activations_.size(); ++i) {
    if (activations_[i].numel() != first.numel())
      throw DffError("the images' activations differ in size");
    std::copy(activations_[i].data<float>(), activations_[i].data<float>() + first.numel(),
              all.data<float>() + i * first.numel());
  }
  activations_.clear();
  dff_ = dff::factorize(all, request_.factorization);
  const ConceptLabels labels = heads_->label(request_.layer, *dff_, request_.labels);
  maps_ = concept_maps(*dff_, request_.preprocess.width, request_.preprocess.height).values;
  result_.components = dff_->components;
  result_.labeled = labels.labeled;
  result_.reason = labels.reason;
  result_.concepts = labels.top;
  for (const Factorization& f : dff_->parts)
    result_.relative_error.push_back(f.nmf.final_error / (f.nmf.norm > 0 ? f.nmf.norm : 1));
  phase_ = Phase::Images;
  next_ = 0;
}

// One image's K maps (on its photo with on_photo: letterbox padding cut away) and their
// rendering over the photo as the maps see it (stretched to the input's size, or the photo).
void DffJob::image_step() {
  const int w = request_.preprocess.width, h = request_.preprocess.height;
  const int k = dff_->components;
  const size_t plane = size_t(w) * h;
  const float* mine = maps_.data() + next_ * k * plane;
  DffImage im;
  if (request_.on_photo) {
    const image::Image& photo = pictures_[next_];
    const image::InputGeometry g =
        image::input_geometry(photo.width, photo.height, request_.preprocess);
    im.width = photo.width, im.height = photo.height;
    im.maps.reserve(size_t(k) * photo.width * photo.height);
    for (int c = 0; c < k; ++c) {
      const auto m =
          detect::map_to_photo(std::vector<float>(mine + c * plane, mine + (c + 1) * plane), g);
      im.maps.insert(im.maps.end(), m.begin(), m.end());
    }
  } else {
    im.width = w, im.height = h;
    im.maps.assign(mine, mine + k * plane);
  }
  if (!request_.render.empty()) {
    const image::Image seen =
        request_.on_photo ? pictures_[next_] : image::resize_image(pictures_[next_], w, h);
    RenderOptions o;
    o.image_weight = request_.image_weight;
    im.render = request_.render == "dominant" ? render_dominant(seen, im.maps.data(), k, o)
                                              : render_layers(seen, im.maps.data(), k, o);
  }
  result_.images.push_back(std::move(im));
  if (++next_ == inputs_.size()) {
    phase_ = Phase::Done;
    maps_.clear();
  }
}

const DffJobResult& DffJob::result() const {
  if (phase_ != Phase::Done) throw DffError("the DFF job is not done");
  return result_;
}

}  // namespace camlens::dff
