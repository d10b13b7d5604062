// docanalysis: the command line of the C++ client.
//
//   docanalysis [analyze] FILE|- --target HOST:PORT [--features a,b] [--encoding utf8|utf16|utf32] [--json]
//   docanalysis [analyze] --batch DIR --target HOST:PORT [--json] [--progress]
//   docanalysis plugins --target HOST:PORT [--json]
//
// With no FILE and no --batch, the document is read from stdin. --json prints the AnalyzeResponse as
// protobuf JSON with proto field names; with --batch, one JSON object per line and per file (document_id
// is the file name). --batch streams the files of DIR (sorted by name, not recursive) over AnalyzeStream
// and draws a progress bar on stderr (by default only when stderr is a terminal).
// Exit status: 0 ok, 1 bad input or usage, 3 the call failed (the server's status is printed), 4 some
// documents of a batch failed.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <google/protobuf/util/json_util.h>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "cli/progress_bar.h"
#include "docanalysis/client/client.h"

ABSL_FLAG(std::string, target, "", "Server: HOST:PORT or any gRPC target (default: $DOCANALYSIS_TARGET or 127.0.0.1:50051)");
ABSL_FLAG(std::string, features, "", "Comma-separated features (default: the server's defaults)");
ABSL_FLAG(std::string, encoding, "utf8", "Offset encoding: utf8, utf16 or utf32");
ABSL_FLAG(bool, json, false, "Print protobuf JSON (proto field names)");
ABSL_FLAG(std::string, batch, "", "Analyze every file of this folder over one stream");
ABSL_FLAG(std::string, progress, "auto", "Progress bar for --batch: auto (when stderr is a terminal), always, never");
ABSL_FLAG(int32_t, timeout_ms, 30000, "Deadline of a call (of each document, for --batch)");
ABSL_FLAG(bool, tls, false, "Connect with TLS (system roots unless --ca)");
ABSL_FLAG(std::string, ca, "", "PEM file of the CA certificates to trust (implies --tls)");
ABSL_FLAG(std::string, server_name, "", "Name to check the server certificate against");
ABSL_FLAG(std::vector<std::string>, option, {}, "Plugin options plugin.key=value, comma-separated");

namespace {

using docanalysis::v1::AnalyzeRequest;
using docanalysis::v1::AnalyzeResponse;

constexpr size_t kBatchChunk = 64;

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

std::string ToJson(const google::protobuf::Message& m, bool pretty) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.add_whitespace = pretty;
  std::string out;
  auto status = google::protobuf::util::MessageToJsonString(m, &out, options);
  if (!status.ok()) return "{}";
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
  for (const auto& run : r.plugin_runs()) {
    if (run.code() != 0) out << "plugin " << run.plugin() << " failed: code " << run.code() << ": " << run.message() << "\n";
  }
}

int Fail(const absl::Status& s) {
  std::cerr << "docanalysis: " << absl::StatusCodeToString(s.code()) << ": " << s.message() << "\n";
  return 3;
}

