#define _POSIX_C_SOURCE 200809L /* getline */
#include "langid.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LANGS 64
#define MAX_GRAM_BYTES 12 /* 3 code points of at most 4 bytes */

typedef struct gram_entry {
  char key[MAX_GRAM_BYTES];
  uint8_t len;   /* 0: empty slot */
  float* logp;   /* one per language */
} gram_entry;

struct langid_model {
  size_t lang_count;
  char langs[MAX_LANGS][16];
  float unseen[MAX_LANGS];
  gram_entry* table; /* open addressing, power-of-two size */
  size_t table_size;
  float* values;     /* lang_count floats per entry, one block */
  size_t entries;
};

static uint32_t hash_bytes(const char* s, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; ++i) h = (h ^ (uint8_t)s[i]) * 16777619u;
  return h;
}

static gram_entry* find(const langid_model* m, const char* key, size_t len) {
  size_t mask = m->table_size - 1;
  for (size_t i = hash_bytes(key, len) & mask;; i = (i + 1) & mask) {
    gram_entry* e = &m->table[i];
    if (e->len == 0) return e;
    if (e->len == len && memcmp(e->key, key, len) == 0) return e;
  }
}

/* Lower-casing and letter classes: the same tables as tools/build_profiles.py. */
static uint32_t lower(uint32_t cp) {
  if (cp >= 0x41 && cp <= 0x5A) return cp + 0x20;
  if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return cp + 0x20;
  if (cp == 0x178) return 0xFF;
  if (cp >= 0x100 && cp <= 0x17F && cp != 0x130 && cp != 0x131 && cp != 0x138 && cp != 0x149 && cp != 0x17F) {
    if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E)) return cp % 2 == 1 ? cp + 1 : cp;
    return cp % 2 == 0 ? cp + 1 : cp;
  }
  if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) return cp + 0x20;
  if (cp >= 0x410 && cp <= 0x42F) return cp + 0x20;
  if (cp >= 0x400 && cp <= 0x40F) return cp + 0x50;
  return cp;
}

