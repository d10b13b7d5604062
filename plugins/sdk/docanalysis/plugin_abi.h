/*
 * docanalysis plugin ABI, version 1.1.
 *
 * The only boundary between the docanalysis host and a plugin. Plain C: no C++ types, no
 * exceptions and no allocations cross it. A plugin is a shared library that exports exactly one
 * symbol, `docanalysis_plugin_get_api`, which returns a table of function pointers.
 *
 * Versioning: DOCANALYSIS_ABI_MAJOR changes on any breaking change; DOCANALYSIS_ABI_MINOR grows
 * when fields are appended to the end of a table (never inserted or reordered). The host refuses a
 * plugin whose major differs from its own or whose minor is newer than its own
 * (FAILED_PRECONDITION). A plugin built against an older minor simply never reads the newer fields.
 *
 * Errors cross as an int32 in gRPC/absl canonical numbering (DOCANALYSIS_OK = 0, ...) plus a
 * message that the host copies through a callback. Nothing allocated on one side is freed on the
 * other.
 *
 * Strings: `docanalysis_str` is a pointer + byte length, UTF-8, not NUL-terminated unless noted.
 * Offsets: byte offsets into `docanalysis_document.text`, half-open [begin, end).
 *
 * Most authors never use this header directly: see docanalysis/plugin.h for the C++ helper.
 */
#ifndef DOCANALYSIS_PLUGIN_ABI_H_
#define DOCANALYSIS_PLUGIN_ABI_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DOCANALYSIS_ABI_MAJOR 1
#define DOCANALYSIS_ABI_MINOR 1
/* History: 1.0 the first; 1.1 appends docanalysis_document.upstream (results of the plugins a
 * plugin needs) and docanalysis_sink.add_syntax_token (syntactic words). */

/* The exported entry symbol's name, for hosts that look it up by string. */
#define DOCANALYSIS_PLUGIN_ENTRY_SYMBOL "docanalysis_plugin_get_api"

#if defined(_WIN32)
#define DOCANALYSIS_EXPORT __declspec(dllexport)
#else
#define DOCANALYSIS_EXPORT __attribute__((visibility("default")))
#endif

/* Status codes, numbered as gRPC and absl number them. */
enum {
  DOCANALYSIS_OK = 0,
  DOCANALYSIS_CANCELLED = 1,
  DOCANALYSIS_UNKNOWN = 2,
  DOCANALYSIS_INVALID_ARGUMENT = 3,
  DOCANALYSIS_DEADLINE_EXCEEDED = 4,
  DOCANALYSIS_NOT_FOUND = 5,
  DOCANALYSIS_FAILED_PRECONDITION = 9,
  DOCANALYSIS_RESOURCE_EXHAUSTED = 8,
  DOCANALYSIS_UNIMPLEMENTED = 12,
  DOCANALYSIS_INTERNAL = 13,
  DOCANALYSIS_UNAVAILABLE = 14,
  DOCANALYSIS_DATA_LOSS = 15
};

/* Entity types, numbered as docanalysis.v1.EntityType. */
enum {
  DOCANALYSIS_ENTITY_UNSPECIFIED = 0,
  DOCANALYSIS_ENTITY_PERSON = 1,
  DOCANALYSIS_ENTITY_LOCATION = 2,
  DOCANALYSIS_ENTITY_ORGANIZATION = 3,
  DOCANALYSIS_ENTITY_MISC = 4,
  DOCANALYSIS_ENTITY_DATE = 5,
  DOCANALYSIS_ENTITY_NUMBER = 6,
  DOCANALYSIS_ENTITY_MONEY = 7,
  DOCANALYSIS_ENTITY_PERCENT = 8,
  DOCANALYSIS_ENTITY_EMAIL = 9,
  DOCANALYSIS_ENTITY_URL = 10,
  DOCANALYSIS_ENTITY_PHONE = 11
};

