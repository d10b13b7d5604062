#include "quotes.h"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace quotes {
namespace {

using docanalysis::Document;

constexpr std::string_view kSpeechVerbs[] = {
    "said",     "says",      "say",      "stated",    "states",   "told",      "tells",    "added",
    "adds",     "asked",     "asks",     "explained", "explains", "wrote",     "writes",   "noted",
    "notes",    "argued",    "argues",   "warned",    "warns",    "declared",  "declares", "announced",
    "replied",  "insisted",  "insists",  "continued", "remarked", "commented", "claimed",  "claims",
    "confirmed", "tweeted",  "recalled", "acknowledged", "admitted", "observed", "stressed", "urged"};
// Words that end a speaker phrase read forwards ("a U.S. official familiar with ...").
constexpr std::string_view kPhraseStops[] = {
    "who",  "which", "that", "familiar", "with", "on",   "in",      "at",     "for",  "from", "to",
    "during", "after", "before", "while", "as",  "when", "because", "and",    "but",  "in",   "of",
    "about", "last",  "this",  "earlier", "later", "today", "yesterday", "recently", "speaking", "told",
    "adding", "saying", "according", "by",  "via"};
constexpr std::string_view kDeterminers[] = {"a", "an", "the", "one", "another", "some", "his", "her", "their", "its"};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

template <size_t N>
bool In(const std::string_view (&list)[N], std::string_view word) {
  std::string w = Lower(word);
  return std::find(std::begin(list), std::end(list), w) != std::end(list);
}

enum class Mark { kNone, kOpen, kClose, kStraight };

Mark MarkOf(std::string_view t) {
  if (t == "\"") return Mark::kStraight;
  if (t == "\xE2\x80\x9C" || t == "\xC2\xAB" || t == "\xE2\x80\x9E") return Mark::kOpen;   // “ « „
  if (t == "\xE2\x80\x9D" || t == "\xC2\xBB") return Mark::kClose;                        // ” »
  return Mark::kNone;
}

struct Context {
  const Document& doc;
  docanalysis::Span<docanalysis_token> tokens;
  std::string_view Text(size_t i) const { return doc.TokenText(tokens[i]); }
  bool IsWord(size_t i) const { return tokens[i].kind == DOCANALYSIS_TOKEN_WORD; }
  bool IsVerb(size_t i) const { return IsWord(i) && In(kSpeechVerbs, Text(i)); }
  bool IsPunct(size_t i, std::string_view p) const { return Text(i) == p; }
};

struct Phrase {
  size_t first = 0, last = 0;  // token indices, inclusive
  bool found = false;
};

// A speaker phrase read forwards from token i: an optional determiner, then up to six words.
Phrase ForwardPhrase(const Context& c, size_t i, size_t limit) {
  Phrase p;
  size_t n = 0;
  for (size_t k = i; k < limit && n < 7; ++k, ++n) {
    if (!c.IsWord(k) || (k > i && In(kPhraseStops, c.Text(k))) || c.IsVerb(k)) break;
    if (!p.found) p.first = k, p.found = true;
    p.last = k;
  }
  return p;
}

// A speaker phrase read backwards from token i (the word before a speech verb).
Phrase BackwardPhrase(const Context& c, size_t i, size_t floor) {
  Phrase p;
  size_t n = 0;
  for (size_t k = i + 1; k-- > floor && n < 7; ++n) {
    if (!c.IsWord(k) || In(kPhraseStops, c.Text(k)) || c.IsVerb(k)) break;
    if (!p.found) p.last = k, p.found = true;
    p.first = k;
  }
  return p;
}

bool IsSpeakerType(int32_t type) {
  return type == DOCANALYSIS_ENTITY_PERSON || type == DOCANALYSIS_ENTITY_ORGANIZATION;
}

// Fills the speaker of `q` from phrase `p`.
void Resolve(const Context& c, const Phrase& p, uint32_t quote_begin, Quote* q) {
  uint32_t b = c.tokens[p.first].begin, e = c.tokens[p.last].end;
  q->speaker_text = std::string(c.doc.text().substr(b, e - b));
  std::string first = Lower(c.Text(p.first));
  docanalysis::Upstream up = c.doc.upstream();
  docanalysis::Span<docanalysis_upstream_mention> mentions = up.mentions();  // in text order
  auto first_at = [&mentions](uint32_t offset) {  // the first mention that begins at or after offset
    return std::lower_bound(mentions.begin(), mentions.end(), offset,
                            [](const docanalysis_upstream_mention& m, uint32_t o) { return m.begin < o; });
  };
  if (p.first == p.last && (first == "he" || first == "she")) {
    const docanalysis_upstream_mention* latest = nullptr;
    int steps = 0;  // bounded look-back: linear time over the document
    for (auto it = first_at(quote_begin); it != mentions.begin() && latest == nullptr && steps++ < 256;) {
      --it;
      if (it->type == DOCANALYSIS_ENTITY_PERSON && it->end <= quote_begin) latest = it;
    }
    if (latest != nullptr) {
      q->speaker = std::string(docanalysis::ToView(latest->canonical));
      q->speaker_type = "pronoun";
      q->score = 0.6f;
    }
    return;
  }
  // An entity that ends the phrase is its head: the speaker.
  const docanalysis_upstream_mention* head = nullptr;
  for (auto it = first_at(b); it != mentions.end() && it->begin < e; ++it) {
    const docanalysis_upstream_mention& m = *it;
    if (!IsSpeakerType(m.type) || m.end > e) continue;
    std::string_view rest = c.doc.text().substr(m.end, e - m.end);
    bool ends = rest.empty() || rest == "'s" || rest == "\xE2\x80\x99s";
    if (ends && (head == nullptr || m.begin < head->begin)) head = &m;
  }
  bool determiner = std::find(std::begin(kDeterminers), std::end(kDeterminers), first) != std::end(kDeterminers);
  if (head != nullptr && !determiner) {
    q->speaker = std::string(docanalysis::ToView(head->canonical));
    q->speaker_type = head->type == DOCANALYSIS_ENTITY_PERSON ? "person" : "organization";
    q->score = 0.9f;
  } else if (determiner) {
    q->speaker = q->speaker_text;
    q->speaker_type = "description";
    q->score = 0.8f;
  } else if (std::isupper(static_cast<unsigned char>(c.Text(p.first)[0]))) {
    q->speaker = q->speaker_text;
    q->speaker_type = "name";
    q->score = 0.5f;
  } else {
    q->speaker_text.clear();  // "... ," officials said: a plural description is kept as one
    q->speaker = std::string(c.doc.text().substr(b, e - b));
    q->speaker_type = "description";
    q->score = 0.5f;
  }
}

// Attribution after the closing mark: `, said X` / `X said`.
bool AttributeAfter(const Context& c, size_t close, size_t sentence_end, uint32_t quote_begin, Quote* q) {
  size_t i = close + 1;
  if (i < sentence_end && c.IsPunct(i, ",")) ++i;
  if (i >= sentence_end) return false;
  if (c.IsVerb(i)) {
    Phrase p = ForwardPhrase(c, i + 1, sentence_end);
    if (!p.found) return false;
    q->verb = Lower(c.Text(i));
    Resolve(c, p, quote_begin, q);
    return true;
  }
  Phrase p = ForwardPhrase(c, i, sentence_end);
  if (!p.found || p.last + 1 >= sentence_end || !c.IsVerb(p.last + 1)) return false;
  q->verb = Lower(c.Text(p.last + 1));
  Resolve(c, p, quote_begin, q);
  return true;
}

// Attribution before the opening mark: `X said: "` / `X said, "` / `According to X, "`.
bool AttributeBefore(const Context& c, size_t open, size_t sentence_begin, uint32_t quote_begin, Quote* q) {
  if (open == 0 || open <= sentence_begin) return false;
  size_t j = open - 1;
  if (c.IsPunct(j, ":") || c.IsPunct(j, ",")) {
    if (j == sentence_begin) return false;
    --j;
  }
  if (c.IsVerb(j)) {
    if (j == 0) return false;
    Phrase p = BackwardPhrase(c, j - 1, sentence_begin);
    if (!p.found) return false;
    q->verb = Lower(c.Text(j));
    Resolve(c, p, quote_begin, q);
    return true;
  }
  // According to X, "..."
  Phrase p = BackwardPhrase(c, j, sentence_begin);
  if (p.found && p.first >= sentence_begin + 2 && Lower(c.Text(p.first - 1)) == "to" &&
      Lower(c.Text(p.first - 2)) == "according") {
    q->verb = "according to";
    Resolve(c, p, quote_begin, q);
    return true;
  }
  return false;
}

}  // namespace

