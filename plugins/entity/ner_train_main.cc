// docanalysis-ner-train: trains (or evaluates) the entity plugin's tagger on CoNLL-format data.
//
//   docanalysis-ner-train --train eng.train --dev eng.testa [--test eng.testb] --out ner-en.model
//       [--gazetteer CATEGORY=FILE]... [--clusters WORD_CLUSTERS.tsv] [--epochs 15] [--stages 2] [--folds 4] [--seeds 4]
//   docanalysis-ner-train --eval ner-en.model --test eng.testb [--errors errors.tsv]
//   docanalysis-ner-train --eval ner-en.model --tag article.txt
//
// Documents are rebuilt as the service receives them (tokens joined by spaces, one sentence per
// line) and segmented by the host's segmenter, so that features at training time are the ones the
// plugin sees at run time. The dev file picks each stage's epoch count and the confidence scale;
// per-epoch dev scores go to stderr. Training is deterministic: same data and flags, same model
// bytes. plugins/entity/train.sh holds the flags of the shipped model.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "conll.h"
#include "ner_features.h"
#include "model.h"
#include "perceptron.h"
#include "text_util.h"

#ifdef DOCANALYSIS_ENTITY_HOST_SEGMENTER
#include "service/text/segmenter.h"
#endif

namespace docanalysis::entity {
namespace {

struct Flags {
  std::string train, dev, test, out, eval, tag, errors, segmenter = "host";
  std::string clusters;      // --clusters: word<TAB>fine<TAB>mid<TAB>coarse lines (docanalysis-word-clusters)
  std::string base;          // --caseless: the cased model to add the caseless regime to
  bool caseless = false;     // train the caseless regime (on lower-cased copies of the data)
  // --fixed_epochs N1,N2: train each stage for exactly that many epochs, without dev selection
  // (for a final model trained on train+dev with the epoch counts a train-only run chose on dev).
  int fixed_epochs[2] = {0, 0};
  float confidence_scale = 0;  // --confidence_scale S: use S instead of calibrating it on dev
  bool per_sentence_casing = true;  // --per_sentence_casing on|off (for --eval)
  bool title_case_caseless = true;  // --title_case caseless|cased (for --eval)
  std::string test_case = "as-is";  // --case as-is|lower|upper: how the test text is written
  std::vector<std::pair<std::string, std::string>> gazetteers;
  int epochs = 12, stages = 2, folds = 4, min_count = 1, seeds = 1;
  float prune = 0.0f;
  uint64_t seed = 20030531;
};

[[noreturn]] void Usage(const char* msg) {
  std::fprintf(stderr,
               "error: %s\n"
               "usage: docanalysis-ner-train --train FILE --dev FILE [--test FILE] --out MODEL\n"
               "         [--gazetteer CATEGORY=FILE]... [--clusters TSV] [--epochs N] [--stages 1|2] [--folds K]\n"
               "         [--min_count N] [--seed S] [--seeds N] [--prune W] [--segmenter host|whitespace]\n"
               "         [--caseless --base CASED_MODEL]   (adds the caseless regime to a cased model)\n"
               "         [--fixed_epochs N1,N2] [--confidence_scale S]   (no selection on dev)\n"
               "       docanalysis-ner-train --eval MODEL --test FILE [--errors OUT] [--case as-is|lower|upper]\n"
               "         [--per_sentence_casing on|off] [--title_case caseless|cased]\n"
               "         [--prune W [--out PRUNED_MODEL]]   (scores, and writes, the model without weights |w| < W)\n"
               "         [--segmenter host|whitespace]\n"
               "       docanalysis-ner-train --eval MODEL --tag TEXT_FILE   (prints the mentions)\n",
               msg);
  std::exit(2);
}

Flags ParseFlags(int argc, char** argv) {
  Flags f;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    std::string v;
    size_t eq = a.find('=');
    if (a.rfind("--", 0) != 0) Usage(("unexpected argument " + a).c_str());
    if (a == "--caseless") {
      f.caseless = true;
      continue;
    }
    if (eq != std::string::npos && a.rfind("--gazetteer", 0) != 0) {
      v = a.substr(eq + 1);
      a = a.substr(0, eq);
    } else if (a.rfind("--gazetteer=", 0) == 0) {
      v = a.substr(12);
      a = "--gazetteer";
    } else {
      if (i + 1 >= argc) Usage(("missing value for " + a).c_str());
      v = argv[++i];
    }
    if (a == "--train") f.train = v;
    else if (a == "--dev") f.dev = v;
    else if (a == "--test") f.test = v;
    else if (a == "--out") f.out = v;
    else if (a == "--eval") f.eval = v;
    else if (a == "--tag") f.tag = v;
    else if (a == "--errors") f.errors = v;
    else if (a == "--segmenter") f.segmenter = v;
    else if (a == "--base") f.base = v;
    else if (a == "--clusters") f.clusters = v;
    else if (a == "--case") f.test_case = v;
    else if (a == "--title_case") f.title_case_caseless = v == "caseless";
    else if (a == "--per_sentence_casing") f.per_sentence_casing = v == "on" || v == "1" || v == "true";
    else if (a == "--confidence_scale") f.confidence_scale = static_cast<float>(std::atof(v.c_str()));
    else if (a == "--fixed_epochs") {
      size_t c = v.find(',');
      f.fixed_epochs[0] = std::atoi(v.substr(0, c).c_str());
      f.fixed_epochs[1] = c == std::string::npos ? f.fixed_epochs[0] : std::atoi(v.substr(c + 1).c_str());
      if (f.fixed_epochs[0] < 1 || f.fixed_epochs[1] < 1) Usage("--fixed_epochs N1,N2 with N >= 1");
    }
    else if (a == "--epochs") f.epochs = std::atoi(v.c_str());
    else if (a == "--stages") f.stages = std::atoi(v.c_str());
    else if (a == "--folds") f.folds = std::atoi(v.c_str());
    else if (a == "--min_count") f.min_count = std::atoi(v.c_str());
    else if (a == "--seeds") f.seeds = std::atoi(v.c_str());
    else if (a == "--prune") f.prune = static_cast<float>(std::atof(v.c_str()));
    else if (a == "--seed") f.seed = std::strtoull(v.c_str(), nullptr, 10);
    else if (a == "--gazetteer") {
      size_t e = v.find('=');
      if (e == std::string::npos) Usage("--gazetteer wants CATEGORY=FILE");
      f.gazetteers.emplace_back(v.substr(0, e), v.substr(e + 1));
    } else {
      Usage(("unknown flag " + a).c_str());
    }
  }
  if (f.stages < 1 || f.stages > 2) Usage("--stages must be 1 or 2");
  if (f.test_case != "as-is" && f.test_case != "lower" && f.test_case != "upper") Usage("--case as-is|lower|upper");
  if (f.caseless && f.base.empty()) Usage("--caseless needs --base CASED_MODEL");
  if (f.epochs < 1 || f.folds < 2 || f.seeds < 1) Usage("--epochs >= 1, --folds >= 2, --seeds >= 1");
  return f;
}

SegmentFn MakeSegmenter(const std::string& name) {
  if (name == "whitespace") return WhitespaceSegment;
#ifdef DOCANALYSIS_ENTITY_HOST_SEGMENTER
  if (name == "host") {
    return [](std::string_view text) {
      docanalysis::text::Segmentation s = docanalysis::text::Segment(text);
      Segmented out;
      out.tokens = std::move(s.tokens);
      out.sentences = std::move(s.sentences);
      return out;
    };
  }
#endif
  Usage(("segmenter not available in this build: " + name).c_str());
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

struct Prepared {
  ConllDoc doc;
  Segmented seg;
  std::vector<Segment> segments;
  std::vector<uint8_t> gold;
  DocView view() const { return ViewOf(doc.text, seg); }
};

// Rewrites `text` all in lower or all in upper case, byte for byte (ASCII and Latin-1 letters),
// so that gold spans keep their offsets.
void Recase(std::string& text, const std::string& how) {
  if (how == "lower") {
    std::string out;
    out.reserve(text.size());
    AppendLower(text, out);
    text = std::move(out);
  } else if (how == "upper") {
    for (size_t i = 0; i < text.size(); ++i) {
      unsigned char c = static_cast<unsigned char>(text[i]);
      if (c >= 'a' && c <= 'z') {
        text[i] = static_cast<char>(c - 32);
      } else if (c == 0xC3 && i + 1 < text.size()) {
        unsigned char d = static_cast<unsigned char>(text[i + 1]);
        if (d >= 0xA0 && d <= 0xBE && d != 0xB7) text[i + 1] = static_cast<char>(d - 0x20);
        ++i;
      }
    }
  }
}

std::vector<Prepared> Prepare(const std::string& path, const SegmentFn& segment, const char* name,
                              const std::string& recase = "as-is") {
  std::vector<ConllDoc> docs;
  // Several files may be joined with ',' (e.g. training on eng.train,eng.testa).
  for (size_t b = 0; b <= path.size();) {
    size_t e = path.find(',', b);
    if (e == std::string::npos) e = path.size();
    std::vector<ConllDoc> part = ReadConll(path.substr(b, e - b));
    for (ConllDoc& d : part) docs.push_back(std::move(d));
    b = e + 1;
  }
  for (ConllDoc& d : docs) Recase(d.text, recase);
  std::vector<Prepared> out(docs.size());
  size_t unaligned = 0, spans = 0, tokens = 0;
  for (size_t i = 0; i < docs.size(); ++i) {
    out[i].doc = std::move(docs[i]);
    out[i].seg = segment(out[i].doc.text);
    // The same possessive splitting as Model::Tag, so train and serve tokens agree.
    Segmented split;
    if (SplitPossessives(ViewOf(out[i].doc.text, out[i].seg), &split.tokens, &split.sentences))
      out[i].seg = std::move(split);
    out[i].segments = SegmentsOf(out[i].view());
    unaligned += AlignGold(out[i].seg.tokens, out[i].doc.spans, &out[i].gold);
    spans += out[i].doc.spans.size();
    tokens += out[i].seg.tokens.size();
  }
  std::fprintf(stderr, "%s: %zu documents, %zu tokens, %zu entities (%zu not on token boundaries)\n", name,
               out.size(), tokens, spans, unaligned);
  return out;
}

// Tags every document with the serving path (Model::Tag) and scores it; with `errors` set,
// writes each false positive and false negative ("FP"/"FN", type, text) there.
Scores Evaluate(const std::vector<Prepared>& docs, const Model& model, std::FILE* errors = nullptr) {
  Scores s;
  std::vector<Mention> mentions;
  for (const Prepared& p : docs) {
    mentions.clear();
    model.Tag(p.view(), &mentions);
    std::vector<GoldSpan> predicted = SpansOf(mentions);
    s.Add(predicted, p.doc.spans);
    if (errors == nullptr) continue;
    auto dump = [&](const char* what, const std::vector<GoldSpan>& a, const std::vector<GoldSpan>& b) {
      for (const GoldSpan& x : a) {
        bool found = false;
        for (const GoldSpan& y : b) found = found || x == y;
        if (found) continue;
        size_t line_begin = p.doc.text.rfind('\n', x.begin);
        line_begin = line_begin == std::string::npos ? 0 : line_begin + 1;
        size_t line_end = p.doc.text.find('\n', x.end);
        std::fprintf(errors, "%s\t%s\t%s\t%s\n", what, TypeName(x.type),
                     p.doc.text.substr(x.begin, x.end - x.begin).c_str(),
                     p.doc.text.substr(line_begin, line_end - line_begin).c_str());
      }
    };
    dump("FP", predicted, p.doc.spans);
    dump("FN", p.doc.spans, predicted);
  }
  return s;
}

// Scores labels decoded with `w` from per-document features.
Scores EvaluateStage(const std::vector<Prepared>& docs, const std::vector<FeatureMatrix>& features,
                     const StageWeights& w, std::vector<std::vector<uint8_t>>* labels_out) {
  Scores s;
  std::vector<float> emit;
  std::vector<uint8_t> labels;
  for (size_t d = 0; d < docs.size(); ++d) {
    labels.assign(docs[d].seg.tokens.size(), 0);
    Model::Decode(features[d], docs[d].segments, w, emit, labels.data());
    s.Add(SpansOf(MentionsFromLabels(labels.data(), labels.size(), docs[d].seg.tokens.data())), docs[d].doc.spans);
    if (labels_out) (*labels_out)[d] = labels;
  }
  return s;
}

void BuildGazetteer(const Flags& flags, const SegmentFn& segment, Gazetteer& gaz) {
  std::vector<std::string> names;
  for (const auto& [cat, path] : flags.gazetteers) {
    int c = -1;
    for (size_t k = 0; k < names.size(); ++k)
      if (names[k] == cat) c = static_cast<int>(k);
    if (c < 0) {
      if (names.size() >= static_cast<size_t>(Gazetteer::kMaxCategories)) Usage("too many gazetteer categories (max 8)");
      c = static_cast<int>(names.size());
      names.push_back(cat);
    }
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read gazetteer " + path);
    std::string line;
    size_t count = 0;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      Segmented s = segment(line);
      std::vector<std::string> toks;
      for (const docanalysis_token& t : s.tokens) toks.push_back(Lower(std::string_view(line).substr(t.begin, t.end - t.begin)));
      gaz.Add(toks, c);
      ++count;
    }
    std::fprintf(stderr, "gazetteer %s: %zu phrases from %s\n", cat.c_str(), count, path.c_str());
  }
  gaz.set_category_names(names);
}

// Reads word clusters written by docanalysis-word-clusters: "word<TAB>fine<TAB>mid<TAB>coarse", 1-based ids.
void ReadClusters(const std::string& path, WordClusters& clusters) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read word clusters " + path);
  std::string line;
  size_t count = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t a = line.find('\t'), b = line.find('\t', a + 1), c = line.find('\t', b + 1);
    if (a == std::string::npos || b == std::string::npos || c == std::string::npos)
      throw std::runtime_error("bad word cluster line in " + path + ": " + line);
    uint32_t fine = static_cast<uint32_t>(std::strtoul(line.c_str() + a + 1, nullptr, 10));
    uint32_t mid = static_cast<uint32_t>(std::strtoul(line.c_str() + b + 1, nullptr, 10));
    uint32_t coarse = static_cast<uint32_t>(std::strtoul(line.c_str() + c + 1, nullptr, 10));
    if (!clusters.Add(Lower(std::string_view(line).substr(0, a)), fine, mid, coarse))
      throw std::runtime_error("word cluster id out of range in " + path + ": " + line);
    ++count;
  }
  std::fprintf(stderr, "word clusters: %zu words from %s\n", count, path.c_str());
}