/* Token kinds (docanalysis_token.kind). */
enum {
  DOCANALYSIS_TOKEN_WORD = 0,   /* letters, possibly with digits, internal ' - . (U.S., O'Neil) */
  DOCANALYSIS_TOKEN_NUMBER = 1, /* digits, possibly with internal , . (1,100 3.5) */
  DOCANALYSIS_TOKEN_PUNCT = 2,  /* punctuation; runs of the same mark are one token (... !!) */
  DOCANALYSIS_TOKEN_SYMBOL = 3, /* currency and other symbols ($ % & +) */
  DOCANALYSIS_TOKEN_URL = 4,
  DOCANALYSIS_TOKEN_EMAIL = 5,
  DOCANALYSIS_TOKEN_EMOJI = 6,  /* one emoji, with its modifiers and ZWJ sequence */
  DOCANALYSIS_TOKEN_OTHER = 7
};

/* Token flags (docanalysis_token.flags), a bit set. */
enum {
  DOCANALYSIS_TOKEN_SPACE_BEFORE = 1u << 0,   /* whitespace or start of text precedes it */
  DOCANALYSIS_TOKEN_NEWLINE_BEFORE = 1u << 1, /* a line break precedes it */
  DOCANALYSIS_TOKEN_ABBREVIATION = 1u << 2    /* a word that ends in its own '.' (Dr. U.S.) */
};

/* A borrowed UTF-8 string. OWNERSHIP: the side that passes it. LIFETIME: the call it is passed in. */
typedef struct docanalysis_str {
  const char* data;
  size_t size;
} docanalysis_str;

/* One key/value option. Same ownership and lifetime as docanalysis_str. */
typedef struct docanalysis_option {
  docanalysis_str key;
  docanalysis_str value;
} docanalysis_option;

typedef struct docanalysis_token {
  uint32_t begin; /* byte offset into the document text */
  uint32_t end;   /* exclusive */
  uint32_t kind;  /* DOCANALYSIS_TOKEN_WORD, ... */
  uint32_t flags; /* DOCANALYSIS_TOKEN_SPACE_BEFORE | ... */
} docanalysis_token;

typedef struct docanalysis_sentence {
  uint32_t begin;       /* byte offset of the first character */
  uint32_t end;         /* exclusive; trailing whitespace excluded */
  uint32_t token_begin; /* index of its first token in docanalysis_document.tokens */
  uint32_t token_end;   /* exclusive */
  uint32_t paragraph;   /* 0-based paragraph index (paragraphs are separated by blank lines) */
} docanalysis_sentence;

/*
 * ABI 1.1: the upstream view, a read-only copy of what the plugins that this plugin needs (the
 * providers of the features in its manifest's "needs") found in this document. Those plugins ran
 * to completion before this one; a needed plugin that failed contributes nothing. Offsets are byte
 * offsets into docanalysis_document.text, like everything else in the document view.
 * OWNERSHIP: host. LIFETIME: the analyze call. THREADING: read-only.
 */

/* One entity mention. `canonical` is the name of the entity the host groups it into (the plugin's
 * canonical name when it gave one, else a surname's earlier full name, else the mention's text). */
typedef struct docanalysis_upstream_mention {
  uint32_t begin;
  uint32_t end;
  int32_t type; /* DOCANALYSIS_ENTITY_PERSON, ... */
  float confidence;
  docanalysis_str canonical;
  docanalysis_str plugin; /* name of the plugin that found it */
} docanalysis_upstream_mention;

typedef struct docanalysis_upstream_sentiment {
  uint32_t sentence_index; /* index into docanalysis_document.sentences */
  float score;             /* [-1, 1] */
  float magnitude;         /* >= 0 */
} docanalysis_upstream_sentiment;

typedef struct docanalysis_upstream_summary_sentence {
  uint32_t sentence_index;
  float score;
} docanalysis_upstream_summary_sentence;

typedef struct docanalysis_upstream_annotation {
  docanalysis_str plugin;
  docanalysis_str label;
  uint32_t begin;
  uint32_t end;
  float score;
  const docanalysis_option* attributes;
  size_t attribute_count;
} docanalysis_upstream_annotation;

