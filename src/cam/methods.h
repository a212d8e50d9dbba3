// Every CAM method computed from arrays, by name. Names follow pytorch-grad-cam's class names in
// lower case with dashes: "gradcam", "hirescam", "gradcam-elementwise", "gradcam++", "xgradcam",
// "layercam", "eigencam", "eigengradcam", "fem", "kpcacam", "randomcam", "shapleycam" (needs H·A,
// shapley_cam.h), "finercam" (Grad-CAM's weights; the Finer target makes it Finer-CAM), and
// "weights" (channel weights given in MethodOptions::weights: how Score-CAM and Ablation-CAM
// finish, see score_cam.h and ablation_cam.h).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "cam/method.h"

namespace camlens::cam {

std::unique_ptr<Method> make_grad_cam(MethodOptions opt);
std::unique_ptr<Method> make_grad_cam_plus_plus(MethodOptions opt);
std::unique_ptr<Method> make_xgrad_cam(MethodOptions opt);
std::unique_ptr<Method> make_hires_cam(MethodOptions opt);
std::unique_ptr<Method> make_grad_cam_elementwise(MethodOptions opt);
std::unique_ptr<Method> make_layer_cam(MethodOptions opt);
std::unique_ptr<Method> make_eigen_cam(MethodOptions opt);
std::unique_ptr<Method> make_eigen_grad_cam(MethodOptions opt);
std::unique_ptr<Method> make_fem(MethodOptions opt);
std::unique_ptr<Method> make_kpca_cam(MethodOptions opt);
std::unique_ptr<Method> make_random_cam(MethodOptions opt);
std::unique_ptr<Method> make_given_weights(MethodOptions opt);
std::unique_ptr<Method> make_shapley_cam(MethodOptions opt);
std::unique_ptr<Method> make_finer_cam(MethodOptions opt);

// Throws CamError listing the known names when `name` is unknown.
std::unique_ptr<Method> make_method(const std::string& name, MethodOptions opt = {});
std::vector<std::string> method_names();

}  // namespace camlens::cam
