// A cheap cancellation check for the host's text stages.
//
// Every stage that walks caller text (UTF-8 validation, HTML reduction, segmentation, the merge)
// calls Poll() once per unit of work. Poll() consults the request's callback only once every
// kStride calls, so the check costs a counter increment on the hot path, and a request whose
// deadline passes or whose caller goes away stops costing CPU within a few microseconds of work.
//
// OWNERSHIP: borrows the callback, which must outlive the CancelCheck. THREADING: one thread at a
// time (each stage owns its own CancelCheck). A default-constructed CancelCheck is never cancelled.
//
//   text::CancelCheck cancel([&] { return ctx.Cancelled(); });
//   for (...) { if (cancel.Poll()) return absl::CancelledError(...); }
#ifndef DOCANALYSIS_SERVICE_TEXT_CANCEL_H_
#define DOCANALYSIS_SERVICE_TEXT_CANCEL_H_

#include <cstdint>
#include <functional>

namespace docanalysis::text {

class CancelCheck {
 public:
  static constexpr uint32_t kStride = 1024;

  CancelCheck() = default;
  explicit CancelCheck(const std::function<bool()>* cancelled) : fn_(cancelled) {}

  // True once the callback has said so; the callback runs once every kStride calls.
  bool Poll() {
    if (cancelled_) return true;
    if (fn_ == nullptr || *fn_ == nullptr || (++calls_ & (kStride - 1)) != 0) return false;
    cancelled_ = (*fn_)();
    return cancelled_;
  }
  // Asks the callback now.
  bool PollNow() {
    if (!cancelled_ && fn_ != nullptr && *fn_ != nullptr) cancelled_ = (*fn_)();
    return cancelled_;
  }
  bool cancelled() const { return cancelled_; }

 private:
  const std::function<bool()>* fn_ = nullptr;
  uint32_t calls_ = 0;
  bool cancelled_ = false;
};

}  // namespace docanalysis::text

#endif  // DOCANALYSIS_SERVICE_TEXT_CANCEL_H_
