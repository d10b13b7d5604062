#include "service/plugin_host/process_plugin.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <filesystem>
#include <future>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "service/common/log.h"
#include "service/worker/protocol.h"
#include "service/worker/sandbox.h"
#include "service/worker/upstream_codec.h"

extern char** environ;

namespace docanalysis {

namespace w = worker;

struct ProcessPlugin::Worker {
  pid_t pid = -1;
  int sock = -1;
  int memfd = -1;
  char* region = nullptr;
  size_t region_size = 0;
  uint64_t seq = 0;
  int cpu = -1;  // the CPU the worker is pinned to (-1: any), see Analyze
  std::string packet;  // receive buffer for a reply's first packet (kMaxPacket bytes once used)

  w::SharedHeader* header() const { return reinterpret_cast<w::SharedHeader*>(region); }

  // Kills the worker's process group (if still running) and reaps it; returns its wait status.
  int KillAndReap(bool kill_first) {
    int status = 0;
    if (pid > 0) {
      if (!kill_first) {
        // It closed its socket: it is exiting. Give it a moment to finish before forcing it.
        for (int i = 0; i < 100; ++i) {
          pid_t r = waitpid(pid, &status, WNOHANG);
          if (r == pid || (r < 0 && errno != EINTR)) {
            pid = -1;
            break;
          }
          usleep(2000);
        }
      }
      if (pid > 0) {
        kill(-pid, SIGKILL);
        kill(pid, SIGKILL);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        pid = -1;
      }
    }
    return status;
  }

  ~Worker() {
    if (sock >= 0) close(sock);
    KillAndReap(/*kill_first=*/true);
    if (region != nullptr) munmap(region, region_size);
    if (memfd >= 0) close(memfd);
  }
};

namespace {

// Starts worker processes from one long-lived thread: PR_SET_PDEATHSIG fires when the thread that
// started a process ends, so workers must not be started from threads that come and go (gRPC's).
class Launcher {
 public:
  static Launcher& Get() {
    static Launcher* launcher = new Launcher();  // lives until the process exits
    return *launcher;
  }

  absl::StatusOr<pid_t> Spawn(std::vector<std::string> argv, int control_fd, int memfd) {
    std::packaged_task<absl::StatusOr<pid_t>()> task([&] { return SpawnNow(argv, control_fd, memfd); });
    std::future<absl::StatusOr<pid_t>> result = task.get_future();
    {
      std::lock_guard<std::mutex> lock(mu_);
      tasks_.push_back(std::move(task));
    }
    cv_.notify_one();
    return result.get();
  }

 private:
  Launcher() {
    std::thread([this] {
      for (;;) {
        std::packaged_task<absl::StatusOr<pid_t>()> task;
        {
          std::unique_lock<std::mutex> lock(mu_);
          cv_.wait(lock, [this] { return !tasks_.empty(); });
          task = std::move(tasks_.front());
          tasks_.pop_front();
        }
        task();
      }
    }).detach();
  }

  static absl::StatusOr<pid_t> SpawnNow(const std::vector<std::string>& argv, int control_fd, int memfd) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, control_fd, w::kControlFd);
    posix_spawn_file_actions_adddup2(&actions, memfd, w::kSharedMemoryFd);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);  // the server blocks SIGTERM & co. for its signal thread
    posix_spawnattr_setsigdefault(&attr, &all);  // and ignores SIGPIPE
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = -1;
    int rc = posix_spawn(&pid, args[0], &actions, &attr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) return absl::UnavailableError(absl::StrCat("cannot start ", argv[0], ": ", std::strerror(rc)));
    return pid;
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::packaged_task<absl::StatusOr<pid_t>()>> tasks_;
};

// A descriptor moved above the ones the worker maps (3 and 4), close-on-exec.
int HighFd(int fd) {
  if (fd < 0) return fd;
  int high = fcntl(fd, F_DUPFD_CLOEXEC, 10);
  close(fd);
  return high;
}

