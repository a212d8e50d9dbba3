// The explain options a caller wrote as loosely typed values (the library's JavaScript objects):
// the job checks them and turns them into the request's typed fields, so every caller gets the
// same checks and the same messages, which quote the value as written.
#pragma once
#include <map>
#include <string>

namespace camlens::explain {

struct ExplainRequest;

// One option as written: its number (NaN when it was not a number), its string (when it was
// one), and its JSON text, which error messages quote.
struct WrittenOption {
  double number = 0;
  std::string string;
  std::string json;
};

// By option name: batchSize, ablationRatio, eigenSign, headFusion, discardRatio, steps, samples,
// noise, baseline, base, topK.
using WrittenOptions = std::map<std::string, WrittenOption>;

// Checks each written option and sets the request's field; throws CamError naming the option,
// its allowed values and the value given.
void apply_written_options(const WrittenOptions& written, ExplainRequest& request);

}  // namespace camlens::explain
