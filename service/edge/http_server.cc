#include "service/edge/http_server.h"

#include <google/protobuf/util/json_util.h>
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <cctype>
#include <cstdint>
#include <future>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "nlohmann/json.hpp"
#include "service/common/log.h"
#include "service/edge/dispatcher.h"
#include "service/edge/web_page.h"

namespace docanalysis {

int HttpStatusOf(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk: return 200;
    case absl::StatusCode::kCancelled: return 499;
    case absl::StatusCode::kUnknown: return 500;
    case absl::StatusCode::kInvalidArgument: return 400;
    case absl::StatusCode::kDeadlineExceeded: return 504;
    case absl::StatusCode::kNotFound: return 404;
    case absl::StatusCode::kAlreadyExists: return 409;
    case absl::StatusCode::kPermissionDenied: return 403;
    case absl::StatusCode::kResourceExhausted: return 429;
    case absl::StatusCode::kFailedPrecondition: return 400;
    case absl::StatusCode::kAborted: return 409;
    case absl::StatusCode::kOutOfRange: return 400;
    case absl::StatusCode::kUnimplemented: return 501;
    case absl::StatusCode::kInternal: return 500;
    case absl::StatusCode::kUnavailable: return 503;
    case absl::StatusCode::kDataLoss: return 500;
    case absl::StatusCode::kUnauthenticated: return 401;
    default: return 500;
  }
}

std::string StatusCodeName(absl::StatusCode code) {
  // absl's names are "INVALID_ARGUMENT" and so on, as google.rpc.Code spells them.
  return absl::StatusCodeToString(code);
}

std::string GoogleErrorJson(int http_status, absl::StatusCode code, absl::string_view message) {
  nlohmann::json body = {{"error",
                          {{"code", http_status},
                           {"message", std::string(message)},
                           {"status", StatusCodeName(code)}}}};
  // Messages may quote caller bytes that are not UTF-8; replace them rather than throw.
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

absl::StatusOr<absl::Duration> ParseGrpcTimeout(absl::string_view value) {
  value = absl::StripAsciiWhitespace(value);
  if (value.size() < 2 || value.size() > 9) {
    return absl::InvalidArgumentError(
        absl::StrCat("grpc-timeout \"", value, "\": want 1 to 8 digits and a unit (H, M, S, m, u, n), as in 500m"));
  }
  int64_t n = 0;
  for (char c : value.substr(0, value.size() - 1)) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      return absl::InvalidArgumentError(absl::StrCat("grpc-timeout \"", value, "\": want digits then a unit, as in 500m"));
    }
    n = n * 10 + (c - '0');
  }
  switch (value.back()) {
    case 'H': return absl::Hours(n);
    case 'M': return absl::Minutes(n);
    case 'S': return absl::Seconds(n);
    case 'm': return absl::Milliseconds(n);
    case 'u': return absl::Microseconds(n);
    case 'n': return absl::Nanoseconds(n);
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("grpc-timeout \"", value, "\": unknown unit '", value.substr(value.size() - 1),
                       "' (H, M, S, m, u or n)"));
  }
}

absl::StatusOr<absl::Duration> ParseRequestTimeout(absl::string_view value) {
  value = absl::StripAsciiWhitespace(value);
  double seconds = 0;
  absl::Duration d;
  if (absl::SimpleAtod(value, &seconds) && seconds >= 0 && seconds < 1e9) {
    d = absl::Seconds(seconds);
  } else if (!absl::ParseDuration(value, &d) || d < absl::ZeroDuration() || d == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(absl::StrCat("X-Request-Timeout \"", value,
                                                   "\": want seconds (2.5) or a duration (2500ms, 1m30s)"));
  }
  return d;
}

