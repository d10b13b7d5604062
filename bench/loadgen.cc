// docanalysis-loadgen: a load tool for the docanalysis service (and for the gRPC floor it is
// compared with). It is built on the gRPC callback API and sends pre-serialised requests, so the
// client spends little CPU per call.
//
//   # closed loop: 2 connections x 8 calls in flight, the CNN/DM articles, all default features
//   docanalysis-loadgen --target 127.0.0.1:50051 --corpus articles.jsonl --text_field article
//       --connections 2 --concurrency 8 --duration 10
//   # open loop: 500 calls/s whatever the server does; latency counts from the intended send time
//   docanalysis-loadgen --target 127.0.0.1:50051 --corpus docs/ --rate 500 --duration 10 --json out.json
//   # the floor: health checks, an echo server, Analyze of an empty document (no --corpus)
//   docanalysis-loadgen --target 127.0.0.1:50051 --method health
//   # in process: the same AnalysisService and plugins the server runs, without gRPC
//   docanalysis-loadgen --plugin_dir build/plugins --corpus docs/ --concurrency 1
//
// Methods: analyze (unary), batch (AnalyzeBatch of --batch_size documents), stream (one
// AnalyzeStream per call slot, one document in flight per stream), health (grpc.health.v1 Check),
// echo (bench/echo_server). Corpus: a folder (every regular file, sorted by name), a JSONL file
// (the string field --text_field of each line) or any other single file; without --corpus, one
// empty document. Documents are sent in corpus order, round-robin.
//
// Closed loop (default): --connections channels, each with --concurrency calls in flight; a call
// starts when the previous one of its slot ends. Open loop (--rate R): calls start at fixed
// intervals (or --arrival poisson) whatever the server does, and latency is measured from the
// intended send time, so that a slow server's queueing shows in the figures instead of being
// hidden by a client that waits ("coordinated omission").
//
// Reports calls/s, documents/s, tokens/s, latency p50/p90/p99/p99.9/max and a count per status
// code, as a table on stdout and as JSON (--json FILE, "-" for stdout); a progress line on stderr
// once a second. With --server_pid the server's CPU time over the measured window is read from
// /proc, giving CPU per call and documents per server CPU-second. --in_process also runs the same
// documents through an in-process AnalysisService (plugins from --plugin_dir) and reports the
// served/in-process throughput ratio.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/support/proto_buffer_reader.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "docanalysis/bench/echo.pb.h"
#include "docanalysis/v1/docanalysis.pb.h"
#include "nlohmann/json.hpp"
#include "service/core/analysis_service.h"
#include "service/plugin_host/plugin_registry.h"

ABSL_FLAG(std::string, target, "", "Server HOST:PORT; empty runs only the in-process measurement");
ABSL_FLAG(std::string, method, "analyze", "analyze, batch, stream, health or echo");
ABSL_FLAG(std::string, corpus, "", "A folder, a .jsonl file or a single file; empty sends one empty document");
ABSL_FLAG(std::string, text_field, "text", "JSONL: the field holding each document's text");
ABSL_FLAG(int, max_documents, 0, "Use at most this many documents of the corpus (0: all)");
ABSL_FLAG(bool, html, false, "Send the documents as HTML");
ABSL_FLAG(std::vector<std::string>, features, {}, "Features to ask for; empty means every default");
ABSL_FLAG(std::vector<std::string>, option, {}, "Request options, key=value (summary.max_sentences=3)");
ABSL_FLAG(std::string, encoding, "utf8", "Offset encoding: utf8, utf16 or utf32");
ABSL_FLAG(int, batch_size, 8, "Documents per AnalyzeBatch call");
ABSL_FLAG(int, connections, 1, "gRPC connections (channels)");
ABSL_FLAG(int, concurrency, 4, "Closed loop: calls in flight per connection; in process: threads");
ABSL_FLAG(double, rate, 0, "Open loop: calls per second over all connections (0: closed loop)");
ABSL_FLAG(std::string, arrival, "uniform", "Open loop: uniform (fixed interval) or poisson");
ABSL_FLAG(int, max_in_flight, 10000, "Open loop: calls in flight beyond which a due call is not sent but counted");
ABSL_FLAG(double, duration, 10, "Seconds measured (after the warm-up)");
ABSL_FLAG(double, warmup, 1, "Seconds of calls before measuring");
ABSL_FLAG(int64_t, requests, 0, "Stop after this many measured calls (0: run for --duration)");
ABSL_FLAG(int, timeout_ms, 30000, "Deadline of each call");
ABSL_FLAG(bool, tls, false, "Connect with TLS");
ABSL_FLAG(std::string, tls_ca, "", "TLS: PEM roots to verify the server with (default: the system's)");
ABSL_FLAG(std::string, tls_cert, "", "TLS: client certificate (PEM) for mTLS");
ABSL_FLAG(std::string, tls_key, "", "TLS: client key (PEM) for mTLS");
ABSL_FLAG(std::string, tls_server_name, "", "TLS: name to expect in the server's certificate");
ABSL_FLAG(int, server_pid, 0, "Read this process's CPU time from /proc over the measured window");
ABSL_FLAG(bool, in_process, false, "Also run the documents through an in-process AnalysisService");
ABSL_FLAG(std::string, plugin_dir, "build/plugins", "Plugin folder for the in-process run");
ABSL_FLAG(bool, parse_responses, true, "Parse responses to count tokens and per-document errors");
ABSL_FLAG(std::string, json, "", "Write the results as JSON to this file (\"-\": stdout)");
ABSL_FLAG(std::string, label, "", "A name for this run, copied into the JSON");
ABSL_FLAG(bool, progress, true, "Print a progress line on stderr once a second");
ABSL_FLAG(std::string, dump_request, "",
          "Write the first call's request as a length-prefixed gRPC frame to this file and exit (a body for h2load -d)");
