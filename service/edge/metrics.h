// Prometheus metrics of the server, exposed over HTTP by prometheus-cpp's exposer when
// --metrics_listen is set: requests by method and code, request latency, per-plugin latency and
// errors, loaded plugins.
//
// THREADING: every method is thread-safe (prometheus-cpp metrics are atomic).
#ifndef DOCANALYSIS_SERVICE_EDGE_METRICS_H_
#define DOCANALYSIS_SERVICE_EDGE_METRICS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "docanalysis/v1/docanalysis.pb.h"

namespace docanalysis {

class Metrics {
 public:
  // Starts an exposer on `listen` ("127.0.0.1:9090"); empty means metrics are kept but not served.
  static absl::StatusOr<std::unique_ptr<Metrics>> Create(const std::string& listen);
  ~Metrics();

  void ObserveRequest(const std::string& method, int code, absl::Duration latency);
  void ObservePluginRun(const v1::PluginRun& run);
  void SetLoadedPlugins(size_t n);
  // An isolated plugin's worker fault (`code` != 0) or start (`code` 0), and whether it is broken.
  void ObservePluginHealth(const std::string& plugin, int code, bool broken);
  void SetInFlight(size_t n);
  // The port the exposer bound (useful with port 0), or 0.
  int port() const;

 private:
  struct Impl;
  explicit Metrics(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace docanalysis

#endif  // DOCANALYSIS_SERVICE_EDGE_METRICS_H_
