// Unit tests of the syntax plugin's pieces (word splitter, model file, tree invariants) and of the
// staged plugin run as the host runs it (service/testing/plugin_runner.h).
#include <dlfcn.h>

#include <fstream>
#include <iterator>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "docanalysis/plugin_abi.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "model.h"
#include "service/testing/plugin_runner.h"

namespace docanalysis::syntax {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> Words(const WordSplitter& s, const std::string& tok) {
  std::vector<WordSpan> spans;
  s.Split(tok, 10, &spans);
  std::vector<std::string> out;
  uint32_t at = 10;
  for (const WordSpan& w : spans) {
    EXPECT_EQ(w.begin, at);
    at = w.end;
    out.push_back(tok.substr(w.begin - 10, w.end - w.begin));
  }
  EXPECT_EQ(at, 10 + tok.size());
  return out;
}

const SyntaxModel& Model() {
  static SyntaxModel* m = [] {
    auto* model = new SyntaxModel;
    std::string error;
    if (!model->Load(DOCANALYSIS_SYNTAX_MODEL_PATH, &error)) ADD_FAILURE() << error;
    return model;
  }();
  return *m;
}

TEST(WordSplitterTest, RulesSplitCliticsAndHyphens) {
  WordSplitter rules;  // no learned table
  EXPECT_THAT(Words(rules, "don't"), ElementsAre("do", "n't"));
  EXPECT_THAT(Words(rules, "Can\xE2\x80\x99t"), ElementsAre("Ca", "n\xE2\x80\x99t"));
  EXPECT_THAT(Words(rules, "John's"), ElementsAre("John", "'s"));
  EXPECT_THAT(Words(rules, "they're"), ElementsAre("they", "'re"));
  EXPECT_THAT(Words(rules, "long-term"), ElementsAre("long", "-", "term"));
  EXPECT_THAT(Words(rules, "U.S."), ElementsAre("U.S."));
  EXPECT_THAT(Words(rules, "3-4"), ElementsAre("3-4"));
  EXPECT_THAT(Words(rules, "'s"), ElementsAre("'s"));
}

TEST(WordSplitterTest, LearnedTableSplitsWhatTheTreebankSplits) {
  const WordSplitter& s = Model().splitter;
  EXPECT_THAT(Words(s, "cannot"), ElementsAre("can", "not"));
  EXPECT_THAT(Words(s, "Cannot"), ElementsAre("Can", "not"));
  EXPECT_THAT(Words(s, "gonna"), ElementsAre("gon", "na"));
  EXPECT_THAT(Words(s, "e-mail"), ElementsAre("e-mail"));
  EXPECT_THAT(Words(s, "won't"), ElementsAre("wo", "n't"));
}

// The scoring table's index (8-byte slots keyed by the high half of the key, the low half checked
// in the row) against a plain search of the stored rows: random tables of sparse and dense rows,
// keys that share their high or low half with stored keys, absent keys, repeated features; the
// sums must match to the bit.
TEST(WeightTableTest, ScoreMatchesThePlainSearchToTheBit) {
  Rng rng(42);
  for (size_t classes : {3u, 8u, 40u, 102u, 103u, 109u, 200u}) {
    std::set<uint64_t> key_set;
    std::vector<uint64_t> stored;
    while (key_set.size() < 3000) {
      uint64_t k = rng.Next();
      const uint64_t pick = rng.Next() % 8;
      if (pick == 0 && !stored.empty()) k = (stored[rng.Next() % stored.size()] & 0xFFFFFFFF00000000ULL) | (k & 0xFFFFFFFFULL);
      if (pick == 1 && !stored.empty()) k = (stored[rng.Next() % stored.size()] & 0xFFFFFFFFULL) | (k << 32);
      if (key_set.insert(k).second) stored.push_back(k);
    }
    WeightTable t;
    std::vector<std::pair<uint8_t, float>> row;
    for (uint64_t k : key_set) {
      row.clear();
      const size_t len = rng.Next() % 5 == 0 ? classes / 4 + rng.Next() % (classes - classes / 4 + 1)
                                              : 1 + rng.Next() % std::min<size_t>(classes, 12);
      std::vector<uint8_t> cls(classes);
      for (size_t c = 0; c < classes; ++c) cls[c] = static_cast<uint8_t>(c);
      rng.Shuffle(cls);
      cls.resize(std::max<size_t>(len, 1));
      std::sort(cls.begin(), cls.end());
      for (uint8_t c : cls) row.emplace_back(c, static_cast<float>(rng.Uniform() * 2 - 1) + 1e-3f);
      t.Append(k, row);
    }
    t.BuildIndex(classes);
    ASSERT_EQ(t.stride() % 8, 0u);
    std::vector<uint64_t> features(WeightTable::kMaxBatch);
    std::vector<float> fast(t.stride()), slow(t.stride());
    for (int trial = 0; trial < 2000; ++trial) {
      const size_t n = rng.Next() % (WeightTable::kMaxBatch + 1);
      for (size_t i = 0; i < n; ++i) {
        const uint64_t k = stored[rng.Next() % stored.size()];
        switch (rng.Next() % 4) {
          case 0: features[i] = k; break;
          case 1: features[i] = k ^ (1 + rng.Next() % 0xFFFFFFFFULL); break;  // same high half
          case 2: features[i] = k ^ ((1 + rng.Next() % 0xFFFFFFFFULL) << 32); break;  // same low half
          default: features[i] = i > 0 ? features[rng.Next() % i] : rng.Next();
        }
      }
      std::fill(fast.begin(), fast.end(), 0.0f);
      std::fill(slow.begin(), slow.end(), 0.0f);
      t.Score(features.data(), n, fast.data());
      t.ScoreReference(features.data(), n, slow.data());
      ASSERT_EQ(std::memcmp(fast.data(), slow.data(), classes * sizeof(float)), 0)
          << "classes " << classes << " trial " << trial;
    }
  }
}

TEST(WeightTableTest, ShippedModelScoresMatchThePlainSearch) {
  const SyntaxModel& m = Model();
  SyntaxModel::Scratch s;
  std::vector<WordSpan> words;
  const std::string text = "The quick brown fox didn't jump over the lazy dog's long-term plans.";
  std::vector<WordAtoms> atoms;
  for (size_t b = 0, e; b < text.size(); b = e + 1) {
    e = text.find(' ', b);
    if (e == std::string::npos) e = text.size();
    atoms.push_back(m.Atoms(std::string_view(text).substr(b, e - b)));
  }
  uint64_t f[kMaxTaggerFeatures];
  std::vector<float> fast(m.tagger.stride()), slow(m.tagger.stride());
  for (size_t i = 0; i < atoms.size(); ++i) {
    const size_t n = TaggerFeatures(atoms, i, static_cast<int>(i) - 1, static_cast<int>(i) - 2, f, m.feature_hash);
    std::fill(fast.begin(), fast.end(), 0.0f);
    std::fill(slow.begin(), slow.end(), 0.0f);
    m.tagger.Score(f, n, fast.data());
    m.tagger.ScoreReference(f, n, slow.data());
    EXPECT_EQ(std::memcmp(fast.data(), slow.data(), m.tags.size() * sizeof(float)), 0) << i;
  }
}

// The flat lookup tables (ambiguity classes, FEATS by form) against the maps they copy: present
// keys, absent keys, keys that land on the same home slot.
TEST(FlatHashMapTest, AnswersWhatTheMapAnswers) {
  Rng rng(7);
  for (size_t size : {0u, 1u, 7u, 1000u, 20000u}) {
    std::unordered_map<uint64_t, uint16_t> m;
    std::vector<uint64_t> keys;
    while (m.size() < size) {
      uint64_t k = rng.Next() % 4 == 0 ? rng.Next() % 64 : rng.Next();  // small keys collide often
      if (m.emplace(k, static_cast<uint16_t>(rng.Next())).second) keys.push_back(k);
    }
    FlatHashMap<uint16_t> flat;
    EXPECT_FALSE(flat.built());
    flat.Build(m);
    ASSERT_TRUE(flat.built());
    for (int i = 0; i < 50000; ++i) {
      const uint64_t k = !keys.empty() && i % 2 ? keys[rng.Next() % keys.size()] : (i % 4 ? rng.Next() : rng.Next() % 128);
      auto it = m.find(k);
      const uint16_t* f = flat.Find(k);
      ASSERT_EQ(f != nullptr, it != m.end()) << k;
      if (f) {
        EXPECT_EQ(*f, it->second);
      }
    }
  }
}

// The parser's fast path (no scores when one transition is legal, illegal classes masked, first
// maximum found eight lanes at a time, indexed weights) against the plain loop it replaces:
// Transitions::Valid(), ScoreReference(), a scan for the first strictly greater legal score.
TEST(SyntaxModelTest, ParserMatchesThePlainLoop) {
  const SyntaxModel& m = Model();
  const std::string text =
      "The quick brown fox didn't jump over the lazy dog's long-term plans . I saw it , and then "
      "we left for Paris on 08/16/2000 because nobody could tell us what to do with the money .";
  std::vector<WordSpan> words;
  for (uint32_t b = 0, e; b < text.size(); b = e + 1) {
    e = static_cast<uint32_t>(std::min(text.find(' ', b), text.size()));
    words.push_back({b, e});
  }
  for (size_t len = 1; len <= words.size(); len += 3) {
    std::vector<WordSpan> part(words.begin(), words.begin() + static_cast<std::ptrdiff_t>(len));
    SyntaxModel::Scratch s;
    std::vector<OutToken> out;
    m.AnalyzeWords(text, part, s, &out);
    // The reference, from the same tags.
    std::vector<ParseWord> pw(1, ParseWord{2, 1});
    for (size_t i = 0; i < len; ++i) pw.push_back(m.MakeParseWord(s.atoms[i], out[i].cls));
    ParseState st;
    st.Init(static_cast<int>(len));
    std::vector<float> sc(m.parser.stride());
    bool valid[256];
    uint64_t f[kMaxParserFeatures];
    while (!st.Terminal()) {
      m.transitions.Valid(st, valid);
      const size_t n = ParserFeatures(st, pw, m.parser_unknown_words, f, nullptr, m.feature_hash);
      uint64_t g[kMaxParserFeatures];  // the same features from the table of small atoms
      ASSERT_EQ(ParserFeatures(st, pw, m.parser_unknown_words, g, m.parser_small_features.data(), m.feature_hash), n);
      ASSERT_EQ(std::memcmp(f, g, n * sizeof(uint64_t)), 0);
      std::fill(sc.begin(), sc.end(), 0.0f);
      m.parser.ScoreReference(f, n, sc.data());
      int best = -1;
      for (int c = 0; c < m.transitions.count(); ++c)
        if (valid[c] && (best < 0 || sc[static_cast<size_t>(c)] > sc[static_cast<size_t>(best)])) best = c;
      ASSERT_GE(best, 0);
      m.transitions.Apply(st, best);
    }
    for (size_t i = 0; i < len; ++i) {
      const int h = st.head[i + 1];
      EXPECT_EQ(out[i].head, h <= 0 ? static_cast<int32_t>(i) : h - 1) << len << " " << i;
      EXPECT_EQ(out[i].label, st.label[i + 1] < 0 ? m.transitions.root_label : st.label[i + 1]) << len << " " << i;
    }
  }
}

// Forced() and Best() against Valid() and a plain scan, on states reached by random legal
// transitions and on random scores with many ties (+0 and -0 among them).
TEST(TransitionsTest, BestIsTheFirstHighestLegalClass) {
  Rng rng(11);
  for (int labels : {2, 3, 51}) {
    Transitions tr;
    tr.labels = labels;
    tr.root_label = static_cast<int>(rng.Next() % static_cast<uint64_t>(labels));
    const size_t stride = (static_cast<size_t>(tr.count()) + 7) / 8 * 8;
    const float values[] = {-1.5f, -0.0f, 0.0f, 0.25f, 2.0f};
    for (int sentence = 0; sentence < 300; ++sentence) {
      ParseState st;
      st.Init(1 + static_cast<int>(rng.Next() % 30));
      bool valid[256];
      std::vector<float> sc(stride);
      while (!st.Terminal()) {
        tr.Valid(st, valid);
        int legal = 0, only = -1;
        for (int c = 0; c < tr.count(); ++c)
          if (valid[c]) ++legal, only = c;
        ASSERT_GT(legal, 0);
        // With three labels or more, one legal class happens only where Forced() looks.
        if (labels >= 3 || tr.Forced(st) >= 0) {
          EXPECT_EQ(tr.Forced(st), legal == 1 ? only : -1);
        }
        for (float& x : sc) x = rng.Next() % 3 ? values[rng.Next() % 5] : static_cast<float>(rng.Uniform());
        int want = -1;
        for (int c = 0; c < tr.count(); ++c)
          if (valid[c] && (want < 0 || sc[static_cast<size_t>(c)] > sc[static_cast<size_t>(want)])) want = c;
        const int got = tr.Best(st, sc.data(), stride);
        ASSERT_EQ(got, want) << "labels " << labels;
        tr.Apply(st, got);
      }
    }
  }
}

TEST(SyntaxModelTest, SerializeRoundTripsByteForByte) {
  std::string bytes = Model().Serialize();
  SyntaxModel copy;
  std::string error;
  ASSERT_TRUE(copy.Parse(bytes, &error)) << error;
  EXPECT_EQ(copy.Serialize(), bytes);
}

TEST(SyntaxModelTest, TruncatedOrForeignFilesAreRejected) {
  std::string bytes = Model().Serialize();
  SyntaxModel m;
  std::string error;
  EXPECT_FALSE(m.Parse(bytes.substr(0, bytes.size() / 2), &error));
  EXPECT_THAT(error, HasSubstr("syntax model"));
  EXPECT_FALSE(m.Parse("not a model at all", &error));
  EXPECT_THAT(error, HasSubstr("bad magic"));
  EXPECT_FALSE(m.Parse(bytes + "x", &error));
  EXPECT_FALSE(m.Load("/nonexistent/syntax.model", &error));
  EXPECT_THAT(error, HasSubstr("cannot open"));
}

// The flags word after the magic: a flag this code does not know, or the hashing flag in a file
// of a format before 4, is an error, not a model read with the wrong features.
TEST(SyntaxModelTest, UnknownFlagsAreRejected) {
  std::string bytes = Model().Serialize();
  BinaryReader in(bytes);
  std::string magic;
  ASSERT_TRUE(in.GetString(magic));
  const size_t flags_at = bytes.size() - in.remaining();
  uint32_t flags = 0;
  std::memcpy(&flags, bytes.data() + flags_at, sizeof(flags));
  SyntaxModel m;
  std::string error;
  for (uint32_t bad : {flags | 4u, flags | 0x80000000u}) {
    std::string b = bytes;
    std::memcpy(b.data() + flags_at, &bad, sizeof(bad));
    EXPECT_FALSE(m.Parse(b, &error)) << bad;
    EXPECT_THAT(error, HasSubstr("unknown flags"));
  }
  if (magic == "docanalysis-syntax-model-4" && (flags & 2u)) {  // the hashing flag under format 3
    std::string b = bytes;
    b[magic.size() - 1 + (flags_at - magic.size())] = '3';
    ASSERT_EQ(b.substr(flags_at - magic.size(), magic.size()), "docanalysis-syntax-model-3");
    EXPECT_FALSE(m.Parse(b, &error));
    EXPECT_THAT(error, HasSubstr("unknown flags"));
  }
}

// Every sentence of the output is a tree: one root pointing at itself, heads inside the sentence,
// no cycles.
void ExpectTrees(const std::vector<OutToken>& toks) {
  for (size_t i = 0; i < toks.size(); ++i) {
    ASSERT_GE(toks[i].head, 0);
    ASSERT_LT(static_cast<size_t>(toks[i].head), toks.size());
    size_t x = i, steps = 0;
    while (toks[x].head != static_cast<int32_t>(x)) {
      x = static_cast<size_t>(toks[x].head);
      ASSERT_LE(++steps, toks.size()) << "cycle through token " << i;
    }
  }
}

TEST(SyntaxModelTest, ParsesIntoTreesWithOneRootPerSentence) {
  const SyntaxModel& m = Model();
  std::string text = "The cats sat on the mat. They didn't move";
  std::vector<WordSpan> s1 = {{0, 3}, {4, 8}, {9, 12}, {13, 15}, {16, 19}, {20, 23}, {23, 24}};
  std::vector<OutToken> out;
  SyntaxModel::Scratch scratch;
  m.AnalyzeWords(text, s1, scratch, &out);
  ASSERT_EQ(out.size(), 7u);
  ExpectTrees(out);
  int roots = 0;
  for (size_t i = 0; i < out.size(); ++i) roots += out[i].head == static_cast<int32_t>(i);
  EXPECT_EQ(roots, 1);
  EXPECT_EQ(m.tags.upos[out[1].cls], "NOUN");
  EXPECT_EQ(m.tags.upos[out[2].cls], "VERB");
  EXPECT_EQ(m.labels[out[2].label], "root");
  EXPECT_EQ(out[1].head, 2);  // cats <- sat
  EXPECT_EQ(m.labels[out[1].label], "nsubj");
  EXPECT_EQ(m.morph.Lemma("cats", static_cast<int>(m.upos_id_of_class[out[1].cls])), "cat");
  EXPECT_EQ(m.morph.Lemma("sat", static_cast<int>(m.upos_id_of_class[out[2].cls])), "sit");
  EXPECT_EQ(m.morph.feats[out[1].feats], "Number=Plur");
}

TEST(SyntaxModelTest, LongRunsWithoutPunctuationStayTrees) {
  const SyntaxModel& m = Model();
  std::string text;
  std::vector<docanalysis_token> tokens;
  for (int i = 0; i < 3000; ++i) {
    uint32_t b = static_cast<uint32_t>(text.size());
    text += (i % 3 == 0) ? "dogs" : (i % 3 == 1) ? "chase" : "cats";
    tokens.push_back({b, static_cast<uint32_t>(text.size()), DOCANALYSIS_TOKEN_WORD, DOCANALYSIS_TOKEN_SPACE_BEFORE});
    text += ' ';
  }
  docanalysis_sentence sent{0, static_cast<uint32_t>(text.size() - 1), 0, static_cast<uint32_t>(tokens.size()), 0};
  std::vector<OutToken> out;
  SyntaxModel::Scratch scratch;
  ASSERT_TRUE(m.AnalyzeDocument(text, tokens.data(), tokens.size(), &sent, 1, {}, scratch, &out, nullptr));
  EXPECT_EQ(out.size(), tokens.size());
  ExpectTrees(out);
}

TEST(SyntaxModelTest, NewlinesEndSentencesOnlyWhenAsked) {
  const SyntaxModel& m = Model();
  std::string text = "Results\nWe won";
  std::vector<docanalysis_token> tokens = {{0, 7, DOCANALYSIS_TOKEN_WORD, DOCANALYSIS_TOKEN_SPACE_BEFORE},
                                           {8, 10, DOCANALYSIS_TOKEN_WORD,
                                            DOCANALYSIS_TOKEN_SPACE_BEFORE | DOCANALYSIS_TOKEN_NEWLINE_BEFORE},
                                           {11, 14, DOCANALYSIS_TOKEN_WORD, DOCANALYSIS_TOKEN_SPACE_BEFORE}};
  docanalysis_sentence sent{0, 14, 0, 3, 0};
  auto roots = [&](bool split) {
    AnalyzeOptions o;
    o.split_at_newlines = split;
    std::vector<OutToken> out;
    SyntaxModel::Scratch scratch;
    m.AnalyzeDocument(text, tokens.data(), tokens.size(), &sent, 1, o, scratch, &out, nullptr);
    int n = 0;
    for (size_t i = 0; i < out.size(); ++i) n += out[i].head == static_cast<int32_t>(i);
    return n;
  };
  EXPECT_EQ(roots(true), 2);
  EXPECT_EQ(roots(false), 1);
}

TEST(SyntaxModelTest, CancellationStopsTheDocument) {
  const SyntaxModel& m = Model();
  std::string text = "Hello there";
  std::vector<docanalysis_token> tokens = {{0, 5, DOCANALYSIS_TOKEN_WORD, 1}, {6, 11, DOCANALYSIS_TOKEN_WORD, 1}};
  docanalysis_sentence sent{0, 11, 0, 2, 0};
  std::vector<OutToken> out;
  SyntaxModel::Scratch scratch;
  EXPECT_FALSE(m.AnalyzeDocument(text, tokens.data(), tokens.size(), &sent, 1, {}, scratch, &out, [] { return true; }));
  EXPECT_TRUE(out.empty());
}

// The staged plugin, loaded and run as the server does.
TEST(SyntaxPluginTest, ReportsWordsTagsLemmasAndTrees) {
  auto runner = docanalysis::testing::PluginRunner::Load(SYNTAX_PLUGIN_DIR);
  ASSERT_TRUE(runner.ok()) << runner.status();
  std::string text = "I don't like children. Mr. Smith cannot come";
  docanalysis::testing::PluginRun run = (*runner)->Run(text);
  ASSERT_TRUE(run.status.ok()) << run.status;
  const auto& toks = run.results->syntax_tokens;
  std::vector<std::string> words;
  for (const auto& t : toks) words.push_back(text.substr(t.begin, t.end - t.begin));
  EXPECT_THAT(words, ElementsAre("I", "do", "n't", "like", "children", ".", "Mr.", "Smith", "can", "not", "come"));
  std::map<std::string, const ResultCollector::SyntaxToken*> by_word;
  for (size_t i = 0; i < toks.size(); ++i) by_word[words[i]] = &toks[i];
  EXPECT_EQ(by_word["children"]->lemma, "child");
  EXPECT_EQ(by_word["children"]->tag, "NOUN");
  EXPECT_EQ(by_word["children"]->xpos, "NNS");
  EXPECT_EQ(by_word["children"]->features, "Number=Plur");
  EXPECT_EQ(by_word["n't"]->lemma, "not");
  EXPECT_EQ(by_word["like"]->label, "root");
  EXPECT_EQ(by_word["I"]->label, "nsubj");
  EXPECT_EQ(by_word["I"]->head, 3u);
  int roots = 0;
  for (size_t i = 0; i < toks.size(); ++i) {
    ASSERT_LT(toks[i].head, toks.size());
    roots += toks[i].head == i;
  }
  EXPECT_EQ(roots, 2);
  EXPECT_EQ(run.results->rejected, 0u);
}

TEST(SyntaxPluginTest, BadOptionIsInvalidArgument) {
  auto runner = docanalysis::testing::PluginRunner::Load(SYNTAX_PLUGIN_DIR);
  ASSERT_TRUE(runner.ok()) << runner.status();
  docanalysis::testing::PluginRun run = (*runner)->Run("Hi there.", {{"split_at_newlines", "maybe"}});
  EXPECT_EQ(run.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(run.results->error, HasSubstr("split_at_newlines"));
}

// A 1.1 plugin created by a 1.0 host must not touch the sink fields that host lacks: the syntax
// plugin refuses to load, with a message that names the ABI.
TEST(SyntaxPluginTest, RefusesAHostOlderThanAbi11) {
  std::string lib = std::string(SYNTAX_PLUGIN_DIR) + "/libsyntax.so";
  void* h = dlopen(lib.c_str(), RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(h, nullptr) << dlerror();
  auto get = reinterpret_cast<docanalysis_plugin_get_api_fn>(dlsym(h, DOCANALYSIS_PLUGIN_ENTRY_SYMBOL));
  ASSERT_NE(get, nullptr);
  const docanalysis_plugin_api* api = get();
  EXPECT_EQ(api->abi_minor, 1u);
  std::string error;
  std::string dir = SYNTAX_PLUGIN_DIR;
  docanalysis_create_args args{};
  args.host_abi_major = 1;
  args.host_abi_minor = 0;
  args.plugin_dir = {dir.data(), dir.size()};
  args.set_error = [](void* ctx, docanalysis_str m) { static_cast<std::string*>(ctx)->assign(m.data, m.size); };
  args.error_ctx = &error;
  void* instance = nullptr;
  EXPECT_EQ(api->create(&args, &instance), DOCANALYSIS_FAILED_PRECONDITION);
  EXPECT_THAT(error, HasSubstr("ABI 1.1"));
  dlclose(h);
}

}  // namespace
}  // namespace docanalysis::syntax