ABSL_FLAG(bool, fail_on_error, true, "Exit 1 when any call ended with a status other than OK");

namespace {

using Clock = std::chrono::steady_clock;
namespace v1 = docanalysis::v1;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

int Fail(const std::string& message) {
  std::fprintf(stderr, "docanalysis-loadgen: %s\n", message.c_str());
  return 2;
}

// ---- corpus ----

bool ReadFile(const std::filesystem::path& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

// Fills `docs` from --corpus; returns an error message, or "".
std::string LoadCorpus(const std::string& path, const std::string& field, std::vector<std::string>* docs) {
  namespace fs = std::filesystem;
  if (path.empty()) {
    docs->push_back("");
    return "";
  }
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(path, ec))
      if (e.is_regular_file()) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      std::string text;
      if (!ReadFile(f, &text)) return "cannot read " + f.string();
      docs->push_back(std::move(text));
    }
    if (docs->empty()) return "no files in the folder " + path;
    return "";
  }
  std::string content;
  if (!ReadFile(path, &content)) return "cannot read --corpus " + path;
  if (fs::path(path).extension() != ".jsonl") {
    docs->push_back(std::move(content));
    return "";
  }
  size_t line_no = 0;
  for (absl::string_view line : absl::StrSplit(content, '\n')) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == absl::string_view::npos) continue;
    nlohmann::json j = nlohmann::json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) return absl::StrCat(path, ":", line_no, ": not a JSON object");
    auto it = j.find(field);
    if (it == j.end() || !it->is_string()) {
      std::string keys;
      for (auto k = j.begin(); k != j.end(); ++k) absl::StrAppend(&keys, keys.empty() ? "" : ", ", k.key());
      return absl::StrCat(path, ":", line_no, ": no string field \"", field, "\" (--text_field); fields: ", keys);
    }
    docs->push_back(it->get<std::string>());
  }
  if (docs->empty()) return "no documents in " + path;
  return "";
}

// ---- requests ----

grpc::ByteBuffer ToBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

struct Workload {
  std::string method_path;
  bool stream = false;
  std::vector<v1::AnalyzeRequest> requests;  // one per document, for the in-process run
  std::vector<grpc::ByteBuffer> payloads;    // what each call sends, round-robin
  std::vector<int> docs_per_payload;
  int64_t corpus_bytes = 0;
};

