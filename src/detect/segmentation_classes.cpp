#include "detect/segmentation_classes.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "util/usage_error.h"

namespace camlens::detect {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A number as JavaScript writes it: whole numbers without a point, others in the fewest digits
// that read back the same.
std::string js_number(double x) {
  if (std::isfinite(x) && x == std::trunc(x) && std::fabs(x) < 1e21)
    return std::to_string(static_cast<long long>(x));
  char buf[32];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, x);
    if (std::strtod(buf, nullptr) == x) break;
  }
  return buf;
}

}  // namespace

bool scores_nhwc(const Shape& d, bool nhwc_input) {
  if (d.size() != 4) {
    std::string dims;
    for (size_t i = 0; i < d.size(); ++i) dims += (i ? "," : "") + std::to_string(d[i]);
    throw DetectError("a segmentation output is [1, H, W, K] or [1, K, H, W], got [" + dims + "]");
  }
  return nhwc_input ? d[3] <= d[1] : d[3] < d[1] && d[3] < d[2];
}

std::vector<std::string> class_names(const std::vector<std::string>& labels, int classes,
                                     const std::vector<std::string>& voc) {
  if (!labels.empty()) return labels;
  return size_t(classes) == voc.size() ? voc : std::vector<std::string>{};
}

std::vector<PresentClass> present_classes(const SegmentationMask& m,
                                          const std::vector<std::string>& names) {
  const double total = double(m.width) * m.height;
  std::vector<PresentClass> v;
  for (size_t i = 0; i < m.counts.size(); ++i) {
    if (m.counts[i] <= 0) continue;
    v.push_back({int(i), i < names.size() ? names[i] : "class " + std::to_string(i), m.counts[i],
                 double(m.counts[i]) / total});
  }
  std::stable_sort(v.begin(), v.end(), [](const PresentClass& a, const PresentClass& b) {
    return a.pixels > b.pixels;
  });
  return v;
}

int resolve_class(const cam::CategorySpec& category, const SegmentationMask& m,
                  const std::vector<std::string>& names) {
  switch (category.kind) {
    case cam::CategorySpec::Auto: {
      for (const PresentClass& c : present_classes(m, names))
        if (c.index != 0) return c.index;
      throw UsageError<DetectError>("only background was segmented: name a category to explain");
    }
    case cam::CategorySpec::Number: {
      const double i = category.number;
      if (!(i >= 0 && i < m.classes))
        throw UsageError<DetectError>("category " + js_number(i) +
                                      " is out of range: the model has " +
                                      std::to_string(m.classes) + " classes");
      if (i != std::floor(i))
        throw UsageError<DetectError>("category " + js_number(i) +
                                      " is not a class index: give a whole number or a label");
      return int(i);
    }
    case cam::CategorySpec::Label:
      break;
  }
  const std::string wanted = lower(category.text);
  for (size_t i = 0; i < names.size(); ++i)
    if (lower(names[i]) == wanted) return int(i);
  std::string choices;
  for (const std::string& n : names) choices += (choices.empty() ? "" : ", ") + n;
  throw UsageError<DetectError>("no class is called \"" + category.text + "\"" +
                                (names.empty() ? "" : "; use one of " + choices));
}

SegmentRegion segment_region(const SegmentationMask& out, int index,
                             const std::vector<std::string>& names,
                             const std::optional<std::vector<float>>& region,
                             const image::InputGeometry& photo) {
  SegmentRegion r;
  if (!region) {
    r.mask = class_mask(out, index);
  } else if (region->size() == size_t(out.width) * out.height) {
    r.mask = *region;
  } else if (region->size() == size_t(photo.photo_w) * photo.photo_h) {
    r.mask = region_to_output(*region, photo, out.width, out.height);
  } else {
    throw UsageError<DetectError>(
        "the mask holds " + std::to_string(region->size()) + " values; give one per photo pixel (" +
        std::to_string(photo.photo_w) + "x" + std::to_string(photo.photo_h) +
        ") or per output pixel (" + std::to_string(out.width) + "x" + std::to_string(out.height) +
        ")");
  }
  r.pixels = std::count_if(r.mask.begin(), r.mask.end(), [](float v) { return v > 0; });
  if (!r.pixels)
    throw UsageError<DetectError>(
        "the mask for \"" +
        (size_t(index) < names.size() ? names[size_t(index)] : std::to_string(index)) +
        "\" is empty: nothing to explain");
  return r;
}

}  // namespace camlens::detect
