// docanalysis-syntax-train: trains (or evaluates) the syntax plugin's model on UD CoNLL-U files.
//
//   docanalysis-syntax-train --train en_ewt-ud-train.conllu.gz --dev en_ewt-ud-dev.conllu
//       [--test en_ewt-ud-test.conllu] --out syntax-en.model
//       [--tagger_epochs 12] [--parser_epochs 15] [--folds 4] [--seed S] [--prune W]
//   docanalysis-syntax-train --eval syntax-en.model --test FILE [--no_newline_split]
//   docanalysis-syntax-train --eval syntax-en.model --test FILE --dump OUT  (also writes every
//       end-to-end output of test, one word a line: begin end class feats head label; a speed change
//       to the model's code must leave these bytes alone)
//   docanalysis-syntax-train --relearn_words syntax-en.model --train FILE --out NEW  (splitter only)
//
// Documents are rebuilt as a caller would send them (sentences joined by "\n") and segmented by
// the host's segmenter, so the word splitter learns from the tokens the plugin sees at run time.
// The dev file picks the epochs; nothing is tuned on test. Prints the scores with gold words and
// end to end (raw text through the plugin's own path) for dev and test. Deterministic: the same
// data and flags give the same model bytes (plugins/syntax/train.sh holds the shipped flags).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "service/text/segmenter.h"
#include "train.h"

namespace docanalysis::syntax {
namespace {

struct Flags {
  std::string train, dev, test, out, eval, errors, relearn_words, dump;
  float prune_rows = 0;  // with --eval: drop parser/tagger features whose largest |weight| is below this
  float prune_weights = 0;  // with --eval: drop single parser/tagger weights whose |weight| is below this
  TrainOptions options;
  AnalyzeOptions analyze;
};

[[noreturn]] void Usage(const char* msg) {
  std::fprintf(stderr,
               "error: %s\n"
               "usage: docanalysis-syntax-train --train FILE --dev FILE [--test FILE] --out MODEL\n"
               "         [--tagger_epochs N] [--parser_epochs N] [--folds K] [--seed S] [--prune W]\n"
               "         [--feature_hash 1|2]\n"
               "       docanalysis-syntax-train --eval MODEL --test FILE [--dev FILE] [--no_newline_split] [--errors PREFIX]\n",
               msg);
  std::exit(2);
}

Flags ParseFlags(int argc, char** argv) {
  Flags f;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Usage(("missing value for " + a).c_str());
      return argv[++i];
    };
    if (a == "--train") f.train = value();
    else if (a == "--dev") f.dev = value();
    else if (a == "--test") f.test = value();
    else if (a == "--out") f.out = value();
    else if (a == "--eval") f.eval = value();
    else if (a == "--tagger_epochs") f.options.tagger_epochs = std::atoi(value().c_str());
    else if (a == "--parser_epochs") f.options.parser_epochs = std::atoi(value().c_str());
    else if (a == "--folds") f.options.folds = std::atoi(value().c_str());
    else if (a == "--seed") f.options.seed = std::strtoull(value().c_str(), nullptr, 10);
    else if (a == "--prune") f.options.prune = std::strtof(value().c_str(), nullptr);
    else if (a == "--errors") f.errors = value();
    else if (a == "--relearn_words") f.relearn_words = value();
    else if (a == "--prune_rows") f.prune_rows = std::strtof(value().c_str(), nullptr);
    else if (a == "--feature_hash") f.options.feature_hash = std::atoi(value().c_str());
    else if (a == "--prune_weights") f.prune_weights = std::strtof(value().c_str(), nullptr);
    else if (a == "--no_newline_split") f.analyze.split_at_newlines = false;
    else if (a == "--dump") f.dump = value();
    else Usage(("unknown flag " + a).c_str());
  }
  if (!f.relearn_words.empty() && (f.train.empty() || f.out.empty())) Usage("--relearn_words needs --train and --out");
  if (f.eval.empty() && f.relearn_words.empty() && (f.train.empty() || f.dev.empty() || f.out.empty())) Usage("--train, --dev and --out are required");
  if (!f.eval.empty() && f.test.empty() && f.dev.empty()) Usage("--eval needs --test or --dev");
  return f;
}

