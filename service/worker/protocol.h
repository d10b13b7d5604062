// The wire between the server (ProcessPlugin, service/plugin_host/process_plugin.h) and one
// docanalysis-plugin-worker process.
//
// Two channels, both set up by the server before the worker starts:
//  - fd 3, a SOCK_SEQPACKET socket pair: small control messages one way (Request) and one reply
//    per document the other (a packet holding a Reply header and the start of the batch of sink
//    calls, then as many packets as the rest of the batch needs); the worker's first message is a
//    Hello saying whether the plugin loaded.
//  - fd 4, a memfd: one shared-memory region per worker. The server writes each document there
//    (text, tokens, sentences, options, features: offsets, not copies, for the worker) and sets the
//    cancel flag; the worker records a fatal signal there before dying.
//
// Both ends are built from this tree, so structs cross as they are (same compiler, same ABI).
#ifndef DOCANALYSIS_SERVICE_WORKER_PROTOCOL_H_
#define DOCANALYSIS_SERVICE_WORKER_PROTOCOL_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace docanalysis::worker {

inline constexpr int kControlFd = 3;
inline constexpr int kSharedMemoryFd = 4;
inline constexpr uint32_t kMagic = 0x444F4357;  // "DOCW"
// Largest packet on the control socket; a reply batch larger than this spans packets.
inline constexpr size_t kMaxPacket = 64 * 1024;
// Largest reply batch the server accepts for one document.
inline constexpr size_t kMaxReplyBytes = 64u << 20;

// An (offset, size) pair into the shared region.
struct Slice {
  uint64_t offset;
  uint64_t size;
};

// The start of the shared region.
struct SharedHeader {
  uint32_t magic;
  // Server -> worker: non-zero once the document's is_cancelled turned true.
  std::atomic<uint32_t> cancelled;
  // Worker -> server, written by the worker's fatal-signal handler or out-of-memory hook.
  std::atomic<uint32_t> fatal_signal;
  std::atomic<uint32_t> out_of_memory;
  std::atomic<uint64_t> address_space_bytes;  // the worker's size when it died
  // The document (offsets from the start of the region).
  Slice id, text, language;
  Slice tokens;     // docanalysis_token[size]
  Slice sentences;  // docanalysis_sentence[size]
  Slice options;    // Slice[2 * size]: key, value
  Slice features;   // Slice[size]
  // ABI 1.1: the upstream view (upstream_codec.h), for a plugin with "needs"; has_upstream is 0
  // when the document has none (docanalysis_document.upstream is NULL).
  uint32_t has_upstream;
  Slice upstream;
};

enum class Op : uint32_t { kAnalyze = 1 };

struct Request {
  uint32_t magic;
  Op op;
  uint64_t seq;
  uint64_t region_size;  // the region's size now; the worker remaps when it grew
};

struct Hello {
  uint32_t magic;
  int32_t code;  // 0: loaded; else the load failed with this status code
  uint32_t abi_major, abi_minor;
  char message[2048];
};

struct Reply {
  uint32_t magic;
  int32_t code;  // the plugin's return code
  uint64_t seq;
  uint64_t batch_size;  // bytes of sink calls following in the next packets
};

// Sink calls, recorded in the worker and replayed into the server's sink.
enum class Call : uint8_t {
  kEntityMention = 1,
  kSentenceSentiment,
  kDocumentSentiment,
  kSummarySentence,
  kAnnotation,
  kLabel,
  kError,
  kSyntaxToken,  // ABI 1.1
};

// Appends fixed-size values and length-prefixed strings.
class BatchWriter {
 public:
  explicit BatchWriter(std::string* out) : out_(out) {}
  template <typename T>
  void Put(T v) {
    out_->append(reinterpret_cast<const char*>(&v), sizeof(v));
  }
  void PutString(std::string_view s) {
    Put<uint32_t>(static_cast<uint32_t>(s.size()));
    out_->append(s.data(), s.size());
  }

 private:
  std::string* out_;
};

// Reads what BatchWriter wrote; every read checks bounds (the batch comes from untrusted code).
class BatchReader {
 public:
  explicit BatchReader(std::string_view in) : in_(in) {}
  bool done() const { return pos_ >= in_.size(); }
  template <typename T>
  bool Get(T* v) {
    if (in_.size() - pos_ < sizeof(T)) return false;
    std::memcpy(v, in_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return true;
  }
  bool GetString(std::string_view* s) {
    uint32_t n = 0;
    if (!Get(&n) || in_.size() - pos_ < n) return false;
    *s = in_.substr(pos_, n);
    pos_ += n;
    return true;
  }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

}  // namespace docanalysis::worker

#endif  // DOCANALYSIS_SERVICE_WORKER_PROTOCOL_H_
