// summary_eval: runs the summarizer in-process, with the host's segmenter, over a JSON-lines corpus
// (one object per line with "id" and "article", as the CNN/DM eval set) and writes one JSON line per
// document: {"id", "summary": [sentence texts], "summary_index": [...], "summary_score": [...],
// "lead": [first three sentences]} (plus "sentences": all of them with --dump_sentences, and "features":
// each candidate's {"sentence", "values"} in the order of summary::kFeatureNames with --dump_features). Scoring
// is done by tools/eval/rouge.py (see tools/eval/summary_quality.py).
//
//   summary_eval --data=cnndm.jsonl [--begin=0] [--end=125] [--option=key=value ...] [--dump_sentences]
//                [--dump_features]
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "service/text/segmenter.h"
#include "summarizer.h"

namespace {

int Usage(const std::string& why) {
  std::cerr << "summary_eval: " << why
            << "\nusage: summary_eval --data=FILE.jsonl [--begin=N] [--end=N] [--option=key=value ...] "
               "[--dump_sentences] [--dump_features]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string data;
  long begin = 0, end = -1;
  bool dump = false, dump_features = false;
  docanalysis::summary::Options options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&arg](const char* flag) -> const char* {
      size_t n = std::char_traits<char>::length(flag);
      return arg.compare(0, n, flag) == 0 ? arg.c_str() + n : nullptr;
    };
    if (const char* v = value("--data=")) {
      data = v;
    } else if (const char* v = value("--begin=")) {
      begin = std::strtol(v, nullptr, 10);
    } else if (const char* v = value("--end=")) {
      end = std::strtol(v, nullptr, 10);
    } else if (const char* v = value("--option=")) {
      std::string kv = v;
      size_t eq = kv.find('=');
      if (eq == std::string::npos || !docanalysis::summary::SetOption(kv.substr(0, eq), kv.substr(eq + 1), &options))
        return Usage("bad option '" + kv + "'");
    } else if (arg == "--dump_sentences") {
      dump = true;
    } else if (arg == "--dump_features") {
      dump_features = true;
    } else {
      return Usage("unknown argument '" + arg + "'");
    }
  }
  if (data.empty()) return Usage("--data is required");
  std::ifstream in(data);
  if (!in) return Usage("cannot read " + data);

  docanalysis::summary::Summarizer summarizer;
  std::string line;
  long index = -1;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    ++index;
    if (index < begin) continue;
    if (end >= 0 && index >= end) break;
    nlohmann::json record = nlohmann::json::parse(line);
    std::string text = record.value("article", "");
    docanalysis::text::Segmentation seg = docanalysis::text::Segment(text);
    std::vector<docanalysis::summary::Pick> picks =
        summarizer.Summarize(text, seg.tokens.data(), seg.tokens.size(), seg.sentences.data(), seg.sentences.size(),
                             options);
    auto sentence_text = [&](size_t i) {
      const docanalysis_sentence& s = seg.sentences[i];
      return text.substr(s.begin, s.end - s.begin);
    };
    nlohmann::json out;
    out["id"] = record.value("id", std::to_string(index));
    out["summary"] = nlohmann::json::array();
    out["summary_index"] = nlohmann::json::array();
    out["summary_score"] = nlohmann::json::array();
    for (const auto& p : picks) {
      out["summary"].push_back(sentence_text(p.sentence));
      out["summary_index"].push_back(p.sentence);
      out["summary_score"].push_back(p.score);
    }
    out["lead"] = nlohmann::json::array();
    for (size_t i = 0; i < seg.sentences.size() && i < 3; ++i) out["lead"].push_back(sentence_text(i));
    if (dump) {
      out["sentences"] = nlohmann::json::array();
      for (size_t i = 0; i < seg.sentences.size(); ++i) out["sentences"].push_back(sentence_text(i));
    }
    if (dump_features) {
      out["features"] = nlohmann::json::array();
      for (const auto& row : summarizer.Explain(text, seg.tokens.data(), seg.tokens.size(), seg.sentences.data(),
                                                seg.sentences.size(), options)) {
        nlohmann::json values = row.values;
        out["features"].push_back({{"sentence", row.sentence}, {"values", values}});
      }
    }
    std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  }
  return 0;
}
