/*
 * The langid plugin: identifies the language of a document among the languages of its profiles
 * (data file "profiles", default profiles.tsv in the plugin folder) and returns it as a document
 * label named "language" (value: BCP-47 code, score: confidence). The server copies that label
 * into AnalyzeResponse.language when the caller left the document's language empty.
 *
 * Written in plain C99 against docanalysis/plugin_abi.h only.
 * Options: "profiles" (file name in the plugin folder), "max_bytes" (how much of the text to read,
 * default 65536), "min_confidence" (below it, the label says "und"; default 0).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docanalysis/plugin_abi.h"
#include "langid.h"

typedef struct instance {
  langid_model* model;
  size_t max_bytes;
  float min_confidence;
} instance;

static docanalysis_str str(const char* s) {
  docanalysis_str out = {s, strlen(s)};
  return out;
}

/* The value of option `key` as a NUL-terminated copy in buf, or NULL. */
static const char* option(const docanalysis_option* opts, size_t n, const char* key, char* buf, size_t size) {
  size_t klen = strlen(key);
  for (size_t i = 0; i < n; ++i) {
    if (opts[i].key.size == klen && memcmp(opts[i].key.data, key, klen) == 0) {
      size_t len = opts[i].value.size < size - 1 ? opts[i].value.size : size - 1;
      memcpy(buf, opts[i].value.data, len);
      buf[len] = '\0';
      return buf;
    }
  }
  return NULL;
}

static int32_t create(const docanalysis_create_args* args, void** out) {
  char file[256], num[64], path[4096], err[512];
  const char* name = option(args->options, args->option_count, "profiles", file, sizeof file);
  if (!name || !*name) name = "profiles.tsv";
  if (strchr(name, '/') != NULL) {
    if (args->set_error) args->set_error(args->error_ctx, str("option \"profiles\" must be a file name in the plugin folder"));
    return DOCANALYSIS_INVALID_ARGUMENT;
  }
  snprintf(path, sizeof path, "%.*s/%s", (int)args->plugin_dir.size, args->plugin_dir.data, name);
  instance* in = calloc(1, sizeof *in);
  if (!in) return DOCANALYSIS_RESOURCE_EXHAUSTED;
  in->model = langid_model_load(path, err, sizeof err);
  if (!in->model) {
    free(in);
    if (args->set_error) args->set_error(args->error_ctx, str(err));
    return DOCANALYSIS_FAILED_PRECONDITION;
  }
  const char* v = option(args->options, args->option_count, "max_bytes", num, sizeof num);
  in->max_bytes = v && atol(v) > 0 ? (size_t)atol(v) : 65536;
  v = option(args->options, args->option_count, "min_confidence", num, sizeof num);
  in->min_confidence = v ? (float)atof(v) : 0.0f;
  *out = in;
  return DOCANALYSIS_OK;
}

static int32_t analyze(void* self, const docanalysis_document* doc, const docanalysis_sink* sink) {
  const instance* in = self;
  char num[64];
  size_t max_bytes = in->max_bytes;
  float min_confidence = in->min_confidence;
  const char* v = option(doc->options, doc->option_count, "max_bytes", num, sizeof num);
  if (v && atol(v) > 0) max_bytes = (size_t)atol(v);
  v = option(doc->options, doc->option_count, "min_confidence", num, sizeof num);
  if (v) min_confidence = (float)atof(v);

  langid_result r;
  if (langid_classify(in->model, doc->text.data, doc->text.size, max_bytes, doc->is_cancelled, doc->cancel_ctx, &r) != 0) {
    sink->set_error(sink->ctx, str("cancelled"));
    return DOCANALYSIS_CANCELLED;
  }
  if (r.language == NULL) return DOCANALYSIS_OK; /* no letters: nothing to say */
  const char* lang = r.confidence >= min_confidence ? r.language : "und";
  sink->add_label(sink->ctx, str("language"), str(lang), r.confidence);
  return DOCANALYSIS_OK;
}

static void destroy(void* self) {
  instance* in = self;
  langid_model_free(in->model);
  free(in);
}

DOCANALYSIS_EXPORT const docanalysis_plugin_api* docanalysis_plugin_get_api(void) {
  static const docanalysis_plugin_api api = {
      DOCANALYSIS_ABI_MAJOR, DOCANALYSIS_ABI_MINOR, "langid", "1.0.0", create, analyze, destroy,
  };
  return &api;
}
