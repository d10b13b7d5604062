#include "model.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#if defined(__SSE2__)
#include <immintrin.h>
#endif

namespace docanalysis::syntax {
namespace {

constexpr char kMagic1[] = "docanalysis-syntax-model-1";
constexpr char kMagic2[] = "docanalysis-syntax-model-2";  // adds a flags word
constexpr char kMagic3[] = "docanalysis-syntax-model-3";  // adds the word merges
constexpr char kMagic4[] = "docanalysis-syntax-model-4";  // adds the flag kHash2
// Flags: the parser reads words seen less than twice as their shape (format 2 on); features are
// hashed with Feat2 (format 4 on).
constexpr uint32_t kUnknownWords = 1, kHash2 = 2;

template <typename V>
void WriteMap(BinaryWriter& out, const std::unordered_map<uint64_t, V>& m) {
  std::vector<uint64_t> keys;
  for (const auto& [k, v] : m) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  out.Put<uint64_t>(keys.size());
  for (uint64_t k : keys) {
    out.Put<uint64_t>(k);
    if constexpr (std::is_same_v<V, std::string>) out.PutString(m.at(k));
    else out.Put<V>(m.at(k));
  }
}

template <typename V>
bool ReadMap(BinaryReader& in, std::unordered_map<uint64_t, V>& m) {
  uint64_t n = 0;
  if (!in.Get(n) || n > in.remaining()) return false;
  m.clear();
  m.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t k;
    V v;
    if (!in.Get(k)) return false;
    if constexpr (std::is_same_v<V, std::string>) {
      if (!in.GetString(v)) return false;
    } else {
      if (!in.Get(v)) return false;
    }
    m.emplace(k, std::move(v));
  }
  return true;
}

void WriteStrings(BinaryWriter& out, const std::vector<std::string>& v) {
  out.Put<uint64_t>(v.size());
  for (const auto& s : v) out.PutString(s);
}
bool ReadStrings(BinaryReader& in, std::vector<std::string>& v) {
  uint64_t n = 0;
  if (!in.Get(n) || n > in.remaining()) return false;
  v.resize(n);
  for (auto& s : v)
    if (!in.GetString(s)) return false;
  return true;
}

// The first index of the largest of v[0..n), n a multiple of 8, no NaNs: what a scan that keeps
// the first strictly greater value picks (ties, +0 and -0 included, go to the earliest): the
// maximum several lanes at a time, then the scan for its first occurrence.
typedef float V8 __attribute__((vector_size(32), aligned(4), may_alias));
size_t FirstMax(const float* v, size_t n) {
#if defined(__SSE2__)
  // Four lanes at a time (max(x, m) is x > m ? x : m), then the first lane equal to the maximum
  // (+0 == -0, as below).
  __m128 m = _mm_loadu_ps(v);
  for (size_t c = 4; c < n; c += 4) m = _mm_max_ps(_mm_loadu_ps(v + c), m);
  m = _mm_max_ps(m, _mm_shuffle_ps(m, m, _MM_SHUFFLE(2, 3, 0, 1)));
  m = _mm_max_ps(m, _mm_shuffle_ps(m, m, _MM_SHUFFLE(1, 0, 3, 2)));
  const __m128 b = _mm_shuffle_ps(m, m, 0);
  for (size_t c = 0; c < n; c += 4) {
    const int eq = _mm_movemask_ps(_mm_cmpeq_ps(_mm_loadu_ps(v + c), b));
    if (eq != 0) return c + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(eq)));
  }
  return 0;  // not reached: the maximum is one of v's values
#else
  V8 m = *reinterpret_cast<const V8*>(v);
  for (size_t c = 8; c < n; c += 8) {
    const V8 x = *reinterpret_cast<const V8*>(v + c);
    m = x > m ? x : m;
  }
  float best = m[0];
  for (int k = 1; k < 8; ++k) best = m[k] > best ? m[k] : best;
  size_t c = 0;
  while (v[c] != best) ++c;
  return c;
#endif
}

