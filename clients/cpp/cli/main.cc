// docanalysis: the command line of the C++ client, with the contract every client's CLI follows
// (clients/README.md):
//
//   docanalysis-cpp analyze FILE... --target HOST:PORT [--features a,b] [--encoding utf8|utf16|utf32]
//                   [--timeout SECONDS] [--option plugin.key=value]... [--html] [--tls-ca F]
//                   [--tls-cert F --tls-key F] [--json]
//   docanalysis-cpp [analyze] --batch DIR --target HOST:PORT [--json] [--progress auto|always|never]
//   docanalysis-cpp plugins --target HOST:PORT [--json]
//
// "analyze" may be left out. With no FILE and no --batch, the document is read from stdin. --json prints the
// response in protobuf's canonical JSON mapping (lowerCamelCase names, enums by name, int64 as strings, default
// values left out): one pretty-printed document for one FILE, one compact line per FILE for several; with
// --batch, one line per file (documentId is the file name). --batch streams the files of DIR (sorted by name,
// not recursive) lazily over AnalyzeStream and draws a progress bar on stderr (by default only when stderr is
// a terminal). Offsets default to utf8 (bytes of std::string).
// Exit status: 0 all is well; 2 usage error (one line on stderr); 3 the call failed (status code name and
// message on stderr); 4 the call succeeded but a plugin run or a document of a batch failed.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <google/protobuf/util/json_util.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "cli/progress_bar.h"
#include "docanalysis/client/client.h"

