// Tests of quotation finding and attribution on hand-built documents: the text is segmented by a
// small tokenizer here (the real host's segmenter is not part of the SDK), and upstream entity
// mentions are given as the entity plugin would give them through ABI 1.1.
#include <cstring>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "quotes.h"

namespace {

bool IsAlnum(unsigned char c) { return std::isalnum(c) || c >= 0x80; }

struct TestDoc {
  std::string text;
  std::vector<docanalysis_token> tokens;
  std::vector<docanalysis_sentence> sentences;
  std::vector<docanalysis_upstream_mention> mentions;
  std::vector<std::string> canonical;  // storage
  docanalysis_upstream upstream{};
  docanalysis_document doc{};

  explicit TestDoc(std::string t) : text(std::move(t)) {
    size_t i = 0, n = text.size();
    uint32_t sentence_start_tok = 0, paragraph = 0;
    auto end_sentence = [&](size_t tok_end) {
      if (tok_end > sentence_start_tok)
        sentences.push_back({tokens[sentence_start_tok].begin, tokens[tok_end - 1].end, sentence_start_tok,
                             static_cast<uint32_t>(tok_end), paragraph});
      sentence_start_tok = static_cast<uint32_t>(tok_end);
    };
    while (i < n) {
      unsigned char c = text[i];
      if (c == '\n' && i + 1 < n && text[i + 1] == '\n') {
        end_sentence(tokens.size());
        ++paragraph;
        i += 2;
        continue;
      }
      if (std::isspace(c)) { ++i; continue; }
      size_t b = i;
      if (IsAlnum(c) && !(c == 0xE2)) {
        while (i < n && ((IsAlnum(text[i]) && static_cast<unsigned char>(text[i]) != 0xE2) ||
                         ((text[i] == '.' || text[i] == '\'' || text[i] == '-') && i + 1 < n && IsAlnum(text[i + 1]))))
          ++i;
        if (i < n && text[i] == '.' && text.substr(b, i - b).find('.') != std::string::npos) ++i;  // U.S.
        tokens.push_back({static_cast<uint32_t>(b), static_cast<uint32_t>(i), DOCANALYSIS_TOKEN_WORD, 0});
        continue;
      }
      size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
      i += len;
      tokens.push_back({static_cast<uint32_t>(b), static_cast<uint32_t>(i), DOCANALYSIS_TOKEN_PUNCT, 0});
      std::string p = text.substr(b, len);
      if (p == "." || p == "!" || p == "?") {
        size_t after = tokens.size();
        // A closing quote right after the period stays in the sentence.
        size_t j = i;
        while (j < n && text[j] == ' ') ++j;
        if (j < n && text[j] == '"' && (j + 1 == n || text[j + 1] == ' ' || text[j + 1] == '\n')) {
          tokens.push_back({static_cast<uint32_t>(j), static_cast<uint32_t>(j + 1), DOCANALYSIS_TOKEN_PUNCT, 0});
          i = j + 1;
          after = tokens.size();
        }
        end_sentence(after);
      }
    }
    end_sentence(tokens.size());
  }

  void Mention(const std::string& surface, int32_t type, const std::string& canon = "", int nth = 0) {
    size_t at = std::string::npos;
    for (int k = 0; k <= nth; ++k) at = text.find(surface, at == std::string::npos ? 0 : at + 1);
    ASSERT_NE(at, std::string::npos) << surface;
    canonical.push_back(canon.empty() ? surface : canon);
    mentions.push_back({static_cast<uint32_t>(at), static_cast<uint32_t>(at + surface.size()), type, 0.9f, {}, {"entity", 6}});
  }

