// docanalysis-plugin-worker: hosts one plugin in a sandboxed process for the server.
//
//   (started by the server only) docanalysis-plugin-worker --plugin_folder DIR --private_dir DIR
//       --library STAGED_COPY.so --manifest JSON --parent_pid PID [--memory_mb N] [--cpu_seconds N]
//
// fd 3 is the control socket and fd 4 the shared-memory region (service/worker/protocol.h). The
// worker dies with the server (PR_SET_PDEATHSIG), leads its own process group, keeps no other
// descriptor, sets its resource limits, enters the sandbox (sandbox.h), then loads the plugin through
// the server's own loader (LoadedPlugin) and serves one document at a time until the socket closes.
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <new>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "service/plugin_host/document_view.h"
#include "service/plugin_host/loaded_plugin.h"
#include "service/plugin_host/manifest.h"
#include "service/worker/protocol.h"
#include "service/worker/sandbox.h"
#include "service/worker/upstream_codec.h"

namespace docanalysis::worker {
namespace {

SharedHeader* g_header = nullptr;
int g_statm_fd = -1;

// Records a fatal signal (and the process size, to tell a memory-limit death) for the server.
void OnFatalSignal(int sig) {
  if (g_header != nullptr) {
    g_header->fatal_signal.store(static_cast<uint32_t>(sig));
    char buf[64];
    ssize_t n = g_statm_fd >= 0 ? pread(g_statm_fd, buf, sizeof(buf) - 1, 0) : -1;
    if (n > 0) {
      uint64_t pages = 0;
      for (ssize_t i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; ++i) pages = pages * 10 + (buf[i] - '0');
      g_header->address_space_bytes.store(pages * static_cast<uint64_t>(sysconf(_SC_PAGESIZE)));
    }
  }
  signal(sig, SIG_DFL);
  raise(sig);
}

void OnOutOfMemory() {
  if (g_header != nullptr) g_header->out_of_memory.store(1);
  std::set_new_handler(nullptr);
  throw std::bad_alloc();
}

void InstallFaultHandlers() {
  static char alt_stack[64 * 1024];
  stack_t ss{};
  ss.ss_sp = alt_stack;
  ss.ss_size = sizeof(alt_stack);
  sigaltstack(&ss, nullptr);
  struct sigaction sa {};
  sa.sa_handler = &OnFatalSignal;
  sa.sa_flags = SA_ONSTACK | SA_RESETHAND;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGSEGV, SIGBUS, SIGABRT, SIGILL, SIGFPE, SIGXCPU, SIGSYS}) sigaction(sig, &sa, nullptr);
  std::set_new_handler(&OnOutOfMemory);
}

bool SendAll(const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    size_t n = std::min(size, kMaxPacket);
    ssize_t w = send(kControlFd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w != static_cast<ssize_t>(n)) return false;
    p += n, size -= n;
  }
  return true;
}

// The reply header and the start of the batch in one packet (most replies fit), the rest of the
// batch in the packets that follow: one system call per document in the common case.
bool SendReply(const Reply& reply, std::string_view batch) {
  const size_t first = std::min(batch.size(), kMaxPacket - sizeof(Reply));
  iovec iov[2] = {{const_cast<Reply*>(&reply), sizeof(Reply)}, {const_cast<char*>(batch.data()), first}};
  msghdr msg{};
  msg.msg_iov = iov;
  msg.msg_iovlen = 2;
  ssize_t w;
  do {
    w = sendmsg(kControlFd, &msg, MSG_NOSIGNAL);
  } while (w < 0 && errno == EINTR);
  if (w != static_cast<ssize_t>(sizeof(Reply) + first)) return false;
  return SendAll(batch.data() + first, batch.size() - first);
}

[[noreturn]] void FailHello(int32_t code, const std::string& message) {
  Hello h{};
  h.magic = kMagic;
  h.code = code == 0 ? 13 : code;
  std::snprintf(h.message, sizeof(h.message), "%s", message.c_str());
  SendAll(&h, sizeof(h));
  _exit(0);
}

// The sink the plugin writes to: every call is recorded for the server's sink.
struct BatchSink {
  std::string batch;
  BatchWriter w{&batch};