typedef struct docanalysis_upstream_label {
  docanalysis_str plugin;
  docanalysis_str name;
  docanalysis_str value;
  float score;
} docanalysis_upstream_label;

typedef struct docanalysis_upstream {
  const docanalysis_upstream_mention* mentions; /* in text order */
  size_t mention_count;
  const docanalysis_upstream_sentiment* sentence_sentiments; /* in sentence order */
  size_t sentence_sentiment_count;
  int has_document_sentiment; /* non-zero when document_sentiment is set */
  docanalysis_upstream_sentiment document_sentiment; /* sentence_index unused (0) */
  const docanalysis_upstream_summary_sentence* summary; /* in sentence order */
  size_t summary_count;
  const docanalysis_upstream_annotation* annotations;
  size_t annotation_count;
  const docanalysis_upstream_label* labels;
  size_t label_count;
} docanalysis_upstream;

/*
 * The read-only view of one document, built once by the host's text pipeline.
 * OWNERSHIP: host. LIFETIME: the analyze call it is passed to; copy what you keep.
 * THREADING: read-only, safe to read from any thread during the call.
 */
typedef struct docanalysis_document {
  docanalysis_str id;
  docanalysis_str text;     /* UTF-8, valid; for HTML input, the extracted text */
  docanalysis_str language; /* BCP-47, may be empty */
  const docanalysis_token* tokens;
  size_t token_count;
  const docanalysis_sentence* sentences;
  size_t sentence_count;
  /* This request's options for this plugin, "<plugin>." prefix removed, manifest defaults applied. */
  const docanalysis_option* options;
  size_t option_count;
  /* Features of this plugin that the request asked for (NUL-free UTF-8 names). */
  const docanalysis_str* features;
  size_t feature_count;
  /* Returns non-zero once the request is cancelled or past its deadline, or the plugin is past its
   * time budget. Poll it on long work and return DOCANALYSIS_CANCELLED or
   * DOCANALYSIS_DEADLINE_EXCEEDED. THREADING: callable from any thread during the call. */
  int (*is_cancelled)(void* cancel_ctx);
  void* cancel_ctx;
  /* --- ABI 1.1 (read only when the host's minor, docanalysis_create_args.host_abi_minor, is >= 1;
   * a 1.1 plugin is only ever loaded by a 1.1 host) --- */
  /* Results of the plugins this plugin needs, or NULL when it needs none. Never NULL in a 1.1 host
   * for a plugin with "needs", whether it runs in process or in a worker process. */
  const docanalysis_upstream* upstream;
} docanalysis_document;

/*
 * One syntactic word of the document (ABI 1.1), reported through docanalysis_sink.add_syntax_token.
 * OWNERSHIP: the plugin; the host copies every field during the call. LIFETIME: the call.
 * Its layout is fixed: a later minor that needs more adds a new callback, never fields here.
 */
typedef struct docanalysis_syntax_token {
  uint32_t begin;           /* byte offset into the document text */
  uint32_t end;             /* exclusive */
  docanalysis_str tag;      /* UD universal part of speech (UPOS), e.g. "NOUN" */
  docanalysis_str xpos;     /* treebank-specific tag, e.g. "NNS"; may be empty */
  docanalysis_str features; /* UD FEATS, e.g. "Number=Plur"; empty (or "_") for none */
  docanalysis_str lemma;
  /* Index of the head among the syntax tokens this plugin reported for this document, counting
   * from 0 in call order; the root of a sentence points at itself. May name a token reported later. */
  uint32_t head;
  docanalysis_str label; /* UD dependency relation, e.g. "nsubj", "obl:tmod", "root" */
} docanalysis_syntax_token;

/*
 * Where a plugin writes its results. Every callback copies what it is given, so the plugin may
 * pass pointers to its own stack or temporaries.
 * OWNERSHIP: host. LIFETIME: the analyze call. THREADING: the callbacks of one sink may be called
 * from one thread at a time (a plugin that fans out must serialise its calls to the sink).
 * Out-of-range offsets or indices are ignored by the host and counted in the plugin's run message.
 */