bool IsAsciiLetter(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Length of the clitic that ends `lower` (n't 's 're 've 'll 'd 'm, with ' or U+2019), or 0.
size_t CliticLength(std::string_view lower) {
  static const char* const kTails[] = {"t", "s", "re", "ve", "ll", "d", "m"};
  for (std::string_view apos : {std::string_view("'"), std::string_view("\xE2\x80\x99")}) {
    for (const char* tail_c : kTails) {
      std::string_view tail(tail_c);
      bool nt = tail == "t";
      size_t len = apos.size() + tail.size() + (nt ? 1 : 0);
      if (lower.size() <= len) continue;
      std::string_view end = lower.substr(lower.size() - len);
      if (nt ? (end[0] == 'n' && end.substr(1, apos.size()) == apos && end.substr(1 + apos.size()) == tail)
             : (end.substr(0, apos.size()) == apos && end.substr(apos.size()) == tail)) {
        if (IsAsciiLetter(static_cast<unsigned char>(lower[lower.size() - len - 1]))) return len;
      }
    }
  }
  return 0;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// WordSplitter

std::vector<uint8_t> WordSplitter::RuleSplit(std::string_view tok) {
  std::vector<uint8_t> lens;
  if (tok.size() < 2 || tok.size() > 200) return lens;
  // A clitic needs an apostrophe (' or U+2019, which starts with byte E2) and a split a hyphen.
  if (tok.find_first_of("'-\xE2") == std::string_view::npos) return lens;
  std::string lower = Lower(tok);
  size_t clitic = CliticLength(lower);
  std::string_view stem = std::string_view(tok).substr(0, tok.size() - clitic);
  // Hyphens between letters separate words (long-term -> long - term).
  size_t start = 0;
  for (size_t i = 1; i + 1 < stem.size(); ++i) {
    if (stem[i] == '-' && IsAsciiLetter(static_cast<unsigned char>(stem[i - 1])) &&
        IsAsciiLetter(static_cast<unsigned char>(stem[i + 1]))) {
      lens.push_back(static_cast<uint8_t>(i - start));
      lens.push_back(1);
      start = i + 1;
    }
  }
  if (lens.empty() && clitic == 0) return lens;
  lens.push_back(static_cast<uint8_t>(stem.size() - start));
  if (clitic) lens.push_back(static_cast<uint8_t>(clitic));
  return lens;
}

void WordSplitter::Split(std::string_view tok, uint32_t begin, std::vector<WordSpan>* out) const {
  std::vector<uint8_t> rule;
  const std::vector<uint8_t>* lens = nullptr;
  if (tok.size() <= 64) {
    auto it = table.find(Lower(tok));
    if (it != table.end()) lens = &it->second;
  }
  if (lens == nullptr) {
    rule = RuleSplit(tok);
    lens = &rule;
  }
  uint32_t total = 0;
  for (uint8_t l : *lens) total += l;
  if (lens->empty() || total != tok.size()) {
    out->push_back({begin, begin + static_cast<uint32_t>(tok.size())});
    return;
  }
  uint32_t at = begin;
  for (uint8_t l : *lens) {
    out->push_back({at, at + l});
    at += l;
  }
}

std::string WordSplitter::MergeShape(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    char k = IsAsciiLetter(c) ? 'a' : (c >= '0' && c <= '9') ? '9' : c >= 0x80 ? 'u' : static_cast<char>(c);
    if ((k == 'a' || k == '9' || k == 'u') && !out.empty() && out.back() == k) continue;
    out.push_back(k);
  }
  // A short last part after a dot is kept as written (file.pdf, host.com), to tell names apart
  // from a sentence end without a space (end.Next).
  size_t dot = s.rfind('.');
  if (dot != std::string_view::npos && s.size() - dot - 1 >= 2 && s.size() - dot - 1 <= 4 && out.size() >= 2 &&
      out.back() == 'a' && out[out.size() - 2] == '.') {
    bool letters = true;
    for (size_t i = dot + 1; i < s.size(); ++i) letters &= IsAsciiLetter(static_cast<unsigned char>(s[i]));
    if (letters) out.replace(out.size() - 1, 1, Lower(s.substr(dot + 1)));
  }
  return out;
}

size_t WordSplitter::MergeLength(std::string_view text, const docanalysis_token* tokens, size_t i, size_t end) const {
  if (merge_text.empty() && merge_shape.empty()) return 1;
  size_t j = i + 1;
  while (j < end && j - i < kMaxMerge && tokens[j].begin == tokens[j - 1].end) ++j;
  for (size_t k = j; k >= i + 2; --k) {
    if (tokens[k - 1].end > text.size() || tokens[k - 1].end - tokens[i].begin > 64) continue;
    std::string_view run = text.substr(tokens[i].begin, tokens[k - 1].end - tokens[i].begin);
    auto it = merge_text.find(Lower(run));
    bool merge = false;
    if (it != merge_text.end()) {
      merge = it->second;
    } else {
      auto jt = merge_shape.find(MergeShape(run));
      merge = jt != merge_shape.end() && jt->second;
    }
    if (merge) return k - i;
  }
  return 1;
}

namespace {
void WriteDecisions(BinaryWriter& out, const std::unordered_map<std::string, bool>& m) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : m) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  out.Put<uint64_t>(keys.size());
  for (const auto& k : keys) out.PutString(k), out.Put<uint8_t>(m.at(k) ? 1 : 0);
}
bool ReadDecisions(BinaryReader& in, std::unordered_map<std::string, bool>& m) {
  uint64_t n = 0;
  if (!in.Get(n) || n > in.remaining()) return false;
  m.clear();
  for (uint64_t i = 0; i < n; ++i) {
    std::string k;
    uint8_t v = 0;
    if (!in.GetString(k) || !in.Get(v)) return false;
    m.emplace(std::move(k), v != 0);
  }
  return true;
}
}  // namespace

void WordSplitter::Write(BinaryWriter& out) const {
  std::vector<std::string> keys;
  for (const auto& [k, v] : table) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  out.Put<uint64_t>(keys.size());
  for (const auto& k : keys) {
    out.PutString(k);
    const auto& v = table.at(k);
    out.PutString(std::string_view(reinterpret_cast<const char*>(v.data()), v.size()));
  }
  WriteDecisions(out, merge_text);
  WriteDecisions(out, merge_shape);
}

bool WordSplitter::Read(BinaryReader& in, bool with_merges) {
  uint64_t n = 0;
  if (!in.Get(n) || n > in.remaining()) return false;
  table.clear();
  for (uint64_t i = 0; i < n; ++i) {
    std::string k, v;
    if (!in.GetString(k) || !in.GetString(v)) return false;
    table.emplace(std::move(k), std::vector<uint8_t>(v.begin(), v.end()));
  }
  merge_text.clear();
  merge_shape.clear();
  return !with_merges || (ReadDecisions(in, merge_text) && ReadDecisions(in, merge_shape));
}

