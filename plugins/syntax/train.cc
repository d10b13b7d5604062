#include "train.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <string_view>

namespace docanalysis::syntax {
namespace {

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// One training sentence with gold words.
struct Sent {
  std::vector<WordAtoms> atoms;
  std::vector<std::string> forms;
  std::vector<int> cls;   // gold tag class
  std::vector<int> head;  // 0 root, else 1-based
  std::vector<int> label;
};

std::string Universal(const std::string& rel) { return rel.substr(0, rel.find(':')); }

std::vector<Sent> MakeSents(const SyntaxModel& m, const std::vector<GoldDoc>& docs, const std::map<std::string, int>& cls_of,
                            const std::map<std::string, int>& label_of) {
  std::vector<Sent> out;
  for (const GoldDoc& d : docs) {
    for (const GoldSentence& gs : d.sentences) {
      Sent s;
      for (const GoldWord& w : gs.words) {
        s.forms.push_back(w.form);
        s.atoms.push_back(m.Atoms(w.form));
        auto c = cls_of.find(w.upos + "\t" + w.xpos);
        s.cls.push_back(c == cls_of.end() ? -1 : c->second);
        s.head.push_back(w.head);
        auto l = label_of.find(w.deprel);
        s.label.push_back(l == label_of.end() ? -1 : l->second);
      }
      if (!s.forms.empty()) out.push_back(std::move(s));
    }
  }
  return out;
}

// ------------------------------------------------------------------ word splitter

}  // namespace

void LearnSplitter(const std::vector<GoldDoc>& docs, const Segmenter& segment, WordSplitter* splitter, bool verbose) {
  std::map<std::string, std::map<std::vector<uint8_t>, int>> seen;
  std::map<std::string, std::pair<int, int>> merge_text, merge_shape;  // (merged, not merged)
  size_t tokens = 0, tiled = 0, crossing = 0;
  for (const GoldDoc& d : docs) {
    HostSegmentation seg = segment(d.text);
    std::vector<std::pair<int64_t, int64_t>> spans;
    for (const GoldSentence& s : d.sentences)
      for (const GoldWord& w : s.words)
        if (w.begin >= 0) spans.emplace_back(w.begin, w.end);
    std::sort(spans.begin(), spans.end());
    // Runs of glued host tokens: is each sub-run one gold word?
    const auto& tk = seg.tokens;
    for (size_t i = 0; i < tk.size(); ++i) {
      size_t j = i + 1;
      while (j < tk.size() && j - i < WordSplitter::kMaxMerge && tk[j].begin == tk[j - 1].end) ++j;
      for (size_t k = i + 2; k <= j; ++k) {
        if (tk[k - 1].end - tk[i].begin > 64) break;
        std::string run = d.text.substr(tk[i].begin, tk[k - 1].end - tk[i].begin);
        bool merged = std::binary_search(spans.begin(), spans.end(),
                                         std::pair<int64_t, int64_t>(tk[i].begin, tk[k - 1].end));
        auto& t = merge_text[Lower(run)];
        auto& sh = merge_shape[WordSplitter::MergeShape(run)];
        (merged ? t.first : t.second)++;
        (merged ? sh.first : sh.second)++;
      }
    }
    size_t j = 0;
    for (const docanalysis_token& t : seg.tokens) {
      ++tokens;
      while (j < spans.size() && spans[j].second <= t.begin) ++j;
      std::vector<uint8_t> lens;
      int64_t at = t.begin;
      size_t k = j;
      bool ok = true;
      while (k < spans.size() && spans[k].first < t.end) {
        if (spans[k].first != at || spans[k].second > t.end || spans[k].second - spans[k].first > 255) { ok = false; break; }
        lens.push_back(static_cast<uint8_t>(spans[k].second - spans[k].first));
        at = spans[k].second;
        ++k;
      }
      if (!ok || at != t.end) { ++crossing; continue; }
      ++tiled;
      if (lens.size() == 1) lens.clear();
      std::string text = d.text.substr(t.begin, t.end - t.begin);
      if (text.size() > 64) continue;
      ++seen[Lower(text)][lens];
    }
  }
  splitter->table.clear();
  for (const auto& [text, patterns] : seen) {
    const std::vector<uint8_t>* best = nullptr;
    int best_n = 0;
    for (const auto& [p, n] : patterns)
      if (n > best_n) best = &p, best_n = n;
    if (*best != WordSplitter::RuleSplit(text)) splitter->table.emplace(text, *best);
  }
  // A shape merges when most of its runs are one word (and at least two are); a text whose own
  // majority disagrees with its shape's decision is an exception.
  splitter->merge_text.clear();
  splitter->merge_shape.clear();
  for (const auto& [shape, c] : merge_shape)
    if (c.first >= 2 && c.first > c.second) splitter->merge_shape.emplace(shape, true);
  for (const auto& [text, c] : merge_text) {
    bool by_shape = splitter->merge_shape.count(WordSplitter::MergeShape(text)) > 0;
    bool merge = c.first > c.second;
    if (merge != by_shape && (c.first > 0)) splitter->merge_text.emplace(text, merge);
  }
  if (verbose)
    std::fprintf(stderr, "splitter: %zu host tokens, %zu tiled by gold words, %zu cross a word boundary; %zu exceptions; "
                 "merges: %zu shapes, %zu texts\n",
                 tokens, tiled, crossing, splitter->table.size(), splitter->merge_shape.size(), splitter->merge_text.size());
}

namespace {

// ------------------------------------------------------------------ tagger

double TagAccuracy(const SyntaxModel& m, const std::vector<Sent>& sents) {
  size_t ok = 0, n = 0;
  std::vector<uint16_t> cls;
  std::vector<float> scores;
  for (const Sent& s : sents) {
    m.Tag(s.atoms, &cls, &scores);
    for (size_t i = 0; i < cls.size(); ++i) {
      ++n;
      ok += m.tags.upos[cls[i]] == (s.cls[i] >= 0 ? m.tags.upos[static_cast<size_t>(s.cls[i])] : std::string());
    }
  }
  return n ? 100.0 * static_cast<double>(ok) / static_cast<double>(n) : 0;
}

WeightTable TrainTagger(SyntaxModel& m, const std::vector<Sent>& train, const std::vector<Sent>* dev,
                        const TrainOptions& o, const char* name) {
  TrainWeights w;
  Rng rng(o.seed);
  std::vector<size_t> order(train.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  const size_t nc = m.tags.size();
  std::vector<float> scores(nc);
  uint64_t f[kMaxTaggerFeatures];
  WeightTable best;
  double best_acc = -1;
  int best_epoch = 0;
  for (int epoch = 1; epoch <= o.tagger_epochs; ++epoch) {
    const double t0 = Now();
    rng.Shuffle(order);
    size_t errors = 0, total = 0;
    for (size_t si : order) {
      const Sent& s = train[si];
      int p1 = -1, p2 = -1;
      for (size_t i = 0; i < s.atoms.size(); ++i) {
        size_t n = TaggerFeatures(s.atoms, i, p1, p2, f, m.feature_hash);
        std::fill(scores.begin(), scores.end(), 0.0f);
        w.Score(f, n, scores.data());
        int pred = 0;
        for (size_t c = 1; c < nc; ++c)
          if (scores[c] > scores[static_cast<size_t>(pred)]) pred = static_cast<int>(c);
        const int gold = s.cls[i];
        if (gold >= 0 && pred != gold) {
          w.Update(f, n, gold, 1.0f);
          w.Update(f, n, pred, -1.0f);
          ++errors;
        }
        ++total;
        w.Tick();
        p2 = p1;
        p1 = pred;
      }
    }
    if (dev == nullptr) {
      if (epoch == o.tagger_epochs) best = w.Compact(o.prune, nc);
      continue;
    }
    m.tagger = w.Compact(o.prune, nc);
    double acc = TagAccuracy(m, *dev);
    if (o.verbose)
      std::fprintf(stderr, "%s epoch %d: train errors %.2f%%, dev UPOS %.2f (%.1fs)\n", name, epoch,
                   100.0 * static_cast<double>(errors) / static_cast<double>(total), acc, Now() - t0);
    if (acc > best_acc) best_acc = acc, best = m.tagger, best_epoch = epoch;
  }
  if (o.verbose && dev) std::fprintf(stderr, "%s: best epoch %d (dev UPOS %.2f)\n", name, best_epoch, best_acc);
  return best;
}

// ------------------------------------------------------------------ morphology

void LearnMorphology(const std::vector<GoldDoc>& docs, const std::map<std::string, int>& cls_of, SyntaxModel& m) {
  Morphology& mo = m.morph;
  std::map<std::string, int> upos_of;
  for (const auto& u : m.tags.upos) upos_of.emplace(u, 0);
  int id = 0;
  for (auto& [u, i] : upos_of) i = id++, mo.upos_names.push_back(u);
  m.upos_id_of_class.clear();
  for (const auto& u : m.tags.upos) m.upos_id_of_class.push_back(static_cast<uint32_t>(upos_of[u]));

  std::map<std::string, int> feats_id;
  std::map<std::pair<uint64_t, int>, std::map<std::string, int>> by_form;
  std::vector<std::map<std::string, int>> by_class(m.tags.size());
  std::map<std::pair<std::string, int>, std::map<std::string, int>> lemma_exact, lemma_lower;
  std::map<std::tuple<int, std::string, size_t>, std::map<std::pair<int, std::string>, int>> rules;
  for (const GoldDoc& d : docs) {
    for (const GoldSentence& s : d.sentences) {
      for (const GoldWord& w : s.words) {
        auto c = cls_of.find(w.upos + "\t" + w.xpos);
        if (c == cls_of.end()) continue;
        ++by_form[{HashStr(Normalize(w.form)), c->second}][w.feats];
        ++by_class[static_cast<size_t>(c->second)][w.feats];
        feats_id.emplace(w.feats, 0);
        const int u = upos_of[w.upos];
        ++lemma_exact[{w.form, u}][w.lemma];
        ++lemma_lower[{Lower(w.form), u}][w.lemma];
        std::string base = w.upos == "PROPN" ? w.form : Lower(w.form);
        size_t common = 0;
        while (common < base.size() && common < w.lemma.size() && base[common] == w.lemma[common]) ++common;
        if (base.size() - common > 255) continue;
        std::pair<int, std::string> rule{static_cast<int>(base.size() - common), w.lemma.substr(common)};
        for (size_t k = 0; k <= std::min<size_t>(base.size(), 6); ++k) ++rules[{u, base.substr(base.size() - k), k}][rule];
      }
    }
  }
  auto majority = [](const auto& counts) {
    const auto* best = &*counts.begin();
    for (const auto& kv : counts)
      if (kv.second > best->second) best = &kv;
    return best;
  };
  id = 0;
  for (auto& [f, i] : feats_id) i = id++, mo.feats.push_back(f);
  for (const auto& [key, counts] : by_form) {
    uint16_t fid = static_cast<uint16_t>(feats_id[majority(counts)->first]);
    if (by_class[static_cast<size_t>(key.second)].empty()) continue;
    mo.feats_by_form[Morphology::FormKey(key.first, static_cast<uint32_t>(key.second))] = fid;
  }
  mo.feats_by_class.assign(m.tags.size(), static_cast<uint16_t>(feats_id.count("_") ? feats_id["_"] : 0));
  for (size_t c = 0; c < by_class.size(); ++c)
    if (!by_class[c].empty()) mo.feats_by_class[c] = static_cast<uint16_t>(feats_id[majority(by_class[c])->first]);
  std::map<std::pair<int, std::string>, uint32_t> rule_id;
  for (const auto& [key, counts] : rules) {
    const auto* best = majority(counts);
    if (best->second < 2) continue;
    auto [it, inserted] = rule_id.emplace(best->first, static_cast<uint32_t>(rule_id.size()));
    if (inserted) mo.rules.push_back({static_cast<uint8_t>(best->first.first), best->first.second});
    mo.rule_by_suffix[Morphology::SuffixKey(static_cast<uint32_t>(std::get<0>(key)), std::get<1>(key), std::get<2>(key))] = it->second;
  }
  // Exceptions: forms whose majority lemma the rules get wrong.
  for (const auto& [key, counts] : lemma_lower) {
    const std::string& lemma = majority(counts)->first;
    if (mo.RuleLemma(key.first, key.second) != lemma)
      mo.lemma_lower[Morphology::FormKey(HashStr(key.first), static_cast<uint32_t>(key.second))] = lemma;
  }
  for (const auto& [key, counts] : lemma_exact) {
    const std::string& lemma = majority(counts)->first;
    if (mo.Lemma(key.first, key.second) != lemma)
      mo.lemma_exact[Morphology::FormKey(HashStr(key.first), static_cast<uint32_t>(key.second))] = lemma;
  }
}

// ------------------------------------------------------------------ parser

// Structural costs of SHIFT, LEFT and RIGHT under the arc-hybrid dynamic oracle (Goldberg & Nivre
// 2013): the gold arcs each transition makes unreachable.
void Costs(const ParseState& st, const std::vector<int>& gold_head, int* shift, int* left, int* right) {
  const size_t sz = st.stack.size();
  const int s0 = st.stack.back();
  const int s1 = sz >= 2 ? st.stack[sz - 2] : -1;
  const int b0 = st.b <= st.n ? st.b : -1;
  auto g = [&](int x) { return gold_head[static_cast<size_t>(x)]; };
  auto in_buffer = [&](int x) { return x >= st.b && x <= st.n; };
  *shift = *left = *right = 0;
  if (b0 > 0) {
    for (size_t i = 0; i < sz; ++i) {
      int x = st.stack[i];
      if (x > 0 && g(x) == b0) ++*shift;
      if (x == g(b0) && x != s0) ++*shift;
    }
  }
  if (s0 > 0) {
    int deps = 0;
    for (int d = st.b; d <= st.n; ++d) deps += g(d) == s0;
    *left = deps + ((g(s0) != b0 && (g(s0) == s1 || in_buffer(g(s0)))) ? 1 : 0);
    *right = deps + ((g(s0) != s1 && in_buffer(g(s0))) ? 1 : 0);
  }
}

std::vector<ParseWord> ParseWords(const SyntaxModel& m, const Sent& s, const std::vector<int>& tags) {
  std::vector<ParseWord> w(1, ParseWord{2, 1});
  for (size_t i = 0; i < s.atoms.size(); ++i) w.push_back(m.MakeParseWord(s.atoms[i], tags[i]));
  return w;
}

std::vector<int> PredictTags(const SyntaxModel& m, const Sent& s) {
  std::vector<uint16_t> cls;
  std::vector<float> scores;
  m.Tag(s.atoms, &cls, &scores);
  return std::vector<int>(cls.begin(), cls.end());
}

double ParseLas(const SyntaxModel& m, const std::vector<Sent>& sents, double* uas) {
  size_t n = 0, ok_u = 0, ok_l = 0;
  SyntaxModel::Scratch scratch;
  for (const Sent& s : sents) {
    m.ParseSentence(ParseWords(m, s, PredictTags(m, s)), scratch);
    for (size_t i = 0; i < s.head.size(); ++i) {
      ++n;
      if (scratch.state.head[i + 1] == s.head[i]) {
        ++ok_u;
        int l = scratch.state.label[i + 1];
        ok_l += l >= 0 && s.label[i] >= 0 && Universal(m.labels[static_cast<size_t>(l)]) == Universal(m.labels[static_cast<size_t>(s.label[i])]);
      }
    }
  }
  *uas = n ? 100.0 * static_cast<double>(ok_u) / static_cast<double>(n) : 0;
  return n ? 100.0 * static_cast<double>(ok_l) / static_cast<double>(n) : 0;
}

WeightTable TrainParser(SyntaxModel& m, const std::vector<Sent>& train, const std::vector<std::vector<int>>& train_tags,
                        const std::vector<Sent>& dev, const TrainOptions& o) {
  TrainWeights w;
  Rng rng(o.seed + 7);
  const Transitions& tr = m.transitions;
  const int nc = tr.count();
  std::vector<float> scores(static_cast<size_t>(nc));
  std::vector<int> cost(static_cast<size_t>(nc));
  bool valid[256];
  uint64_t f[kMaxParserFeatures];
  std::vector<size_t> order(train.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  WeightTable best;
  double best_las = -1;
  int best_epoch = 0;
  ParseState st;
  for (int epoch = 1; epoch <= o.parser_epochs; ++epoch) {
    const double t0 = Now();
    rng.Shuffle(order);
    const bool explore = epoch >= o.explore_from;
    size_t errors = 0, total = 0;
    for (size_t si : order) {
      const Sent& s = train[si];
      bool labelled = true;
      for (int l : s.label) labelled &= l >= 0;
      if (!labelled) continue;
      std::vector<ParseWord> words = ParseWords(m, s, train_tags[si]);
      std::vector<int> gold_head(1, -1), gold_label(1, -1);
      gold_head.insert(gold_head.end(), s.head.begin(), s.head.end());
      gold_label.insert(gold_label.end(), s.label.begin(), s.label.end());
      st.Init(static_cast<int>(s.atoms.size()));
      while (!st.Terminal()) {
        tr.Valid(st, valid);
        size_t n = ParserFeatures(st, words, m.parser_unknown_words, f, nullptr, m.feature_hash);
        std::fill(scores.begin(), scores.end(), 0.0f);
        w.Score(f, n, scores.data());
        int c_shift, c_left, c_right;
        Costs(st, gold_head, &c_shift, &c_left, &c_right);
        const int s0 = st.stack.back();
        const int s1 = st.stack.size() >= 2 ? st.stack[st.stack.size() - 2] : -1;
        int min_cost = 1 << 30;
        for (int c = 0; c < nc; ++c) {
          if (!valid[c]) continue;
          int k;
          if (c == 0) k = c_shift;
          else if (c <= tr.labels) k = c_left + ((gold_head[static_cast<size_t>(s0)] == st.b && c - 1 != gold_label[static_cast<size_t>(s0)]) ? 1 : 0);
          else k = c_right + ((gold_head[static_cast<size_t>(s0)] == s1 && c - 1 - tr.labels != gold_label[static_cast<size_t>(s0)]) ? 1 : 0);
          cost[static_cast<size_t>(c)] = k;
          min_cost = std::min(min_cost, k);
        }
        int pred = -1, gold = -1;
        for (int c = 0; c < nc; ++c) {
          if (!valid[c]) continue;
          if (pred < 0 || scores[static_cast<size_t>(c)] > scores[static_cast<size_t>(pred)]) pred = c;
          if (cost[static_cast<size_t>(c)] == min_cost && (gold < 0 || scores[static_cast<size_t>(c)] > scores[static_cast<size_t>(gold)])) gold = c;
        }
        ++total;
        int next = pred;
        if (cost[static_cast<size_t>(pred)] > min_cost) {
          ++errors;
          w.Update(f, n, gold, 1.0f);
          w.Update(f, n, pred, -1.0f);
          if (!(explore && rng.Uniform() < o.explore_p)) next = gold;
        }
        w.Tick();
        tr.Apply(st, next);
      }
    }
    m.parser = w.Compact(o.prune, static_cast<size_t>(nc));
    double uas = 0, las = ParseLas(m, dev, &uas);
    if (o.verbose)
      std::fprintf(stderr, "parser epoch %d: train errors %.2f%%, dev UAS %.2f LAS %.2f (predicted tags), %zu features (%.1fs)\n",
                   epoch, 100.0 * static_cast<double>(errors) / static_cast<double>(total), uas, las,
                   m.parser.feature_count(), Now() - t0);
    if (las > best_las) best_las = las, best = m.parser, best_epoch = epoch;
  }
  if (o.verbose) std::fprintf(stderr, "parser: best epoch %d (dev LAS %.2f)\n", best_epoch, best_las);
  return best;
}

}  // namespace

SyntaxModel Train(const std::vector<GoldDoc>& train, const std::vector<GoldDoc>& dev, const Segmenter& segment,
                  const TrainOptions& o) {
  SyntaxModel m;
  m.parser_unknown_words = true;
  LearnSplitter(train, segment, &m.splitter, o.verbose);

  std::set<std::string> classes, labels;
  for (const GoldDoc& d : train)
    for (const GoldSentence& s : d.sentences)
      for (const GoldWord& w : s.words) classes.insert(w.upos + "\t" + w.xpos), labels.insert(w.deprel);
  std::map<std::string, int> cls_of, label_of;
  for (const auto& c : classes) {
    cls_of.emplace(c, static_cast<int>(cls_of.size()));
    m.tags.upos.push_back(c.substr(0, c.find('\t')));
    m.tags.xpos.push_back(c.substr(c.find('\t') + 1));
  }
  for (const auto& l : labels) label_of.emplace(l, static_cast<int>(label_of.size())), m.labels.push_back(l);
  m.transitions.labels = static_cast<int>(m.labels.size());
  m.transitions.root_label = label_of.count("root") ? label_of["root"] : 0;
  m.feature_hash = o.feature_hash == 2 ? 2 : 1;
  if (o.verbose) std::fprintf(stderr, "%zu tag classes, %zu labels\n", m.tags.size(), m.labels.size());

  // Ambiguity classes: the tag classes that make up at least 5% of a word's training occurrences,
  // for words seen at least twice (so that the tagger also learns from words without one, as
  // unknown words are at run time).
  {
    std::map<uint64_t, std::map<int, int>> seen;
    for (const GoldDoc& d : train)
      for (const GoldSentence& s : d.sentences)
        for (const GoldWord& w : s.words) ++seen[HashStr(Normalize(w.form))][cls_of[w.upos + "\t" + w.xpos]];
    for (const auto& [norm, counts] : seen) {
      int total = 0;
      for (const auto& [c, k] : counts) total += k;
      if (total < 2) continue;
      uint64_t h = 0x51ed27;
      for (const auto& [c, k] : counts)
        if (20 * k >= total) h = Mix(h ^ static_cast<uint64_t>(c + 1));
      m.ambiguity[norm] = h;
    }
  }
  std::vector<Sent> train_s = MakeSents(m, train, cls_of, label_of), dev_s = MakeSents(m, dev, cls_of, label_of);
  m.tagger = TrainTagger(m, train_s, &dev_s, o, "tagger");
  LearnMorphology(train, cls_of, m);

  // Tags for the parser's training data: jackknifed, so that it learns from tags as good as the
  // tagger's on unseen text.
  std::vector<std::vector<int>> train_tags(train_s.size());
  if (o.folds >= 2) {
    TrainOptions fo = o;
    fo.verbose = false;
    SyntaxModel fold_model = m;
    for (int k = 0; k < o.folds; ++k) {
      std::vector<Sent> part;
      for (size_t i = 0; i < train_s.size(); ++i)
        if (static_cast<int>(i % static_cast<size_t>(o.folds)) != k) part.push_back(train_s[i]);
      // As many epochs as the full tagger's best; no dev set involved.
      fold_model.tagger = TrainTagger(fold_model, part, nullptr, fo, "fold");
      for (size_t i = 0; i < train_s.size(); ++i)
        if (static_cast<int>(i % static_cast<size_t>(o.folds)) == k) train_tags[i] = PredictTags(fold_model, train_s[i]);
      if (o.verbose) std::fprintf(stderr, "jackknife fold %d of %d tagged\n", k + 1, o.folds);
    }
  } else {
    for (size_t i = 0; i < train_s.size(); ++i) train_tags[i] = train_s[i].cls;
  }
  for (size_t i = 0; i < train_s.size(); ++i)
    for (int& t : train_tags[i])
      if (t < 0) t = 0;
  m.parser = TrainParser(m, train_s, train_tags, dev_s, o);
  return m;
}

std::string Scores::ToString() const {
  char buf[256];
  std::snprintf(buf, sizeof(buf), "Words %.2f, UPOS %.2f, XPOS %.2f, UFeats %.2f, Lemmas %.2f, UAS %.2f, LAS %.2f (gold %zu, predicted %zu)",
                words, upos, xpos, feats, lemma, uas, las, gold, predicted);
  return buf;
}

namespace {

struct Counts {
  size_t gold = 0, pred = 0, words = 0, upos = 0, xpos = 0, feats = 0, lemma = 0, uas = 0, las = 0;
  Scores ToScores() const {
    Scores s;
    double den = static_cast<double>(gold + pred);
    auto f1 = [den](size_t k) { return den > 0 ? 200.0 * static_cast<double>(k) / den : 0.0; };
    s.words = f1(words), s.upos = f1(upos), s.xpos = f1(xpos), s.feats = f1(feats), s.lemma = f1(lemma);
    s.uas = f1(uas), s.las = f1(las);
    s.gold = gold, s.predicted = pred;
    return s;
  }
};

// Scores the analysed tokens of one document against its gold sentences.
void Score(const SyntaxModel& m, const std::string& text, const std::vector<GoldSentence>& sentences,
           const std::vector<OutToken>& toks, Counts* c) {
  std::map<std::pair<int64_t, int64_t>, size_t> pred;
  for (size_t i = 0; i < toks.size(); ++i) pred[{toks[i].begin, toks[i].end}] = i;
  c->pred += toks.size();
  for (const GoldSentence& s : sentences) {
    c->gold += s.words.size();
    for (const GoldWord& w : s.words) {
      if (w.begin < 0) continue;
      auto it = pred.find({w.begin, w.end});
      if (it == pred.end()) continue;
      const OutToken& t = toks[it->second];
      ++c->words;
      c->upos += m.tags.upos[t.cls] == w.upos;
      c->xpos += m.tags.xpos[t.cls] == w.xpos;
      c->feats += m.morph.feats[t.feats] == w.feats;
      c->lemma += m.morph.Lemma(std::string_view(text).substr(t.begin, t.end - t.begin), static_cast<int>(m.upos_id_of_class[t.cls])) == w.lemma;
      bool ok;
      if (w.head == 0) {
        ok = t.head == static_cast<int32_t>(it->second);
      } else {
        const GoldWord& h = s.words[static_cast<size_t>(w.head - 1)];
        auto hi = h.begin >= 0 ? pred.find({h.begin, h.end}) : pred.end();
        ok = hi != pred.end() && t.head == static_cast<int32_t>(hi->second);
      }
      if (ok) {
        ++c->uas;
        c->las += Universal(m.labels[t.label]) == Universal(w.deprel);
      }
    }
  }
}

}  // namespace

Scores EvaluateGoldWords(const SyntaxModel& m, const std::vector<GoldDoc>& docs) {
  Counts c;
  SyntaxModel::Scratch scratch;
  for (const GoldDoc& d : docs) {
    for (const GoldSentence& s : d.sentences) {
      // The gold words joined by spaces, each at its own span.
      std::string text;
      std::vector<WordSpan> words;
      GoldSentence located = s;
      for (GoldWord& w : located.words) {
        if (!text.empty()) text.push_back(' ');
        w.begin = static_cast<int64_t>(text.size());
        text += w.form;
        w.end = static_cast<int64_t>(text.size());
        words.push_back({static_cast<uint32_t>(w.begin), static_cast<uint32_t>(w.end)});
      }
      std::vector<OutToken> toks;
      m.AnalyzeWords(text, words, scratch, &toks);
      Score(m, text, {located}, toks, &c);
    }
  }
  return c.ToScores();
}

Scores EvaluateEndToEnd(const SyntaxModel& m, const std::vector<GoldDoc>& docs, const Segmenter& segment,
                        const AnalyzeOptions& options, std::FILE* errors) {
  Counts c;
  SyntaxModel::Scratch scratch;
  for (const GoldDoc& d : docs) {
    HostSegmentation seg = segment(d.text);
    std::vector<OutToken> toks;
    m.AnalyzeDocument(d.text, seg.tokens.data(), seg.tokens.size(), seg.sentences.data(), seg.sentences.size(),
                      options, scratch, &toks, nullptr);
    Score(m, d.text, d.sentences, toks, &c);
    if (errors == nullptr) continue;
    std::set<std::pair<int64_t, int64_t>> gold, pred;
    for (const GoldSentence& s : d.sentences)
      for (const GoldWord& w : s.words)
        if (w.begin >= 0) gold.insert({w.begin, w.end});
    for (const OutToken& t : toks) pred.insert({t.begin, t.end});
    auto context = [&](int64_t b, int64_t e) {
      int64_t from = std::max<int64_t>(0, b - 15), to = std::min<int64_t>(static_cast<int64_t>(d.text.size()), e + 15);
      std::string s = d.text.substr(static_cast<size_t>(from), static_cast<size_t>(to - from));
      for (char& ch : s)
        if (ch == '\n') ch = '|';
      return s;
    };
    for (const auto& [b, e] : gold)
      if (!pred.count({b, e})) std::fprintf(errors, "missed\t%s\t%s\n", d.text.substr(b, e - b).c_str(), context(b, e).c_str());
    for (const auto& [b, e] : pred)
      if (!gold.count({b, e})) std::fprintf(errors, "extra\t%s\t%s\n", d.text.substr(b, e - b).c_str(), context(b, e).c_str());
  }
  return c.ToScores();
}

}  // namespace docanalysis::syntax
