#include "tools/plugin_check/plugin_check.h"

#include <elf.h>
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "docanalysis/plugin_abi.h"
#include "service/common/sanitizers.h"
#include "service/common/strings.h"
#include "service/core/result_collector.h"
#include "service/core/upstream_view.h"
#include "service/plugin_host/loaded_plugin.h"
#include "service/plugin_host/manifest.h"
#include "service/text/segmenter.h"
#include "service/text/utf8.h"
#include "tools/plugin_check/corpus.h"

namespace docanalysis::check {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using PluginPtr = std::shared_ptr<const LoadedPlugin>;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

class Reporter {
 public:
  Reporter(std::FILE* out, CheckReport* report) : out_(out), report_(report) {}
  void Pass(std::string_view check, std::string_view detail) { Line("PASS", check, detail), ++report_->passes; }
  void Warn(std::string_view check, std::string_view detail) { Line("WARN", check, detail), ++report_->warnings; }
  void Fail(std::string_view check, std::string_view detail) {
    Line("FAIL", check, detail);
    ++report_->failures;
    failed_.push_back(std::string(check));
  }
  void Info(std::string_view text) {
    std::fprintf(out_, "       %.*s\n", static_cast<int>(text.size()), text.data());
    std::fflush(out_);
  }
  const std::vector<std::string>& failed() const { return failed_; }

 private:
  void Line(const char* tag, std::string_view check, std::string_view detail) {
    std::fprintf(out_, "[%s] %.*s: %.*s\n", tag, static_cast<int>(check.size()), check.data(),
                 static_cast<int>(detail.size()), detail.data());
    std::fflush(out_);
  }
  std::FILE* out_;
  CheckReport* report_;
  std::vector<std::string> failed_;
};

absl::StatusOr<PluginManifest> ReadManifest(const std::string& folder) {
  std::ifstream in(fs::path(folder) / std::string(kManifestFile));
  if (!in) return absl::NotFoundError(absl::StrCat("no ", AV(kManifestFile), " in ", folder));
  std::stringstream buf;
  buf << in.rdbuf();
  return ParseManifest(buf.str(), (fs::path(folder) / std::string(kManifestFile)).string());
}

// Defined global symbols in the dynamic symbol table of an ELF64 shared library.
absl::StatusOr<std::vector<std::string>> ElfExports(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (data.size() < sizeof(Elf64_Ehdr) || data.compare(0, 4, ELFMAG) != 0)
    return absl::InvalidArgumentError("not an ELF file");
  if (data[EI_CLASS] != ELFCLASS64) return absl::UnimplementedError("not a 64-bit ELF file");
  const auto* eh = reinterpret_cast<const Elf64_Ehdr*>(data.data());
  if (eh->e_shoff == 0 || eh->e_shoff + uint64_t{eh->e_shnum} * sizeof(Elf64_Shdr) > data.size())
    return absl::InvalidArgumentError("no section headers");
  const auto* sh = reinterpret_cast<const Elf64_Shdr*>(data.data() + eh->e_shoff);
  std::vector<std::string> out;
  for (int i = 0; i < eh->e_shnum; ++i) {
    if (sh[i].sh_type != SHT_DYNSYM || sh[i].sh_link >= eh->e_shnum) continue;
    const Elf64_Shdr& strtab = sh[sh[i].sh_link];
    if (sh[i].sh_offset + sh[i].sh_size > data.size() || strtab.sh_offset + strtab.sh_size > data.size())
      return absl::InvalidArgumentError("truncated symbol table");
    size_t n = sh[i].sh_size / sizeof(Elf64_Sym);
    const auto* syms = reinterpret_cast<const Elf64_Sym*>(data.data() + sh[i].sh_offset);
    for (size_t k = 0; k < n; ++k) {
      unsigned bind = ELF64_ST_BIND(syms[k].st_info), type = ELF64_ST_TYPE(syms[k].st_info);
      if (syms[k].st_shndx == SHN_UNDEF || (bind != STB_GLOBAL && bind != STB_WEAK)) continue;
      if (type != STT_FUNC && type != STT_OBJECT && type != STT_GNU_IFUNC) continue;
      if (syms[k].st_name >= strtab.sh_size) continue;
      out.emplace_back(data.c_str() + strtab.sh_offset + syms[k].st_name);
    }
  }
  return out;
}

size_t RssBytes() {
  std::ifstream in("/proc/self/statm");
  size_t size = 0, resident = 0;
  in >> size >> resident;
  return resident * static_cast<size_t>(::sysconf(_SC_PAGESIZE));
}

size_t OpenFds() {
  std::error_code ec;
  size_t n = 0;
  for (fs::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end; it.increment(ec)) ++n;
  return n;
}

std::string CodeName(int code) {
  static const char* kNames[] = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
                                 "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
                                 "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
                                 "UNAUTHENTICATED"};
  return code >= 0 && code <= 16 ? kNames[code] : absl::StrCat("code ", code);
}