typedef struct docanalysis_sink {
  void* ctx;
  /* An entity mention [begin, end) of `type`. `canonical` may name the entity it refers to (for a
   * surname linked to an earlier full name); empty lets the host group by text. */
  void (*add_entity_mention)(void* ctx, uint32_t begin, uint32_t end, int32_t type, float confidence,
                             docanalysis_str canonical);
  /* Sentiment of sentence `sentence_index`: score in [-1, 1], magnitude >= 0. */
  void (*set_sentence_sentiment)(void* ctx, uint32_t sentence_index, float score, float magnitude);
  void (*set_document_sentiment)(void* ctx, float score, float magnitude);
  /* A sentence chosen for the summary, with its score; order does not matter. */
  void (*add_summary_sentence)(void* ctx, uint32_t sentence_index, float score);
  /* A generic span annotation; attributes are copied. */
  void (*add_annotation)(void* ctx, docanalysis_str label, uint32_t begin, uint32_t end, float score,
                         const docanalysis_option* attributes, size_t attribute_count);
  /* A generic document-level label. */
  void (*add_label)(void* ctx, docanalysis_str name, docanalysis_str value, float score);
  /* The message that goes with a non-OK return of analyze; copied. */
  void (*set_error)(void* ctx, docanalysis_str message);

  /* ---- ABI 1.1 ---- A plugin may call these only when create's host_abi_minor >= 1 (the C++
   * helper's Sink checks it); a 1.1 host always fills them. */
  /* One syntactic word; report a document's words in order. Copied. */
  void (*add_syntax_token)(void* ctx, const docanalysis_syntax_token* token);
} docanalysis_sink;

/*
 * Arguments to create. OWNERSHIP: host. LIFETIME: the create call.
 */
typedef struct docanalysis_create_args {
  uint32_t host_abi_major;
  uint32_t host_abi_minor;
  docanalysis_str plugin_dir; /* the plugin's folder, where its data files are */
  /* Manifest option defaults merged with the operator's overrides. */
  const docanalysis_option* options;
  size_t option_count;
  /* Reports the reason of a failed create; copied. */
  void (*set_error)(void* error_ctx, docanalysis_str message);
  void* error_ctx;
} docanalysis_create_args;

/*
 * The table a plugin exports. OWNERSHIP: plugin (static storage). LIFETIME: while the library is
 * loaded. Append-only: new fields go at the end and bump DOCANALYSIS_ABI_MINOR.
 */
typedef struct docanalysis_plugin_api {
  uint32_t abi_major; /* DOCANALYSIS_ABI_MAJOR the plugin was built with */
  uint32_t abi_minor; /* DOCANALYSIS_ABI_MINOR the plugin was built with */
  const char* name;    /* NUL-terminated, static */
  const char* version; /* NUL-terminated, static */

  /* Creates an instance (loads models). Returns DOCANALYSIS_OK and sets *instance, or an error
   * code after calling args->set_error. THREADING: called once per load, not concurrently. */
  int32_t (*create)(const docanalysis_create_args* args, void** instance);

  /* Analyzes one document, writing into `sink`. Returns DOCANALYSIS_OK or an error code (after
   * sink->set_error). THREADING: called concurrently from many threads on one instance; it must be
   * thread-safe. It must not throw and must not keep pointers into `doc` or `sink`. */
  int32_t (*analyze)(void* instance, const docanalysis_document* doc, const docanalysis_sink* sink);

  /* Destroys an instance after every analyze call on it has returned. */
  void (*destroy)(void* instance);
} docanalysis_plugin_api;

/* The one exported symbol. Returns a pointer to a static table; never NULL. */
typedef const docanalysis_plugin_api* (*docanalysis_plugin_get_api_fn)(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* DOCANALYSIS_PLUGIN_ABI_H_ */
