#include "service/edge/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <exception>
#include <mutex>

#include "absl/container/flat_hash_map.h"
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

  // The metrics of each label set, found once and then reused: prometheus-cpp's Family::Add builds a
  // label map and a new metric object on every call (and throws the object away when the labels
  // exist), which cost more than the rest of a small call's bookkeeping.
  struct ByCode {
    prometheus::Histogram* latency = nullptr;
    std::array<prometheus::Counter*, 17> counters{};  // by canonical code 0..16
  };
  std::mutex mu;
  absl::flat_hash_map<std::string, ByCode> methods;  // requests and latency, by method
  absl::flat_hash_map<std::string, ByCode> plugins;  // latency and errors, by plugin

  // The cached metrics of `key` with `code`: (histogram, counter). Thread-safe.
  std::pair<prometheus::Histogram*, prometheus::Counter*> Find(
      absl::flat_hash_map<std::string, ByCode>* cache, prometheus::Family<prometheus::Histogram>* hist_family,
      prometheus::Family<prometheus::Counter>* counter_family, const char* label, const std::string& key, int code,
      bool want_counter);
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

std::pair<prometheus::Histogram*, prometheus::Counter*> Metrics::Impl::Find(
    absl::flat_hash_map<std::string, ByCode>* cache, prometheus::Family<prometheus::Histogram>* hist_family,
    prometheus::Family<prometheus::Counter>* counter_family, const char* label, const std::string& key, int code,
    bool want_counter) {
  std::lock_guard<std::mutex> lock(mu);
  ByCode& entry = (*cache)[key];
  if (entry.latency == nullptr) entry.latency = &hist_family->Add({{label, key}}, Buckets());
  if (!want_counter) return {entry.latency, nullptr};
  if (code < 0 || code >= static_cast<int>(entry.counters.size())) {  // not a canonical code: not cached
    return {entry.latency, &counter_family->Add({{label, key}, {"code", absl::StrCat(code)}})};
  }
  prometheus::Counter*& c = entry.counters[static_cast<size_t>(code)];
  if (c == nullptr) c = &counter_family->Add({{label, key}, {"code", absl::StrCat(code)}});
  return {entry.latency, c};
}

void Metrics::ObserveRequest(const std::string& method, int code, absl::Duration latency) {
  auto [hist, counter] = impl_->Find(&impl_->methods, impl_->latency, impl_->requests, "method", method, code, true);
  counter->Increment();
  hist->Observe(absl::ToDoubleSeconds(latency));
}

void Metrics::ObservePluginRun(const v1::PluginRun& run) {
  auto [hist, counter] = impl_->Find(&impl_->plugins, impl_->plugin_latency, impl_->plugin_errors, "plugin",
                                     run.plugin(), run.code(), run.code() != 0);
  hist->Observe(static_cast<double>(run.latency_us()) / 1e6);
  if (counter != nullptr) counter->Increment();
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
