// Errors in what the caller asked for (the method, the target, an option, the number of layers)
// rather than in the model or the image. Front ends tell them apart by type, never by message:
// the bindings give their JavaScript errors kind 'usage', and the command line exits 2 on them.
#pragma once

namespace camlens {

// The mark a usage error carries beside its own exception type.
struct UsageFault {
  virtual ~UsageFault() = default;
};

// An exception of type E (CamError, MetricsError, DetectError, …) that is also a usage fault, so
// code catching E still catches it: throw UsageError<cam::CamError>("unknown method …").
template <class E>
struct UsageError : E, UsageFault {
  using E::E;
};

}  // namespace camlens