namespace {

constexpr char kJson[] = "application/json";

// A failed request: its HTTP status (normally HttpStatusOf(status.code())) and Google-style body.
void SetError(httplib::Response& res, const absl::Status& status, int http_status = 0) {
  res.status = http_status != 0 ? http_status : HttpStatusOf(status.code());
  res.set_content(GoogleErrorJson(res.status, status.code(), status.message()), kJson);
}

// The canonical code that best describes an HTTP error status that httplib produced by itself.
absl::StatusCode CodeOfHttpStatus(int status) {
  switch (status) {
    case 400: case 411: case 414: case 415: case 416: case 431: return absl::StatusCode::kInvalidArgument;
    case 401: return absl::StatusCode::kUnauthenticated;
    case 403: return absl::StatusCode::kPermissionDenied;
    case 404: return absl::StatusCode::kNotFound;
    case 405: case 501: return absl::StatusCode::kUnimplemented;
    case 408: case 504: return absl::StatusCode::kDeadlineExceeded;
    case 409: return absl::StatusCode::kAborted;
    case 413: case 429: return absl::StatusCode::kResourceExhausted;
    case 499: return absl::StatusCode::kCancelled;
    case 503: return absl::StatusCode::kUnavailable;
    default: return status >= 500 ? absl::StatusCode::kInternal : absl::StatusCode::kUnknown;
  }
}

// The methods each resource answers, or nullptr for a path that is not ours.
const char* AllowedMethods(const std::string& path) {
  if (path == "/v1/documents:analyze" || path == "/v1/documents:analyzeBatch") return "POST";
  if (path == "/v1/plugins" || path == "/healthz" || path == "/readyz" || path == "/") return "GET, HEAD";
  return nullptr;
}

void SetMethodNotAllowed(const httplib::Request& req, httplib::Response& res, const char* allow) {
  res.set_header("Allow", allow);
  res.set_header("Connection", "close");  // a body, if any, is left unread
  SetError(res,
           absl::UnimplementedError(req.path.empty()
                                        ? absl::StrCat("method ", req.method, " is not supported; use ", allow)
                                        : absl::StrCat(req.method, " ", req.path, " is not supported; use ", allow)),
           405);
}

std::string TooLarge(size_t limit, absl::string_view what) {
  return absl::StrCat("request body is over the limit of ", limit, " bytes for ", what,
                      what == "documents:analyzeBatch" ? "; split the batch"
                                                       : "; send a smaller document (see --max_document_bytes)");
}

// Reads the body through `reader`, refusing it (413) once it passes `limit`: at once from its
// Content-Length when it has one, else as the (inflated) bytes arrive.
absl::Status ReadBody(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader,
                      size_t limit, absl::string_view what, std::string* body) {
  if (req.has_header("Content-Length")) {
    uint64_t length = 0;
    if (!absl::SimpleAtoi(req.get_header_value("Content-Length"), &length)) {
      return absl::InvalidArgumentError("Content-Length is not a number");
    }
    // A gzip body may inflate past the limit; that is caught while reading. Here only the bytes on
    // the wire are known, so only a body that is over the limit before inflating is refused unread.
    if (length > limit) {
      // The answer is decided; the client is still sending, though, and closing on unread bytes would
      // reset the connection before it reads the 413. So the bytes are discarded as they come (never
      // stored, never inflated: Content-Encoding is dropped from this request first), up to httplib's
      // backstop, beyond which httplib refuses the body itself.
      const_cast<httplib::Headers&>(req.headers).erase("Content-Encoding");
      reader([](const char*, size_t) { return true; });
      res.set_header("Connection", "close");
      return absl::ResourceExhaustedError(TooLarge(limit, what));
    }
    body->reserve(static_cast<size_t>(length));
  }
  bool over = false;
  res.status = -1;
  bool ok = reader([&](const char* data, size_t n) {
    if (body->size() + n > limit) {
      over = true;
      return false;
    }
    body->append(data, n);
    return true;
  });
  if (over) {
    res.set_header("Connection", "close");
    return absl::ResourceExhaustedError(TooLarge(limit, what));
  }
  if (!ok) {
    res.set_header("Connection", "close");
    if (res.status == 413) return absl::ResourceExhaustedError(TooLarge(limit, what));
    if (res.status == 415) {
      return absl::InvalidArgumentError(absl::StrCat("Content-Encoding \"", req.get_header_value("Content-Encoding"),
                                                     "\" is not supported; send gzip, deflate, br or identity"));
    }
    return absl::InvalidArgumentError("the request body could not be read (broken chunked encoding or gzip data?)");
  }
  return absl::OkStatus();
}

// The request's deadline from grpc-timeout or X-Request-Timeout (the sooner of the two).
absl::StatusOr<absl::Time> DeadlineOf(const httplib::Request& req, absl::Time start) {
  absl::Time deadline = absl::InfiniteFuture();
  if (req.has_header("grpc-timeout")) {
    absl::StatusOr<absl::Duration> d = ParseGrpcTimeout(req.get_header_value("grpc-timeout"));
    if (!d.ok()) return d.status();
    deadline = std::min(deadline, start + *d);
  }
  if (req.has_header("X-Request-Timeout")) {
    absl::StatusOr<absl::Duration> d = ParseRequestTimeout(req.get_header_value("X-Request-Timeout"));
    if (!d.ok()) return d.status();
    deadline = std::min(deadline, start + *d);
  }
  return deadline;
}

template <typename Message>
absl::Status ParseJson(const std::string& body, Message* message) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto s = google::protobuf::util::JsonStringToMessage(body, message, options);
  if (s.ok()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("the body is not a valid ", message->GetTypeName(),
                                                 " in JSON: ", std::string(s.message().data(), s.message().size())));
}