// Picks the confidence softmax scale that best predicts whether a dev mention is right.
float CalibrateConfidence(Model& model, Regime regime, const std::vector<Prepared>& dev) {
  const float kScales[] = {0.05f, 0.1f, 0.2f, 0.3f, 0.5f, 0.75f, 1.0f, 1.5f};
  float best_scale = 1.0f;
  double best_loss = 1e300;
  for (float scale : kScales) {
    model.regime(regime).confidence_scale = scale;
    double loss = 0;
    std::vector<Mention> mentions;
    for (const Prepared& p : dev) {
      mentions.clear();
      model.Tag(p.view(), &mentions);
      std::vector<GoldSpan> spans = SpansOf(mentions);
      for (size_t i = 0; i < spans.size(); ++i) {
        bool right = false;
        for (const GoldSpan& g : p.doc.spans) right = right || g == spans[i];
        double c = std::min(std::max(static_cast<double>(mentions[i].confidence), 1e-4), 1 - 1e-4);
        loss -= right ? std::log(c) : std::log(1 - c);
      }
    }
    if (loss < best_loss) {
      best_loss = loss;
      best_scale = scale;
    }
  }
  model.regime(regime).confidence_scale = best_scale;
  return best_scale;
}

int Run(const Flags& flags) {
  SegmentFn segment = MakeSegmenter(flags.segmenter);
  auto start = std::chrono::steady_clock::now();
  if (!flags.eval.empty() && !flags.tag.empty()) {
    std::unique_ptr<Model> model = Model::Load(flags.eval);
    model->set_per_sentence_casing(flags.per_sentence_casing);
    model->set_title_case_caseless(flags.title_case_caseless);
    std::ifstream in(flags.tag);
    if (!in) throw std::runtime_error("cannot read " + flags.tag);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    Segmented seg = segment(text);
    std::vector<Mention> mentions;
    model->Tag(ViewOf(text, seg), &mentions);
    for (const Mention& m : mentions)
      std::printf("%u\t%u\t%s\t%.3f\t%s\n", m.begin, m.end, TypeName(m.type), m.confidence,
                  text.substr(m.begin, m.end - m.begin).c_str());
    return 0;
  }
  if (!flags.eval.empty()) {
    if (flags.test.empty()) Usage("--eval needs --test");
    std::unique_ptr<Model> model = Model::Load(flags.eval);
    std::fprintf(stderr, "model loaded in %.3f s\n", Seconds(start));
    model->set_per_sentence_casing(flags.per_sentence_casing);
    model->set_title_case_caseless(flags.title_case_caseless);
    if (flags.prune > 0) {  // to choose a pruning threshold on dev data
      std::ifstream in(flags.eval, std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      std::string error;
      model = Model::Parse(bytes, &error, /*compact=*/false);
      model->set_per_sentence_casing(flags.per_sentence_casing);
      model->set_title_case_caseless(flags.title_case_caseless);
      for (int r = 0; r < kNumRegimes; ++r) {
        Tagger& t = model->regime(static_cast<Regime>(r));
        t.stage1 = PruneStage(t.stage1, flags.prune);
        t.stage2 = PruneStage(t.stage2, flags.prune);
      }
      if (!flags.out.empty()) {  // writes the pruned model
        std::string pruned = model->Serialize();
        std::ofstream out(flags.out, std::ios::binary);
        out.write(pruned.data(), static_cast<std::streamsize>(pruned.size()));
        if (!out) throw std::runtime_error("cannot write " + flags.out);
        std::fprintf(stderr, "wrote %s (%.1f MB), weights |w| >= %g\n", flags.out.c_str(), pruned.size() / 1e6,
                     flags.prune);
      }
      model->CompactForServing();
    }
    for (int r = 0; r < (model->has_caseless() ? 2 : 1); ++r) {
      const Tagger& t = model->regime(static_cast<Regime>(r));
      std::fprintf(stderr, "regime %d: stage 1 %zu features %zu weights; stage 2 %zu features %zu weights\n", r,
                   t.stage1.emission.features(), t.stage1.emission.entries(), t.stage2.emission.features(),
                   t.stage2.emission.entries());
    }
    std::vector<Prepared> test = Prepare(flags.test, segment, "test", flags.test_case);
    auto t0 = std::chrono::steady_clock::now();
    std::FILE* errors = flags.errors.empty() ? nullptr : std::fopen(flags.errors.c_str(), "w");
    Scores s = Evaluate(test, *model, errors);
    if (errors) std::fclose(errors);
    std::printf("%s", s.Report().c_str());
    std::fprintf(stderr, "tagged in %.3f s\n", Seconds(t0));
    return 0;
  }
  if (flags.train.empty() || flags.dev.empty() || flags.out.empty()) Usage("--train, --dev and --out are required");

  // The regime being trained. With --caseless, the cased model (and its gazetteer) comes from
  // --base (read without compacting, so that it can be written again) and the data is lower-cased.
  std::unique_ptr<Model> owned = std::make_unique<Model>();
  if (flags.caseless) {
    std::ifstream in(flags.base, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::string error;
    owned = Model::Parse(bytes, &error, /*compact=*/false);
    if (owned == nullptr) throw std::runtime_error("cannot read base model " + flags.base + ": " + error);
  }
  Model& model = *owned;
  const Regime regime = flags.caseless ? Regime::kCaseless : Regime::kCased;
  const std::string data_case = flags.caseless ? "lower" : "as-is";
  if (!flags.caseless) BuildGazetteer(flags, segment, model.gazetteer());
  if (!flags.caseless && !flags.clusters.empty()) ReadClusters(flags.clusters, model.clusters());
  std::vector<Prepared> train = Prepare(flags.train, segment, "train", data_case);
  std::vector<Prepared> dev = Prepare(flags.dev, segment, "dev", data_case);
  FeatureExtractor fx(&model.gazetteer(), flags.caseless, &model.clusters());

  // Stage 1.
  std::vector<TrainDoc> train_docs(train.size());
  for (size_t d = 0; d < train.size(); ++d) {
    fx.Extract(train[d].view(), train[d].segments, nullptr, &train_docs[d].features);
    train_docs[d].segments = train[d].segments;
    train_docs[d].gold = train[d].gold;
  }
  std::vector<FeatureMatrix> dev_features(dev.size());
  for (size_t d = 0; d < dev.size(); ++d) fx.Extract(dev[d].view(), dev[d].segments, nullptr, &dev_features[d]);
  std::vector<const TrainDoc*> all;
  for (const TrainDoc& d : train_docs) all.push_back(&d);

  TrainOptions opts;
  opts.epochs = flags.epochs;
  opts.seed = flags.seed;
  opts.min_count = flags.min_count;
  auto on_epoch = [&](const char* stage, const std::vector<FeatureMatrix>& feats) {
    return [&, stage](int epoch, const StageWeights& w) {
      Scores s = EvaluateStage(dev, feats, w, nullptr);
      std::fprintf(stderr, "%s epoch %2d: dev F1 %.2f (P %.2f R %.2f), %zu features, %.0f s\n", stage, epoch, s.F1(-1),
                   s.Precision(-1), s.Recall(-1), w.emission.features(), Seconds(start));
      return s.F1(-1);
    };
  };
  // Trains a stage with dev selection of the epoch count, then (with --seeds N) N-1 more runs
  // with other shuffling seeds and that epoch count, and averages their weights.
  int stage_index = 0;
  auto train_stage = [&](const char* name, const std::vector<FeatureMatrix>& feats, int* best) {
    std::vector<StageWeights> runs;
    const int fixed = flags.fixed_epochs[stage_index++];
    if (fixed > 0) {
      TrainOptions exact = opts;
      exact.epochs = fixed;
      *best = fixed;
      runs.push_back(TrainStage(all, exact, nullptr, nullptr));
    } else {
      runs.push_back(TrainStage(all, opts, on_epoch(name, feats), best));
    }
    TrainOptions more = opts;
    more.epochs = *best;
    for (int k = 1; k < flags.seeds; ++k) {
      more.seed = opts.seed + static_cast<uint64_t>(k) * 7919;
      runs.push_back(TrainStage(all, more, nullptr, nullptr));
    }
    StageWeights avg = AverageStages(runs);
    if (flags.prune > 0) {
      size_t before = avg.emission.entries();
      avg = PruneStage(avg, flags.prune);
      std::fprintf(stderr, "%s: pruned |w| < %g: %zu -> %zu weights\n", name, flags.prune, before, avg.emission.entries());
    }
    Scores s = EvaluateStage(dev, feats, avg, nullptr);
    std::fprintf(stderr, "%s: best dev epoch %d; %d seed(s) averaged: dev F1 %.2f, %.0f s\n", name, *best,
                 flags.seeds, s.F1(-1), Seconds(start));
    return avg;
  };
  int best1 = 0;
  Tagger& tagger = model.regime(regime);
  tagger.stage1 = train_stage("stage 1", dev_features, &best1);

  if (flags.stages == 2) {
    // Jackknifed stage-1 labels for the training data, so that stage 2 learns from labels as
    // noisy as the ones it will see at run time.
    std::vector<std::vector<uint8_t>> train_labels(train.size());
    TrainOptions fold_opts = opts;
    fold_opts.epochs = best1;
    std::vector<float> emit;
    for (int k = 0; k < flags.folds; ++k) {
      std::vector<const TrainDoc*> part;
      for (size_t d = 0; d < train_docs.size(); ++d)
        if (static_cast<int>(d % flags.folds) != k) part.push_back(&train_docs[d]);
      StageWeights w = TrainStage(part, fold_opts, nullptr, nullptr);
      for (size_t d = static_cast<size_t>(k); d < train_docs.size(); d += flags.folds) {
        train_labels[d].assign(train[d].seg.tokens.size(), 0);
        Model::Decode(train_docs[d].features, train[d].segments, w, emit, train_labels[d].data());
      }
      std::fprintf(stderr, "fold %d/%d done, %.0f s\n", k + 1, flags.folds, Seconds(start));
    }
    std::vector<std::vector<uint8_t>> dev_labels(dev.size());
    EvaluateStage(dev, dev_features, tagger.stage1, &dev_labels);
    for (size_t d = 0; d < train.size(); ++d)
      fx.Extract(train[d].view(), train[d].segments, train_labels[d].data(), &train_docs[d].features);
    for (size_t d = 0; d < dev.size(); ++d)
      fx.Extract(dev[d].view(), dev[d].segments, dev_labels[d].data(), &dev_features[d]);
    int best2 = 0;
    tagger.stage2 = train_stage("stage 2", dev_features, &best2);
    tagger.has_stage2 = true;
  }
  train_docs.clear();
  if (flags.caseless) model.set_has_caseless(true);

  float scale = flags.confidence_scale;
  if (scale > 0) model.regime(regime).confidence_scale = scale;
  else scale = CalibrateConfidence(model, regime, dev);
  Scores dev_scores = Evaluate(dev, model);
  char desc[512];
  if (flags.caseless) {
    std::snprintf(desc, sizeof(desc), "%s; caseless regime: epochs %d, dev F1 %.2f (lower-cased), scale %.2f",
                  model.description().c_str(), flags.epochs, dev_scores.F1(-1), scale);
  } else {
  std::snprintf(desc, sizeof(desc),
                "averaged perceptron, BILOU, %d stage(s); epochs %d; seed %llu x %d; gazetteer phrases %zu; "
                "word clusters %zu words; dev F1 %.2f; confidence scale %.2f",
                flags.stages, flags.epochs, static_cast<unsigned long long>(flags.seed), flags.seeds,
                model.gazetteer().size(), model.clusters().size(),
                dev_scores.F1(-1), scale);
  }
  model.set_description(desc);
  std::string bytes = model.Serialize();
  {
    std::ofstream out(flags.out, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + flags.out);
  }
  std::fprintf(stderr, "wrote %s (%.1f MB) in %.0f s total\n", flags.out.c_str(), bytes.size() / 1e6, Seconds(start));
  std::printf("dev (%s):\n%s", flags.dev.c_str(), dev_scores.Report().c_str());
  if (!flags.test.empty()) {
    for (const char* how : {"as-is", "lower", "upper"}) {
      if (flags.caseless == (std::string(how) == "as-is")) continue;
      std::vector<Prepared> test = Prepare(flags.test, segment, "test", how);
      std::printf("test (%s, %s):\n%s", flags.test.c_str(), how, Evaluate(test, model).Report().c_str());
    }
  }
  return 0;
}

}  // namespace
}  // namespace docanalysis::entity

int main(int argc, char** argv) {
  try {
    return docanalysis::entity::Run(docanalysis::entity::ParseFlags(argc, argv));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "docanalysis-ner-train: %s\n", e.what());
    return 1;
  }
}
