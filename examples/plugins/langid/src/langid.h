/*
 * langid: language identification from character n-gram profiles (multinomial naive Bayes over
 * the 1- to 3-grams of lower-cased, space-padded words). The profiles are a data file built by
 * tools/build_profiles.py; see README.md.
 *
 * OWNERSHIP: langid_model_load returns a model the caller frees with langid_model_free.
 * THREADING: a loaded model is immutable; langid_classify may run concurrently on one model.
 */
#ifndef LANGID_H_
#define LANGID_H_

#include <stddef.h>

typedef struct langid_model langid_model;

typedef struct langid_result {
  const char* language; /* BCP-47 code, static in the model; NULL when the text has no letters */
  float confidence;     /* posterior of the best language, in (0, 1] */
  size_t grams;         /* n-grams scored */
} langid_result;

/* Loads profiles from `path`. On failure returns NULL and writes a message into err[err_size]. */
langid_model* langid_model_load(const char* path, char* err, size_t err_size);
void langid_model_free(langid_model* m);
size_t langid_model_languages(const langid_model* m);

/* Classifies the first `max_bytes` bytes of `text` (UTF-8). `cancelled(ctx)`, when not NULL, is
 * polled every few thousand n-grams; when it returns non-zero, returns -1. Returns 0 on success. */
int langid_classify(const langid_model* m, const char* text, size_t size, size_t max_bytes,
                    int (*cancelled)(void*), void* ctx, langid_result* out);

#endif /* LANGID_H_ */