template <typename Message>
void SetJson(httplib::Response& res, const Message& message) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  auto s = google::protobuf::util::MessageToJsonString(message, &out, options);
  if (!s.ok()) {
    SetError(res, absl::InternalError(absl::StrCat("cannot write the answer as JSON: ",
                                                   std::string(s.message().data(), s.message().size()))));
    return;
  }
  res.status = 200;
  res.set_content(out, kJson);
}

// httplib's connection threads, started on demand up to `max` and then kept (httplib's own pool
// starts all of them at once, and a thread it cannot start ends the process). A connection waits
// while all threads are busy. A thread that cannot be started (the system is out of threads) is
// logged and the pool goes on with the ones it has; with none at all, the connection is served on
// the accepting thread.
class ConnectionPool final : public httplib::TaskQueue {
 public:
  explicit ConnectionPool(size_t max) : max_(max) {}
  ~ConnectionPool() override { shutdown(); }

  void enqueue(std::function<void()> fn) override {
    std::unique_lock<std::mutex> lock(mu_);
    if (idle_ == 0 && threads_.size() < max_) {
      try {
        threads_.emplace_back([this] { Run(); });
      } catch (const std::system_error& e) {
        Log(LogLevel::kWarning, "http: cannot start a connection thread", {{"error", e.what()},
                                                                          {"threads", absl::StrCat(threads_.size())}});
        if (threads_.empty()) {
          lock.unlock();
          fn();  // serve it here rather than drop the connection
          return;
        }
      }
    }
    jobs_.push_back(std::move(fn));
    lock.unlock();
    cv_.notify_one();
  }

  // Runs the queued connections, then joins the threads. httplib calls it once, after accepting stops.
  void shutdown() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (shutdown_) return;
      shutdown_ = true;
    }
    cv_.notify_all();
    for (std::thread& t : threads_) t.join();
  }

 private:
  void Run() {
    for (;;) {
      std::function<void()> fn;
      {
        std::unique_lock<std::mutex> lock(mu_);
        ++idle_;
        cv_.wait(lock, [this] { return shutdown_ || !jobs_.empty(); });
        --idle_;
        if (jobs_.empty()) return;  // shutting down, nothing left
        fn = std::move(jobs_.front());
        jobs_.pop_front();
      }
      fn();
    }
  }

  const size_t max_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  size_t idle_ = 0;
  bool shutdown_ = false;
};

}  // namespace

struct HttpServer::Impl {
  Impl(const AnalysisService* service, Executor* executor, Metrics* metrics, size_t max_batch_documents,
       HttpServerOptions opts)
      : dispatcher(service, executor, metrics, max_batch_documents), options(opts) {
    if (options.max_body_bytes == 0) options.max_body_bytes = 2 * dispatcher.max_document_bytes() + (64 << 10);
    if (!options.tls_cert_file.empty()) {
      server = std::make_unique<httplib::SSLServer>(
          options.tls_cert_file.c_str(), options.tls_key_file.c_str(),
          options.tls_client_ca_file.empty() ? nullptr : options.tls_client_ca_file.c_str());
    } else {
      server = std::make_unique<httplib::Server>();
    }
  }