// Pins the worker's main thread to `cpu`, or lets it run anywhere (-1). Best effort: a refusal
// (a cpuset that forbids it) leaves it where it was.
void PinWorker(ProcessPlugin::Worker& worker, int cpu) {
  // "Anywhere" is wherever the server may run (a worker starts with the server's affinity).
  static const cpu_set_t server_cpus = [] {
    cpu_set_t all;
    CPU_ZERO(&all);
    if (sched_getaffinity(0, sizeof(all), &all) != 0)
      for (int c = 0; c < CPU_SETSIZE; ++c) CPU_SET(c, &all);
    return all;
  }();
  cpu_set_t set = server_cpus;
  if (cpu >= 0) {
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
  }
  if (sched_setaffinity(worker.pid, sizeof(set), &set) == 0 || cpu < 0) worker.cpu = cpu;
}

// Waits until `fd` is readable or `deadline`; false on timeout.
bool WaitReadable(int fd, absl::Time deadline) {
  for (;;) {
    int64_t ms = std::max<int64_t>(0, absl::ToInt64Milliseconds(deadline - absl::Now()) + 1);
    pollfd p{fd, POLLIN, 0};
    int r = poll(&p, 1, static_cast<int>(std::min<int64_t>(ms, 1000)));
    if (r > 0) return true;
    if (r < 0 && errno != EINTR) return true;  // let the read report it
    if (absl::Now() >= deadline) return false;
  }
}

absl::Status DeathStatus(int wait_status, const w::SharedHeader* header, int64_t memory_mb, int64_t cpu_seconds) {
  const uint32_t recorded = header ? header->fatal_signal.load() : 0;
  const bool oom = header && header->out_of_memory.load() != 0;
  const uint64_t size = header ? header->address_space_bytes.load() : 0;
  // A crash with the address space within a quarter of its limit is taken for an allocation that
  // failed (malloc returning NULL to code that does not check): the limit, not a bug, ended it.
  // (Sanitizer builds apply no such limit, and their shadow memory makes every worker look huge.)
  const bool near_memory_limit = w::kAddressSpaceLimitApplies && memory_mb > 0 &&
                                 size >= static_cast<uint64_t>(memory_mb) * (1u << 20) / 4 * 3;
  if (WIFSIGNALED(wait_status) || recorded != 0) {
    int sig = WIFSIGNALED(wait_status) ? WTERMSIG(wait_status) : static_cast<int>(recorded);
    if (sig == SIGXCPU || recorded == SIGXCPU)
      return absl::ResourceExhaustedError(absl::StrCat("plugin worker exceeded its CPU limit of ", cpu_seconds, " s"));
    if (oom || near_memory_limit)
      return absl::ResourceExhaustedError(absl::StrCat("plugin worker exceeded its memory limit of ", memory_mb,
                                                       " MiB (signal ", sig, ")"));
    return absl::UnavailableError(absl::StrCat("plugin worker died: signal ", sig, " (", strsignal(sig), ")"));
  }
  if (oom) return absl::ResourceExhaustedError(absl::StrCat("plugin worker exceeded its memory limit of ", memory_mb, " MiB"));
  if (WIFEXITED(wait_status))
    return absl::UnavailableError(absl::StrCat("plugin worker exited with status ", WEXITSTATUS(wait_status)));
  return absl::UnavailableError("plugin worker died");
}

// Bytes the document needs in the shared region, and the writer that lays it out there.
class RegionLayout {
 public:
  explicit RegionLayout(char* base) : base_(base) {}
  size_t used() const { return pos_; }
  w::Slice Bytes(const void* data, size_t n) {
    pos_ = (pos_ + 7) & ~size_t{7};
    w::Slice s{pos_, n};
    if (base_ != nullptr && n > 0) std::memcpy(base_ + pos_, data, n);
    pos_ += n;
    return s;
  }

 private:
  char* base_;
  size_t pos_ = sizeof(w::SharedHeader);
};