std::string BuildWorkload(const std::vector<std::string>& docs, Workload* w) {
  const std::string method = absl::GetFlag(FLAGS_method);
  v1::AnalyzeRequest base;
  if (absl::GetFlag(FLAGS_html)) base.mutable_document()->set_type(v1::Document::HTML);
  for (const auto& f : absl::GetFlag(FLAGS_features)) base.add_features(f);
  for (const auto& o : absl::GetFlag(FLAGS_option)) {
    size_t eq = o.find('=');
    if (eq == std::string::npos) return "--option " + o + ": expected key=value";
    (*base.mutable_options())[o.substr(0, eq)] = o.substr(eq + 1);
  }
  const std::string enc = absl::GetFlag(FLAGS_encoding);
  if (enc == "utf16") base.set_encoding_type(v1::UTF16);
  else if (enc == "utf32") base.set_encoding_type(v1::UTF32);
  else if (enc != "utf8") return "--encoding must be utf8, utf16 or utf32";
  for (size_t i = 0; i < docs.size(); ++i) {
    v1::AnalyzeRequest r = base;
    r.mutable_document()->set_id(absl::StrCat(i));
    r.mutable_document()->set_content(docs[i]);
    w->corpus_bytes += static_cast<int64_t>(docs[i].size());
    w->requests.push_back(std::move(r));
  }
  if (method == "analyze" || method == "stream") {
    w->method_path = method == "analyze" ? "/docanalysis.v1.DocumentAnalysis/Analyze"
                                         : "/docanalysis.v1.DocumentAnalysis/AnalyzeStream";
    w->stream = method == "stream";
    for (const auto& r : w->requests) w->payloads.push_back(ToBuffer(r.SerializeAsString())), w->docs_per_payload.push_back(1);
  } else if (method == "batch") {
    w->method_path = "/docanalysis.v1.DocumentAnalysis/AnalyzeBatch";
    const size_t n = static_cast<size_t>(std::max(1, absl::GetFlag(FLAGS_batch_size)));
    // As many batches as it takes for every document to be sent at least once.
    for (size_t start = 0; start < docs.size(); start += n) {
      v1::AnalyzeBatchRequest b;
      for (size_t k = 0; k < n; ++k) *b.add_requests() = w->requests[(start + k) % docs.size()];
      w->payloads.push_back(ToBuffer(b.SerializeAsString()));
      w->docs_per_payload.push_back(static_cast<int>(n));
    }
  } else if (method == "health") {
    w->method_path = "/grpc.health.v1.Health/Check";
    w->payloads.push_back(ToBuffer(""));  // HealthCheckRequest{service: ""} is zero bytes
    w->docs_per_payload.push_back(0);
  } else if (method == "echo") {
    w->method_path = "/docanalysis.bench.Echo/Echo";
    for (const auto& d : docs) {
      docanalysis::bench::EchoMessage m;
      m.set_payload(d);
      w->payloads.push_back(ToBuffer(m.SerializeAsString()));
      w->docs_per_payload.push_back(0);
    }
  } else {
    return "--method must be analyze, batch, stream, health or echo";
  }
  return "";
}

// ---- results ----

const char* CodeName(int code) {
  static const char* kNames[] = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
                                 "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
                                 "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
                                 "UNAUTHENTICATED"};
  if (code == -1) return "NOT_SENT";  // open loop, over --max_in_flight
  return code >= 0 && code <= 16 ? kNames[code] : "?";
}

// Collects what calls report. Thread-safe: gRPC runs completions on its own threads.
class Recorder {
 public:
  void Start(Clock::time_point begin, Clock::time_point end) { begin_ = begin, end_ = end; }
  Clock::time_point begin() const { return begin_; }
  Clock::time_point end() const { return end_; }

  // One finished call. `start` is when it was sent (closed loop) or meant to be sent (open loop).
  void Record(Clock::time_point start, Clock::time_point done, int code, int docs, int doc_errors, int64_t tokens) {
    if (done < begin_ || done >= end_) return;
    all_calls_.fetch_add(1, std::memory_order_relaxed);
    if (code != 0) all_errors_.fetch_add(1, std::memory_order_relaxed);
    std::lock_guard<std::mutex> lock(mu_);
    if (code >= 0) latencies_us_.push_back(std::chrono::duration<double, std::micro>(done - start).count());
    ++codes_[code];
    if (code == 0) docs_ += docs, tokens_ += tokens, doc_errors_ += doc_errors;
  }
  int64_t calls() const { return all_calls_.load(std::memory_order_relaxed); }
  int64_t errors() const { return all_errors_.load(std::memory_order_relaxed); }
  // The latency quantile of what was recorded so far (for the progress line).
  double LatencyUs(double q) {
    std::lock_guard<std::mutex> lock(mu_);
    return Quantile(&latencies_us_, q);
  }