// One document prepared once: text and the host's segmentation.
struct Prepared {
  const CorpusText* source;
  text::Segmentation seg;
};

// What one plugin call produced.
struct Outcome {
  int code = 0;
  std::string error;
  std::unique_ptr<ResultCollector> results;
  double ms = 0;
  size_t invalid_utf8 = 0;
  std::string Serialize() const {
    std::string s = absl::StrCat("code=", code, ";");
    const ResultCollector& c = *results;
    for (const auto& m : c.mentions) absl::StrAppend(&s, "m", m.begin, ",", m.end, ",", m.type, ",", m.confidence, ",", m.canonical, ";");
    for (const auto& [i, st] : c.sentence_sentiments) absl::StrAppend(&s, "s", i, ",", st.score(), ",", st.magnitude(), ";");
    if (c.document_sentiment) absl::StrAppend(&s, "d", c.document_sentiment->score(), ",", c.document_sentiment->magnitude(), ";");
    for (const auto& [i, sc] : c.summary) absl::StrAppend(&s, "u", i, ",", sc, ";");
    for (const auto& a : c.annotations) {
      absl::StrAppend(&s, "a", a.label, ",", a.begin, ",", a.end, ",", a.score);
      for (const auto& [k, v] : a.attributes) absl::StrAppend(&s, ",", k, "=", v);
      s += ';';
    }
    for (const auto& l : c.labels) absl::StrAppend(&s, "l", l.name, "=", l.value, ",", l.score, ";");
    for (const auto& t : c.syntax_tokens)
      absl::StrAppend(&s, "t", t.begin, ",", t.end, ",", t.tag, ",", t.xpos, ",", t.features, ",", t.lemma, ",",
                      t.label, ",", t.head, ";");
    return s;
  }
  size_t Count() const {
    const ResultCollector& c = *results;
    return c.mentions.size() + c.sentence_sentiments.size() + (c.document_sentiment ? 1 : 0) + c.summary.size() +
           c.annotations.size() + c.labels.size() + c.syntax_tokens.size();
  }
};

// A plugin with the plugins it needs, in the order they must run.
struct Stack {
  std::vector<PluginPtr> deps;  // dependencies first
  PluginPtr plugin;
};

bool Utf8Ok(std::string_view s) { return text::ValidateUtf8(s, "x").ok(); }

Outcome RunOne(const LoadedPlugin& p, const Prepared& doc, const docanalysis_upstream* upstream,
               const std::function<bool()>& cancelled) {
  Outcome o;
  o.results = std::make_unique<ResultCollector>();
  o.results->text = doc.source->text;
  o.results->sentence_count = doc.seg.sentences.size();
  o.results->max_results = 16 * (doc.seg.tokens.size() + doc.seg.sentences.size()) + 4096;  // the core's cap
  std::vector<docanalysis_option> opts;
  for (const auto& [k, v] : p.manifest().options) opts.push_back({{k.data(), k.size()}, {v.data(), v.size()}});
  std::vector<docanalysis_str> features;
  for (const auto& f : p.manifest().provides) features.push_back({f.data(), f.size()});
  static const std::string kId = "plugin-check";
  docanalysis_document d{};
  d.id = {kId.data(), kId.size()};
  d.text = {doc.source->text.data(), doc.source->text.size()};
  d.language = {"", 0};
  d.tokens = doc.seg.tokens.data();
  d.token_count = doc.seg.tokens.size();
  d.sentences = doc.seg.sentences.data();
  d.sentence_count = doc.seg.sentences.size();
  d.options = opts.data();
  d.option_count = opts.size();
  d.features = features.data();
  d.feature_count = features.size();
  std::function<bool()> never = [] { return false; };
  const std::function<bool()>* poll = cancelled ? &cancelled : &never;
  d.is_cancelled = [](void* ctx) { return (*static_cast<const std::function<bool()>*>(ctx))() ? 1 : 0; };
  d.cancel_ctx = const_cast<std::function<bool()>*>(poll);
  d.upstream = upstream;
  docanalysis_sink sink = o.results->Sink();
  auto start = Clock::now();
  absl::Status st = p.Analyze(d, sink);
  o.ms = Ms(Clock::now() - start);
  o.code = static_cast<int>(st.code());
  o.error = o.results->error;
  const ResultCollector& c = *o.results;
  for (const auto& m : c.mentions) o.invalid_utf8 += !Utf8Ok(m.canonical);
  for (const auto& a : c.annotations) {
    o.invalid_utf8 += !Utf8Ok(a.label);
    for (const auto& [k, v] : a.attributes) o.invalid_utf8 += !Utf8Ok(k) + !Utf8Ok(v);
  }
  for (const auto& l : c.labels) o.invalid_utf8 += !Utf8Ok(l.name) + !Utf8Ok(l.value);
  for (const auto& t : c.syntax_tokens)
    o.invalid_utf8 += !Utf8Ok(t.tag) + !Utf8Ok(t.xpos) + !Utf8Ok(t.features) + !Utf8Ok(t.lemma) + !Utf8Ok(t.label);
  o.invalid_utf8 += !Utf8Ok(c.error);
  return o;
}