  // Runs one POST of `Request` -> `Response` through the dispatcher `call`, and waits for it.
  template <typename Request, typename Response, typename Call>
  void Serve(const std::string& method, size_t limit, absl::string_view what, const httplib::Request& req,
             httplib::Response& res, const httplib::ContentReader& reader, Call call) {
    const absl::Time start = absl::Now();
    auto fail = [&](const absl::Status& s, int http_status = 0) {
      dispatcher.Observe(method, s, start);
      SetError(res, s, http_status);
    };
    absl::StatusOr<absl::Time> deadline = DeadlineOf(req, start);
    std::string body;
    if (absl::Status s = ReadBody(req, res, reader, limit, what, &body); !s.ok()) {
      return fail(s, s.code() == absl::StatusCode::kResourceExhausted ? 413 : 0);
    }
    if (!deadline.ok()) return fail(deadline.status());
    const size_t bytes = body.size();
    auto request = std::make_shared<Request>();
    if (absl::Status s = ParseJson(body, request.get()); !s.ok()) return fail(s);
    body.clear();
    body.shrink_to_fit();

    RequestContext ctx;
    ctx.deadline = *deadline;
    // Shared with the callback, so the worker never touches a promise this thread has already dropped.
    auto promise = std::make_shared<std::promise<absl::StatusOr<Response>>>();
    std::future<absl::StatusOr<Response>> future = promise->get_future();
    absl::Status queued = call(method, std::move(request), std::move(ctx), start, bytes,
                               [promise](absl::StatusOr<Response> r) { promise->set_value(std::move(r)); });
    if (!queued.ok()) {  // counted by the dispatcher
      SetError(res, queued);
      if (queued.code() == absl::StatusCode::kResourceExhausted) res.set_header("Retry-After", "1");
      return;
    }
    absl::StatusOr<Response> result = future.get();
    // Past admission, RESOURCE_EXHAUSTED from the core means a document over --max_document_bytes: a
    // request too large (413), not a busy server to retry later (429).
    if (!result.ok()) {
      return SetError(res, result.status(), result.status().code() == absl::StatusCode::kResourceExhausted ? 413 : 0);
    }
    SetJson(res, *result);
  }

  Dispatcher dispatcher;
  HttpServerOptions options;
  std::unique_ptr<httplib::Server> server;  // an SSLServer with TLS
  std::thread thread;
  std::atomic<bool> serving{false};
  std::atomic<bool> listener_done{false};
  std::mutex stop_mu;
  bool started = false;
};

HttpServer::HttpServer(const AnalysisService* service, Executor* executor, Metrics* metrics,
                       size_t max_batch_documents, HttpServerOptions options)
    : impl_(std::make_unique<Impl>(service, executor, metrics, max_batch_documents, options)) {
  Impl* impl = impl_.get();
  httplib::Server& s = *impl->server;
  const size_t threads = static_cast<size_t>(std::max(2, impl->options.connection_threads));
  s.new_task_queue = [threads] { return new ConnectionPool(threads); };
  // httplib's own backstop, above both route limits: bigger bodies are refused (413) before routing.
  s.set_payload_max_length(std::max(impl->options.max_body_bytes, impl->options.max_batch_body_bytes));
  s.set_keep_alive_max_count(1000);
  s.set_keep_alive_timeout(5);
  s.set_read_timeout(30);
  s.set_write_timeout(30);

  s.Post("/v1/documents:analyze",
         [impl](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
           impl->Serve<v1::AnalyzeRequest, v1::AnalyzeResponse>(
               "Analyze", impl->options.max_body_bytes, "documents:analyze", req, res, reader,
               [impl](auto&&... args) { return impl->dispatcher.Analyze(std::forward<decltype(args)>(args)...); });
         });
  s.Post("/v1/documents:analyzeBatch",
         [impl](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
           impl->Serve<v1::AnalyzeBatchRequest, v1::AnalyzeBatchResponse>(
               "AnalyzeBatch", impl->options.max_batch_body_bytes, "documents:analyzeBatch", req, res, reader,
               [impl](auto&&... args) {
                 return impl->dispatcher.AnalyzeBatch(std::forward<decltype(args)>(args)...);
               });
         });
  s.Get("/v1/plugins", [impl](const httplib::Request&, httplib::Response& res) {
    SetJson(res, impl->dispatcher.ListPlugins(/*admin=*/false));  // the admin token is a gRPC-only credential
  });
  s.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("{\"status\":\"SERVING\"}", kJson);
  });
  s.Get("/readyz", [impl](const httplib::Request&, httplib::Response& res) {
    if (impl->serving.load()) {
      res.set_content("{\"status\":\"SERVING\"}", kJson);
    } else {
      SetError(res, absl::UnavailableError("not ready: plugins are still loading, or the server is draining"));
    }
  });
  s.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(WebPage()), "text/html; charset=utf-8");
    res.set_header("Cache-Control", "no-cache");
    // The page is self-contained: the browser may fetch nothing but this server's API.
    res.set_header("Content-Security-Policy",
                   "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                   "connect-src 'self'; img-src data:; form-action 'none'; base-uri 'none'; frame-ancestors 'none'");
    res.set_header("X-Content-Type-Options", "nosniff");
  });

  s.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    // Answers are compressed with gzip only: httplib would pick brotli for browsers, at quality 11, which takes
    // about a minute for the 4.5 MB answer to a 1 MiB document (gzip at level 6: a tenth of a second). The
    // request object is httplib's own, mutable one, handed out as const.
    if (req.has_header("Accept-Encoding")) {
      auto& headers = const_cast<httplib::Headers&>(req.headers);
      auto it = headers.find("Accept-Encoding");
      bool gzip = it->second.find("gzip") != std::string::npos;
      headers.erase("Accept-Encoding");
      if (gzip) headers.emplace("Accept-Encoding", "gzip");
    }
    // Known paths with another method: 405 with Allow, instead of httplib's 404.
    const char* allow = AllowedMethods(req.path);
    if (allow == nullptr || absl::StrContains(allow, req.method)) return httplib::Server::HandlerResponse::Unhandled;
    SetMethodNotAllowed(req, res, allow);
    return httplib::Server::HandlerResponse::Handled;
  });
  // Errors httplib makes by itself (404, 413 over the backstop, 400 bad request line) get the
  // same JSON shape as ours; ours already have a body and are left alone.
  s.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    // httplib refuses methods it does not know (QUERY, say) as a bad request line, before routing.
    static const char* const kKnown[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT"};
    if (res.status == 400 && !req.method.empty() &&
        std::none_of(std::begin(kKnown), std::end(kKnown), [&](const char* m) { return req.method == m; })) {
      const char* allow = AllowedMethods(req.path);
      SetMethodNotAllowed(req, res, allow != nullptr ? allow : "GET, HEAD, POST");
      return httplib::Server::HandlerResponse::Handled;
    }
    std::string message = res.status == 404 ? absl::StrCat("no such resource: ", req.method, " ", req.path)
                          : res.status == 413 ? std::string("request body is too large")
                                              : absl::StrCat("HTTP ", res.status, " for ", req.method, " ", req.path);
    res.set_content(GoogleErrorJson(res.status, CodeOfHttpStatus(res.status), message), kJson);
    return httplib::Server::HandlerResponse::Handled;
  }));
  s.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    Log(LogLevel::kError, "http handler failed", {{"error", what}});
    SetError(res, absl::InternalError("internal error"));
  });
}

