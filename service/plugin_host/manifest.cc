#include "service/plugin_host/manifest.h"

#include <nlohmann/json.hpp>

#include "service/common/strings.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace docanalysis {
namespace {

bool IsValidName(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
  return true;
}

}  // namespace

absl::StatusOr<PluginManifest> ParseManifest(std::string_view json, std::string_view where) {
  auto bad = [where](std::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat(AV(where), ": ", AV(what)));
  };
  nlohmann::json j = nlohmann::json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
  PluginManifest m;
  auto str = [&](const char* key, std::string* out, bool required) -> absl::Status {
    auto it = j.find(key);
    if (it == j.end()) return required ? bad(absl::StrCat("missing \"", key, "\"")) : absl::OkStatus();
    if (!it->is_string()) return bad(absl::StrCat("\"", key, "\" must be a string"));
    *out = it->get<std::string>();
    return absl::OkStatus();
  };
  auto list = [&](const char* key, std::vector<std::string>* out) -> absl::Status {
    auto it = j.find(key);
    if (it == j.end()) return absl::OkStatus();
    if (!it->is_array()) return bad(absl::StrCat("\"", key, "\" must be an array of strings"));
    for (const auto& v : *it) {
      if (!v.is_string() || !IsValidName(v.get<std::string>()))
        return bad(absl::StrCat("\"", key, "\" holds an invalid feature name"));
      out->push_back(v.get<std::string>());
    }
    return absl::OkStatus();
  };
  std::string abi;
  for (auto s : {str("name", &m.name, true), str("version", &m.version, true), str("abi_version", &abi, true),
                 str("library", &m.library, true), list("provides", &m.provides), list("needs", &m.needs)}) {
    if (!s.ok()) return s;
  }
  if (!IsValidName(m.name)) return bad("\"name\" must be 1-64 letters, digits, '_' or '-'");
  if (m.library.empty() || m.library.find('/') != std::string::npos || m.library == "..")
    return bad("\"library\" must be a file name inside the plugin folder");
  std::vector<absl::string_view> parts = absl::StrSplit(abi, '.');
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &m.abi_major) || !absl::SimpleAtoi(parts[1], &m.abi_minor))
    return bad("\"abi_version\" must be \"MAJOR.MINOR\"");
  if (m.provides.empty()) return bad("\"provides\" must name at least one feature");
  if (auto it = j.find("default"); it != j.end()) {
    if (!it->is_boolean()) return bad("\"default\" must be true or false");
    m.default_enabled = it->get<bool>();
  }
  if (auto it = j.find("timeout_ms"); it != j.end()) {
    if (!it->is_number_integer() || it->get<int64_t>() <= 0) return bad("\"timeout_ms\" must be a positive integer");
    m.timeout_ms = it->get<int64_t>();
  }
  if (auto it = j.find("isolation"); it != j.end()) {
    if (!it->is_string() || (it->get<std::string>() != "process" && it->get<std::string>() != "in_process"))
      return bad("\"isolation\" must be \"process\" or \"in_process\"");
    m.isolation = it->get<std::string>();
  }
  for (auto [key, out] : {std::pair<const char*, int64_t*>{"memory_mb", &m.memory_mb}, {"cpu_seconds", &m.cpu_seconds}}) {
    if (auto it = j.find(key); it != j.end()) {
      if (!it->is_number_integer() || it->get<int64_t>() <= 0) return bad(absl::StrCat("\"", key, "\" must be a positive integer"));
      *out = it->get<int64_t>();
    }
  }
  if (auto it = j.find("options"); it != j.end()) {
    if (!it->is_object()) return bad("\"options\" must be an object of strings");
    for (auto& [k, v] : it->items()) {
      if (v.is_string()) m.options.emplace_back(k, v.get<std::string>());
      else if (v.is_number() || v.is_boolean()) m.options.emplace_back(k, v.dump());
      else return bad(absl::StrCat("option \"", k, "\" must be a string, number or boolean"));
    }
  }
  return m;
}

}  // namespace docanalysis