HostSegmentation HostSegment(const std::string& text) {
  text::Segmentation s = text::Segment(text);
  return HostSegmentation{std::move(s.tokens), std::move(s.sentences)};
}

void Report(const SyntaxModel& m, const std::string& name, const std::string& path, const AnalyzeOptions& analyze,
            const std::string& errors) {
  std::vector<GoldDoc> docs = ReadConllu(path);
  std::printf("%s gold words: %s\n", name.c_str(), EvaluateGoldWords(m, docs).ToString().c_str());
  std::FILE* err = errors.empty() ? nullptr : std::fopen((errors + "." + name).c_str(), "w");
  std::printf("%s end to end: %s\n", name.c_str(), EvaluateEndToEnd(m, docs, &HostSegment, analyze, err).ToString().c_str());
  if (err) std::fclose(err);
  std::fflush(stdout);
}

int Main(int argc, char** argv) {
  Flags f = ParseFlags(argc, argv);
  SyntaxModel m;
  if (!f.relearn_words.empty()) {
    // The word splitter and merges depend on the training documents and the host's segmenter
    // only, so relearning them in a trained model gives the bytes a full training would.
    std::string error;
    if (!m.Load(f.relearn_words, &error)) {
      std::fprintf(stderr, "error: %s\n", error.c_str());
      return 1;
    }
    LearnSplitter(ReadConllu(f.train), &HostSegment, &m.splitter, true);
    std::string bytes = m.Serialize();
    std::ofstream out(f.out, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
      std::fprintf(stderr, "error: cannot write %s\n", f.out.c_str());
      return 1;
    }
    std::printf("wrote %s (%zu bytes)\n", f.out.c_str(), bytes.size());
  } else if (!f.eval.empty()) {
    std::string error;
    auto t0 = std::chrono::steady_clock::now();
    if (!m.Load(f.eval, &error)) {
      std::fprintf(stderr, "error: %s\n", error.c_str());
      return 1;
    }
    if (f.prune_rows > 0 || f.prune_weights > 0) {
      m.parser = m.parser.Pruned(f.prune_rows, f.prune_weights, static_cast<size_t>(m.transitions.count()));
      m.tagger = m.tagger.Pruned(f.prune_rows, f.prune_weights, m.tags.size());
      if (!f.out.empty()) {
        std::string bytes = m.Serialize();
        std::ofstream(f.out, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      }
    }
    std::printf("loaded in %.1f ms: %zu tag classes, %zu tagger features, %zu parser features (%zu weights)\n",
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count(), m.tags.size(),
                m.tagger.feature_count(), m.parser.feature_count(), m.parser.weight_count());
  } else {
    std::vector<GoldDoc> train = ReadConllu(f.train), dev = ReadConllu(f.dev);
    m = Train(train, dev, &HostSegment, f.options);
    std::string bytes = m.Serialize();
    std::ofstream out(f.out, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
      std::fprintf(stderr, "error: cannot write %s\n", f.out.c_str());
      return 1;
    }
    std::printf("wrote %s (%zu bytes)\n", f.out.c_str(), bytes.size());
  }
  if (!f.dump.empty() && !f.test.empty()) {
    std::FILE* out = std::fopen(f.dump.c_str(), "w");
    if (out == nullptr) {
      std::fprintf(stderr, "error: cannot write %s\n", f.dump.c_str());
      return 1;
    }
    SyntaxModel::Scratch scratch;
    std::vector<OutToken> words;
    for (const GoldDoc& d : ReadConllu(f.test)) {
      HostSegmentation seg = HostSegment(d.text);
      words.clear();
      m.AnalyzeDocument(d.text, seg.tokens.data(), seg.tokens.size(), seg.sentences.data(), seg.sentences.size(),
                        f.analyze, scratch, &words, nullptr);
      for (const OutToken& t : words)
        std::fprintf(out, "%u %u %u %u %d %u\n", t.begin, t.end, t.cls, t.feats, t.head, t.label);
      std::fprintf(out, "\n");
    }
    std::fclose(out);
  }
  if (!f.dev.empty()) Report(m, "dev", f.dev, f.analyze, f.errors);
  if (!f.test.empty()) Report(m, "test", f.test, f.analyze, f.errors);
  return 0;
}

}  // namespace
}  // namespace docanalysis::syntax

int main(int argc, char** argv) {
  try {
    return docanalysis::syntax::Main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
