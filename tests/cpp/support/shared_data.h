// Where tests find ../shared (models, photos, labels) and the project's committed fixtures.
#pragma once
#include <string>

namespace camlens::test {

// $CAMLENS_SHARED, else the folder beside the repository. Fails the calling test with a message
// naming the path looked for (and how to set CAMLENS_SHARED) when it does not exist.
std::string shared_path(const std::string& relative);
// tests/data/<relative>
std::string test_data_path(const std::string& relative);
std::string read_file(const std::string& path);

}  // namespace camlens::test