HttpServer::~HttpServer() { Stop(); }

absl::StatusOr<int> HttpServer::Start(const std::string& host_port) {
  size_t colon = host_port.rfind(':');
  int port = -1;
  if (colon == std::string::npos || !absl::SimpleAtoi(host_port.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("--http_listen ", host_port, ": want HOST:PORT"));
  }
  std::string host = host_port.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  std::lock_guard<std::mutex> lock(impl_->stop_mu);
  if (impl_->started) return absl::FailedPreconditionError("the HTTP server is already started");
  httplib::Server& server = *impl_->server;
  if (!server.is_valid()) {
    return absl::FailedPreconditionError(absl::StrCat("cannot serve HTTPS on ", host_port, ": the TLS certificate, key ",
                                                      "or client CA (", impl_->options.tls_cert_file, ", ",
                                                      impl_->options.tls_key_file, ", ",
                                                      impl_->options.tls_client_ca_file, ") do not load"));
  }
  int bound = port == 0 ? server.bind_to_any_port(host) : (server.bind_to_port(host, port) ? port : -1);
  if (bound <= 0) return absl::UnavailableError(absl::StrCat("cannot listen for HTTP on ", host_port));
  impl_->started = true;
  impl_->listener_done.store(false);
  impl_->thread = std::thread([impl = impl_.get()] {
    impl->server->listen_after_bind();
    impl->listener_done.store(true);
  });
  return bound;
}

void HttpServer::SetServing(bool serving) { impl_->serving.store(serving); }

void HttpServer::Stop() {
  std::lock_guard<std::mutex> lock(impl_->stop_mu);
  if (!impl_->started) return;
  impl_->serving.store(false);
  // stop() only acts once the listener runs; the thread may not have got there yet.
  while (!impl_->listener_done.load()) {
    if (impl_->server->is_running()) {
      impl_->server->stop();
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (impl_->thread.joinable()) impl_->thread.join();
  impl_->started = false;
}

}  // namespace docanalysis