// ---------------------------------------------------------------------------------------------
// Tagger features

namespace {
template <int kHash>
size_t TaggerFeaturesOf(const std::vector<WordAtoms>& words, size_t i, int prev1, int prev2, uint64_t* out) {
  static const uint64_t kStart = HashStr("<s>"), kEnd = HashStr("</s>");
  const WordAtoms& w = words[i];
  const size_t n = words.size();
  uint64_t wm1 = i >= 1 ? words[i - 1].norm : kStart, wm2 = i >= 2 ? words[i - 2].norm : kStart;
  uint64_t wp1 = i + 1 < n ? words[i + 1].norm : kEnd, wp2 = i + 2 < n ? words[i + 2].norm : kEnd;
  uint64_t sm1 = i >= 1 ? words[i - 1].suf[2] : kStart, sp1 = i + 1 < n ? words[i + 1].suf[2] : kEnd;
  uint64_t shm1 = i >= 1 ? words[i - 1].shape : kStart, shp1 = i + 1 < n ? words[i + 1].shape : kEnd;
  uint64_t p1 = static_cast<uint64_t>(prev1 + 1), p2 = static_cast<uint64_t>(prev2 + 1);
  size_t k = 0;
  out[k++] = FeatOf<kHash>(0, 1);
  out[k++] = FeatOf<kHash>(1, w.norm);
  out[k++] = FeatOf<kHash>(2, wm1);
  out[k++] = FeatOf<kHash>(3, wp1);
  out[k++] = FeatOf<kHash>(4, wm2);
  out[k++] = FeatOf<kHash>(5, wp2);
  for (int s = 0; s < 4; ++s) out[k++] = FeatOf<kHash>(6 + s, w.suf[s]);
  for (int s = 0; s < 3; ++s) out[k++] = FeatOf<kHash>(10 + s, w.pre[s]);
  out[k++] = FeatOf<kHash>(13, w.shape);
  out[k++] = FeatOf<kHash>(14, p1);
  out[k++] = FeatOf<kHash>(15, p1, p2);
  out[k++] = FeatOf<kHash>(16, p1, w.norm);
  out[k++] = FeatOf<kHash>(17, sm1);
  out[k++] = FeatOf<kHash>(18, sp1);
  out[k++] = FeatOf<kHash>(19, shm1, shp1);
  out[k++] = FeatOf<kHash>(20, wm1, w.norm);
  out[k++] = FeatOf<kHash>(21, w.norm, wp1);
  out[k++] = FeatOf<kHash>(22, w.exact);
  out[k++] = FeatOf<kHash>(23, i == 0, w.shape);
  out[k++] = FeatOf<kHash>(24, p1, w.suf[2]);
  out[k++] = FeatOf<kHash>(25, p1, wp1);
  out[k++] = FeatOf<kHash>(26, w.flags);
  out[k++] = FeatOf<kHash>(27, shp1);
  const uint64_t am1 = i >= 1 ? words[i - 1].amb : kStart;
  const uint64_t ap1 = i + 1 < n ? words[i + 1].amb : kEnd, ap2 = i + 2 < n ? words[i + 2].amb : kEnd;
  out[k++] = FeatOf<kHash>(28, w.amb);
  out[k++] = FeatOf<kHash>(29, ap1);
  out[k++] = FeatOf<kHash>(30, ap2);
  out[k++] = FeatOf<kHash>(31, p1, w.amb);
  out[k++] = FeatOf<kHash>(32, w.amb, ap1);
  out[k++] = FeatOf<kHash>(33, am1, w.amb);
  out[k++] = FeatOf<kHash>(34, w.amb, w.suf[2]);
  return k;
}
}  // namespace

size_t TaggerFeatures(const std::vector<WordAtoms>& words, size_t i, int prev1, int prev2, uint64_t* out, int hash) {
  return hash == 2 ? TaggerFeaturesOf<2>(words, i, prev1, prev2, out) : TaggerFeaturesOf<1>(words, i, prev1, prev2, out);
}

// ---------------------------------------------------------------------------------------------
// Parser

void ParseState::Init(int words) {
  n = words;
  stack.clear();
  stack.push_back(0);
  b = 1;
  const size_t m = static_cast<size_t>(n) + 1;
  head.assign(m, -1);
  label.assign(m, -1);
  lc1.assign(m, -1);
  lc2.assign(m, -1);
  rc1.assign(m, -1);
  rc2.assign(m, -1);
  nl.assign(m, 0);
  nr.assign(m, 0);
  lset.assign(m, 0);
  rset.assign(m, 0);
}

void ParseState::AddArc(int h, int d, int l) {
  head[d] = h;
  label[d] = l;
  uint64_t bit = l < 64 ? (1ULL << l) : 0;
  if (d < h) {
    ++nl[h];
    lset[h] |= bit;
    if (lc1[h] < 0 || d < lc1[h]) lc2[h] = lc1[h], lc1[h] = d;
    else if (lc2[h] < 0 || d < lc2[h]) lc2[h] = d;
  } else {
    ++nr[h];
    rset[h] |= bit;
    if (rc1[h] < 0 || d > rc1[h]) rc2[h] = rc1[h], rc1[h] = d;
    else if (rc2[h] < 0 || d > rc2[h]) rc2[h] = d;
  }
}