  static BatchSink* Self(void* ctx) { return static_cast<BatchSink*>(ctx); }
  static void Mention(void* ctx, uint32_t b, uint32_t e, int32_t type, float conf, docanalysis_str canonical) {
    auto* s = Self(ctx);
    s->w.Put(Call::kEntityMention), s->w.Put(b), s->w.Put(e), s->w.Put(type), s->w.Put(conf);
    s->w.PutString(View(canonical));
  }
  static void SentenceSentiment(void* ctx, uint32_t i, float score, float magnitude) {
    auto* s = Self(ctx);
    s->w.Put(Call::kSentenceSentiment), s->w.Put(i), s->w.Put(score), s->w.Put(magnitude);
  }
  static void DocumentSentiment(void* ctx, float score, float magnitude) {
    auto* s = Self(ctx);
    s->w.Put(Call::kDocumentSentiment), s->w.Put(score), s->w.Put(magnitude);
  }
  static void Summary(void* ctx, uint32_t i, float score) {
    auto* s = Self(ctx);
    s->w.Put(Call::kSummarySentence), s->w.Put(i), s->w.Put(score);
  }
  static void Annotation(void* ctx, docanalysis_str label, uint32_t b, uint32_t e, float score,
                         const docanalysis_option* attrs, size_t n) {
    auto* s = Self(ctx);
    s->w.Put(Call::kAnnotation), s->w.PutString(View(label)), s->w.Put(b), s->w.Put(e), s->w.Put(score);
    s->w.Put(static_cast<uint32_t>(n));
    for (size_t i = 0; i < n; ++i) s->w.PutString(View(attrs[i].key)), s->w.PutString(View(attrs[i].value));
  }
  static void Label(void* ctx, docanalysis_str name, docanalysis_str value, float score) {
    auto* s = Self(ctx);
    s->w.Put(Call::kLabel), s->w.PutString(View(name)), s->w.PutString(View(value)), s->w.Put(score);
  }
  static void Error(void* ctx, docanalysis_str message) {
    auto* s = Self(ctx);
    s->w.Put(Call::kError), s->w.PutString(View(message));
  }
  static void SyntaxToken(void* ctx, const docanalysis_syntax_token* t) {
    if (t == nullptr) return;
    auto* s = Self(ctx);
    s->w.Put(Call::kSyntaxToken), s->w.Put(t->begin), s->w.Put(t->end), s->w.Put(t->head);
    for (docanalysis_str v : {t->tag, t->xpos, t->features, t->lemma, t->label}) s->w.PutString(View(v));
  }
  docanalysis_sink Sink() {
    return docanalysis_sink{this,   &Mention, &SentenceSentiment, &DocumentSentiment, &Summary,
                            &Annotation, &Label, &Error, &SyntaxToken};
  }
};

int IsCancelled(void*) { return g_header->cancelled.load(std::memory_order_relaxed) != 0 ? 1 : 0; }