  nlohmann::json Summary(double seconds) {
    std::lock_guard<std::mutex> lock(mu_);
    std::sort(latencies_us_.begin(), latencies_us_.end());
    nlohmann::json j;
    int64_t calls = 0;
    for (const auto& [c, n] : codes_) calls += n;
    j["seconds"] = seconds;
    j["calls"] = calls;
    j["calls_per_s"] = calls / seconds;
    j["docs"] = docs_;
    j["docs_per_s"] = docs_ / seconds;
    j["tokens"] = tokens_;
    j["tokens_per_s"] = tokens_ / seconds;
    j["doc_errors"] = doc_errors_;
    nlohmann::json lat;
    for (auto [name, q] : {std::pair{"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}, {"p99.9", 0.999}, {"max", 1.0}})
      lat[name] = Quantile(&latencies_us_, q) / 1000.0;
    lat["mean"] = latencies_us_.empty() ? 0.0 : Mean() / 1000.0;
    j["latency_ms"] = lat;
    nlohmann::json codes = nlohmann::json::object();
    for (const auto& [c, n] : codes_) codes[CodeName(c)] = n;
    j["status"] = codes;
    return j;
  }

 private:
  static double Quantile(std::vector<double>* v, double q) {
    if (v->empty()) return 0;
    if (!std::is_sorted(v->begin(), v->end())) std::sort(v->begin(), v->end());
    size_t rank = static_cast<size_t>(q * static_cast<double>(v->size()));  // nearest rank, 0-based
    return (*v)[std::min(v->size() - 1, rank)];
  }
  double Mean() const {
    double s = 0;
    for (double x : latencies_us_) s += x;
    return s / static_cast<double>(latencies_us_.size());
  }

  Clock::time_point begin_, end_;
  std::atomic<int64_t> all_calls_{0}, all_errors_{0};
  std::mutex mu_;
  std::vector<double> latencies_us_;
  std::map<int, int64_t> codes_;
  int64_t docs_ = 0, tokens_ = 0, doc_errors_ = 0;
};

// Tokens and per-document errors of a response (when --parse_responses).
void Inspect(const std::string& method, grpc::ByteBuffer* bytes, int64_t* tokens, int* doc_errors) {
  if (!absl::GetFlag(FLAGS_parse_responses)) return;
  grpc::ProtoBufferReader reader(bytes);
  if (method == "batch") {
    v1::AnalyzeBatchResponse r;
    if (!r.ParseFromZeroCopyStream(&reader)) return;
    for (const auto& d : r.responses()) *tokens += d.token_count(), *doc_errors += d.has_error() && d.error().code() != 0;
  } else if (method == "analyze" || method == "stream") {
    v1::AnalyzeResponse r;
    if (!r.ParseFromZeroCopyStream(&reader)) return;
    *tokens += r.token_count();
    *doc_errors += r.has_error() && r.error().code() != 0;
  }
}

// CPU time of a process (all threads), from /proc; < 0 when unreadable.
double ProcessCpuSeconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t paren = s.rfind(')');
  if (paren == std::string::npos) return -1;
  std::vector<std::string> f = absl::StrSplit(s.substr(paren + 2), ' ', absl::SkipEmpty());
  if (f.size() < 13) return -1;
  return (std::stod(f[11]) + std::stod(f[12])) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double OwnCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// ---- the gRPC drivers ----

struct Shared {
  std::string method;
  const Workload* work;
  std::vector<std::unique_ptr<grpc::GenericStub>> stubs;
  Recorder* rec;
  std::atomic<int64_t> next_payload{0};
  std::atomic<int64_t> budget{INT64_MAX};  // calls still allowed (--requests)
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::condition_variable cv;
  int active = 0;  // closed-loop slots running, or open-loop calls in flight
  int timeout_ms;

  size_t NextPayload() { return static_cast<size_t>(next_payload.fetch_add(1)) % work->payloads.size(); }
  bool MaySend() { return !stop.load() && budget.fetch_sub(1) > 0; }
  void Done() {
    std::lock_guard<std::mutex> lock(mu);
    if (--active == 0) cv.notify_all();
  }
  void SetDeadline(grpc::ClientContext* ctx) const {
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(timeout_ms));
  }
};

// One closed-loop unary slot: a call, and when it ends, the next one.
class UnarySlot {
 public:
  UnarySlot(Shared* s, grpc::GenericStub* stub) : s_(s), stub_(stub) {}
  void Next() {
    if (!s_->MaySend()) {
      s_->Done();
      return;
    }
    size_t p = s_->NextPayload();
    ctx_ = std::make_unique<grpc::ClientContext>();
    s_->SetDeadline(ctx_.get());
    response_.Clear();
    start_ = Clock::now();
    stub_->UnaryCall(ctx_.get(), s_->work->method_path, grpc::StubOptions(), &s_->work->payloads[p], &response_,
                     [this, p](grpc::Status status) {
                       Clock::time_point done = Clock::now();
                       int64_t tokens = 0;
                       int doc_errors = 0;
                       if (status.ok()) Inspect(s_->method, &response_, &tokens, &doc_errors);
                       s_->rec->Record(start_, done, status.error_code(), s_->work->docs_per_payload[p], doc_errors,
                                       tokens);
                       Next();
                     });
  }

 private:
  Shared* s_;
  grpc::GenericStub* stub_;
  std::unique_ptr<grpc::ClientContext> ctx_;
  grpc::ByteBuffer response_;
  Clock::time_point start_;
};

// One closed-loop stream: write a document, read its response, write the next.
class StreamSlot final : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  StreamSlot(Shared* s, grpc::GenericStub* stub) : s_(s) {
    stub->PrepareBidiStreamingCall(&ctx_, s_->work->method_path, grpc::StubOptions(), this);
  }
  void Begin() {
    StartCall();
    WriteNext();
  }
  void OnWriteDone(bool ok) override {
    if (!ok) return;  // OnDone follows with the status
    StartRead(&response_);
  }
  void OnReadDone(bool ok) override {
    if (!ok) return;
    Clock::time_point done = Clock::now();
    int64_t tokens = 0;
    int doc_errors = 0;
    Inspect(s_->method, &response_, &tokens, &doc_errors);
    s_->rec->Record(start_, done, 0, s_->work->docs_per_payload[p_], doc_errors, tokens);
    WriteNext();
  }
  void OnDone(const grpc::Status& status) override {
    if (!status.ok()) s_->rec->Record(start_, Clock::now(), status.error_code(), 0, 0, 0);
    s_->Done();
    delete this;
  }

 private:
  void WriteNext() {
    if (!s_->MaySend()) {
      StartWritesDone();
      return;
    }
    p_ = s_->NextPayload();
    start_ = Clock::now();
    StartWrite(&s_->work->payloads[p_]);
  }

  Shared* s_;
  grpc::ClientContext ctx_;
  grpc::ByteBuffer response_;
  size_t p_ = 0;
  Clock::time_point start_;
};

// One open-loop call, sent at (or after) its intended time.
struct OpenCall {
  grpc::ClientContext ctx;
  grpc::ByteBuffer response;
  Clock::time_point intended;
  size_t payload;
};

std::vector<std::shared_ptr<grpc::Channel>> Connect(std::string* error) {
  std::shared_ptr<grpc::ChannelCredentials> creds = grpc::InsecureChannelCredentials();
  if (absl::GetFlag(FLAGS_tls)) {
    grpc::SslCredentialsOptions ssl;
    if (!absl::GetFlag(FLAGS_tls_ca).empty() && !ReadFile(absl::GetFlag(FLAGS_tls_ca), &ssl.pem_root_certs)) {
      *error = "cannot read --tls_ca";
      return {};
    }
    if (!absl::GetFlag(FLAGS_tls_cert).empty() &&
        (!ReadFile(absl::GetFlag(FLAGS_tls_cert), &ssl.pem_cert_chain) ||
         !ReadFile(absl::GetFlag(FLAGS_tls_key), &ssl.pem_private_key))) {
      *error = "cannot read --tls_cert or --tls_key";
      return {};
    }
    creds = grpc::SslCredentials(ssl);
  }
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < std::max(1, absl::GetFlag(FLAGS_connections)); ++i) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // a connection of its own per channel
    args.SetInt("docanalysis.loadgen.channel", i);
    args.SetMaxReceiveMessageSize(256 << 20);
    args.SetMaxSendMessageSize(256 << 20);
    args.SetInt(GRPC_ARG_ENABLE_HTTP_PROXY, 0);
    if (!absl::GetFlag(FLAGS_tls_server_name).empty())
      args.SetSslTargetNameOverride(absl::GetFlag(FLAGS_tls_server_name));
    auto ch = grpc::CreateCustomChannel(absl::GetFlag(FLAGS_target), creds, args);
    if (!ch->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10))) {
      *error = "cannot connect to " + absl::GetFlag(FLAGS_target);
      return {};
    }
    channels.push_back(std::move(ch));
  }
  return channels;
}

