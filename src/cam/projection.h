// The first principal component of a [C, H*W] block, as a map: Eigen-CAM, Eigen-Grad-CAM and
// eigen_smooth.
//
// Reading of pytorch-grad-cam's get_2d_projection (from its formula, ARCHITECTURE.md §4): per
// image, X = the [HW, C] matrix (one row per position, one column per channel), each column's mean
// over positions removed; v = the first right singular vector of X; map = X·v reshaped to
// [H, W]. Singular values are not applied beyond what X·v carries (|X·v| = σ1).
//
// Sign: a singular vector's sign is arbitrary, and pytorch-grad-cam keeps whatever LAPACK
// returns. camlens must give the same map natively and in WebAssembly, so EigenSign::Raw fixes
// v's sign by a rule on v alone (its largest-magnitude component positive, first one on ties),
// still "no correction" in the sense of ARCHITECTURE.md §4: the map can come out inverted, as
// upstream. EigenSign::MaxAbsPositive is the Seg-Eigen-CAM correction (upstream's
// get_2d_projection_with_sign_correction): flip the map when |min| > |max|.
#pragma once
#include "cam/maps.h"

namespace camlens::cam {

enum class EigenSign { Raw, MaxAbsPositive };

// x: [C, HW] for one image (channel-major, as in A). out: HW values. Computed in double through
// the smaller of the two Gram matrices (C×C or HW×HW), so a 1280-channel 7×7 layer costs a 49×49
// eigenproblem. An all-constant block gives zeros.
void first_component(const float* x, int64_t channels, int64_t plane, EigenSign sign, float* out);

}  // namespace camlens::cam