void Transitions::Valid(const ParseState& s, bool* valid) const {
  const size_t sz = s.stack.size();
  const bool shift = s.b <= s.n;
  const bool left = sz >= 2 && s.b <= s.n;
  const int s1 = sz >= 2 ? s.stack[sz - 2] : -1;
  const bool right = sz >= 2 && (s1 != 0 || s.b > s.n);
  valid[0] = shift;
  for (int l = 0; l < labels; ++l) {
    valid[1 + l] = left && l != root_label;
    valid[1 + labels + l] = right && ((s1 == 0) == (l == root_label));
  }
}

// The legal classes, as Valid() gives them: SHIFT while the buffer has words; LEFT-l (l not root)
// with two on the stack and a buffer; RIGHT-root when the word below is the root and the buffer is
// empty, RIGHT-l (l not root) when it is not the root.
namespace {
struct Legal {
  bool shift, left, right, right_root_only;
  explicit Legal(const ParseState& s) {
    const size_t sz = s.stack.size();
    shift = s.b <= s.n;
    left = sz >= 2 && shift;
    const int s1 = sz >= 2 ? s.stack[sz - 2] : -1;
    right = sz >= 2 && (s1 != 0 || !shift);
    right_root_only = right && s1 == 0;
  }
};
}  // namespace

int Transitions::Forced(const ParseState& s) const {
  const Legal g(s);
  if (g.shift && !g.left && !g.right) return 0;  // a lone root on the stack
  if (!g.shift && g.right_root_only) return 1 + labels + root_label;  // the final root arc
  return -1;
}

int Transitions::Best(const ParseState& s, float* scores, size_t stride) const {
  const Legal g(s);
  const int nc = count(), root = root_label;
  if (labels < 2) {  // not a model's label set; the plain scan
    int best = -1;
    auto consider = [&](int c) {
      if (best < 0 || scores[c] > scores[best]) best = c;
    };
    if (g.shift) consider(0);
    if (g.left)
      for (int l = 0; l < labels; ++l)
        if (l != root) consider(1 + l);
    if (g.right_root_only) {
      consider(1 + labels + root);
    } else if (g.right) {
      for (int l = 0; l < labels; ++l)
        if (l != root) consider(1 + labels + l);
    }
    return best;
  }
  // With two labels or more some class is legal (SHIFT or LEFT-l, or RIGHT-l for some l): the
  // illegal ones and the padding set to -inf, then the first maximum.
  float* sc = scores;
  std::fill(sc + nc, sc + stride, -HUGE_VALF);
  if (!g.shift) sc[0] = -HUGE_VALF;
  if (!g.left) std::fill(sc + 1, sc + 1 + labels, -HUGE_VALF);
  sc[1 + root] = -HUGE_VALF;
  if (!g.right) {
    std::fill(sc + 1 + labels, sc + nc, -HUGE_VALF);
  } else if (g.right_root_only) {
    const float keep = sc[1 + labels + root];
    std::fill(sc + 1 + labels, sc + nc, -HUGE_VALF);
    sc[1 + labels + root] = keep;
  } else {
    sc[1 + labels + root] = -HUGE_VALF;
  }
  return static_cast<int>(FirstMax(sc, stride));
}

void Transitions::Apply(ParseState& s, int cls) const {
  if (cls == 0) {
    s.stack.push_back(s.b++);
  } else if (cls <= labels) {
    int d = s.stack.back();
    s.stack.pop_back();
    s.AddArc(s.b, d, cls - 1);
  } else {
    int d = s.stack.back();
    s.stack.pop_back();
    s.AddArc(s.stack.back(), d, cls - 1 - labels);
  }
}

std::vector<uint64_t> ParserSmallFeatures(int hash) {
  std::vector<uint64_t> t(static_cast<size_t>(kParserTemplates) * 256);
  for (uint32_t k = 0; k < kParserTemplates; ++k)
    for (uint64_t a = 0; a < 256; ++a) t[k * 256 + a] = hash == 2 ? Feat2(k, a) : Feat(k, a);
  return t;
}

