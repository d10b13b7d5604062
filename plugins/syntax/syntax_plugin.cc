// The "syntax" plugin: UD syntactic words with part of speech (UPOS, XPOS), FEATS, lemma and a
// labelled dependency tree, from the model in syntax-en.model (see model.h and MODEL_CARD.md).
//
// Words come from the host's tokens, split the way UD splits them (don't -> do + n't); each
// sentence of the host is parsed on its own, and with `split_at_newlines` (default true) a line
// break inside a host sentence also ends a parse (text with one sentence or heading per line).
//
// Options (manifest default, or request "syntax.<key>"): split_at_newlines (true/false),
// model (create time only: the model file's name in the plugin folder).
//
// Needs a host with plugin ABI 1.1 (the sink's add_syntax_token); an older host fails the load.
// THREADING: the model is immutable; per-call state lives in a Scratch on the stack.
#include <string>
#include <vector>

#include "docanalysis/plugin.h"
#include "model.h"

namespace docanalysis::syntax {
namespace {

bool ParseBool(std::string_view v, bool* out) {
  if (v == "true" || v == "1" || v == "yes" || v == "on") { *out = true; return true; }
  if (v == "false" || v == "0" || v == "no" || v == "off") { *out = false; return true; }
  return false;
}

class SyntaxPlugin : public docanalysis::Plugin {
 public:
  explicit SyntaxPlugin(const docanalysis::PluginConfig& config) {
    if (config.host_abi_minor() < 1)
      throw docanalysis::PluginError(DOCANALYSIS_FAILED_PRECONDITION,
                                     "syntax: the host's plugin ABI 1." + std::to_string(config.host_abi_minor()) +
                                         " cannot take syntactic words; the plugin needs ABI 1.1");
    std::string error;
    if (!model_.Load(config.Path(config.Option("model", "syntax-en.model")), &error))
      throw docanalysis::PluginError(DOCANALYSIS_FAILED_PRECONDITION, "syntax: " + error);
    std::string v = config.Option("split_at_newlines", "true");
    if (!ParseBool(v, &defaults_.split_at_newlines))
      throw docanalysis::PluginError(DOCANALYSIS_INVALID_ARGUMENT,
                                     "syntax: bad value '" + v + "' for option 'split_at_newlines' (true or false)");
  }

  docanalysis::Status Analyze(const docanalysis::Document& doc, docanalysis::Sink& sink) override {
    if (!sink.CanAddSyntaxTokens())
      return docanalysis::Status::Error(DOCANALYSIS_FAILED_PRECONDITION, "syntax: the host has no add_syntax_token");
    AnalyzeOptions options = defaults_;
    std::string_view v = doc.Option("split_at_newlines");
    if (!v.empty() && !ParseBool(v, &options.split_at_newlines))
      return docanalysis::Status::InvalidArgument("syntax: bad value '" + std::string(v) +
                                                  "' for option 'split_at_newlines' (true or false)");
    const docanalysis_document& raw = doc.raw();
    SyntaxModel::Scratch scratch;
    std::vector<OutToken> out;
    out.reserve(raw.token_count + raw.token_count / 8);
    if (!model_.AnalyzeDocument(doc.text(), raw.tokens, raw.token_count, raw.sentences, raw.sentence_count, options,
                                scratch, &out, [&doc] { return doc.Cancelled(); }))
      return docanalysis::Status::Cancelled("syntax: cancelled");
    const std::string_view text = doc.text();
    for (const OutToken& t : out) {
      const std::string_view form = text.substr(t.begin, t.end - t.begin);
      const std::string& feats = model_.morph.feats[t.feats];
      sink.AddSyntaxToken(t.begin, t.end, model_.tags.upos[t.cls], model_.tags.xpos[t.cls],
                          feats == "_" ? std::string_view() : std::string_view(feats),
                          model_.morph.Lemma(form, static_cast<int>(model_.upos_id_of_class[t.cls])),
                          static_cast<uint32_t>(t.head), model_.labels[t.label]);
    }
    return docanalysis::Status::Ok();
  }

 private:
  SyntaxModel model_;
  AnalyzeOptions defaults_;
};

}  // namespace
}  // namespace docanalysis::syntax

DOCANALYSIS_REGISTER_PLUGIN(docanalysis::syntax::SyntaxPlugin, "syntax", "1.0.0")