// Lays `doc` out at `base` (or only measures it when base is null).
size_t LayOut(const docanalysis_document& doc, char* base) {
  RegionLayout out(base);
  w::SharedHeader h{};
  h.id = out.Bytes(doc.id.data, doc.id.size);
  h.text = out.Bytes(doc.text.data, doc.text.size);
  h.language = out.Bytes(doc.language.data, doc.language.size);
  h.tokens = out.Bytes(doc.tokens, doc.token_count * sizeof(docanalysis_token));
  h.tokens.size = doc.token_count;
  h.sentences = out.Bytes(doc.sentences, doc.sentence_count * sizeof(docanalysis_sentence));
  h.sentences.size = doc.sentence_count;
  std::vector<w::Slice> options;
  for (size_t i = 0; i < doc.option_count; ++i) {
    options.push_back(out.Bytes(doc.options[i].key.data, doc.options[i].key.size));
    options.push_back(out.Bytes(doc.options[i].value.data, doc.options[i].value.size));
  }
  std::vector<w::Slice> features;
  for (size_t i = 0; i < doc.feature_count; ++i) features.push_back(out.Bytes(doc.features[i].data, doc.features[i].size));
  h.options = out.Bytes(options.data(), options.size() * sizeof(w::Slice));
  h.options.size = doc.option_count;
  h.features = out.Bytes(features.data(), features.size() * sizeof(w::Slice));
  h.features.size = doc.feature_count;
  if (doc.upstream != nullptr) {
    std::string encoded;
    w::EncodeUpstream(*doc.upstream, &encoded);
    h.has_upstream = 1;
    h.upstream = out.Bytes(encoded.data(), encoded.size());
  }
  if (base != nullptr) {
    auto* dst = reinterpret_cast<w::SharedHeader*>(base);
    dst->id = h.id, dst->text = h.text, dst->language = h.language, dst->tokens = h.tokens;
    dst->sentences = h.sentences, dst->options = h.options, dst->features = h.features;
    dst->has_upstream = h.has_upstream, dst->upstream = h.upstream;
  }
  return out.used();
}