  std::vector<quotes::Quote> Run(bool with_upstream = true) {
    std::sort(mentions.begin(), mentions.end(), [](auto& a, auto& b) { return a.begin < b.begin; });
    // canonical strings were pushed in call order; re-point after sorting by matching offsets.
    for (auto& m : mentions) {
      std::string surface = text.substr(m.begin, m.end - m.begin);
      for (const auto& c : canonical) {
        if (c == surface || c.find(surface) != std::string::npos) { m.canonical = {c.data(), c.size()}; break; }
      }
    }
    upstream.mentions = mentions.data();
    upstream.mention_count = mentions.size();
    doc.text = {text.data(), text.size()};
    doc.tokens = tokens.data();
    doc.token_count = tokens.size();
    doc.sentences = sentences.data();
    doc.sentence_count = sentences.size();
    doc.upstream = with_upstream ? &upstream : nullptr;
    docanalysis::Document d(doc);
    return quotes::FindQuotes(d, quotes::Options{});
  }
  std::string Span(const quotes::Quote& q) const { return text.substr(q.begin, q.end - q.begin); }
};

TEST(Quotes, SaidAfterTheQuoteWithAFullName) {
  TestDoc d("\"We will not back down,\" said Jane Smith. Then she left.");
  d.Mention("Jane Smith", DOCANALYSIS_ENTITY_PERSON);
  auto q = d.Run();
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(d.Span(q[0]), "We will not back down,");
  EXPECT_EQ(q[0].speaker, "Jane Smith");
  EXPECT_EQ(q[0].speaker_type, "person");
  EXPECT_EQ(q[0].verb, "said");
}

TEST(Quotes, SurnameBeforeTheVerbTakesTheCanonicalName) {
  TestDoc d("Jane Smith spoke first. \"We will not back down,\" Smith told reporters.");
  d.Mention("Jane Smith", DOCANALYSIS_ENTITY_PERSON);
  d.Mention("Smith", DOCANALYSIS_ENTITY_PERSON, "Jane Smith", 1);
  auto q = d.Run();
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0].speaker, "Jane Smith");
  EXPECT_EQ(q[0].speaker_text, "Smith");
  EXPECT_EQ(q[0].verb, "told");
}

TEST(Quotes, ADescriptionIsNotTheEntityInsideIt) {
  TestDoc d("\"The U.S. welcomes the interest in a strong relationship,\" stated a U.S. official familiar with the "
            "negotiations.");
  d.Mention("U.S.", DOCANALYSIS_ENTITY_ORGANIZATION);
  d.Mention("U.S.", DOCANALYSIS_ENTITY_ORGANIZATION, "", 1);
  auto q = d.Run();
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0].speaker, "a U.S. official");
  EXPECT_EQ(q[0].speaker_type, "description");
  EXPECT_EQ(q[0].verb, "stated");
}

TEST(Quotes, SpeakerBeforeTheQuoteAndAccordingTo) {
  TestDoc d("Acme Corp said: \"Profits will rise next year.\"\n\nAccording to Bob Lee, \"the deal is done for now.\"");
  d.Mention("Acme Corp", DOCANALYSIS_ENTITY_ORGANIZATION);
  d.Mention("Bob Lee", DOCANALYSIS_ENTITY_PERSON);
  auto q = d.Run();
  ASSERT_EQ(q.size(), 2u);
  EXPECT_EQ(q[0].speaker, "Acme Corp");
  EXPECT_EQ(q[0].speaker_type, "organization");
  EXPECT_EQ(q[1].speaker, "Bob Lee");
  EXPECT_EQ(q[1].verb, "according to");
}

TEST(Quotes, PronounTakesTheLatestPerson) {
  TestDoc d("Mary Jones met Tom Wu on Monday. \xE2\x80\x9CIt is over now,\xE2\x80\x9D he said.");
  d.Mention("Mary Jones", DOCANALYSIS_ENTITY_PERSON);
  d.Mention("Tom Wu", DOCANALYSIS_ENTITY_PERSON);
  auto q = d.Run();
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0].speaker, "Tom Wu");
  EXPECT_EQ(q[0].speaker_type, "pronoun");
}

TEST(Quotes, ScareQuotesAndUnclosedQuotesAreNotQuotations) {
  TestDoc d("The junta called it \"illegal\" and unfavorable.\n\nHe wrote \"this never ends\n\nanother paragraph.");
  EXPECT_TRUE(d.Run().empty());
}

TEST(Quotes, UnattributedQuotationHasNoSpeaker) {
  TestDoc d("The sign read \"no entry after dark for anyone\" in red letters.");
  auto q = d.Run();
  ASSERT_EQ(q.size(), 1u);
  EXPECT_TRUE(q[0].speaker.empty());
}

TEST(Quotes, WithoutUpstreamANameIsKeptAsWritten) {
  TestDoc d("\"We will not back down,\" said Jane Smith.");
  auto q = d.Run(/*with_upstream=*/false);
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0].speaker, "Jane Smith");
  EXPECT_EQ(q[0].speaker_type, "name");
}

TEST(Quotes, EmptyAndQuoteOnlyTexts) {
  TestDoc empty("");
  EXPECT_TRUE(empty.Run().empty());
  TestDoc marks(std::string(1000, '"'));
  EXPECT_TRUE(marks.Run().empty());
}

}  // namespace
