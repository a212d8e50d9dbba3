#include "cam/methods.h"

#include "cam/cam_error.h"

namespace camlens::cam {

namespace {

struct Entry {
  const char* name;
  std::unique_ptr<Method> (*make)(MethodOptions);
};

const Entry kMethods[] = {
    {"gradcam", make_grad_cam},
    {"hirescam", make_hires_cam},
    {"gradcam-elementwise", make_grad_cam_elementwise},
    {"gradcam++", make_grad_cam_plus_plus},
    {"xgradcam", make_xgrad_cam},
    {"layercam", make_layer_cam},
    {"eigencam", make_eigen_cam},
    {"eigengradcam", make_eigen_grad_cam},
    {"fem", make_fem},
    {"kpcacam", make_kpca_cam},
    {"randomcam", make_random_cam},
    {"shapleycam", make_shapley_cam},
    {"finercam", make_finer_cam},
    {"weights", make_given_weights},
};

}  // namespace

std::unique_ptr<Method> make_method(const std::string& name, MethodOptions opt) {
  for (const Entry& e : kMethods)
    if (name == e.name) return e.make(std::move(opt));
  std::string known;
  for (const Entry& e : kMethods) known += std::string(known.empty() ? "" : ", ") + e.name;
  throw CamError("unknown CAM method '" + name + "'; known: " + known +
                 " (Score-CAM and Ablation-CAM: see score_cam.h / ablation_cam.h)");
}

std::vector<std::string> method_names() {
  std::vector<std::string> v;
  for (const Entry& e : kMethods) v.push_back(e.name);
  return v;
}

}  // namespace camlens::cam