// Replays a worker's batch of sink calls into the host's sink (which checks every value).
bool Replay(std::string_view batch, const docanalysis_sink& sink) {
  w::BatchReader r(batch);
  auto s = [](std::string_view v) { return docanalysis_str{v.data(), v.size()}; };
  while (!r.done()) {
    w::Call call;
    if (!r.Get(&call)) return false;
    uint32_t b = 0, e = 0, i = 0, n = 0;
    int32_t type = 0;
    float f1 = 0, f2 = 0;
    std::string_view a, c;
    switch (call) {
      case w::Call::kEntityMention:
        if (!r.Get(&b) || !r.Get(&e) || !r.Get(&type) || !r.Get(&f1) || !r.GetString(&a)) return false;
        sink.add_entity_mention(sink.ctx, b, e, type, f1, s(a));
        break;
      case w::Call::kSentenceSentiment:
        if (!r.Get(&i) || !r.Get(&f1) || !r.Get(&f2)) return false;
        sink.set_sentence_sentiment(sink.ctx, i, f1, f2);
        break;
      case w::Call::kDocumentSentiment:
        if (!r.Get(&f1) || !r.Get(&f2)) return false;
        sink.set_document_sentiment(sink.ctx, f1, f2);
        break;
      case w::Call::kSummarySentence:
        if (!r.Get(&i) || !r.Get(&f1)) return false;
        sink.add_summary_sentence(sink.ctx, i, f1);
        break;
      case w::Call::kAnnotation: {
        if (!r.GetString(&a) || !r.Get(&b) || !r.Get(&e) || !r.Get(&f1) || !r.Get(&n)) return false;
        std::vector<docanalysis_option> attrs;
        for (uint32_t k = 0; k < n; ++k) {
          std::string_view key, value;
          if (!r.GetString(&key) || !r.GetString(&value)) return false;
          attrs.push_back({s(key), s(value)});
        }
        sink.add_annotation(sink.ctx, s(a), b, e, f1, attrs.data(), attrs.size());
        break;
      }
      case w::Call::kLabel:
        if (!r.GetString(&a) || !r.GetString(&c) || !r.Get(&f1)) return false;
        sink.add_label(sink.ctx, s(a), s(c), f1);
        break;
      case w::Call::kError:
        if (!r.GetString(&a)) return false;
        sink.set_error(sink.ctx, s(a));
        break;
      case w::Call::kSyntaxToken: {
        docanalysis_syntax_token t{};
        std::string_view tag, xpos, features, lemma, label;
        if (!r.Get(&t.begin) || !r.Get(&t.end) || !r.Get(&t.head) || !r.GetString(&tag) || !r.GetString(&xpos) ||
            !r.GetString(&features) || !r.GetString(&lemma) || !r.GetString(&label))
          return false;
        t.tag = s(tag), t.xpos = s(xpos), t.features = s(features), t.lemma = s(lemma), t.label = s(label);
        if (sink.add_syntax_token != nullptr) sink.add_syntax_token(sink.ctx, &t);
        break;
      }
      default:
        return false;
    }
  }
  return true;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const ProcessPlugin>> ProcessPlugin::Start(const std::string& folder,
                                                                          PluginManifest manifest,
                                                                          const std::string& private_dir,
                                                                          const OptionList& option_overrides,
                                                                          ProcessPluginOptions options) {
  std::shared_ptr<ProcessPlugin> p(new ProcessPlugin());
  p->folder_ = folder;
  p->private_dir_ = private_dir;
  if (manifest.memory_mb > 0 && (options.memory_mb == 0 || manifest.memory_mb < options.memory_mb))
    options.memory_mb = manifest.memory_mb;
  if (manifest.cpu_seconds > 0 && (options.cpu_seconds == 0 || manifest.cpu_seconds < options.cpu_seconds))
    options.cpu_seconds = manifest.cpu_seconds;
  p->pool_size_ = options.pool_size > 0 ? options.pool_size : std::max(1u, std::thread::hardware_concurrency());
  p->options_ = std::move(options);
  OverlayOptions(&manifest.options, option_overrides);  // what requests start from, as in process
  p->manifest_ = std::move(manifest);
  // Every worker of this version loads the same library and manifest, even when the folder has
  // since been replaced or removed: a private copy of each, made now.
  p->manifest_json_ = ManifestToJson(p->manifest_);
  // The copy goes into a fresh directory only this user can enter (mkdtemp, 0700).
  std::error_code ec;
  std::filesystem::path parent = private_dir.empty() ? std::filesystem::temp_directory_path(ec)
                                                     : std::filesystem::path(private_dir);
  if (ec) parent = "/tmp";
  std::filesystem::create_directories(parent, ec);
  std::string tmpl = (parent / "docanalysis-worker-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) {
    return absl::InternalError(absl::StrCat("plugin ", p->manifest_.name, ": cannot make a private directory under ",
                                            parent.string(), ": ", std::strerror(errno)));
  }
  p->staged_dir_ = tmpl;
  std::filesystem::path staged = std::filesystem::path(tmpl) / p->manifest_.library;
  if (!std::filesystem::copy_file(std::filesystem::path(folder) / p->manifest_.library, staged,
                                  std::filesystem::copy_options::overwrite_existing, ec)) {
    return absl::NotFoundError(absl::StrCat("plugin ", p->manifest_.name, " (", folder, "): cannot copy library ",
                                            p->manifest_.library, ": ", ec.message()));
  }
  p->staged_library_ = staged.string();
  absl::StatusOr<std::unique_ptr<Worker>> first = p->Spawn(&p->built_abi_major_, &p->built_abi_minor_);
  if (!first.ok()) {
    return absl::Status(first.status().code(), absl::StrCat("plugin ", p->manifest_.name, " (", folder,
                                                            ") in a worker process: ", first.status().message()));
  }
  p->live_ = 1;
  p->idle_.push_back(*std::move(first));
  if (p->options_.on_health) p->options_.on_health(p->manifest_.name, absl::OkStatus(), false);
  return std::shared_ptr<const ProcessPlugin>(std::move(p));
}

ProcessPlugin::~ProcessPlugin() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    idle_.clear();  // kills and reaps each worker, unmaps its region
  }
  std::error_code ec;
  if (!staged_dir_.empty()) std::filesystem::remove_all(staged_dir_, ec);
}

