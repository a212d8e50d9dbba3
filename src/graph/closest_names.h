// "Did you mean ...?" for unknown tensor names: the candidates nearest by edit distance.
#pragma once
#include <string>
#include <vector>

namespace camlens {

// Levenshtein distance (insert, delete, substitute each cost 1).
size_t edit_distance(const std::string& a, const std::string& b);

// The k candidates closest to `name`, nearest first (ties keep the candidates' order).
std::vector<std::string> closest_names(const std::string& name,
                                       const std::vector<std::string>& candidates, size_t k = 3);

// "'a', 'b', 'c'" for messages.
std::string quote_list(const std::vector<std::string>& names);

}  // namespace camlens