int RunBatch(const docanalysis::ClientOptions& base, const std::string& dir, const docanalysis::AnalyzeOptions& opts,
             bool json) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  if (ec) {
    std::cerr << "docanalysis: cannot list " << dir << ": " << ec.message() << "\n";
    return 1;
  }
  std::sort(files.begin(), files.end());
  // The deadline covers a stream of kBatchChunk documents.
  docanalysis::ClientOptions options = base;
  if (options.timeout.count() > 0) options.timeout *= kBatchChunk;
  auto client = docanalysis::Client::Create(options);
  if (!client.ok()) return Fail(client.status());

  const std::string progress = absl::GetFlag(FLAGS_progress);
  const bool draw = progress == "always" || (progress == "auto" && isatty(STDERR_FILENO));
  docanalysis::ProgressBar bar(files.size(), std::cerr, draw);
  size_t done = 0, failed = 0;
  for (size_t start = 0; start < files.size(); start += kBatchChunk) {
    std::vector<AnalyzeRequest> requests;
    for (size_t i = start; i < std::min(files.size(), start + kBatchChunk); ++i) {
      std::string text;
      if (!ReadFile(files[i].string(), &text)) {
        bar.Finish();
        std::cerr << "docanalysis: cannot read " << files[i] << "\n";
        return 1;
      }
      docanalysis::AnalyzeOptions o = opts;
      o.document_id = files[i].filename().string();
      requests.push_back(docanalysis::MakeRequest(text, o, options.encoding));
    }
    absl::Status s = (*client)->AnalyzeStream(requests, [&](const AnalyzeResponse& r) {
      absl::Status doc = docanalysis::DocumentStatus(r);
      ++done;
      bar.Clear();
      if (!doc.ok()) {
        ++failed;
        if (!json) {
          std::cerr << r.document_id() << ": " << absl::StatusCodeToString(doc.code()) << ": " << doc.message() << "\n";
        }
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
    });
    if (!s.ok()) {
      bar.Finish();
      return Fail(s);
    }
  }
  bar.Update(done, failed);
  bar.Finish();
  if (!json) std::cerr << "analyzed " << done << " documents, " << failed << " failed\n";
  return failed > 0 ? 4 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "analyzes documents with a docanalysis server.\n"
      "  docanalysis [analyze] FILE|- --target HOST:PORT [--features a,b] [--encoding utf8|utf16|utf32] [--json]\n"
      "  docanalysis [analyze] --batch DIR --target HOST:PORT [--json] [--progress always]\n"
      "  docanalysis plugins --target HOST:PORT [--json]");
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  std::vector<std::string> args(positional.begin() + 1, positional.end());
  std::string command = "analyze";
  if (!args.empty() && (args[0] == "analyze" || args[0] == "plugins")) {
    command = args[0];
    args.erase(args.begin());
  }

  docanalysis::ClientOptions options;
  options.target = absl::GetFlag(FLAGS_target);
  if (options.target.empty()) {
    const char* env = std::getenv("DOCANALYSIS_TARGET");
    options.target = env != nullptr && *env != '\0' ? env : "127.0.0.1:50051";
  }
  options.timeout = std::chrono::milliseconds(absl::GetFlag(FLAGS_timeout_ms));
  const std::string ca = absl::GetFlag(FLAGS_ca);
  if (absl::GetFlag(FLAGS_tls) || !ca.empty()) {
    options.use_tls = true;
    if (!ca.empty() && !ReadFile(ca, &options.root_certs_pem)) {
      std::cerr << "docanalysis: cannot read " << ca << "\n";
      return 1;
    }
    options.server_name_override = absl::GetFlag(FLAGS_server_name);
  }
  const std::string enc = absl::AsciiStrToUpper(absl::GetFlag(FLAGS_encoding));
  docanalysis::v1::EncodingType encoding;
  if (!docanalysis::v1::EncodingType_Parse(enc, &encoding) || encoding == docanalysis::v1::ENCODING_UNSPECIFIED) {
    std::cerr << "docanalysis: unknown encoding " << absl::GetFlag(FLAGS_encoding) << " (utf8, utf16 or utf32)\n";
    return 1;
  }
  options.encoding = encoding;
  const bool json = absl::GetFlag(FLAGS_json);

  if (command == "plugins") {
    auto client = docanalysis::Client::Create(options);
    if (!client.ok()) return Fail(client.status());
    auto r = (*client)->ListPlugins();
    if (!r.ok()) return Fail(r.status());
    if (json) {
      std::cout << ToJson(*r, true) << "\n";
    } else {
      for (const auto& p : r->plugins()) {
        std::cout << p.name() << " " << p.version() << " " << docanalysis::v1::PluginInfo::State_Name(p.state())
                  << " features=" << absl::StrJoin(p.features(), ",") << " " << p.last_error() << "\n";
      }
    }
    return 0;
  }

  docanalysis::AnalyzeOptions opts;
  const std::string features = absl::GetFlag(FLAGS_features);
  if (!features.empty()) opts.features = absl::StrSplit(features, ',', absl::SkipEmpty());
  for (const auto& kv : absl::GetFlag(FLAGS_option)) {
    std::pair<std::string, std::string> p = absl::StrSplit(kv, absl::MaxSplits('=', 1));
    if (kv.find('=') == std::string::npos) {
      std::cerr << "docanalysis: --option " << kv << ": want plugin.key=value\n";
      return 1;
    }
    opts.options[p.first] = p.second;
  }

  const std::string batch = absl::GetFlag(FLAGS_batch);
  if (!batch.empty()) {
    if (!args.empty()) {
      std::cerr << "docanalysis: --batch takes no FILE\n";
      return 1;
    }
    return RunBatch(options, batch, opts, json);
  }
  if (args.size() > 1) {
    std::cerr << "docanalysis: analyze takes one FILE (or - for stdin)\n";
    return 1;
  }
  std::string text;
  if (args.empty() || args[0] == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    text = ss.str();
  } else if (!ReadFile(args[0], &text)) {
    std::cerr << "docanalysis: cannot read " << args[0] << "\n";
    return 1;
  }
  auto client = docanalysis::Client::Create(options);
  if (!client.ok()) return Fail(client.status());
  auto r = (*client)->Analyze(text, opts);
  if (!r.ok()) return Fail(r.status());
  if (json) {
    std::cout << ToJson(*r, true) << "\n";
  } else {
    PrintText(std::cout, *r);
  }
  return 0;
}