absl::StatusOr<std::unique_ptr<ProcessPlugin::Worker>> ProcessPlugin::Spawn(uint32_t* abi_major,
                                                                            uint32_t* abi_minor) const {
  auto worker = std::make_unique<Worker>();
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
    return absl::UnavailableError(absl::StrCat("socketpair: ", std::strerror(errno)));
  worker->sock = HighFd(sv[0]);
  int child_sock = HighFd(sv[1]);
  worker->memfd = HighFd(memfd_create(absl::StrCat("docanalysis-", manifest_.name).c_str(), MFD_CLOEXEC));
  worker->region_size = 1 << 20;
  if (worker->memfd < 0 || ftruncate(worker->memfd, static_cast<off_t>(worker->region_size)) != 0) {
    close(child_sock);
    return absl::UnavailableError(absl::StrCat("shared memory: ", std::strerror(errno)));
  }
  void* region = mmap(nullptr, worker->region_size, PROT_READ | PROT_WRITE, MAP_SHARED, worker->memfd, 0);
  if (region == MAP_FAILED) {
    close(child_sock);
    return absl::UnavailableError(absl::StrCat("mmap: ", std::strerror(errno)));
  }
  worker->region = static_cast<char*>(region);
  new (worker->region) w::SharedHeader{};
  worker->header()->magic = w::kMagic;

  std::vector<std::string> argv = {options_.worker_path, "--plugin_folder", folder_, "--private_dir", private_dir_,
                                   "--library", staged_library_, "--manifest", manifest_json_,
                                   "--parent_pid", absl::StrCat(getpid()), "--memory_mb",
                                   absl::StrCat(options_.memory_mb), "--cpu_seconds", absl::StrCat(options_.cpu_seconds)};
  absl::StatusOr<pid_t> pid = Launcher::Get().Spawn(argv, child_sock, worker->memfd);
  close(child_sock);
  if (!pid.ok()) return pid.status();
  worker->pid = *pid;

  // The worker says whether the plugin loaded.
  if (!WaitReadable(worker->sock, absl::Now() + options_.start_timeout)) {
    return absl::DeadlineExceededError(absl::StrCat("the worker did not load the plugin within ",
                                                    absl::FormatDuration(options_.start_timeout)));
  }
  w::Hello hello{};
  ssize_t n = recv(worker->sock, &hello, sizeof(hello), 0);
  if (n != static_cast<ssize_t>(sizeof(hello)) || hello.magic != w::kMagic) {
    close(worker->sock);
    worker->sock = -1;
    int status = worker->KillAndReap(/*kill_first=*/false);
    return DeathStatus(status, worker->header(), options_.memory_mb, options_.cpu_seconds);
  }
  if (hello.code != 0) {
    hello.message[sizeof(hello.message) - 1] = '\0';
    return absl::Status(static_cast<absl::StatusCode>(hello.code > 0 && hello.code <= 16 ? hello.code : 2), hello.message);
  }
  timeval wake{0, 5000};  // Analyze's receives wake every 5 ms to forward cancellation
  setsockopt(worker->sock, SOL_SOCKET, SO_RCVTIMEO, &wake, sizeof(wake));
  if (abi_major != nullptr) *abi_major = hello.abi_major;
  if (abi_minor != nullptr) *abi_minor = hello.abi_minor;
  return worker;
}

std::unique_ptr<ProcessPlugin::Worker> ProcessPlugin::Acquire(const docanalysis_document& doc,
                                                              absl::Status* status) const {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (broken_) {
      *status = absl::UnavailableError(broken_reason_);
      return nullptr;
    }
    if (!idle_.empty()) {
      std::unique_ptr<Worker> w = std::move(idle_.back());
      idle_.pop_back();
      return w;
    }
    if (live_ < pool_size_ && absl::Now() >= next_spawn_) {
      ++live_;
      lock.unlock();
      absl::StatusOr<std::unique_ptr<Worker>> w = Spawn();
      lock.lock();
      if (w.ok()) {
        ++restarts_;
        return *std::move(w);
      }
      --live_;
      lock.unlock();
      *status = RecordDeath(absl::UnavailableError(absl::StrCat("cannot start a plugin worker: ", w.status().message())));
      return nullptr;
    }
    if (doc.is_cancelled(doc.cancel_ctx)) {
      *status = absl::CancelledError("no plugin worker became free in time");
      return nullptr;
    }
    idle_cv_.wait_for(lock, std::chrono::milliseconds(5));
  }
}