namespace {
template <int kHash>
DOCANALYSIS_SYNTAX_INLINE size_t ParserFeaturesOf(const ParseState& s, const std::vector<ParseWord>& words, bool lean,
                                                  uint64_t* out, const uint64_t* small) {
  const size_t sz = s.stack.size();
  const int s0 = sz >= 1 ? s.stack[sz - 1] : -1;
  const int s1 = sz >= 2 ? s.stack[sz - 2] : -1;
  const int s2 = sz >= 3 ? s.stack[sz - 3] : -1;
  const int b0 = s.b <= s.n ? s.b : -1;
  const int b1 = s.b + 1 <= s.n ? s.b + 1 : -1;
  const int b2 = s.b + 2 <= s.n ? s.b + 2 : -1;
  auto W = [&](int x) -> uint64_t { return x < 0 ? 1 : x == 0 ? 2 : words[static_cast<size_t>(x)].norm; };
  auto P = [&](int x) -> uint64_t { return x < 0 ? 0 : words[static_cast<size_t>(x)].tag; };
  auto L = [&](int x) -> uint64_t { return x <= 0 ? 0 : static_cast<uint64_t>(s.label[static_cast<size_t>(x)] + 1); };
  auto get = [](const std::vector<int>& v, int x) { return x < 0 ? -1 : v[static_cast<size_t>(x)]; };
  auto bucket = [](int d) -> uint64_t { return d <= 4 ? static_cast<uint64_t>(d) : d < 10 ? 5 : 6; };
  const int s0l = get(s.lc1, s0), s0r = get(s.rc1, s0), s0l2 = get(s.lc2, s0), s0r2 = get(s.rc2, s0);
  const int s1l = get(s.lc1, s1), s1r = get(s.rc1, s1);
  const int b0l = get(s.lc1, b0), b0l2 = get(s.lc2, b0);
  const uint64_t d = (s0 > 0 && b0 > 0) ? bucket(b0 - s0) : 0;
  const uint64_t d1 = (s1 > 0 && s0 > 0) ? bucket(s0 - s1) : 0;
  auto val = [](int v) -> uint64_t { return static_cast<uint64_t>(std::min(v, 5)); };
  const uint64_t s0vl = s0 >= 0 ? val(s.nl[static_cast<size_t>(s0)]) : 9, s0vr = s0 >= 0 ? val(s.nr[static_cast<size_t>(s0)]) : 9;
  const uint64_t s1vl = s1 >= 0 ? val(s.nl[static_cast<size_t>(s1)]) : 9, s1vr = s1 >= 0 ? val(s.nr[static_cast<size_t>(s1)]) : 9;
  const uint64_t b0vl = b0 >= 0 ? val(s.nl[static_cast<size_t>(b0)]) : 9;
  const uint64_t s0sl = s0 >= 0 ? s.lset[static_cast<size_t>(s0)] : 1, s0sr = s0 >= 0 ? s.rset[static_cast<size_t>(s0)] : 1;
  const uint64_t b0sl = b0 >= 0 ? s.lset[static_cast<size_t>(b0)] : 1;
  const uint64_t ws0 = W(s0), ws1 = W(s1), wb0 = W(b0), wb1 = W(b1), wb2 = W(b2);
  const uint64_t ps0 = P(s0), ps1 = P(s1), ps2 = P(s2), pb0 = P(b0), pb1 = P(b1), pb2 = P(b2);
  // A feature of one atom below 256 (tags, labels, the none/root words) from the table when given.
  auto F1 = [small](uint32_t t, uint64_t a) -> uint64_t {
    return small != nullptr && a < 256 ? small[t * 256 + a] : FeatOf<kHash>(t, a);
  };
  size_t k = 0;
  out[k++] = F1(0, 1);
  out[k++] = F1(1, ws0);
  out[k++] = F1(2, ps0);
  out[k++] = FeatOf<kHash>(3, ws0, ps0);
  out[k++] = F1(4, ws1);
  out[k++] = F1(5, ps1);
  out[k++] = FeatOf<kHash>(6, ws1, ps1);
  out[k++] = F1(7, wb0);
  out[k++] = F1(8, pb0);
  out[k++] = FeatOf<kHash>(9, wb0, pb0);
  out[k++] = F1(10, wb1);
  out[k++] = F1(11, pb1);
  out[k++] = FeatOf<kHash>(12, wb1, pb1);
  out[k++] = F1(13, wb2);
  out[k++] = F1(14, pb2);
  if (!lean) out[k++] = FeatOf<kHash>(15, ws0, wb0, ps0 * 1000 + pb0);
  out[k++] = FeatOf<kHash>(16, ws0, wb0, ps0);
  out[k++] = FeatOf<kHash>(17, ws0, wb0, pb0);
  out[k++] = FeatOf<kHash>(18, ws0, ps0, pb0);
  out[k++] = FeatOf<kHash>(19, wb0, pb0, ps0);
  out[k++] = FeatOf<kHash>(20, ws0, wb0);
  out[k++] = FeatOf<kHash>(21, ps0, pb0);
  out[k++] = FeatOf<kHash>(22, pb0, pb1);
  out[k++] = FeatOf<kHash>(23, ws1, ws0);
  out[k++] = FeatOf<kHash>(24, ps1, ps0);
  out[k++] = FeatOf<kHash>(25, ws1, ps1, ps0);
  out[k++] = FeatOf<kHash>(26, ws0, ps0, ps1);
  if (!lean) out[k++] = FeatOf<kHash>(27, ws1, ws0, ps1 * 1000 + ps0);
  out[k++] = FeatOf<kHash>(28, pb0, pb1, pb2);
  out[k++] = FeatOf<kHash>(29, ps0, pb0, pb1);
  out[k++] = FeatOf<kHash>(30, ps1, ps0, pb0);
  out[k++] = FeatOf<kHash>(31, ps0, P(s0l), pb0);
  out[k++] = FeatOf<kHash>(32, ps0, P(s0r), pb0);
  out[k++] = FeatOf<kHash>(33, ps0, pb0, P(b0l));
  out[k++] = FeatOf<kHash>(34, ps1, ps0, P(s0l));
  out[k++] = FeatOf<kHash>(35, ps1, ps0, P(s0r));
  out[k++] = FeatOf<kHash>(36, ps1, P(s1r), ps0);
  out[k++] = FeatOf<kHash>(37, ps2, ps1, ps0);
  out[k++] = FeatOf<kHash>(38, ps1, P(s1l), ps0);
  out[k++] = FeatOf<kHash>(39, ws0, d);
  out[k++] = FeatOf<kHash>(40, ps0, d);
  out[k++] = FeatOf<kHash>(41, wb0, d);
  out[k++] = FeatOf<kHash>(42, pb0, d);
  if (!lean) out[k++] = FeatOf<kHash>(43, ws0, wb0, d);
  out[k++] = FeatOf<kHash>(44, ps0, pb0, d);
  out[k++] = FeatOf<kHash>(45, ps1, ps0, d1);
  if (!lean) out[k++] = FeatOf<kHash>(46, ws1, ws0, d1);
  out[k++] = FeatOf<kHash>(47, ws0, s0vr);
  out[k++] = FeatOf<kHash>(48, ps0, s0vr);
  out[k++] = FeatOf<kHash>(49, ws0, s0vl);
  out[k++] = FeatOf<kHash>(50, ps0, s0vl);
  out[k++] = FeatOf<kHash>(51, wb0, b0vl);
  out[k++] = FeatOf<kHash>(52, pb0, b0vl);
  out[k++] = FeatOf<kHash>(53, ps1, s1vr);
  out[k++] = FeatOf<kHash>(54, ps1, s1vl);
  out[k++] = FeatOf<kHash>(55, ws1, s1vr);
  out[k++] = F1(56, W(s0l));
  out[k++] = F1(57, P(s0l));
  out[k++] = F1(58, L(s0l));
  out[k++] = F1(59, W(s0r));
  out[k++] = F1(60, P(s0r));
  out[k++] = F1(61, L(s0r));
  out[k++] = F1(62, W(b0l));
  out[k++] = F1(63, P(b0l));
  out[k++] = F1(64, L(b0l));
  out[k++] = F1(65, P(s1l));
  out[k++] = F1(66, L(s1l));
  out[k++] = F1(67, P(s1r));
  out[k++] = F1(68, L(s1r));
  out[k++] = F1(69, W(s1r));
  out[k++] = F1(70, W(s1l));
  out[k++] = F1(71, P(s0l2));
  out[k++] = F1(72, L(s0l2));
  out[k++] = F1(73, P(s0r2));
  out[k++] = F1(74, L(s0r2));
  out[k++] = F1(75, P(b0l2));
  out[k++] = F1(76, L(b0l2));
  out[k++] = FeatOf<kHash>(77, ps0, P(s0l), P(s0l2));
  out[k++] = FeatOf<kHash>(78, ps0, P(s0r), P(s0r2));
  out[k++] = FeatOf<kHash>(79, pb0, P(b0l), P(b0l2));
  out[k++] = FeatOf<kHash>(80, ws0, s0sr);
  out[k++] = FeatOf<kHash>(81, ps0, s0sr);
  out[k++] = FeatOf<kHash>(82, ws0, s0sl);
  out[k++] = FeatOf<kHash>(83, ps0, s0sl);
  out[k++] = FeatOf<kHash>(84, wb0, b0sl);
  out[k++] = FeatOf<kHash>(85, pb0, b0sl);
  out[k++] = FeatOf<kHash>(86, ps0, L(s0l), pb0);
  out[k++] = FeatOf<kHash>(87, ps1, L(s1r), ps0);
  return k;
}
}  // namespace

