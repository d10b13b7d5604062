#include "service/plugin_host/loaded_plugin.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <system_error>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace docanalysis {
namespace {

std::string_view ToView(docanalysis_str s) { return std::string_view(s.data ? s.data : "", s.size); }

void CopyMessage(void* ctx, docanalysis_str message) {
  static_cast<std::string*>(ctx)->assign(ToView(message).substr(0, 4096));
}

absl::Status FromCode(int32_t code, std::string message) {
  if (code < 0 || code > 16) code = DOCANALYSIS_UNKNOWN;
  if (code == 0) return absl::OkStatus();
  if (message.empty()) message = "(no message)";
  return absl::Status(static_cast<absl::StatusCode>(code), message);
}

}  // namespace

absl::StatusOr<std::shared_ptr<const LoadedPlugin>> LoadedPlugin::Load(
    const std::string& folder, PluginManifest manifest, const std::string& private_dir,
    const OptionList& option_overrides) {
  namespace fs = std::filesystem;
  const std::string where = absl::StrCat("plugin ", manifest.name, " (", folder, ")");
  if (manifest.abi_major != DOCANALYSIS_ABI_MAJOR || manifest.abi_minor > DOCANALYSIS_ABI_MINOR) {
    return absl::FailedPreconditionError(absl::StrCat(where, ": manifest declares ABI ", manifest.abi_major, ".",
                                                      manifest.abi_minor, " but this server supports ",
                                                      DOCANALYSIS_ABI_MAJOR, ".0 to ", DOCANALYSIS_ABI_MAJOR, ".",
                                                      DOCANALYSIS_ABI_MINOR));
  }
  // Copy the library into a fresh directory that only this user can enter (mkdtemp: mode 0700,
  // an unpredictable name), open the copy, and remove both at once: the mapping stays valid,
  // nothing is left on disk, and no other user can swap the file between the copy and the open.
  std::error_code ec;
  fs::path parent = private_dir.empty() ? fs::temp_directory_path(ec) : fs::path(private_dir);
  if (ec) parent = "/tmp";
  if (!private_dir.empty()) fs::create_directories(parent, ec);
  std::string tmpl = (parent / "docanalysis-plugin-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) {
    return absl::InternalError(absl::StrCat(where, ": cannot make a private directory under ", parent.string(), ": ",
                                            std::strerror(errno)));
  }
  const fs::path private_copy_dir(tmpl);
  fs::path source = fs::path(folder) / manifest.library;
  fs::path copy = private_copy_dir / manifest.library;
  if (!fs::copy_file(source, copy, fs::copy_options::overwrite_existing, ec)) {
    fs::remove_all(private_copy_dir, ec);
    return absl::NotFoundError(absl::StrCat(where, ": cannot copy library ", source.string(), ": ", ec.message()));
  }
  std::shared_ptr<LoadedPlugin> p(new LoadedPlugin());
  p->folder_ = folder;
  p->library_.load(copy, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local, ec);
  std::error_code ignored;
  fs::remove_all(private_copy_dir, ignored);
  if (ec) {
    const char* detail = ::dlerror();
    return absl::FailedPreconditionError(absl::StrCat(where, ": cannot load ", source.string(), ": ",
                                                      detail ? detail : ec.message()));
  }
  if (!p->library_.has(DOCANALYSIS_PLUGIN_ENTRY_SYMBOL)) {
    return absl::FailedPreconditionError(
        absl::StrCat(where, ": ", manifest.library, " does not export ", DOCANALYSIS_PLUGIN_ENTRY_SYMBOL));
  }
  auto get_api = p->library_.get<const docanalysis_plugin_api*()>(DOCANALYSIS_PLUGIN_ENTRY_SYMBOL);
  const docanalysis_plugin_api* api = get_api();
  if (api == nullptr) return absl::FailedPreconditionError(absl::StrCat(where, ": entry symbol returned NULL"));
  if (api->abi_major != DOCANALYSIS_ABI_MAJOR) {
    return absl::FailedPreconditionError(absl::StrCat(where, ": built against ABI major ", api->abi_major,
                                                      ", this server speaks major ", DOCANALYSIS_ABI_MAJOR,
                                                      "; rebuild the plugin against this SDK"));
  }
  if (api->abi_minor > DOCANALYSIS_ABI_MINOR) {
    return absl::FailedPreconditionError(absl::StrCat(where, ": built against ABI ", api->abi_major, ".", api->abi_minor,
                                                      ", newer than this server's ", DOCANALYSIS_ABI_MAJOR, ".",
                                                      DOCANALYSIS_ABI_MINOR, "; upgrade the server"));
  }
  if (api->create == nullptr || api->analyze == nullptr || api->destroy == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(where, ": API table has NULL functions"));
  }
  p->api_ = api;
  p->built_abi_major_ = api->abi_major;
  p->built_abi_minor_ = api->abi_minor;

  // Options: manifest defaults, then the operator's overrides.
  OverlayOptions(&manifest.options, option_overrides);
  std::vector<docanalysis_option> options;
  for (const auto& [k, v] : manifest.options) options.push_back({{k.data(), k.size()}, {v.data(), v.size()}});
  std::string error;
  docanalysis_create_args args{};
  args.host_abi_major = DOCANALYSIS_ABI_MAJOR;
  args.host_abi_minor = DOCANALYSIS_ABI_MINOR;
  args.plugin_dir = {folder.data(), folder.size()};
  args.options = options.data();
  args.option_count = options.size();
  args.set_error = &CopyMessage;
  args.error_ctx = &error;
  void* instance = nullptr;
  int32_t code = api->create(&args, &instance);
  if (code != DOCANALYSIS_OK || instance == nullptr) {
    if (code == DOCANALYSIS_OK) code = DOCANALYSIS_INTERNAL, error = "create returned OK but no instance";
    absl::Status s = FromCode(code, error);
    return absl::Status(s.code(), absl::StrCat(where, ": create failed: ", s.message()));
  }
  p->instance_ = instance;
  p->manifest_ = std::move(manifest);
  return std::shared_ptr<const LoadedPlugin>(std::move(p));
}

LoadedPlugin::~LoadedPlugin() {
  if (instance_ != nullptr && api_ != nullptr) api_->destroy(instance_);
  instance_ = nullptr;
  // library_ unloads after this body.
}

absl::Status LoadedPlugin::Analyze(const docanalysis_document& doc, const docanalysis_sink& sink) const {
  int32_t code = api_->analyze(instance_, &doc, &sink);
  if (code == DOCANALYSIS_OK) return absl::OkStatus();
  // The sink's set_error stored the message in the host's collector; the caller reads it there.
  return FromCode(code, "");
}

}  // namespace docanalysis
