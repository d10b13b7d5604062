// The ABI 1.1 upstream view (docanalysis_upstream) across the process boundary: the server encodes
// the view it built for an isolated plugin into the document's shared-memory region, and the worker
// decodes it into the same plain-C shape, with strings pointing into that region (no copies), so an
// isolated plugin with "needs" sees exactly what it would see in process.
#ifndef DOCANALYSIS_SERVICE_WORKER_UPSTREAM_CODEC_H_
#define DOCANALYSIS_SERVICE_WORKER_UPSTREAM_CODEC_H_

#include <string>
#include <string_view>
#include <vector>

#include "docanalysis/plugin_abi.h"
#include "service/core/upstream_view.h"

namespace docanalysis::worker {

// Appends `up` to `out` in the BatchWriter format of protocol.h.
void EncodeUpstream(const docanalysis_upstream& up, std::string* out);

// A decoded view. Its strings point into the bytes given to Decode, which must outlive it.
class DecodedUpstream {
 public:
  // False when `in` is not a whole, well-formed encoding (nothing is read past its end).
  bool Decode(std::string_view in);
  const docanalysis_upstream* view() const { return &view_; }

 private:
  UpstreamArrays a_;
  docanalysis_upstream view_{};
};

}  // namespace docanalysis::worker

#endif  // DOCANALYSIS_SERVICE_WORKER_UPSTREAM_CODEC_H_