// Prints a progress line once a second until `done`.
class Progress {
 public:
  Progress(Recorder* rec, double total_s) : rec_(rec), total_s_(total_s) {
    if (!absl::GetFlag(FLAGS_progress)) return;
    tty_ = isatty(STDERR_FILENO);
    thread_ = std::thread([this] { Loop(); });
  }
  ~Progress() { Stop(); }
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    if (tty_ && printed_) std::fprintf(stderr, "\n");
  }

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    int64_t last = 0;
    Clock::time_point t0 = Clock::now(), last_t = t0;
    while (!cv_.wait_for(lock, std::chrono::seconds(1), [this] { return done_; })) {
      Clock::time_point now = Clock::now();
      int64_t calls = rec_->calls();
      double rate = static_cast<double>(calls - last) / Seconds(now - last_t);
      last = calls, last_t = now;
      std::fprintf(stderr, "%s[%5.1f/%.0f s] %lld calls, %.0f/s now, %lld errors, p99 so far %.2f ms%s",
                   tty_ ? "\r" : "", Seconds(now - t0), total_s_, static_cast<long long>(calls), rate,
                   static_cast<long long>(rec_->errors()), rec_->LatencyUs(0.99) / 1000.0, tty_ ? "   " : "\n");
      std::fflush(stderr);
      printed_ = true;
    }
  }

  Recorder* rec_;
  double total_s_;
  bool tty_ = false, printed_ = false, done_ = false;
  std::mutex mu_;
  std::condition_variable cv_;
  std::thread thread_;
};

struct Window {
  Clock::time_point begin, end;
};

Window MakeWindow(Recorder* rec) {
  Clock::time_point begin = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                              std::chrono::duration<double>(absl::GetFlag(FLAGS_warmup)));
  // With --requests the run ends by count; the window stays open long enough.
  double seconds = absl::GetFlag(FLAGS_requests) > 0 ? 1e6 : absl::GetFlag(FLAGS_duration);
  Clock::time_point end = begin + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  rec->Start(begin, end);
  return {begin, end};
}