size_t ParserFeatures(const ParseState& s, const std::vector<ParseWord>& words, bool lean, uint64_t* out,
                      const uint64_t* small, int hash) {
  return hash == 2 ? ParserFeaturesOf<2>(s, words, lean, out, small) : ParserFeaturesOf<1>(s, words, lean, out, small);
}

// ---------------------------------------------------------------------------------------------
// Morphology

uint16_t Morphology::Feats(std::string_view form, int cls) const { return FeatsOfNorm(HashStr(Normalize(form)), cls); }

uint16_t Morphology::FeatsOfNorm(uint64_t norm, int cls) const {
  const uint64_t key = FormKey(norm, static_cast<uint32_t>(cls));
  if (feats_index.built()) {
    if (const uint16_t* f = feats_index.Find(key)) return *f;
  } else {
    auto it = feats_by_form.find(key);
    if (it != feats_by_form.end()) return it->second;
  }
  return static_cast<size_t>(cls) < feats_by_class.size() ? feats_by_class[static_cast<size_t>(cls)] : 0;
}

std::string Morphology::RuleLemma(std::string_view form, int upos_id) const {
  const bool proper = static_cast<size_t>(upos_id) < upos_names.size() && upos_names[static_cast<size_t>(upos_id)] == "PROPN";
  std::string base = proper ? std::string(form) : Lower(form);
  for (size_t k = std::min<size_t>(base.size(), 6);; --k) {
    auto it = rule_by_suffix.find(SuffixKey(static_cast<uint32_t>(upos_id), std::string_view(base).substr(base.size() - k), k));
    if (it != rule_by_suffix.end() && it->second < rules.size()) {
      const Rule& r = rules[it->second];
      if (r.cut <= base.size()) return base.substr(0, base.size() - r.cut) + r.add;
    }
    if (k == 0) break;
  }
  return base;
}

