#include "eval/vader_eval.h"

#include <cmath>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "service/text/segmenter.h"

namespace docanalysis::sentiment::eval {

bool LoadGroundTruth(const std::string& path, std::vector<Item>* items, std::string* error) {
  std::ifstream f(path);
  if (!f) {
    *error = "cannot open " + path;
    return false;
  }
  nlohmann::json j = nlohmann::json::parse(f, nullptr, /*allow_exceptions=*/false);
  if (!j.is_array()) {
    *error = path + ": not a JSON array";
    return false;
  }
  items->clear();
  for (const auto& x : j) {
    if (!x.is_object() || !x.contains("text") || !x.contains("gold") || !x.contains("set")) continue;
    items->push_back(Item{x["set"].get<std::string>(), x["text"].get<std::string>(), x["gold"].get<double>()});
  }
  if (items->empty()) {
    *error = path + ": no items";
    return false;
  }
  return true;
}

double Pearson(const std::vector<double>& x, const std::vector<double>& y) {
  const size_t n = x.size();
  if (n == 0 || y.size() != n) return 0.0;
  double mx = 0, my = 0;
  for (size_t i = 0; i < n; ++i) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < n; ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  return (sxx > 0 && syy > 0) ? sxy / std::sqrt(sxx * syy) : 0.0;
}

int ThreeClass(double v) { return v >= 0.05 ? 1 : (v <= -0.05 ? -1 : 0); }

const SetFigures* Figures::Find(const std::string& set) const {
  for (const SetFigures& s : sets)
    if (s.set == set) return &s;
  return nullptr;
}

Figures Evaluate(const VaderAnalyzer& analyzer, const DocumentOptions& options, const std::vector<Item>& items) {
  Figures out;
  out.predictions.reserve(items.size());
  for (const Item& item : items) {
    text::Segmentation seg = text::Segment(item.text);
    DocumentScore s = analyzer.ScoreDocument(item.text, seg.tokens.data(), seg.tokens.size(), seg.sentences.data(),
                                             seg.sentences.size(), options);
    out.predictions.push_back(s.document.score);
  }
  std::vector<std::string> names = {"all"};
  for (const Item& item : items)
    if (std::find(names.begin(), names.end(), item.set) == names.end()) names.push_back(item.set);
  for (const std::string& name : names) {
    std::vector<double> p, g;
    size_t correct = 0;
    for (size_t i = 0; i < items.size(); ++i) {
      if (name != "all" && items[i].set != name) continue;
      p.push_back(out.predictions[i]);
      g.push_back(items[i].gold);
      correct += ThreeClass(out.predictions[i]) == ThreeClass(items[i].gold / 4.0);
    }
    SetFigures f;
    f.set = name;
    f.count = p.size();
    f.pearson = Pearson(p, g);
    f.accuracy = p.empty() ? 0.0 : static_cast<double>(correct) / p.size();
    out.sets.push_back(f);
  }
  return out;
}

}  // namespace docanalysis::sentiment::eval