// Runs the dependencies, then the plugin with their results as its upstream view.
Outcome RunStack(const Stack& stack, const Prepared& doc, const std::function<bool()>& cancelled = {}) {
  std::vector<std::pair<const LoadedPlugin*, Outcome>> done;
  auto upstream_for = [&](const LoadedPlugin& p) {
    std::vector<std::pair<std::string, const ResultCollector*>> sources;
    for (const auto& [q, o] : done)
      if (o.code == 0 && ProvidesAnyOf(q->manifest().provides, p.manifest().needs)) sources.emplace_back(q->name(), o.results.get());
    return sources;
  };
  for (const PluginPtr& dep : stack.deps) {
    std::optional<UpstreamView> up;
    if (!dep->manifest().needs.empty()) up.emplace(doc.source->text, upstream_for(*dep));
    done.emplace_back(dep.get(), RunOne(*dep, doc, up ? up->view() : nullptr, {}));
  }
  std::optional<UpstreamView> up;
  if (!stack.plugin->manifest().needs.empty()) up.emplace(doc.source->text, upstream_for(*stack.plugin));
  return RunOne(*stack.plugin, doc, up ? up->view() : nullptr, cancelled);
}

// Folders that may provide needed features: --with folders, then the plugin's siblings.
std::vector<std::string> Candidates(const CheckOptions& o) {
  std::vector<std::string> out = o.with;
  std::error_code ec;
  fs::path self = fs::weakly_canonical(o.folder, ec);
  std::vector<std::string> siblings;
  for (fs::directory_iterator it(self.parent_path(), ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code e2;
    if (it->is_directory(e2) && fs::weakly_canonical(it->path(), e2) != self &&
        fs::exists(it->path() / std::string(kManifestFile), e2))
      siblings.push_back(it->path().string());
  }
  std::sort(siblings.begin(), siblings.end());
  out.insert(out.end(), siblings.begin(), siblings.end());
  return out;
}

}  // namespace