void ProcessPlugin::Release(std::unique_ptr<Worker> worker) const {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (worker) {
      idle_.push_back(std::move(worker));
    } else {
      --live_;
    }
  }
  idle_cv_.notify_one();
}

absl::Status ProcessPlugin::RecordDeath(absl::Status fault) const {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++crashes_;
    ++consecutive_crashes_;
    int shift = std::min(consecutive_crashes_ - 1, 20);
    absl::Duration backoff = consecutive_crashes_ <= 1 ? absl::ZeroDuration()
                                                       : std::min(options_.max_backoff, options_.backoff * (1 << shift));
    next_spawn_ = absl::Now() + backoff;
    if (!broken_ && options_.max_consecutive_crashes > 0 && consecutive_crashes_ >= options_.max_consecutive_crashes) {
      broken_ = true;
      broken_reason_ = absl::StrCat("plugin ", manifest_.name, " is broken: its workers failed ", consecutive_crashes_,
                                    " times in a row (last: ", fault.message(), "); reload it to try again");
      Log(LogLevel::kError, "plugin broken", {{"plugin", manifest_.name}, {"reason", broken_reason_}});
    }
  }
  Log(LogLevel::kWarning, "plugin worker fault", {{"plugin", manifest_.name}, {"fault", std::string(fault.message())}});
  if (options_.on_health) options_.on_health(manifest_.name, fault, Health().broken);
  return fault;
}

