// sentiment_eval: prints the per-set table of the sentiment analyzer on VADER's human-rated sets.
//
//   sentiment_eval --lexicon <build>/plugins/sentiment
//       --data ../shared/eval/sentiment/vader_groundtruth.json [--reference-strip] [--no-clause-scope]
//       [--no-so-this] [--no-inflections] [--damping X] [--min-polar X] [--last-boost X] [--dump features.jsonl]
//
// --damping 0 --min-polar 0 --last-boost 0 gives VADER's own scoring (compound of the summed
// sentence valences).
//
// --text FILE scores that file instead and prints each sentence's score and magnitude, then the
// document's (as the plugin returns them).
//
// --predictions FILE writes the document score of every text, one per line (for tools/eval/tune_sentiment_cv.py).
//
// --dump writes one JSON line per text with its set, rating and per-sentence figures, for studying
// how to aggregate sentences into a document score.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

#include <nlohmann/json.hpp>

#include "eval/vader_eval.h"
#include "service/text/segmenter.h"
#include "vader.h"
#include "vader_lexicon.h"

namespace sent = docanalysis::sentiment;

int main(int argc, char** argv) {
  std::string lexicon_dir, data, dump, text_file, predictions;
  sent::AnalyzerOptions aopt;
  sent::DocumentOptions dopt;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--lexicon") lexicon_dir = next();
    else if (a == "--data") data = next();
    else if (a == "--dump") dump = next();
    else if (a == "--predictions") predictions = next();
    else if (a == "--text") text_file = next();
    else if (a == "--reference-strip") aopt.reference_strip = true;
    else if (a == "--no-clause-scope") aopt.clause_scope = false;
    else if (a == "--no-so-this") aopt.so_this_intensifies = false;
    else if (a == "--no-inflections") aopt.inflections = false;
    else if (a == "--damping") dopt.scoring.length_damping = std::atof(next().c_str());
    else if (a == "--min-polar") dopt.scoring.min_polar_score = std::atof(next().c_str());
    else if (a == "--last-boost") dopt.last_sentence_boost = std::atof(next().c_str());
    else {
      std::fprintf(stderr, "unknown flag %s\n", a.c_str());
      return 2;
    }
  }
  if (!lexicon_dir.empty() && !text_file.empty()) {
    std::string error;
    auto lexicon = sent::VaderLexicon::Load(lexicon_dir, &error);
    if (!lexicon) {
      std::fprintf(stderr, "%s\n", error.c_str());
      return 1;
    }
    std::ifstream in(text_file, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    sent::VaderAnalyzer analyzer(lexicon.get(), aopt);
    docanalysis::text::Segmentation seg = docanalysis::text::Segment(text);
    sent::DocumentScore d = analyzer.ScoreDocument(text, seg.tokens.data(), seg.tokens.size(), seg.sentences.data(),
                                                   seg.sentences.size(), dopt);
    for (size_t k = 0; k < d.sentences.size(); ++k) {
      const auto& s = seg.sentences[k];
      std::string t = text.substr(s.begin, s.end - s.begin);
      for (char& c : t)
        if (c == '\n') c = ' ';
      if (t.size() > 90) t = t.substr(0, 87) + "...";
      std::printf("%3zu %+.3f %5.2f  %s\n", k, d.sentences[k].score, d.sentences[k].magnitude, t.c_str());
    }
    std::printf("document %+.3f magnitude %.2f (VADER single pass %+.3f)\n", d.document.score, d.document.magnitude,
                analyzer.ScoreText(text).compound);
    return 0;
  }
  if (lexicon_dir.empty() || data.empty()) {
    std::fprintf(stderr, "usage: sentiment_eval --lexicon DIR --data vader_groundtruth.json [...]\n");
    return 2;
  }
  std::string error;
  auto lexicon = sent::VaderLexicon::Load(lexicon_dir, &error);
  if (!lexicon) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  std::vector<sent::eval::Item> items;
  if (!sent::eval::LoadGroundTruth(data, &items, &error)) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  sent::VaderAnalyzer analyzer(lexicon.get(), aopt);
  sent::eval::Figures f = sent::eval::Evaluate(analyzer, dopt, items);
  std::printf("%-8s %6s %8s %8s\n", "set", "texts", "pearson", "3-class");
  for (const auto& s : f.sets) std::printf("%-8s %6zu %8.4f %8.4f\n", s.set.c_str(), s.count, s.pearson, s.accuracy);

  if (!predictions.empty()) {  // one document score per line, in the order of the data file
    std::ofstream out(predictions);
    for (const auto& item : items) {
      docanalysis::text::Segmentation seg = docanalysis::text::Segment(item.text);
      sent::DocumentScore d = analyzer.ScoreDocument(item.text, seg.tokens.data(), seg.tokens.size(),
                                                     seg.sentences.data(), seg.sentences.size(), dopt);
      char line[32];
      std::snprintf(line, sizeof(line), "%.6f\n", d.document.score);
      out << line;
    }
  }
  if (!dump.empty()) {
    std::ofstream out(dump);
    for (const auto& item : items) {
      docanalysis::text::Segmentation seg = docanalysis::text::Segment(item.text);
      sent::DocumentScore d = analyzer.ScoreDocument(item.text, seg.tokens.data(), seg.tokens.size(),
                                                     seg.sentences.data(), seg.sentences.size(), dopt);
      nlohmann::json j;
      j["set"] = item.set;
      j["gold"] = item.gold;
      j["single"] = analyzer.ScoreText(item.text).sum;
      for (const auto& s : d.sentences)
        j["sentences"].push_back({s.score, s.sum, s.sentiment_words, s.words, s.magnitude});
      out << j.dump() << "\n";
    }
  }
  return 0;
}
