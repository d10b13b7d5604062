#include "service/edge/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <exception>

#include "absl/strings/str_cat.h"

namespace docanalysis {

struct Metrics::Impl {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  std::unique_ptr<prometheus::Exposer> exposer;
  prometheus::Family<prometheus::Counter>* requests = nullptr;
  prometheus::Family<prometheus::Histogram>* latency = nullptr;
  prometheus::Family<prometheus::Histogram>* plugin_latency = nullptr;
  prometheus::Family<prometheus::Counter>* plugin_errors = nullptr;
  prometheus::Family<prometheus::Counter>* worker_faults = nullptr;
  prometheus::Family<prometheus::Gauge>* broken = nullptr;
  prometheus::Gauge* loaded = nullptr;
  prometheus::Gauge* in_flight = nullptr;
};

namespace {
const prometheus::Histogram::BucketBoundaries& Buckets() {
  static const auto* b = new prometheus::Histogram::BucketBoundaries{
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return *b;
}
}  // namespace

absl::StatusOr<std::unique_ptr<Metrics>> Metrics::Create(const std::string& listen) {
  auto impl = std::make_unique<Impl>();
  auto& r = *impl->registry;
  impl->requests = &prometheus::BuildCounter().Name("docanalysis_requests_total")
                        .Help("RPCs handled, by method and gRPC status code").Register(r);
  impl->latency = &prometheus::BuildHistogram().Name("docanalysis_request_duration_seconds")
                       .Help("RPC latency, by method").Register(r);
  impl->plugin_latency = &prometheus::BuildHistogram().Name("docanalysis_plugin_duration_seconds")
                              .Help("Time in each plugin's analyze, by plugin").Register(r);
  impl->plugin_errors = &prometheus::BuildCounter().Name("docanalysis_plugin_errors_total")
                             .Help("Plugin runs that failed, by plugin and code").Register(r);
  impl->worker_faults = &prometheus::BuildCounter().Name("docanalysis_plugin_worker_faults_total")
                             .Help("Isolated plugins' worker processes that died or were killed, by plugin and code").Register(r);
  impl->broken = &prometheus::BuildGauge().Name("docanalysis_plugin_broken")
                      .Help("1 while an isolated plugin is broken (too many worker crashes in a row), by plugin").Register(r);
  impl->loaded = &prometheus::BuildGauge().Name("docanalysis_plugins_loaded").Help("Plugins loaded").Register(r).Add({});
  impl->in_flight = &prometheus::BuildGauge().Name("docanalysis_requests_in_flight")
                         .Help("Work items queued or running").Register(r).Add({});
  if (!listen.empty()) {
    try {
      impl->exposer = std::make_unique<prometheus::Exposer>(listen);
      impl->exposer->RegisterCollectable(impl->registry);
    } catch (const std::exception& e) {
      return absl::UnavailableError(absl::StrCat("cannot serve metrics on ", listen, ": ", e.what()));
    }
  }
  return std::unique_ptr<Metrics>(new Metrics(std::move(impl)));
}

Metrics::Metrics(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Metrics::~Metrics() = default;

void Metrics::ObserveRequest(const std::string& method, int code, absl::Duration latency) {
  impl_->requests->Add({{"method", method}, {"code", absl::StrCat(code)}}).Increment();
  impl_->latency->Add({{"method", method}}, Buckets()).Observe(absl::ToDoubleSeconds(latency));
}

void Metrics::ObservePluginRun(const v1::PluginRun& run) {
  impl_->plugin_latency->Add({{"plugin", run.plugin()}}, Buckets()).Observe(run.latency_us() / 1e6);
  if (run.code() != 0) impl_->plugin_errors->Add({{"plugin", run.plugin()}, {"code", absl::StrCat(run.code())}}).Increment();
}

void Metrics::ObservePluginHealth(const std::string& plugin, int code, bool broken) {
  if (code != 0) impl_->worker_faults->Add({{"plugin", plugin}, {"code", absl::StrCat(code)}}).Increment();
  impl_->broken->Add({{"plugin", plugin}}).Set(broken ? 1 : 0);
}

void Metrics::SetLoadedPlugins(size_t n) { impl_->loaded->Set(static_cast<double>(n)); }
void Metrics::SetInFlight(size_t n) { impl_->in_flight->Set(static_cast<double>(n)); }

int Metrics::port() const {
  if (!impl_->exposer) return 0;
  auto ports = impl_->exposer->GetListeningPorts();
  return ports.empty() ? 0 : ports.front();
}

}  // namespace docanalysis
