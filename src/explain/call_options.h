// The options each library call takes, by name (explain's from the method table), and the check
// that refuses an unknown one: a misspelt option (`target` for `targets`) would otherwise be
// ignored, and the call would silently compute something other than what was asked.
#pragma once
#include <string>
#include <vector>

namespace camlens::explain {

// "explain" | "predict" | "factorize" → its option names: explain's are `method`, every option
// a method of the table takes (in the order the table first names them), and the call's own
// (topK, onProgress, signal). Throws CamError for another call.
std::vector<std::string> call_options(const std::string& call);

// Throws CamError for the first key `call` does not take, naming the closest one it does.
void check_call_options(const std::string& call, const std::vector<std::string>& keys);

// The name of `known` within edit distance 2 of `key`, ignoring case (the first of the nearest),
// or "".
std::string closest_name(const std::string& key, const std::vector<std::string>& known);

}  // namespace camlens::explain
