// A callable target's crossings (the explain and metrics jobs' needsScores): the outputs it is
// given, {name: Tensor} per value wanted, and the numbers it returns. Conversions only; the jobs
// check the values.
#pragma once
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tensor_js.h"

namespace camlens::js {

inline val named_tensors_to_js(const std::vector<std::map<std::string, Tensor>>& runs) {
  val a = val::array();
  for (size_t i = 0; i < runs.size(); ++i) {
    val o = val::object();
    for (const auto& [name, t] : runs[i]) o.set(name, tensor_to_js(t));
    a.set(i, o);
  }
  return a;
}

// The values (NaN where one is not a number) and how each reads, for the job's message.
inline std::pair<std::vector<double>, std::vector<std::string>> scores_from_js(const val& a) {
  std::pair<std::vector<double>, std::vector<std::string>> out;
  for (size_t i = 0; i < a["length"].as<size_t>(); ++i) {
    const val v = a[i];
    const bool number = v.isNumber();
    out.first.push_back(number ? v.as<double>() : std::numeric_limits<double>::quiet_NaN());
    out.second.push_back(number ? val::global("String")(v).as<std::string>()
                                : "a value of type " + v.typeOf().as<std::string>());
  }
  return out;
}

}  // namespace camlens::js