CheckReport RunChecks(const CheckOptions& options, std::FILE* out) {
  CheckReport report;
  Reporter r(out, &report);
  auto verdict = [&]() {
    std::fprintf(out, "\nVERDICT: %s (%d passed, %d warnings, %d failed)%s%s\n",
                 report.failures ? "FAIL" : "PASS", report.passes, report.warnings, report.failures,
                 report.failures ? " - failed: " : "", absl::StrJoin(r.failed(), ", ").c_str());
    std::fflush(out);
    return report;
  };
  const std::string private_dir =
      (fs::temp_directory_path() / absl::StrCat("docanalysis-plugin-check-", ::getpid())).string();
  struct Cleanup {
    std::string dir;
    ~Cleanup() { std::error_code ec; fs::remove_all(dir, ec); }
  } cleanup{private_dir};
  std::fprintf(out, "docanalysis-plugin-check %s (host ABI %d.%d)\n", options.folder.c_str(), DOCANALYSIS_ABI_MAJOR,
               DOCANALYSIS_ABI_MINOR);

  // 1. Manifest.
  auto manifest = ReadManifest(options.folder);
  if (!manifest.ok()) {
    r.Fail("manifest", SV(manifest.status().message()));
    return verdict();
  }
  r.Pass("manifest", absl::StrCat("plugin.json: ", manifest->name, " ", manifest->version, ", ABI ", manifest->abi_major,
                                  ".", manifest->abi_minor, ", provides [", absl::StrJoin(manifest->provides, ", "),
                                  "], needs [", absl::StrJoin(manifest->needs, ", "), "], budget ", manifest->timeout_ms,
                                  " ms"));
  if (manifest->version.empty()) r.Warn("manifest", "\"version\" is empty");
  for (const auto& [k, v] : manifest->options)
    if (!Utf8Ok(k) || !Utf8Ok(v)) r.Fail("manifest", absl::StrCat("option \"", k, "\" is not valid UTF-8"));

  // 2. Library: exports and ABI.
  const std::string lib = (fs::path(options.folder) / manifest->library).string();
  auto exports = ElfExports(lib);
  if (!exports.ok()) {
    r.Fail("library", absl::StrCat(lib, ": ", exports.status().message()));
    return verdict();
  }
  bool has_entry = std::count(exports->begin(), exports->end(), DOCANALYSIS_PLUGIN_ENTRY_SYMBOL) > 0;
  if (!has_entry) {
    r.Fail("exports", absl::StrCat(manifest->library, " does not export ", DOCANALYSIS_PLUGIN_ENTRY_SYMBOL));
    return verdict();
  }
  std::vector<std::string> extra;
  for (const auto& e : *exports)
    if (e != DOCANALYSIS_PLUGIN_ENTRY_SYMBOL) extra.push_back(e);
  if (extra.empty()) {
    r.Pass("exports", absl::StrCat("only ", DOCANALYSIS_PLUGIN_ENTRY_SYMBOL));
  } else {
    if (extra.size() > 5) extra.resize(5), extra.push_back("...");
    r.Warn("exports", absl::StrCat(exports->size() - 1, " symbols besides the entry point (", absl::StrJoin(extra, " "),
                                   "); build with hidden visibility so they cannot clash with other plugins"));
  }
  auto loaded = LoadedPlugin::Load(options.folder, *manifest, private_dir);
  if (!loaded.ok()) {
    r.Fail("load", SV(loaded.status().message()));
    return verdict();
  }
  PluginPtr plugin = *loaded;
  if (plugin->built_abi_major() != manifest->abi_major || plugin->built_abi_minor() != manifest->abi_minor) {
    r.Warn("abi", absl::StrCat("library built against ABI ", plugin->built_abi_major(), ".", plugin->built_abi_minor(),
                               ", manifest says ", manifest->abi_major, ".", manifest->abi_minor,
                               "; keep \"abi_version\" equal to the SDK's version the library was built with"));
  } else {
    r.Pass("abi", absl::StrCat("library and manifest agree on ABI ", manifest->abi_major, ".", manifest->abi_minor));
  }
  r.Pass("load", "loaded and created through the host's loader");

  // 3. Dependencies.
  Stack stack{{}, plugin};
  {
    std::vector<std::string> candidates = Candidates(options);
    std::set<std::string> loaded_names{plugin->name()};
    std::vector<std::string> todo(manifest->needs.begin(), manifest->needs.end());
    std::vector<PluginPtr> found;  // in discovery order; reversed below so deeper needs run first
    std::set<std::string> seen;
    bool ok = true;
    while (!todo.empty()) {
      std::string need = todo.front();
      todo.erase(todo.begin());
      if (!seen.insert(need).second) continue;
      bool self = std::count(manifest->provides.begin(), manifest->provides.end(), need) > 0;
      for (const auto& p : found) self |= std::count(p->manifest().provides.begin(), p->manifest().provides.end(), need) > 0;
      if (self) continue;
      std::optional<PluginPtr> provider;
      for (const auto& folder : candidates) {
        auto m = ReadManifest(folder);
        if (!m.ok() || loaded_names.count(m->name) ||
            std::count(m->provides.begin(), m->provides.end(), need) == 0)
          continue;
        auto dep = LoadedPlugin::Load(folder, *m, private_dir);
        if (!dep.ok()) continue;
        provider = *dep;
        loaded_names.insert(m->name);
        for (const auto& n : m->needs) todo.push_back(n);
        break;
      }
      if (!provider) {
        ok = false;
        r.Warn("needs", absl::StrCat("no sibling folder or --with folder provides \"", need,
                                     "\": the checks run without its upstream results, and a server without it refuses "
                                     "this plugin"));
        continue;
      }
      found.push_back(*provider);
    }
    std::reverse(found.begin(), found.end());
    stack.deps = found;
    if (ok && !found.empty()) {
      std::vector<std::string> names;
      for (const auto& p : found) names.push_back(absl::StrCat(p->name(), " (", p->folder(), ")"));
      r.Pass("needs", absl::StrCat("upstream plugins run first: ", absl::StrJoin(names, ", ")));
    }
  }

  // 4. The corpus: status, spans, UTF-8, budget, determinism.
  std::vector<CorpusText> corpus = BuiltinCorpus();
  std::vector<Prepared> docs;
  for (const auto& c : corpus) docs.push_back({&c, text::Segment(c.text)});
  std::vector<std::string> reference(docs.size());
  size_t results_total = 0;
  {
    int bad = 0;
    for (size_t i = 0; i < docs.size(); ++i) {
      const std::string& name = docs[i].source->name;
      Outcome o = RunStack(stack, docs[i]);
      results_total += o.Count();
      std::string where = absl::StrCat("corpus \"", name, "\" (", docs[i].source->text.size(), " bytes)");
      if (o.code != 0) {
        std::string msg = absl::StrCat(where, ": returned ", CodeName(o.code), ": ", o.error.empty() ? "(no message)" : o.error);
        if (o.code == DOCANALYSIS_INTERNAL || o.code == DOCANALYSIS_UNKNOWN || o.code == DOCANALYSIS_CANCELLED ||
            o.code == DOCANALYSIS_DEADLINE_EXCEEDED || o.code < 0 || o.code > 16) {
          r.Fail("corpus", msg), ++bad;
        } else {
          r.Warn("corpus", msg);
        }
      }
      if (o.results->rejected > 0)
        r.Fail("spans", absl::StrCat(where, ": ", o.results->rejected,
                                     " results with spans outside the text, off UTF-8 boundaries, empty, or naming a "
                                     "sentence that does not exist")), ++bad;
      if (o.results->overflowed())
        r.Fail("caps", absl::StrCat(where, ": wrote more than the server's cap of ", o.results->max_results,
                                    " results or ", o.results->max_bytes >> 20,
                                    " MiB of strings; the server marks such a run RESOURCE_EXHAUSTED")), ++bad;
      if (o.invalid_utf8 > 0)
        r.Fail("utf8", absl::StrCat(where, ": ", o.invalid_utf8, " strings (labels, values, names) are not valid UTF-8")), ++bad;
      // A sanitizer build runs plugins about ten times slower: it gets ten budgets.
      const double budget_ms = static_cast<double>(manifest->timeout_ms) * (kUnderSanitizer ? 10 : 1);
      if (o.ms > budget_ms)
        r.Fail("budget", absl::StrFormat("%s: took %.0f ms, over the manifest's timeout_ms %d%s", where, o.ms,
                                         manifest->timeout_ms, kUnderSanitizer ? " (x10 under a sanitizer)" : "")),
            ++bad;
      Outcome again = RunStack(stack, docs[i]);
      reference[i] = o.Serialize();
      if (again.Serialize() != reference[i])
        r.Fail("determinism", absl::StrCat(where, ": two calls on the same text gave different results")), ++bad;
      if (docs[i].source->large)
        r.Info(absl::StrFormat("%s: %.1f ms, %d results", where, o.ms, static_cast<int>(o.Count())));
    }
    if (bad == 0)
      r.Pass("corpus", absl::StrCat(docs.size(), " tricky texts: every call returned, spans inside the text on UTF-8 "
                                    "boundaries, valid UTF-8 strings, within budget and result caps, same output twice (",
                                    results_total, " results)"));
    if (results_total == 0)
      r.Warn("corpus", "the plugin returned no results on any text of the corpus; is it reading the right features?");
  }

  // 5. Many threads at once: the same output as one thread.
  {
    const int threads = options.threads;
    const int rounds = options.quick ? 1 : 3;
    std::atomic<int> mismatches{0}, calls{0};
    std::vector<std::thread> pool;
    auto start = Clock::now();
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        for (int round = 0; round < rounds; ++round)
          for (size_t k = 0; k < docs.size(); ++k) {
            size_t i = (k + static_cast<size_t>(t)) % docs.size();  // threads start at different texts
            if (docs[i].source->large) continue;
            if (RunStack(stack, docs[i]).Serialize() != reference[i]) ++mismatches;
            ++calls;
          }
      });
    }
    for (auto& th : pool) th.join();
    std::string detail = absl::StrFormat("%d threads, %d concurrent calls in %.0f ms", threads, calls.load(), Ms(Clock::now() - start));
    if (mismatches > 0) r.Fail("threads", absl::StrCat(detail, ": ", mismatches.load(), " calls differed from the one-thread output"));
    else r.Pass("threads", absl::StrCat(detail, ", every output the same as on one thread"));
  }

  // 6. Cancellation: cancelled from the start, and cancelled 20 ms into the 1 MiB document.
  {
    const Prepared* large = nullptr;
    for (const auto& d : docs)
      if (d.source->large) large = &d;
    Outcome at_start = RunStack(stack, *large, [] { return true; });
    auto t0 = Clock::now();
    Outcome midway = RunStack(stack, *large, [t0] { return Clock::now() - t0 > std::chrono::milliseconds(20); });
    auto verdict_of = [](const Outcome& o, double after_ms) {
      bool stopped = o.code == DOCANALYSIS_CANCELLED || o.code == DOCANALYSIS_DEADLINE_EXCEEDED;
      return std::make_pair(stopped || after_ms < 1000.0,
                            absl::StrFormat("%s after %.0f ms", stopped ? CodeName(o.code) : "finished (" + CodeName(o.code) + ")", o.ms));
    };
    auto [ok1, d1] = verdict_of(at_start, at_start.ms);
    auto [ok2, d2] = verdict_of(midway, std::max(0.0, midway.ms - 20));
    std::string detail = absl::StrCat("cancelled before the call: ", d1, "; cancelled 20 ms in: ", d2);
    if (!ok1 || !ok2) r.Fail("cancellation", absl::StrCat(detail, "; poll Document::Cancelled() (is_cancelled) on long work"));
    else r.Pass("cancellation", detail);
    if (at_start.results->rejected > 0 || midway.results->rejected > 0)
      r.Fail("cancellation", "invalid results written while stopping");
  }

  // 7. Load / analyze / unload cycles: no crash, no leak.
  {
    const int cycles = options.quick ? std::min(options.cycles, 100) : options.cycles;
    const int warm = std::max(1, std::min(50, cycles / 10));
    const Prepared* small = &docs[4];  // the news paragraph
    plugin.reset();
    stack.plugin.reset();
    size_t rss0 = 0, fds0 = 0;
    auto start = Clock::now();
    int failures = 0;
    std::string first_error;
    for (int i = 0; i < cycles; ++i) {
      if (i == warm) {
        ::malloc_trim(0);
        rss0 = RssBytes();
        fds0 = OpenFds();
      }
      auto p = LoadedPlugin::Load(options.folder, *manifest, private_dir);
      if (!p.ok()) {
        if (first_error.empty()) first_error = std::string(p.status().message());
        ++failures;
        continue;
      }
      // Analyze on a short-lived thread, as the server's workers do, so thread-local state is torn down.
      std::thread th([&] {
        Outcome o = RunOne(**p, *small, nullptr, {});
        if (o.code != 0 && first_error.empty()) first_error = o.error;
      });
      th.join();
    }
    ::malloc_trim(0);
    size_t rss1 = RssBytes(), fds1 = OpenFds();
    double grown_mib = (static_cast<double>(rss1) - static_cast<double>(rss0)) / (1 << 20);
    double per_cycle_kib = grown_mib * 1024 / std::max(1, cycles - warm);
    std::string detail = absl::StrFormat("%d cycles in %.1f s; RSS %.1f -> %.1f MiB (%+.1f MiB, %.1f KiB per cycle); "
                                         "open files %d -> %d",
                                         cycles, Ms(Clock::now() - start) / 1000, rss0 / 1048576.0, rss1 / 1048576.0,
                                         grown_mib, per_cycle_kib, static_cast<int>(fds0), static_cast<int>(fds1));
    if (failures > 0) r.Fail("load-unload", absl::StrCat(detail, "; ", failures, " loads failed: ", first_error));
    else if (kUnderSanitizer) r.Pass("load-unload", absl::StrCat(detail, " (resident memory not judged under a sanitizer: ASan's quarantine keeps freed memory; LeakSanitizer reports real leaks)"));
    else if (grown_mib > 8 && per_cycle_kib > 8) r.Fail("load-unload", absl::StrCat(detail, ": memory leaks at each load"));
    else if (fds1 > fds0 + 2) r.Fail("load-unload", absl::StrCat(detail, ": file descriptors leak at each load"));
    else r.Pass("load-unload", detail);
  }
  return verdict();
}

}  // namespace docanalysis::check