std::vector<Quote> FindQuotes(const Document& doc, const Options& options) {
  std::vector<Quote> out;
  Context c{doc, doc.tokens()};
  if (c.tokens.empty()) return out;
  // Paragraph and sentence of each token.
  std::vector<uint32_t> paragraph(c.tokens.size(), 0), sent_begin(c.tokens.size(), 0), sent_end(c.tokens.size(), 0);
  for (const auto& s : doc.sentences()) {
    for (uint32_t t = s.token_begin; t < s.token_end && t < c.tokens.size(); ++t) {
      paragraph[t] = s.paragraph;
      sent_begin[t] = s.token_begin;
      sent_end[t] = std::min<uint32_t>(s.token_end, static_cast<uint32_t>(c.tokens.size()));
    }
  }
  size_t open = SIZE_MAX;
  for (size_t i = 0; i < c.tokens.size(); ++i) {
    if ((i & 1023) == 0 && doc.Cancelled()) return out;
    Mark m = MarkOf(c.Text(i));
    if (m == Mark::kNone) continue;
    if (open != SIZE_MAX && (paragraph[open] != paragraph[i] || i - open > 400)) open = SIZE_MAX;  // unclosed
    bool closes = open != SIZE_MAX && (m == Mark::kClose || (m == Mark::kStraight && MarkOf(c.Text(open)) == Mark::kStraight));
    if (!closes) {
      if (m != Mark::kClose) open = i;
      continue;
    }
    size_t o = open;
    open = SIZE_MAX;
    if (i == o + 1) continue;  // ""
    int words = 0;
    for (size_t k = o + 1; k < i; ++k) words += c.IsWord(k);
    Quote q;
    q.begin = c.tokens[o + 1].begin;
    q.end = c.tokens[i - 1].end;
    // The sentence around the closing mark, extended to the next one when the mark ends a sentence.
    size_t end = sent_end[i];
    if (end == i + 1 && end < c.tokens.size()) end = sent_end[end];
    bool attributed = AttributeAfter(c, i, end, q.begin, &q) || AttributeBefore(c, o, sent_begin[o], q.begin, &q);
    if (words == 0 || (!attributed && words < options.min_words)) continue;
    out.push_back(std::move(q));
  }
  return out;
}

}  // namespace quotes