absl::Status ProcessPlugin::Analyze(const docanalysis_document& doc, const docanalysis_sink& sink) const {
  absl::Status status;
  std::unique_ptr<Worker> worker = Acquire(doc, &status);
  if (!worker) return status;

  // The document into the worker's region (grown when it is too small).
  size_t need = LayOut(doc, nullptr);
  if (need > worker->region_size) {
    size_t size = std::max(need + need / 4, worker->region_size * 2);
    munmap(worker->region, worker->region_size);
    worker->region = nullptr;
    void* region = MAP_FAILED;
    if (ftruncate(worker->memfd, static_cast<off_t>(size)) == 0)
      region = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, worker->memfd, 0);
    if (region == MAP_FAILED) {
      worker.reset();
      Release(nullptr);
      return absl::ResourceExhaustedError(absl::StrCat("cannot map ", size, " bytes of shared memory for the document"));
    }
    worker->region = static_cast<char*>(region);
    worker->region_size = size;
  }
  LayOut(doc, worker->region);
  w::SharedHeader* h = worker->header();
  h->cancelled.store(0);
  h->fatal_signal.store(0);
  h->out_of_memory.store(0);
  h->address_space_bytes.store(0);

  // The worker runs on the caller's CPU. Waking a process on another CPU costs a cross-CPU
  // interrupt, and on a virtual machine waking an idle virtual CPU: measured here, a socket round
  // trip between two processes took 75-93 us across CPUs and 11 us on one. The caller only waits
  // meanwhile, so nothing is lost; a run that is still going after the first 5 ms wake-up is
  // unpinned below, so that a long run cannot hold a busy CPU while another idles.
  if (int cpu = sched_getcpu(); cpu >= 0 && cpu != worker->cpu) PinWorker(*worker, cpu);

  // Send it; wait for the reply, forwarding cancellation and killing a worker that ignores it.
  w::Request req{w::kMagic, w::Op::kAnalyze, ++worker->seq, worker->region_size};
  bool dead = send(worker->sock, &req, sizeof(req), MSG_NOSIGNAL) != static_cast<ssize_t>(sizeof(req));
  absl::Time kill_at = absl::InfiniteFuture();
  w::Reply reply{};
  std::string batch;
  // The reply's first packet: a blocking receive that wakes every 5 ms (SO_RCVTIMEO, set when the
  // worker started) to forward cancellation, so waiting costs one system call per document.
  std::string& packet = worker->packet;
  packet.resize(w::kMaxPacket);
  while (!dead) {
    ssize_t n = recv(worker->sock, packet.data(), packet.size(), 0);
    if (n >= 0) {
      if (static_cast<size_t>(n) < sizeof(reply)) { dead = true; break; }
      std::memcpy(&reply, packet.data(), sizeof(reply));
      if (reply.magic != w::kMagic || reply.seq != req.seq || reply.batch_size > w::kMaxReplyBytes ||
          static_cast<size_t>(n) - sizeof(reply) > reply.batch_size) {
        dead = true;
        break;
      }
      batch.assign(packet.data() + sizeof(reply), static_cast<size_t>(n) - sizeof(reply));
      size_t got = batch.size();
      batch.resize(reply.batch_size);
      while (got < batch.size()) {
        ssize_t m = recv(worker->sock, batch.data() + got, std::min(w::kMaxPacket, batch.size() - got), 0);
        if (m < 0 && errno == EINTR) continue;
        if (m < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
          if (doc.is_cancelled(doc.cancel_ctx)) break;  // stalled inside its reply: it dies as a fault
          continue;
        }
        if (m <= 0) break;
        got += static_cast<size_t>(m);
      }
      if (got < batch.size()) dead = true;
      break;
    }
    if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) { dead = true; break; }
    if (worker->cpu >= 0) PinWorker(*worker, -1);  // a long run: let the scheduler place it
    if (kill_at == absl::InfiniteFuture() && doc.is_cancelled(doc.cancel_ctx)) {
      h->cancelled.store(1);
      kill_at = absl::Now() + options_.kill_grace;
    }
    if (absl::Now() >= kill_at) {
      worker.reset();  // kills and reaps it
      Release(nullptr);
      {
        std::lock_guard<std::mutex> lock(mu_);
        next_spawn_ = absl::InfinitePast();  // a hang is not a crash: replace it at once
      }
      Log(LogLevel::kWarning, "plugin worker killed: it did not stop when cancelled",
          {{"plugin", manifest_.name}, {"grace_ms", absl::StrCat(absl::ToInt64Milliseconds(options_.kill_grace))}});
      return absl::CancelledError(absl::StrCat("plugin worker did not stop within ",
                                               absl::ToInt64Milliseconds(options_.kill_grace),
                                               " ms of being cancelled and was killed"));
    }
  }
  if (dead) {
    close(worker->sock);
    worker->sock = -1;
    int wait_status = worker->KillAndReap(/*kill_first=*/false);
    absl::Status fault = DeathStatus(wait_status, h, options_.memory_mb, options_.cpu_seconds);
    worker.reset();
    Release(nullptr);
    return RecordDeath(fault);
  }
  bool replayed = Replay(batch, sink);
  const bool out_of_memory = h->out_of_memory.load() != 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    consecutive_crashes_ = 0;
  }
  if (out_of_memory) {  // it survived an allocation failure; start afresh rather than reuse its heap
    worker.reset();
    Release(nullptr);
    return absl::ResourceExhaustedError(absl::StrCat("plugin worker exceeded its memory limit of ", options_.memory_mb, " MiB"));
  }
  Release(std::move(worker));
  if (!replayed) return absl::InternalError("plugin worker sent a malformed batch of results");
  if (reply.code == 0) return absl::OkStatus();
  int32_t code = reply.code < 0 || reply.code > 16 ? 2 : reply.code;
  return absl::Status(static_cast<absl::StatusCode>(code), "");
}

PluginHealth ProcessPlugin::Health() const {
  std::lock_guard<std::mutex> lock(mu_);
  PluginHealth h;
  h.broken = broken_;
  h.broken_reason = broken_reason_;
  h.worker_crashes = crashes_;
  h.worker_restarts = restarts_;
  h.live_workers = live_;
  return h;
}

std::vector<pid_t> ProcessPlugin::WorkerPids() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<pid_t> out;
  for (const auto& w : idle_) out.push_back(w->pid);
  return out;
}

}  // namespace docanalysis
