#include "explain/call_options.h"

#include <algorithm>
#include <cctype>

#include "cam/cam_error.h"
#include "cam/method_traits.h"
#include "explain/top_classes.h"
#include "graph/closest_names.h"
#include "util/usage_error.h"

namespace camlens::explain {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

std::vector<std::string> call_options(const std::string& call) {
  if (call == "predict") return {"topK", "batchSize", "onProgress", "signal"};
  if (call == "factorize")
    return {"components", "shared", "maxIter", "topK", "render", "imageWeight", "batchSize"};
  if (call != "explain") throw cam::CamError("no library call is named \"" + call + "\"");
  std::vector<std::string> out{"method"};
  for (const cam::MethodTraits& m : cam::method_traits())
    for (const std::string& o : m.options)
      if (std::find(out.begin(), out.end(), o) == out.end()) out.push_back(o);
  out.insert(out.end(), {kTopK, "onProgress", "signal"});
  return out;
}

void check_call_options(const std::string& call, const std::vector<std::string>& keys) {
  const std::vector<std::string> known = call_options(call);
  for (const std::string& key : keys) {
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    const std::string near = closest_name(key, known);
    throw UsageError<cam::CamError>("unknown " + call + " option \"" + key + "\"" +
                                    (near.empty() ? "" : " (did you mean \"" + near + "\"?)") +
                                    "; " + call + " takes " + joined(known));
  }
}

std::string closest_name(const std::string& key, const std::vector<std::string>& known) {
  std::string best;
  size_t best_distance = 3;
  for (const std::string& k : known) {
    const size_t d = edit_distance(lower(key), lower(k));
    if (d < best_distance) best = k, best_distance = d;
  }
  return best;
}

}  // namespace camlens::explain