static int is_letter(uint32_t cp) {
  if (cp < 0x80) return (cp >= 0x41 && cp <= 0x5A) || (cp >= 0x61 && cp <= 0x7A);
  if (cp <= 0xBF || cp == 0xD7 || cp == 0xF7) return 0;
  if (cp >= 0x2000 && cp <= 0x2BFF) return 0;
  if (cp >= 0x3000 && cp <= 0x303F) return 0;
  if ((cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF20) || (cp >= 0xFF3B && cp <= 0xFF40) ||
      (cp >= 0xFF5B && cp <= 0xFF65))
    return 0;
  if ((cp >= 0xD800 && cp <= 0xDFFF) || (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0xFEFF) return 0;
  if (cp >= 0x1F000 && cp <= 0x1FAFF) return 0;
  return 1;
}

static size_t encode(uint32_t cp, char* out) {
  if (cp < 0x80) { out[0] = (char)cp; return 1; }
  if (cp < 0x800) { out[0] = (char)(0xC0 | (cp >> 6)); out[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
  if (cp < 0x10000) {
    out[0] = (char)(0xE0 | (cp >> 12)); out[1] = (char)(0x80 | ((cp >> 6) & 0x3F)); out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | (cp >> 18)); out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  out[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); out[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

/* Decodes one code point of valid UTF-8 at s[*i], advancing *i; a malformed byte reads as U+FFFD. */
static uint32_t decode(const unsigned char* s, size_t n, size_t* i) {
  unsigned char c = s[*i];
  size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
  if (len == 0 || *i + len > n) { ++*i; return 0xFFFD; }
  uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1Fu) : len == 3 ? (c & 0x0Fu) : (c & 0x07u);
  for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (s[*i + k] & 0x3Fu);
  *i += len;
  return cp;
}

static void set_err(char* err, size_t size, const char* msg, const char* detail) {
  if (err && size) snprintf(err, size, "%s%s", msg, detail ? detail : "");
}

langid_model* langid_model_load(const char* path, char* err, size_t err_size) {
  FILE* f = fopen(path, "rb");
  if (!f) { set_err(err, err_size, "cannot open profiles ", path); return NULL; }
  langid_model* m = calloc(1, sizeof *m);
  char* line = NULL;
  size_t cap = 0, grams = 0;
  long start = 0;
  ssize_t n;
  if (!m) goto oom;
  /* Pass 1: languages and the number of n-gram lines. */
  while ((n = getline(&line, &cap, f)) > 0) {
    if (line[0] == 'L' && line[1] == '\t') {
      char code[16];
      float unseen;
      if (m->lang_count >= MAX_LANGS || sscanf(line + 2, "%15s %f", code, &unseen) != 2) {
        set_err(err, err_size, "bad language line in ", path);
        goto fail;
      }
      strcpy(m->langs[m->lang_count], code);
      m->unseen[m->lang_count++] = unseen;
    } else if (line[0] == 'G') {
      ++grams;
    }
  }
  if (m->lang_count == 0 || grams == 0) { set_err(err, err_size, "no profiles in ", path); goto fail; }
  m->table_size = 1;
  while (m->table_size < grams * 2) m->table_size <<= 1;
  m->table = calloc(m->table_size, sizeof *m->table);
  m->values = malloc(grams * m->lang_count * sizeof(float));
  if (!m->table || !m->values) goto oom;
  /* Pass 2: the n-grams. */
  fseek(f, start, SEEK_SET);
  while ((n = getline(&line, &cap, f)) > 0) {
    if (line[0] != 'G' || line[1] != '\t') continue;
    char* gram = line + 2;
    char* tab = strchr(gram, '\t');
    if (!tab || tab == gram || tab - gram > MAX_GRAM_BYTES) { set_err(err, err_size, "bad n-gram line in ", path); goto fail; }
    size_t len = (size_t)(tab - gram);
    unsigned lang = 0;
    float logp = 0;
    if (sscanf(tab + 1, "%u %f", &lang, &logp) != 2 || lang >= m->lang_count) {
      set_err(err, err_size, "bad n-gram line in ", path);
      goto fail;
    }
    gram_entry* e = find(m, gram, len);
    if (e->len == 0) {
      memcpy(e->key, gram, len);
      e->len = (uint8_t)len;
      e->logp = m->values + m->entries++ * m->lang_count;
      for (size_t l = 0; l < m->lang_count; ++l) e->logp[l] = m->unseen[l];
    }
    e->logp[lang] = logp;
  }
  free(line);
  fclose(f);
  return m;
oom:
  set_err(err, err_size, "out of memory loading ", path);
fail:
  free(line);
  fclose(f);
  langid_model_free(m);
  return NULL;
}

void langid_model_free(langid_model* m) {
  if (!m) return;
  free(m->table);
  free(m->values);
  free(m);
}

size_t langid_model_languages(const langid_model* m) { return m->lang_count; }

/* Adds the n-grams of one padded word (code points w[0..n)) to the scores. */
static size_t score_word(const langid_model* m, const uint32_t* w, size_t n, double* scores) {
  size_t count = 0;
  for (size_t len = 1; len <= 3; ++len) {
    for (size_t i = 0; i + len <= n; ++i) {
      if (len == 1 && w[i] == ' ') continue;
      char key[MAX_GRAM_BYTES];
      size_t k = 0;
      for (size_t j = 0; j < len; ++j) k += encode(w[i + j], key + k);
      const gram_entry* e = find(m, key, k);
      for (size_t l = 0; l < m->lang_count; ++l) scores[l] += e->len ? e->logp[l] : m->unseen[l];
      ++count;
    }
  }
  return count;
}

int langid_classify(const langid_model* m, const char* text, size_t size, size_t max_bytes,
                    int (*cancelled)(void*), void* ctx, langid_result* out) {
  double scores[MAX_LANGS] = {0};
  uint32_t word[66];
  size_t wn = 0, grams = 0, next_poll = 4096;
  const unsigned char* s = (const unsigned char*)text;
  size_t n = size < max_bytes ? size : max_bytes;
  out->language = NULL;
  out->confidence = 0;
  out->grams = 0;
  for (size_t i = 0; i <= n;) {
    uint32_t cp = 0;
    int letter = 0;
    if (i < n) {
      cp = decode(s, n, &i);
      letter = is_letter(cp);
    } else {
      ++i;  /* the end flushes the last word */
    }
    if (letter && wn < 64) {
      if (wn == 0) word[wn++] = ' ';
      word[wn++] = lower(cp);
      continue;
    }
    if (letter) continue;  /* words past 63 letters are cut */
    if (wn > 0) {
      word[wn++] = ' ';
      grams += score_word(m, word, wn, scores);
      wn = 0;
      if (grams >= next_poll) {
        next_poll = grams + 4096;
        if (cancelled && cancelled(ctx)) return -1;
      }
    }
  }
  if (grams == 0) return 0;
  size_t best = 0;
  for (size_t l = 1; l < m->lang_count; ++l)
    if (scores[l] > scores[best]) best = l;
  /* Posterior over languages with the per-gram log likelihoods (naive Bayes is overconfident on
   * long texts; dividing by sqrt(grams) keeps the confidence informative). */
  double z = 0;
  for (size_t l = 0; l < m->lang_count; ++l) z += exp((scores[l] - scores[best]) / sqrt((double)grams));
  out->language = m->langs[best];
  out->confidence = (float)(1.0 / z);
  out->grams = grams;
  return 0;
}