// Runs the load against the server; returns the measured seconds (the window, or until the last
// call when --requests ended it first).
double RunServed(Shared* s) {
  const Window w = MakeWindow(s->rec);
  const int64_t max_requests = absl::GetFlag(FLAGS_requests);
  Progress progress(s->rec, absl::GetFlag(FLAGS_warmup) + (max_requests > 0 ? 0 : absl::GetFlag(FLAGS_duration)));
  std::thread stopper([s, w, max_requests] {
    if (max_requests > 0) {
      while (s->rec->calls() < max_requests && !s->stop) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    } else {
      std::this_thread::sleep_until(w.end);
    }
    s->stop = true;
  });
  const double rate = absl::GetFlag(FLAGS_rate);
  if (rate <= 0) {
    const int per = std::max(1, absl::GetFlag(FLAGS_concurrency));
    std::vector<std::unique_ptr<UnarySlot>> unary;
    {
      std::lock_guard<std::mutex> lock(s->mu);
      s->active = static_cast<int>(s->stubs.size()) * per;
    }
    for (auto& stub : s->stubs) {
      for (int i = 0; i < per; ++i) {
        if (s->work->stream) {
          (new StreamSlot(s, stub.get()))->Begin();
        } else {
          unary.push_back(std::make_unique<UnarySlot>(s, stub.get()));
          unary.back()->Next();
        }
      }
    }
    std::unique_lock<std::mutex> lock(s->mu);
    s->cv.wait(lock, [s] { return s->active == 0; });
  } else {
    const bool poisson = absl::GetFlag(FLAGS_arrival) == "poisson";
    const int max_in_flight = absl::GetFlag(FLAGS_max_in_flight);
    std::mt19937_64 rng(42);
    std::exponential_distribution<double> gap(rate);
    Clock::time_point t = Clock::now();
    size_t conn = 0;
    {
      std::lock_guard<std::mutex> lock(s->mu);
      s->active = 1;  // the scheduler itself
    }
    while (!s->stop) {
      t += std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(poisson ? gap(rng) : 1.0 / rate));
      std::this_thread::sleep_until(t);
      if (!s->MaySend()) break;
      {
        std::lock_guard<std::mutex> lock(s->mu);
        if (s->active > max_in_flight) {
          s->rec->Record(t, Clock::now(), -1, 0, 0, 0);
          continue;
        }
        ++s->active;
      }
      auto* call = new OpenCall;
      call->intended = t;
      call->payload = s->NextPayload();
      s->SetDeadline(&call->ctx);
      s->stubs[conn++ % s->stubs.size()]->UnaryCall(
          &call->ctx, s->work->method_path, grpc::StubOptions(), &s->work->payloads[call->payload], &call->response,
          [s, call](grpc::Status status) {
            Clock::time_point done = Clock::now();
            int64_t tokens = 0;
            int doc_errors = 0;
            if (status.ok()) Inspect(s->method, &call->response, &tokens, &doc_errors);
            s->rec->Record(call->intended, done, status.error_code(), s->work->docs_per_payload[call->payload],
                           doc_errors, tokens);
            delete call;
            s->Done();
          });
    }
    s->Done();
    std::unique_lock<std::mutex> lock(s->mu);
    s->cv.wait(lock, [s] { return s->active == 0; });
  }
  stopper.join();
  progress.Stop();
  return Seconds(std::min(Clock::now(), w.end) - w.begin);
}

// The same documents through an in-process AnalysisService, --concurrency threads, closed loop.
double RunInProcess(const docanalysis::AnalysisService& service, const Workload& work, Recorder* rec,
                    double* cpu_seconds) {
  const Window w = MakeWindow(rec);
  const int64_t max_requests = absl::GetFlag(FLAGS_requests);
  std::atomic<int64_t> next{0};
  std::atomic<bool> stop{false};
  Progress progress(rec, absl::GetFlag(FLAGS_warmup) + (max_requests > 0 ? 0 : absl::GetFlag(FLAGS_duration)));
  double cpu0 = -1;
  std::thread timer([&] {
    std::this_thread::sleep_until(w.begin);
    cpu0 = OwnCpuSeconds();
    while (!stop && Clock::now() < w.end && rec->calls() < (max_requests > 0 ? max_requests : INT64_MAX))
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    stop = true;
  });
  std::vector<std::thread> threads;
  for (int i = 0; i < std::max(1, absl::GetFlag(FLAGS_concurrency)); ++i) {
    threads.emplace_back([&] {
      while (!stop) {
        const v1::AnalyzeRequest& req = work.requests[static_cast<size_t>(next.fetch_add(1)) % work.requests.size()];
        Clock::time_point t0 = Clock::now();
        absl::StatusOr<v1::AnalyzeResponse> r = service.Analyze(req, {});
        rec->Record(t0, Clock::now(), static_cast<int>(r.status().code()), 1, 0, r.ok() ? r->token_count() : 0);
      }
    });
  }
  for (auto& t : threads) t.join();
  timer.join();
  *cpu_seconds = cpu0 < 0 ? 0 : OwnCpuSeconds() - cpu0;
  progress.Stop();
  return Seconds(std::min(Clock::now(), w.end) - w.begin);
}

