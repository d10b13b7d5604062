#include "conll.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <stdexcept>

namespace docanalysis::entity {

std::vector<ConllDoc> ReadConll(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read CoNLL file " + path);
  std::vector<ConllDoc> docs;
  ConllDoc doc;
  bool in_sentence = false;
  int open_type = -1;  // type of the entity being extended, -1 none
  auto end_sentence = [&] {
    if (in_sentence) doc.text.push_back('\n');
    in_sentence = false;
    open_type = -1;
  };
  auto end_doc = [&] {
    end_sentence();
    if (!doc.text.empty()) docs.push_back(std::move(doc));
    doc = ConllDoc();
  };
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("-DOCSTART-", 0) == 0) {
      end_doc();
      continue;
    }
    size_t b = line.find_first_not_of(" \t");
    if (b == std::string::npos) {
      end_sentence();
      continue;
    }
    size_t e = line.find_first_of(" \t", b);
    std::string word = line.substr(b, e == std::string::npos ? std::string::npos : e - b);
    size_t te = line.find_last_not_of(" \t");
    size_t tb = line.find_last_of(" \t", te);
    std::string tag = line.substr(tb == std::string::npos ? 0 : tb + 1, te - (tb == std::string::npos ? 0 : tb + 1) + 1);
    if (in_sentence) doc.text.push_back(' ');
    in_sentence = true;
    uint32_t start = static_cast<uint32_t>(doc.text.size());
    doc.text += word;
    uint32_t end = static_cast<uint32_t>(doc.text.size());
    if (tag == "O" || tag.size() < 3 || tag[1] != '-') {
      open_type = -1;
      continue;
    }
    int type = TypeFromName(tag.substr(2));
    if (type < 0) {
      open_type = -1;
      continue;
    }
    if (open_type == type && tag[0] == 'I') {
      doc.spans.back().end = end;
    } else {
      doc.spans.push_back({start, end, type});
      open_type = type;
    }
  }
  end_doc();
  return docs;
}

Segmented WhitespaceSegment(std::string_view text) {
  Segmented s;
  uint32_t i = 0, n = static_cast<uint32_t>(text.size());
  uint32_t sent_first_token = 0;
  bool newline = true;
  auto close_sentence = [&] {
    uint32_t count = static_cast<uint32_t>(s.tokens.size());
    if (count > sent_first_token)
      s.sentences.push_back({s.tokens[sent_first_token].begin, s.tokens.back().end, sent_first_token, count, 0});
    sent_first_token = count;
  };
  while (i < n) {
    if (text[i] == '\n') {
      close_sentence();
      newline = true;
      ++i;
      continue;
    }
    if (text[i] == ' ' || text[i] == '\t' || text[i] == '\r') {
      ++i;
      continue;
    }
    uint32_t b = i;
    while (i < n && text[i] != ' ' && text[i] != '\t' && text[i] != '\n' && text[i] != '\r') ++i;
    uint32_t flags = DOCANALYSIS_TOKEN_SPACE_BEFORE | (newline ? DOCANALYSIS_TOKEN_NEWLINE_BEFORE : 0);
    s.tokens.push_back({b, i, DOCANALYSIS_TOKEN_WORD, flags});
    newline = false;
  }
  close_sentence();
  return s;
}

DocView ViewOf(std::string_view text, const Segmented& s) {
  DocView v;
  v.text = text;
  v.tokens = s.tokens.data();
  v.token_count = s.tokens.size();
  v.sentences = s.sentences.data();
  v.sentence_count = s.sentences.size();
  return v;
}

size_t AlignGold(const std::vector<docanalysis_token>& tokens, const std::vector<GoldSpan>& spans,
                 std::vector<uint8_t>* labels) {
  labels->assign(tokens.size(), 0);
  size_t unaligned = 0;
  size_t t = 0;
  for (const GoldSpan& g : spans) {
    while (t < tokens.size() && tokens[t].end <= g.begin) ++t;
    size_t first = t, last = t;
    while (last < tokens.size() && tokens[last].begin < g.end) ++last;
    if (first >= last || tokens[first].begin != g.begin || tokens[last - 1].end != g.end) {
      ++unaligned;
      continue;
    }
    if (last - first == 1) {
      (*labels)[first] = static_cast<uint8_t>(MakeLabel(g.type, kU));
    } else {
      (*labels)[first] = static_cast<uint8_t>(MakeLabel(g.type, kB));
      for (size_t k = first + 1; k + 1 < last; ++k) (*labels)[k] = static_cast<uint8_t>(MakeLabel(g.type, kI));
      (*labels)[last - 1] = static_cast<uint8_t>(MakeLabel(g.type, kL));
    }
  }
  return unaligned;
}

std::vector<GoldSpan> SpansOf(const std::vector<Mention>& mentions) {
  std::vector<GoldSpan> out;
  out.reserve(mentions.size());
  for (const Mention& m : mentions) out.push_back({m.begin, m.end, m.type});
  return out;
}

void Scores::Add(const std::vector<GoldSpan>& predicted, const std::vector<GoldSpan>& gold) {
  std::vector<GoldSpan> p = predicted, g = gold;
  std::sort(p.begin(), p.end());
  p.erase(std::unique(p.begin(), p.end()), p.end());
  std::sort(g.begin(), g.end());
  g.erase(std::unique(g.begin(), g.end()), g.end());
  for (const GoldSpan& s : p) {
    if (s.type < 0 || s.type >= kNumTypes) continue;
    if (std::binary_search(g.begin(), g.end(), s)) ++tp[s.type];
    else ++fp[s.type];
  }
  for (const GoldSpan& s : g) {
    if (s.type < 0 || s.type >= kNumTypes) continue;
    if (!std::binary_search(p.begin(), p.end(), s)) ++fn[s.type];
  }
}

namespace {
void Sum(const Scores& s, int type, int64_t& tp, int64_t& fp, int64_t& fn) {
  tp = fp = fn = 0;
  for (int t = 0; t < kNumTypes; ++t) {
    if (type >= 0 && t != type) continue;
    tp += s.tp[t];
    fp += s.fp[t];
    fn += s.fn[t];
  }
}
}  // namespace

double Scores::F1(int type) const {
  int64_t tp, fp, fn;
  Sum(*this, type, tp, fp, fn);
  return tp == 0 ? 0.0 : 200.0 * tp / (2.0 * tp + fp + fn);
}
double Scores::Precision(int type) const {
  int64_t tp, fp, fn;
  Sum(*this, type, tp, fp, fn);
  return tp + fp == 0 ? 0.0 : 100.0 * tp / (tp + fp);
}
double Scores::Recall(int type) const {
  int64_t tp, fp, fn;
  Sum(*this, type, tp, fp, fn);
  return tp + fn == 0 ? 0.0 : 100.0 * tp / (tp + fn);
}

std::string Scores::Report() const {
  std::string out;
  char buf[160];
  for (int t = -1; t < kNumTypes; ++t) {
    int64_t tp, fp, fn;
    Sum(*this, t, tp, fp, fn);
    std::snprintf(buf, sizeof(buf), "%-5s P %6.2f  R %6.2f  F1 %6.2f  (tp %lld, fp %lld, fn %lld)\n",
                  t < 0 ? "ALL" : TypeName(t), Precision(t), Recall(t), F1(t), static_cast<long long>(tp),
                  static_cast<long long>(fp), static_cast<long long>(fn));
    out += buf;
  }
  return out;
}

}  // namespace docanalysis::entity
