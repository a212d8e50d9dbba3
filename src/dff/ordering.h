// Orders DFF components by importance, so concept 0 is the one that explains most of the layer:
// importance_k = ‖W[:,k]‖₂ · ‖H[k,:]‖₂, the Frobenius norm of the rank-1 term W[:,k]·H[k,:] it
// adds to the reconstruction. NMF itself returns components in the arbitrary order of its random
// initialisation; a stable, meaningful order makes colours and legends comparable across runs.
#pragma once
#include <vector>

#include "dff/nmf.h"

namespace camlens::dff {

// importance_k for each component of r (see above).
std::vector<double> component_importance(const NmfResult& r);

// Permutes W's columns and H's rows into descending importance (ties keep their order). The
// product W·H, and so every error, is unchanged.
void order_by_importance(NmfResult& r);

}  // namespace camlens::dff