namespace {

using docanalysis::v1::AnalyzeRequest;
using docanalysis::v1::AnalyzeResponse;

constexpr int kExitOk = 0;
constexpr int kExitUsage = 2;
constexpr int kExitCallFailed = 3;
constexpr int kExitPartial = 4;

constexpr char kUsage[] =
    "usage: docanalysis-cpp analyze FILE... --target HOST:PORT [--features a,b] [--encoding utf8|utf16|utf32] "
    "[--timeout SECONDS] [--option plugin.key=value]... [--html] [--tls-ca F] [--tls-cert F --tls-key F] [--json] "
    "| --batch DIR [--progress auto|always|never] | plugins --target HOST:PORT";

struct UsageError {
  std::string message;
};

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

std::string ReadOrUsage(const std::string& path) {
  std::string s;
  if (path == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    return ss.str();
  }
  if (!ReadFile(path, &s)) throw UsageError{"cannot read " + path + ": " + std::strerror(errno)};
  return s;
}

std::string ToJson(const google::protobuf::Message& m, bool pretty) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = pretty;
  std::string out;
  auto status = google::protobuf::util::MessageToJsonString(m, &out, options);
  if (!status.ok()) return "{}";
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

void PrintText(std::ostream& out, const AnalyzeResponse& r) {
  out << "language: " << r.language() << ", " << r.sentences_size() << " sentences, " << r.token_count()
      << " tokens\n";
  if (r.has_document_sentiment()) {
    out << "sentiment: score " << r.document_sentiment().score() << ", magnitude "
        << r.document_sentiment().magnitude() << "\n";
  }
  if (r.entities_size() > 0) {
    out << "entities:\n";
    for (const auto& e : r.entities()) {
      out << "  " << e.name() << " (" << docanalysis::v1::EntityType_Name(e.type()) << ", salience "
          << e.salience() << ", " << e.mentions_size() << " mentions)\n";
    }
  }
  if (!r.summary().text().empty()) out << "summary: " << r.summary().text() << "\n";
}

std::string FirstLine(absl::string_view s) { return std::string(s.substr(0, s.find('\n'))); }

int Fail(const absl::Status& s) {
  std::cerr << "docanalysis-cpp: " << absl::StatusCodeToString(s.code()) << ": " << FirstLine(s.message()) << "\n";
  return kExitCallFailed;
}

// The parsed command line.
struct Args {
  std::string command = "analyze";
  std::vector<std::string> files;
  std::string target;
  std::string features;
  std::string encoding = "utf8";
  bool json = false;
  bool html = false;
  bool tls = false;
  std::optional<double> timeout_s;
  std::string ca, cert, key, server_name;
  std::map<std::string, std::string> options;
  std::string batch;
  std::string progress = "auto";
};

double Seconds(const std::string& flag, const std::string& v, double scale) {
  char* end = nullptr;
  errno = 0;
  const double d = std::strtod(v.c_str(), &end);
  if (v.empty() || end == nullptr || *end != '\0' || errno != 0 || !(d > 0) || std::isinf(d)) {
    throw UsageError{flag + " wants a positive number" + (scale == 1 ? " of seconds" : "") + ", got '" + v + "'"};
  }
  return d * scale;
}

Args Parse(int argc, char** argv) {
  Args a;
  std::vector<std::string> args(argv + 1, argv + argc);
  size_t i = 0;
  if (!args.empty() && (args[0] == "analyze" || args[0] == "plugins")) a.command = args[i++];
  const std::vector<std::string> with_value = {"--target", "--features", "--encoding", "--timeout", "--timeout_ms",
                                               "--tls-ca", "--ca", "--tls-cert", "--tls-key", "--server-name",
                                               "--server_name", "--option", "--batch", "--progress"};
  for (; i < args.size(); ++i) {
    std::string flag = args[i];
    std::optional<std::string> value;
    if (flag.rfind("--", 0) == 0 && flag.find('=') != std::string::npos) {
      value = flag.substr(flag.find('=') + 1);
      flag = flag.substr(0, flag.find('='));
    }
    if (flag == "--help" || flag == "-h") throw UsageError{kUsage};
    if (flag == "--json" || flag == "--html" || flag == "--tls") {
      if (value.has_value()) throw UsageError{flag + " takes no value"};
      (flag == "--json" ? a.json : flag == "--html" ? a.html : a.tls) = true;
      continue;
    }
    if (std::find(with_value.begin(), with_value.end(), flag) != with_value.end()) {
      if (!value.has_value()) {
        if (i + 1 >= args.size()) throw UsageError{flag + " needs a value"};
        value = args[++i];
      }
      const std::string& v = *value;
      if (flag == "--target") a.target = v;
      else if (flag == "--features") a.features = v;
      else if (flag == "--encoding") a.encoding = v;
      else if (flag == "--timeout") a.timeout_s = Seconds(flag, v, 1);
      else if (flag == "--timeout_ms") a.timeout_s = Seconds(flag, v, 1e-3);
      else if (flag == "--tls-ca" || flag == "--ca") a.ca = v;
      else if (flag == "--tls-cert") a.cert = v;
      else if (flag == "--tls-key") a.key = v;
      else if (flag == "--server-name" || flag == "--server_name") a.server_name = v;
      else if (flag == "--batch") a.batch = v;
      else if (flag == "--progress") a.progress = v;
      else {
        const size_t eq = v.find('=');
        if (eq == std::string::npos || eq == 0) throw UsageError{"--option wants plugin.key=value, got '" + v + "'"};
        a.options[v.substr(0, eq)] = v.substr(eq + 1);
      }
      continue;
    }
    if (flag.size() > 1 && flag[0] == '-') throw UsageError{"unknown flag " + flag};
    a.files.push_back(args[i]);
  }
  if (a.target.empty()) {
    const char* env = std::getenv("DOCANALYSIS_TARGET");
    if (env == nullptr || *env == '\0') throw UsageError{"--target HOST:PORT is required"};
    a.target = env;
  }
  if (a.cert.empty() != a.key.empty()) throw UsageError{"--tls-cert and --tls-key go together"};
  if (a.progress != "auto" && a.progress != "always" && a.progress != "never") {
    throw UsageError{"--progress wants auto, always or never"};
  }
  return a;
}

int RunBatch(const docanalysis::Client& client, const std::string& dir, const docanalysis::AnalyzeOptions& opts,
             docanalysis::v1::EncodingType encoding, const docanalysis::CallOptions& call, bool json,
             const std::string& progress) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  if (ec) throw UsageError{"cannot list " + dir + ": " + ec.message()};
  std::sort(files.begin(), files.end());

  const bool draw = progress == "always" || (progress == "auto" && isatty(STDERR_FILENO));
  docanalysis::ProgressBar bar(files.size(), std::cerr, draw);
  size_t done = 0, failed = 0, next = 0;
  std::string unreadable;
  // Files are read one at a time, as the stream takes them: memory stays bounded whatever the folder's size.
  absl::Status s = client.AnalyzeStream(
      [&]() -> std::optional<AnalyzeRequest> {
        if (next == files.size()) return std::nullopt;
        const auto& path = files[next++];
        std::string text;
        if (!ReadFile(path.string(), &text)) {
          unreadable = path.string();
          return std::nullopt;
        }
        docanalysis::AnalyzeOptions o = opts;
        o.document_id = path.filename().string();
        return docanalysis::MakeRequest(text, o, encoding);
      },
      [&](const AnalyzeResponse& r) {
        absl::Status doc = docanalysis::DocumentStatus(r);
        ++done;
        bar.Clear();
        if (!doc.ok() || !docanalysis::PluginStatus(r).ok()) ++failed;
        if (!doc.ok() && !json) {
          std::cerr << r.document_id() << ": " << absl::StatusCodeToString(doc.code()) << ": " << doc.message() << "\n";
        }
        if (json) {
          std::cout << ToJson(r, false) << "\n";
        } else if (doc.ok()) {
          std::cout << r.document_id() << ": " << r.sentences_size() << " sentences, " << r.entities_size()
                    << " entities";
          if (r.has_document_sentiment()) std::cout << ", sentiment " << r.document_sentiment().score();
          std::cout << "\n";
        }
        std::cout << std::flush;
        bar.Update(done, failed);
        return true;
      },
      call);
  bar.Finish();
  if (!s.ok()) return Fail(s);
  if (!unreadable.empty()) {
    std::cerr << "docanalysis-cpp: cannot read " << unreadable << "\n";
    return kExitUsage;
  }
  if (!json) std::cerr << "analyzed " << done << " documents, " << failed << " failed\n";
  return failed > 0 ? kExitPartial : kExitOk;
}