std::string Morphology::Lemma(std::string_view form, int upos_id) const {
  auto it = lemma_exact.find(FormKey(HashStr(form), static_cast<uint32_t>(upos_id)));
  if (it != lemma_exact.end()) return it->second;
  it = lemma_lower.find(FormKey(HashStr(Lower(form)), static_cast<uint32_t>(upos_id)));
  if (it != lemma_lower.end()) return it->second;
  return RuleLemma(form, upos_id);
}

void Morphology::Write(BinaryWriter& out) const {
  WriteMap(out, feats_by_form);
  out.PutVector(feats_by_class);
  WriteStrings(out, feats);
  WriteMap(out, lemma_exact);
  WriteMap(out, lemma_lower);
  WriteMap(out, rule_by_suffix);
  out.Put<uint64_t>(rules.size());
  for (const Rule& r : rules) {
    out.Put<uint8_t>(r.cut);
    out.PutString(r.add);
  }
  WriteStrings(out, upos_names);
}

bool Morphology::Read(BinaryReader& in) {
  if (!ReadMap(in, feats_by_form) || !in.GetVector(feats_by_class) || !ReadStrings(in, feats) ||
      !ReadMap(in, lemma_exact) || !ReadMap(in, lemma_lower) || !ReadMap(in, rule_by_suffix))
    return false;
  uint64_t n = 0;
  if (!in.Get(n) || n > in.remaining()) return false;
  rules.resize(n);
  for (Rule& r : rules)
    if (!in.Get(r.cut) || !in.GetString(r.add)) return false;
  if (!ReadStrings(in, upos_names)) return false;
  for (const auto& [k, v] : feats_by_form)
    if (v >= feats.size()) return false;
  for (uint16_t v : feats_by_class)
    if (v >= feats.size()) return false;
  feats_index.Build(feats_by_form);
  return true;
}

// ---------------------------------------------------------------------------------------------
// SyntaxModel

std::string SyntaxModel::Serialize() const {
  BinaryWriter out;
  out.PutString(feature_hash == 2 ? kMagic4 : kMagic3);
  out.Put<uint32_t>((parser_unknown_words ? kUnknownWords : 0u) | (feature_hash == 2 ? kHash2 : 0u));
  splitter.Write(out);
  WriteStrings(out, tags.upos);
  WriteStrings(out, tags.xpos);
  tagger.Write(out);
  morph.Write(out);
  out.PutVector(upos_id_of_class);
  WriteMap(out, ambiguity);
  WriteStrings(out, labels);
  out.Put<int32_t>(transitions.root_label);
  parser.Write(out);
  return out.data();
}

bool SyntaxModel::Parse(std::string_view bytes, std::string* error) {
  BinaryReader in(bytes);
  std::string magic;
  auto fail = [error](const char* what) {
    if (error) *error = what;
    return false;
  };
  if (!in.GetString(magic) || (magic != kMagic1 && magic != kMagic2 && magic != kMagic3 && magic != kMagic4))
    return fail("not a docanalysis syntax model (bad magic)");
  uint32_t flags = 0;
  if (magic != kMagic1 && !in.Get(flags)) return fail("syntax model: truncated header");
  if ((flags & ~(kUnknownWords | kHash2)) != 0 || ((flags & kHash2) && magic != kMagic4))
    return fail("syntax model: unknown flags");
  feature_hash = (flags & kHash2) ? 2 : 1;
  parser_unknown_words = (flags & kUnknownWords) != 0;
  if (!splitter.Read(in, magic == kMagic3 || magic == kMagic4)) return fail("syntax model: bad word splitter table");
  if (!ReadStrings(in, tags.upos) || !ReadStrings(in, tags.xpos) || tags.upos.size() != tags.xpos.size() ||
      tags.size() == 0 || tags.size() > 256)
    return fail("syntax model: bad tag set");
  if (!tagger.Read(in, tags.size())) return fail("syntax model: bad tagger weights");
  if (!morph.Read(in) || morph.feats_by_class.size() != tags.size()) return fail("syntax model: bad morphology tables");
  if (!in.GetVector(upos_id_of_class) || upos_id_of_class.size() != tags.size())
    return fail("syntax model: bad UPOS table");
  for (uint32_t u : upos_id_of_class)
    if (u >= morph.upos_names.size()) return fail("syntax model: bad UPOS table");
  if (!ReadMap(in, ambiguity)) return fail("syntax model: bad ambiguity classes");
  parser_small_features = ParserSmallFeatures(feature_hash);
  ambiguity_index.Build(ambiguity);
  int32_t root = 0;
  if (!ReadStrings(in, labels) || labels.empty() || labels.size() > 127 || !in.Get(root) || root < 0 ||
      static_cast<size_t>(root) >= labels.size())
    return fail("syntax model: bad label set");
  transitions.labels = static_cast<int>(labels.size());
  transitions.root_label = root;
  if (!parser.Read(in, static_cast<size_t>(transitions.count()))) return fail("syntax model: bad parser weights");
  if (in.remaining() != 0) return fail("syntax model: trailing bytes");
  // The first feature of every tagger and parser call: the bias (template 0 of an atom 1).
  tagger.KeepFirst(feature_hash == 2 ? Feat2(0, 1) : Feat(0, 1));
  parser.KeepFirst(parser_small_features[1]);
  return true;
}