void PrintRow(const std::string& name, const nlohmann::json& r) {
  const auto& l = r["latency_ms"];
  std::printf("%-10s %9lld %10.1f %9.1f %11.0f %8.3f %8.3f %8.3f %8.3f %8.3f", name.c_str(),
              static_cast<long long>(r["calls"].get<int64_t>()), r["calls_per_s"].get<double>(),
              r["docs_per_s"].get<double>(), r["tokens_per_s"].get<double>(), l["p50"].get<double>(),
              l["p90"].get<double>(), l["p99"].get<double>(), l["p99.9"].get<double>(), l["max"].get<double>());
  if (r.contains("cpu_us_per_call")) {
    std::printf(" %9.1f", r["cpu_us_per_call"].get<double>());
    if (r.contains("docs_per_cpu_s")) std::printf(" %10.1f", r["docs_per_cpu_s"].get<double>());
  }
  std::printf("\n");
  std::string codes;
  for (const auto& [k, v] : r["status"].items()) absl::StrAppend(&codes, codes.empty() ? "" : ", ", k, " ", v.get<int64_t>());
  std::printf("%-10s status: %s", "", codes.c_str());
  if (r["doc_errors"].get<int64_t>() > 0) std::printf("; documents with an error: %lld", static_cast<long long>(r["doc_errors"].get<int64_t>()));
  std::printf("\n");
}

