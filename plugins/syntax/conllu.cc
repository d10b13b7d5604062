#include "conllu.h"

#include <zlib.h>

#include <map>
#include <stdexcept>
#include <string_view>

namespace docanalysis::syntax {
namespace {

std::vector<std::string> SplitTabs(const std::string& line) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t tab = line.find('\t', start);
    out.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) break;
    start = tab + 1;
  }
  return out;
}

struct Row {
  std::vector<std::string> cols;
};

// Adds one sentence (its text and rows) to `doc`, locating the words.
void CloseSentence(const std::string& text, const std::vector<Row>& rows, GoldDoc* doc) {
  if (rows.empty()) return;
  const int64_t base = static_cast<int64_t>(doc->text.size()) + (doc->text.empty() && doc->sentences.empty() ? 0 : 1);
  if (!doc->sentences.empty()) doc->text.push_back('\n');
  doc->text += text;
  GoldSentence sent;
  std::map<int, std::pair<int64_t, int64_t>> mwt;  // word id -> span (or -1)
  std::map<int, std::string> forms;
  for (const Row& r : rows) {
    const std::string& id = r.cols[0];
    if (id.find('.') != std::string::npos || id.find('-') != std::string::npos) continue;
    forms[std::stoi(id)] = r.cols[1];
  }
  size_t cur = 0;
  for (const Row& r : rows) {
    const std::string& id = r.cols[0];
    if (id.find('.') != std::string::npos) continue;
    size_t dash = id.find('-');
    if (dash != std::string::npos) {
      int a = std::stoi(id.substr(0, dash)), b = std::stoi(id.substr(dash + 1));
      size_t i = text.find(r.cols[1], cur);
      std::string joined;
      for (int k = a; k <= b; ++k) joined += forms[k];
      if (i != std::string::npos && joined == r.cols[1]) {
        int64_t off = base + static_cast<int64_t>(i);
        for (int k = a; k <= b; ++k) {
          int64_t len = static_cast<int64_t>(forms[k].size());
          mwt[k] = {off, off + len};
          off += len;
        }
      } else {
        for (int k = a; k <= b; ++k) mwt[k] = {-1, -1};
      }
      if (i != std::string::npos) cur = i + r.cols[1].size();
      continue;
    }
    GoldWord w;
    w.form = r.cols[1];
    w.lemma = r.cols[2];
    w.upos = r.cols[3];
    w.xpos = r.cols[4];
    w.feats = r.cols[5];
    w.head = std::stoi(r.cols[6]);
    w.deprel = r.cols[7];
    int wid = std::stoi(id);
    auto it = mwt.find(wid);
    if (it != mwt.end()) {
      w.begin = it->second.first;
      w.end = it->second.second;
    } else {
      size_t i = text.find(w.form, cur);
      if (i != std::string::npos) {
        w.begin = base + static_cast<int64_t>(i);
        w.end = w.begin + static_cast<int64_t>(w.form.size());
        cur = i + w.form.size();
      }
    }
    sent.words.push_back(std::move(w));
  }
  doc->sentences.push_back(std::move(sent));
}

}  // namespace

std::vector<GoldDoc> ReadConllu(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) throw std::runtime_error("cannot open " + path);
  std::vector<GoldDoc> docs;
  GoldDoc doc;
  std::vector<Row> rows;
  std::string text, line;
  auto close_sentence = [&] {
    CloseSentence(text, rows, &doc);
    rows.clear();
    text.clear();
  };
  char buf[1 << 16];
  bool eof = false;
  while (!eof) {
    line.clear();
    while (true) {
      if (gzgets(f, buf, sizeof(buf)) == nullptr) { eof = true; break; }
      line += buf;
      if (!line.empty() && line.back() == '\n') break;
    }
    if (eof && line.empty()) break;
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    if (line.rfind("# newdoc", 0) == 0) {
      close_sentence();
      if (!doc.sentences.empty()) docs.push_back(std::move(doc));
      doc = GoldDoc();
    } else if (line.rfind("# text = ", 0) == 0) {
      text = line.substr(9);
    } else if (line.empty()) {
      close_sentence();
    } else if (line[0] != '#') {
      Row r{SplitTabs(line)};
      if (r.cols.size() >= 8) rows.push_back(std::move(r));
    }
  }
  gzclose(f);
  close_sentence();
  if (!doc.sentences.empty()) docs.push_back(std::move(doc));
  return docs;
}

}  // namespace docanalysis::syntax