int Main(int argc, char** argv) {
  // Die with the server; a worker started by a process that already died exits at once.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  std::string folder, private_dir, library, manifest_json;
  uint64_t parent = 0, memory_mb = 0, cpu_seconds = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view flag = argv[i];
    absl::string_view value = argv[i + 1];
    if (flag == "--plugin_folder") folder = std::string(value);
    else if (flag == "--private_dir") private_dir = std::string(value);
    else if (flag == "--parent_pid") (void)absl::SimpleAtoi(value, &parent);
    else if (flag == "--memory_mb") (void)absl::SimpleAtoi(value, &memory_mb);
    else if (flag == "--cpu_seconds") (void)absl::SimpleAtoi(value, &cpu_seconds);
    else if (flag == "--library") library = std::string(value);
    else if (flag == "--manifest") manifest_json = std::string(value);
  }
  if (parent == 0 || static_cast<uint64_t>(getppid()) != parent) {
    std::fprintf(stderr, "docanalysis-plugin-worker: only the server starts workers\n");
    return 2;
  }
  setpgid(0, 0);
  // Descriptors: 0 from /dev/null, 1 to the server's stderr (a plugin's prints never reach the
  // server's stdout), 2 kept, 3 and 4 ours; nothing else.
  int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd >= 0) dup2(null_fd, 0), close(null_fd);
  dup2(2, 1);
  syscall(SYS_close_range, 5u, ~0u, 0u);
  g_statm_fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);

  struct stat st {};
  if (fstat(kSharedMemoryFd, &st) != 0 || st.st_size < static_cast<off_t>(sizeof(SharedHeader))) FailHello(13, "no shared memory region");
  size_t region_size = static_cast<size_t>(st.st_size);
  void* region = mmap(nullptr, region_size, PROT_READ | PROT_WRITE, MAP_SHARED, kSharedMemoryFd, 0);
  if (region == MAP_FAILED) FailHello(13, absl::StrCat("mmap of the shared region: ", std::strerror(errno)));
  g_header = static_cast<SharedHeader*>(region);
  InstallFaultHandlers();

  // The manifest the server loaded (its operator overrides applied), read with the server's parser.
  absl::StatusOr<PluginManifest> manifest = ParseManifest(manifest_json, folder);
  if (!manifest.ok()) FailHello(static_cast<int32_t>(manifest.status().code()), std::string(manifest.status().message()));

  if (absl::Status s = SetLimits(memory_mb << 20, cpu_seconds); !s.ok()) FailHello(13, std::string(s.message()));
  if (absl::Status s = EnterSandbox(); !s.ok()) FailHello(13, std::string(s.message()));
  auto plugin = LoadedPlugin::Load(folder, *std::move(manifest), private_dir, {}, library);
  if (!plugin.ok()) FailHello(static_cast<int32_t>(plugin.status().code()), std::string(plugin.status().message()));
  Hello hello{};
  hello.magic = kMagic;
  hello.abi_major = (*plugin)->built_abi_major();
  hello.abi_minor = (*plugin)->built_abi_minor();
  if (!SendAll(&hello, sizeof(hello))) return 0;

  // Keep freed memory for the next document: glibc otherwise hands the top of the heap back to the
  // kernel after each document of this single-threaded process (a free above 128 KiB trims it) and
  // the next one takes page faults to get it again.
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  BatchSink sink;
  for (;;) {
    Request req{};
    ssize_t n = recv(kControlFd, &req, sizeof(req), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n != static_cast<ssize_t>(sizeof(req)) || req.magic != kMagic) return 0;  // the server closed: done
    if (req.region_size != region_size) {  // the server grew the region for a larger document
      munmap(region, region_size);
      region_size = req.region_size;
      region = mmap(nullptr, region_size, PROT_READ | PROT_WRITE, MAP_SHARED, kSharedMemoryFd, 0);
      if (region == MAP_FAILED) return 3;
      g_header = static_cast<SharedHeader*>(region);
    }
    const char* base = static_cast<const char*>(region);
    const SharedHeader& h = *g_header;
    auto str = [base](Slice s) { return std::string_view(base + s.offset, s.size); };
    OptionList options;
    const Slice* opt = reinterpret_cast<const Slice*>(base + h.options.offset);
    for (uint64_t i = 0; i < h.options.size; ++i) options.emplace_back(str(opt[2 * i]), str(opt[2 * i + 1]));
    std::vector<std::string> features;
    const Slice* feat = reinterpret_cast<const Slice*>(base + h.features.offset);
    for (uint64_t i = 0; i < h.features.size; ++i) features.emplace_back(str(feat[i]));
    DocumentParts parts;
    parts.id = str(h.id);
    parts.text = str(h.text);
    parts.language = str(h.language);
    parts.tokens = reinterpret_cast<const docanalysis_token*>(base + h.tokens.offset);
    parts.token_count = h.tokens.size;
    parts.sentences = reinterpret_cast<const docanalysis_sentence*>(base + h.sentences.offset);
    parts.sentence_count = h.sentences.size;
    parts.is_cancelled = &IsCancelled;
    DocumentView view(parts, options, features);
    docanalysis_document doc = view.doc();
    DecodedUpstream upstream;
    if (h.has_upstream) {
      if (!upstream.Decode(str(h.upstream))) return 3;  // the server wrote it: a mismatch is a bug
      doc.upstream = upstream.view();
    }

    sink.batch.clear();
    absl::Status status = (*plugin)->Analyze(doc, sink.Sink());
    if (sink.batch.size() > kMaxReplyBytes) {
      sink.batch.clear();
      BatchWriter(&sink.batch).Put(Call::kError);
      BatchWriter(&sink.batch).PutString("plugin wrote more than 64 MiB of results for one document");
      if (status.ok()) status = absl::ResourceExhaustedError("");
    }
    Reply reply{kMagic, static_cast<int32_t>(status.code()), req.seq, sink.batch.size()};
    if (!SendReply(reply, sink.batch)) return 0;
    if (sink.batch.capacity() > (1u << 20)) std::string().swap(sink.batch);
  }
}

}  // namespace
}  // namespace docanalysis::worker

#ifdef DOCANALYSIS_SANITIZER_SHADOW
// LeakSanitizer stops the world with ptrace at exit, which the sandbox refuses; plugins' leaks are
// checked in process (the ASan ctest run), not in the worker.
extern "C" int __lsan_is_turned_off() { return 1; }
#endif

int main(int argc, char** argv) { return docanalysis::worker::Main(argc, argv); }