void AddCpu(nlohmann::json* r, double cpu_s) {
  int64_t calls = (*r)["calls"].get<int64_t>();
  if (calls > 0) (*r)["cpu_us_per_call"] = cpu_s / static_cast<double>(calls) * 1e6;
  (*r)["cpu_seconds"] = cpu_s;
  if (cpu_s > 0 && (*r)["docs"].get<int64_t>() > 0) {
    (*r)["docs_per_cpu_s"] = static_cast<double>((*r)["docs"].get<int64_t>()) / cpu_s;
    (*r)["tokens_per_cpu_s"] = static_cast<double>((*r)["tokens"].get<int64_t>()) / cpu_s;
  }
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("docanalysis-loadgen --target HOST:PORT [--corpus PATH] [--method M] [flags]");
  absl::ParseCommandLine(argc, argv);
  const std::string method = absl::GetFlag(FLAGS_method);
  const std::string target = absl::GetFlag(FLAGS_target);
  const bool in_process = absl::GetFlag(FLAGS_in_process) || target.empty();
  if (absl::GetFlag(FLAGS_rate) > 0 && method == "stream") return Fail("--rate (open loop) is for unary methods");

  std::vector<std::string> docs;
  if (std::string e = LoadCorpus(absl::GetFlag(FLAGS_corpus), absl::GetFlag(FLAGS_text_field), &docs); !e.empty())
    return Fail(e);
  if (int m = absl::GetFlag(FLAGS_max_documents); m > 0 && docs.size() > static_cast<size_t>(m)) docs.resize(m);
  Workload work;
  if (std::string e = BuildWorkload(docs, &work); !e.empty()) return Fail(e);

  if (const std::string path = absl::GetFlag(FLAGS_dump_request); !path.empty()) {
    std::vector<grpc::Slice> slices;
    if (!work.payloads[0].Dump(&slices).ok()) return Fail("cannot read the request bytes");
    std::string body;
    for (const auto& sl : slices) body.append(reinterpret_cast<const char*>(sl.begin()), sl.size());
    const uint32_t n = static_cast<uint32_t>(body.size());
    const char header[5] = {0, static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
                            static_cast<char>(n)};
    std::ofstream f(path, std::ios::binary);
    f.write(header, 5);
    f << body;
    if (!f) return Fail("cannot write --dump_request " + path);
    std::printf("%s: %s request, %u bytes (+5 bytes of gRPC frame header), path %s\n", path.c_str(), method.c_str(), n,
                work.method_path.c_str());
    return 0;
  }

  if (target.empty() && method != "analyze") return Fail("--method " + method + " needs a --target");

  nlohmann::json out;
  out["label"] = absl::GetFlag(FLAGS_label);
  out["target"] = target;
  out["method"] = method;
  out["corpus"] = {{"path", absl::GetFlag(FLAGS_corpus)}, {"documents", docs.size()}, {"bytes", work.corpus_bytes}};
  const double rate = absl::GetFlag(FLAGS_rate);
  out["load"] = rate > 0 ? nlohmann::json{{"loop", "open"}, {"rate", rate}, {"arrival", absl::GetFlag(FLAGS_arrival)},
                                          {"connections", absl::GetFlag(FLAGS_connections)}}
                         : nlohmann::json{{"loop", "closed"}, {"connections", absl::GetFlag(FLAGS_connections)},
                                          {"concurrency", absl::GetFlag(FLAGS_concurrency)}};
  if (method == "batch") out["load"]["batch_size"] = absl::GetFlag(FLAGS_batch_size);
  out["features"] = absl::GetFlag(FLAGS_features);
  std::printf("%s: %zu documents, %lld bytes; %s; %s\n", method.c_str(), docs.size(),
              static_cast<long long>(work.corpus_bytes),
              rate > 0 ? absl::StrCat("open loop at ", rate, " calls/s (", absl::GetFlag(FLAGS_arrival), ") over ",
                                      absl::GetFlag(FLAGS_connections), " connection(s)").c_str()
                       : absl::StrCat("closed loop, ", absl::GetFlag(FLAGS_connections), " connection(s) x ",
                                      absl::GetFlag(FLAGS_concurrency), " call(s) in flight").c_str(),
              absl::GetFlag(FLAGS_requests) > 0 ? absl::StrCat(absl::GetFlag(FLAGS_requests), " calls").c_str()
                                                : absl::StrCat(absl::GetFlag(FLAGS_duration), " s").c_str());
  std::printf("%-10s %9s %10s %9s %11s %8s %8s %8s %8s %8s %9s %10s\n", "phase", "calls", "calls/s", "docs/s",
              "tokens/s", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms", "CPU us/c", "docs/CPU-s");

  bool errors = false;
  nlohmann::json results = nlohmann::json::array();
  double local_dps = 0;
  if (in_process) {
    if (method != "analyze") return Fail("the in-process run is for --method analyze");
    docanalysis::PluginRegistryOptions opts;
    opts.plugin_dir = absl::GetFlag(FLAGS_plugin_dir);
    docanalysis::PluginRegistry registry(opts);
    registry.Rescan(true);
    if (registry.Snapshot()->plugins().empty()) return Fail("no plugins loaded from --plugin_dir " + opts.plugin_dir);
    docanalysis::AnalysisService service(&registry, {});
    Recorder rec;
    double cpu = 0;
    double secs = RunInProcess(service, work, &rec, &cpu);
    nlohmann::json r = rec.Summary(secs);
    r["phase"] = "in-process";
    AddCpu(&r, cpu);
    local_dps = r["docs_per_s"].get<double>();
    PrintRow("in-process", r);
    errors |= r["calls"].get<int64_t>() != r["status"].value("OK", int64_t{0});
    results.push_back(r);
  }
  if (!target.empty()) {
    std::string error;
    std::vector<std::shared_ptr<grpc::Channel>> channels = Connect(&error);
    if (channels.empty()) return Fail(error);
    Shared s;
    s.method = method;
    s.work = &work;
    s.timeout_ms = absl::GetFlag(FLAGS_timeout_ms);
    for (auto& ch : channels) s.stubs.push_back(std::make_unique<grpc::GenericStub>(ch));
    Recorder rec;
    s.rec = &rec;
    const int pid = absl::GetFlag(FLAGS_server_pid);
    double cpu0 = -1;
    std::thread cpu_start;
    if (pid > 0) {
      cpu_start = std::thread([&] {
        std::this_thread::sleep_until(rec.begin());
        cpu0 = ProcessCpuSeconds(pid);
      });
    }
    double secs = RunServed(&s);
    double cpu1 = pid > 0 ? ProcessCpuSeconds(pid) : -1;
    if (cpu_start.joinable()) cpu_start.join();
    nlohmann::json r = rec.Summary(secs);
    r["phase"] = "served";
    if (cpu0 >= 0 && cpu1 >= 0) AddCpu(&r, cpu1 - cpu0);
    PrintRow("served", r);
    if (local_dps > 0) {
      r["served_over_in_process"] = r["docs_per_s"].get<double>() / local_dps;
      std::printf("served / in-process documents per second: %.2f\n", r["served_over_in_process"].get<double>());
    }
    errors |= r["calls"].get<int64_t>() != r["status"].value("OK", int64_t{0});
    results.push_back(r);
  }
  out["results"] = results;
  if (const std::string path = absl::GetFlag(FLAGS_json); !path.empty()) {
    if (path == "-") {
      std::printf("%s\n", out.dump(2).c_str());
    } else {
      std::ofstream f(path);
      f << out.dump(2) << "\n";
      if (!f) return Fail("cannot write --json " + path);
    }
  }
  return errors && absl::GetFlag(FLAGS_fail_on_error) ? 1 : 0;
}