bool SyntaxModel::Load(const std::string& path, std::string* error) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    if (error) *error = "cannot open syntax model " + path;
    return false;
  }
  f.seekg(0, std::ios::end);
  const std::streamoff size = f.tellg();
  f.seekg(0, std::ios::beg);
  std::string bytes(size > 0 ? static_cast<size_t>(size) : 0, '\0');
  if (size > 0 && !f.read(bytes.data(), size)) {
    if (error) *error = "cannot read syntax model " + path;
    return false;
  }
  if (!Parse(bytes, error)) {
    if (error) *error += " (" + path + ")";
    return false;
  }
  return true;
}

void SyntaxModel::Tag(const std::vector<WordAtoms>& atoms, std::vector<uint16_t>* classes,
                      std::vector<float>* scores) const {
  const size_t nc = tags.size();
  classes->resize(atoms.size());
  scores->resize(std::max<size_t>(scores->size(), tagger.stride()));
  uint64_t f[kMaxTaggerFeatures];
  int p1 = -1, p2 = -1;
  for (size_t i = 0; i < atoms.size(); ++i) {
    size_t n = TaggerFeatures(atoms, i, p1, p2, f, feature_hash);
    float* sc = scores->data();
    tagger.ScoreFromZero(f, n, sc);
    std::fill(sc + nc, sc + tagger.stride(), -HUGE_VALF);  // the padding is no class
    const size_t best = FirstMax(sc, tagger.stride());
    (*classes)[i] = static_cast<uint16_t>(best);
    p2 = p1;
    p1 = static_cast<int>(best);
  }
}

void SyntaxModel::ParseSentence(const std::vector<ParseWord>& words, Scratch& s) const {
  ParseState& st = s.state;
  st.Init(static_cast<int>(words.size()) - 1);
  s.scores.resize(std::max<size_t>(s.scores.size(), parser.stride()));
  uint64_t f[kMaxParserFeatures];
  const uint64_t* small = parser_small_features.empty() ? nullptr : parser_small_features.data();
  while (!st.Terminal()) {
    const int forced = transitions.Forced(st);
    if (forced >= 0) {  // one legal class: no scores needed
      transitions.Apply(st, forced);
      continue;
    }
    size_t n = ParserFeatures(st, words, parser_unknown_words, f, small, feature_hash);
    float* sc = s.scores.data();
    parser.ScoreFromZero(f, n, sc);
    transitions.Apply(st, transitions.Best(st, sc, parser.stride()));
  }
}

void SyntaxModel::AnalyzeWords(std::string_view text, const std::vector<WordSpan>& words, Scratch& s,
                               std::vector<OutToken>* out) const {
  if (words.empty()) return;
  s.atoms.clear();
  for (const WordSpan& w : words) s.atoms.push_back(Atoms(text.substr(w.begin, w.end - w.begin)));
  Tag(s.atoms, &s.classes, &s.scores);
  s.pwords.assign(1, ParseWord{2, 1});
  for (size_t i = 0; i < words.size(); ++i) s.pwords.push_back(MakeParseWord(s.atoms[i], s.classes[i]));
  ParseSentence(s.pwords, s);
  const int32_t base = static_cast<int32_t>(out->size());
  for (size_t i = 0; i < words.size(); ++i) {
    OutToken t;
    t.begin = words[i].begin;
    t.end = words[i].end;
    t.cls = s.classes[i];
    t.feats = morph.FeatsOfNorm(s.atoms[i].norm, t.cls);  // norm: HashStr(Normalize(form))
    int h = s.state.head[i + 1];
    t.head = h <= 0 ? base + static_cast<int32_t>(i) : base + h - 1;
    int l = s.state.label[i + 1];
    t.label = static_cast<uint16_t>(l < 0 ? transitions.root_label : l);
    out->push_back(t);
  }
}

bool SyntaxModel::AnalyzeDocument(std::string_view text, const docanalysis_token* tokens, size_t token_count,
                                  const docanalysis_sentence* sentences, size_t sentence_count,
                                  const AnalyzeOptions& options, Scratch& s, std::vector<OutToken>* out,
                                  const std::function<bool()>& cancelled) const {
  constexpr size_t kMaxWords = 400;  // longer runs are parsed in pieces, to bound the work per sentence
  auto flush = [&] {
    AnalyzeWords(text, s.words, s, out);
    s.words.clear();
  };
  for (size_t si = 0; si < sentence_count; ++si) {
    if (cancelled && cancelled()) return false;
    const docanalysis_sentence& sent = sentences[si];
    s.words.clear();
    const size_t end = std::min<size_t>(sent.token_end, token_count);
    for (size_t ti = sent.token_begin; ti < end; ++ti) {
      const docanalysis_token& t = tokens[ti];
      if (t.end <= t.begin || t.end > text.size()) continue;
      if (options.split_at_newlines && (t.flags & DOCANALYSIS_TOKEN_NEWLINE_BEFORE) && !s.words.empty()) flush();
      if (s.words.size() >= kMaxWords) flush();
      size_t merged = splitter.MergeLength(text, tokens, ti, end);
      if (merged > 1) {
        s.words.push_back({t.begin, tokens[ti + merged - 1].end});
        ti += merged - 1;
        continue;
      }
      splitter.Split(text.substr(t.begin, t.end - t.begin), t.begin, &s.words);
    }
    flush();
  }
  return true;
}

}  // namespace docanalysis::syntax