int Run(int argc, char** argv) {
  const Args a = Parse(argc, argv);
  docanalysis::ClientOptions options;
  options.target = a.target;
  options.timeout = std::chrono::milliseconds(0);  // per call, below
  if (a.tls || !a.ca.empty() || !a.cert.empty()) {
    options.use_tls = true;
    if (!a.ca.empty() && !ReadFile(a.ca, &options.root_certs_pem)) throw UsageError{"cannot read " + a.ca};
    if (!a.cert.empty() && !ReadFile(a.cert, &options.client_cert_pem)) throw UsageError{"cannot read " + a.cert};
    if (!a.key.empty() && !ReadFile(a.key, &options.client_key_pem)) throw UsageError{"cannot read " + a.key};
    options.server_name_override = a.server_name;
  }
  docanalysis::v1::EncodingType encoding;
  if (!docanalysis::v1::EncodingType_Parse(absl::AsciiStrToUpper(a.encoding), &encoding) ||
      encoding == docanalysis::v1::ENCODING_UNSPECIFIED) {
    throw UsageError{"unknown --encoding " + a.encoding + " (utf8, utf16 or utf32)"};
  }
  options.encoding = encoding;
  docanalysis::CallOptions call;
  if (a.timeout_s.has_value()) {
    call.timeout = std::chrono::milliseconds(std::max<long long>(1, std::llround(*a.timeout_s * 1000)));
  }

  if (a.command == "plugins") {
    if (!a.files.empty()) throw UsageError{"plugins takes no FILE"};
    auto client = docanalysis::Client::Create(options);
    if (!client.ok()) throw UsageError{std::string(client.status().message())};
    auto r = (*client)->ListPlugins(call);
    if (!r.ok()) return Fail(r.status());
    if (a.json) {
      std::cout << ToJson(*r, true) << "\n";
    } else {
      for (const auto& p : r->plugins()) {
        std::cout << p.name() << " " << p.version() << " " << docanalysis::v1::PluginInfo::State_Name(p.state())
                  << " features=" << absl::StrJoin(p.features(), ",") << " " << p.last_error() << "\n";
      }
    }
    return kExitOk;
  }

  docanalysis::AnalyzeOptions opts;
  if (!a.features.empty()) {
    for (absl::string_view f : absl::StrSplit(a.features, ',', absl::SkipWhitespace())) {
      opts.features.push_back(std::string(absl::StripAsciiWhitespace(f)));
    }
  }
  opts.options = a.options;

  if (!a.batch.empty()) {
    if (!a.files.empty()) throw UsageError{"--batch takes no FILE"};
    auto client = docanalysis::Client::Create(options);
    if (!client.ok()) throw UsageError{std::string(client.status().message())};
    return RunBatch(**client, a.batch, opts, encoding, call, a.json, a.progress);
  }
  std::vector<std::string> texts;
  if (a.files.empty()) texts.push_back(ReadOrUsage("-"));
  for (const auto& f : a.files) texts.push_back(ReadOrUsage(f));
  auto client = docanalysis::Client::Create(options);
  if (!client.ok()) throw UsageError{std::string(client.status().message())};
  int status = kExitOk;
  for (const auto& text : texts) {
    AnalyzeRequest request = docanalysis::MakeRequest(text, opts, encoding);
    if (a.html) request.mutable_document()->set_type(docanalysis::v1::Document::HTML);
    auto r = (*client)->Analyze(request, call);
    if (!r.ok()) return Fail(r.status());
    if (a.json) {
      std::cout << ToJson(*r, texts.size() == 1) << "\n";
    } else {
      PrintText(std::cout, *r);
    }
    std::cout << std::flush;
    for (const auto& run : docanalysis::FailedPluginRuns(*r)) {
      std::cerr << "docanalysis-cpp: plugin " << run.plugin() << " failed: " << run.code() << ": "
                << FirstLine(run.message()) << "\n";
      status = kExitPartial;
    }
  }
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const UsageError& e) {
    std::cerr << "docanalysis-cpp: " << e.message << "\n";
    return kExitUsage;
  }
}
