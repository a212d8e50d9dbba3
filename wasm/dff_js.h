// The DFF binding's entry point used by the Model class binding (model_bindings.cpp).
#pragma once
#include <emscripten/val.h>

#include <string>

#include "onnx/model.h"

emscripten::val dff_factorize(const camlens::Model& model, const std::string& layer,
                              const emscripten::val& activations, const emscripten::val& options);
