#include "tools/plugin_check/corpus.h"

#include <cstdint>

namespace docanalysis::check {
namespace {

std::string Repeat(const std::string& s, size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

}  // namespace

std::string LargeDocument(size_t bytes) {
  static const char* kSubjects[] = {"The minister", "Maria Schmidt", "A U.S. official", "The company", "Jean-Luc Dubois",
                                    "The committee in São Paulo", "Dr. Chen", "Residents of Zürich"};
  static const char* kVerbs[] = {"said", "announced", "denied", "confirmed", "warned", "argued"};
  static const char* kObjects[] = {"that prices rose 3.5% in March", "a plan worth $1.2 billion",
                                   "the report on Tuesday", "that talks would resume in Geneva",
                                   "the claims as “baseless”", "a new café near the station"};
  std::string out;
  out.reserve(bytes + 256);
  uint64_t x = 0x9E3779B97F4A7C15ull;
  auto next = [&x](uint64_t n) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    return (x >> 33) % n;
  };
  size_t sentences = 0;
  while (out.size() < bytes) {
    switch (next(4)) {
      case 0:
        out += "\"We will not accept this,\" ";
        out += kSubjects[next(8)];
        out += " said.";
        break;
      case 1:
        out += kSubjects[next(8)];
        out += " said: \"The numbers speak for themselves.\"";
        break;
      default:
        out += kSubjects[next(8)];
        out += ' ';
        out += kVerbs[next(6)];
        out += ' ';
        out += kObjects[next(6)];
        out += '.';
    }
    out += ++sentences % 5 == 0 ? "\n\n" : " ";
  }
  size_t end = bytes;
  while (end > 0 && (static_cast<unsigned char>(out[end]) & 0xC0) == 0x80) --end;
  out.resize(end);
  return out;
}

std::vector<CorpusText> BuiltinCorpus() {
  std::vector<CorpusText> c;
  c.push_back({"empty", ""});
  c.push_back({"whitespace only", " \t\n\n  \r\n "});
  c.push_back({"one letter", "a"});
  c.push_back({"one period", "."});
  c.push_back({"news paragraph",
               "WASHINGTON (Reuters) - The United States will send more aid to Ukraine, Secretary of State Antony "
               "Blinken said on Tuesday. \"We are committed to this,\" Blinken told reporters in Kyiv. Prices rose "
               "3.5% to $1,200 on 12 March 2024, according to the Commerce Department.\n\nA U.S. official, who spoke "
               "on condition of anonymity, said: \"Nothing has been decided yet.\""});
  c.push_back({"emoji", "I love it 😀👍🏽! 👨‍👩‍👧‍👦 family trip 🇫🇷🇯🇵 ✈️ ... so good 🔥🔥🔥 #blessed @friend"});
  c.push_back({"combining marks", "Cafe\xCC\x81 re\xCC\x81sume\xCC\x81 nai\xCC\x88ve. Z" +
                                      Repeat("\xCC\xB4\xCC\x81\xCC\x88", 300) + "algo text. " +
                                      Repeat("e\xCC\x81", 500)});
  c.push_back({"right-to-left", "\xE2\x80\x8F" "مرحبا بالعالم. هذا نص عربي قصير عن الأخبار. "
                                "שלום עולם. זהו טקסט בעברית, עם מספרים 123 ו-English words. "
                                "\xE2\x80\xAB" "نص" "\xE2\x80\xAC" " mixed."});
  c.push_back({"CJK", "今天天气很好。我们去公园散步吧！東京は日本の首都です。안녕하세요. 만나서 반갑습니다. "
                      "中华人民共和国国务院总理李强在北京说：“经济稳中向好。”"});
  c.push_back({"astral and zero-width", "\xEF\xBB\xBF" "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𐍈 text\xE2\x80\x8B with\xE2\x80\x8C zero\xE2\x80\x8D"
                                        "width joiners\xE2\x81\xA0 and 𝟙𝟚𝟛 digits."});
  c.push_back({"control characters", "Line one\x01\x02 with controls.\x1B[31m red\x1B[0m\x7F\r\rCarriage\vvertical\f"});
  c.push_back({"unbalanced quotes", "\"He said \u201Cyes, she said \u2018no' and ' \" \" '' `` \u201D\u201D\u201D said."});
  c.push_back({"one long word", Repeat("abcdefghij", 20000)});
  c.push_back({"one long sentence", Repeat("word and ", 20000) + "end."});
  c.push_back({"many tiny sentences", Repeat("A. ", 30000)});
  c.push_back({"many abbreviations", Repeat("Mr. Dr. U.S. e.g. ", 5000)});
  c.push_back({"quote storm", Repeat("\"", 50000)});
  c.push_back({"deep nesting", Repeat("(", 30000) + "x" + Repeat(")", 30000)});
  c.push_back({"newlines", Repeat("\n", 100000)});
  c.push_back({"digits", Repeat("1234567890", 10000) + " 1,2,3,4.5.6 $$$ %%% 99.99%"});
  c.push_back({"said storm", Repeat("said \"said,\" said ", 5000)});
  c.push_back({"punctuation only", Repeat("!?.,;:-–—…", 5000)});
  c.push_back({"1 MiB document", LargeDocument(1u << 20), true});
  return c;
}

}  // namespace docanalysis::check
