/* Tests of the langid plugin through its C ABI entry point (linked in, not dlopen'ed): loading,
 * errors, language of short texts in many languages, empty text, cancellation. The sentences are
 * written for this test (not from the training text). Prints "N passed, M failed". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docanalysis/plugin_abi.h"

const docanalysis_plugin_api* docanalysis_plugin_get_api(void);

static int passed, failed;
#define CHECK(cond, ...)                                          \
  do {                                                            \
    if (cond) {                                                   \
      ++passed;                                                   \
    } else {                                                      \
      ++failed;                                                   \
      printf("FAILED %s:%d: %s: ", __FILE__, __LINE__, #cond);    \
      printf(__VA_ARGS__);                                        \
      printf("\n");                                               \
    }                                                             \
  } while (0)

typedef struct capture {
  char name[64], value[64], error[256];
  float score;
  int labels;
} capture;

static void add_label(void* ctx, docanalysis_str name, docanalysis_str value, float score) {
  capture* c = ctx;
  snprintf(c->name, sizeof c->name, "%.*s", (int)name.size, name.data);
  snprintf(c->value, sizeof c->value, "%.*s", (int)value.size, value.data);
  c->score = score;
  ++c->labels;
}
static void set_error(void* ctx, docanalysis_str m) {
  capture* c = ctx;
  snprintf(c->error, sizeof c->error, "%.*s", (int)m.size, m.data);
}
static void create_error(void* ctx, docanalysis_str m) { snprintf(ctx, 256, "%.*s", (int)m.size, m.data); }
static int always(void* ctx) { (void)ctx; return 1; }

static void* create_in(const char* dir, const char* profiles, int32_t* code, char* err) {
  const docanalysis_plugin_api* api = docanalysis_plugin_get_api();
  docanalysis_option opt = {{"profiles", 8}, {profiles, strlen(profiles)}};
  docanalysis_create_args args;
  memset(&args, 0, sizeof args);
  args.host_abi_major = DOCANALYSIS_ABI_MAJOR;
  args.host_abi_minor = DOCANALYSIS_ABI_MINOR;
  args.plugin_dir.data = dir;
  args.plugin_dir.size = strlen(dir);
  args.options = &opt;
  args.option_count = 1;
  args.set_error = create_error;
  args.error_ctx = err;
  void* instance = NULL;
  *code = api->create(&args, &instance);
  return instance;
}

static int32_t run(void* instance, const char* text, size_t size, int (*cancelled)(void*), capture* c) {
  docanalysis_document d;
  memset(&d, 0, sizeof d);
  d.text.data = text;
  d.text.size = size;
  d.is_cancelled = cancelled;
  docanalysis_sink s;
  memset(&s, 0, sizeof s);
  memset(c, 0, sizeof *c);
  s.ctx = c;
  s.add_label = add_label;
  s.set_error = set_error;
  return docanalysis_plugin_get_api()->analyze(instance, &d, &s);
}

int main(int argc, char** argv) {
  const char* dir = argc > 1 ? argv[1] : "data";
  const docanalysis_plugin_api* api = docanalysis_plugin_get_api();
  CHECK(api->abi_major == DOCANALYSIS_ABI_MAJOR && strcmp(api->name, "langid") == 0, "api table");

  char err[256] = "";
  int32_t code;
  void* bad = create_in(dir, "no-such-file.tsv", &code, err);
  CHECK(bad == NULL && code == DOCANALYSIS_FAILED_PRECONDITION && strstr(err, "no-such-file.tsv") != NULL,
        "missing profiles: code %d, message '%s'", code, err);
  bad = create_in(dir, "../etc/passwd", &code, err);
  CHECK(bad == NULL && code == DOCANALYSIS_INVALID_ARGUMENT, "a path as profiles: code %d", code);

  void* in = create_in(dir, "profiles.tsv", &code, err);
  CHECK(in != NULL && code == DOCANALYSIS_OK, "create: %d %s", code, err);
  if (!in) {
    printf("%d passed, %d failed\n", passed, failed);
    return 1;
  }

  static const struct { const char* lang; const char* text; } kCases[] = {
      {"en", "The government announced on Monday that it would raise taxes on large companies next year."},
      {"fr", "Le gouvernement a annoncé lundi qu'il augmenterait les impôts des grandes entreprises l'année prochaine."},
      {"de", "Die Regierung kündigte am Montag an, dass sie im nächsten Jahr die Steuern für große Unternehmen erhöhen wird."},
      {"es", "El gobierno anunció el lunes que subirá los impuestos a las grandes empresas el próximo año."},
      {"it", "Il governo ha annunciato lunedì che il prossimo anno aumenterà le tasse sulle grandi aziende."},
      {"pt", "O governo anunciou na segunda-feira que vai aumentar os impostos das grandes empresas no próximo ano."},
      {"nl", "De regering maakte maandag bekend dat zij volgend jaar de belastingen voor grote bedrijven zal verhogen."},
      {"sv", "Regeringen meddelade på måndagen att den kommer att höja skatterna för stora företag nästa år."},
      {"pl", "Rząd ogłosił w poniedziałek, że w przyszłym roku podniesie podatki dla dużych przedsiębiorstw."},
      {"cs", "Vláda v pondělí oznámila, že příští rok zvýší daně velkým podnikům a bankám."},
      {"hu", "A kormány hétfőn bejelentette, hogy jövőre megemeli a nagyvállalatok adóit."},
      {"fi", "Hallitus ilmoitti maanantaina, että se nostaa suurten yritysten veroja ensi vuonna."},
      {"tr", "Hükümet pazartesi günü, gelecek yıl büyük şirketlerin vergilerini artıracağını açıkladı."},
      {"ru", "Правительство объявило в понедельник, что в следующем году повысит налоги для крупных компаний."},
      {"uk", "Уряд оголосив у понеділок, що наступного року підвищить податки для великих компаній."},
      {"el", "Η κυβέρνηση ανακοίνωσε τη Δευτέρα ότι θα αυξήσει τους φόρους για τις μεγάλες εταιρείες του χρόνου."},
      {"ar", "أعلنت الحكومة يوم الاثنين أنها سترفع الضرائب على الشركات الكبيرة في العام المقبل."},
      {"he", "הממשלה הודיעה ביום שני כי בשנה הבאה היא תעלה את המסים על חברות גדולות."},
      {"hi", "सरकार ने सोमवार को घोषणा की कि वह अगले साल बड़ी कंपनियों पर कर बढ़ाएगी।"},
      {"zh", "政府星期一宣布，明年将提高对大公司的税收。"},
      {"ja", "政府は月曜日、来年から大企業への税金を引き上げると発表しました。"},
      {"ko", "정부는 월요일에 내년부터 대기업에 대한 세금을 인상할 것이라고 발표했습니다."},
      {"vi", "Chính phủ thông báo vào thứ Hai rằng họ sẽ tăng thuế đối với các công ty lớn vào năm tới."},
      {"id", "Pemerintah mengumumkan pada hari Senin bahwa mereka akan menaikkan pajak perusahaan besar tahun depan."},
      {"th", "รัฐบาลประกาศเมื่อวันจันทร์ว่าจะขึ้นภาษีบริษัทขนาดใหญ่ในปีหน้า"},
  };
  size_t n = sizeof kCases / sizeof kCases[0], right = 0;
  for (size_t i = 0; i < n; ++i) {
    capture c;
    int32_t rc = run(in, kCases[i].text, strlen(kCases[i].text), NULL, &c);
    int ok = rc == DOCANALYSIS_OK && c.labels == 1 && strcmp(c.name, "language") == 0 && strcmp(c.value, kCases[i].lang) == 0;
    right += ok;
    if (!ok) printf("  %s sentence read as '%s' (%.2f)\n", kCases[i].lang, c.value, c.score);
    CHECK(c.score > 0.0f && c.score <= 1.0f, "confidence %f", c.score);
  }
  printf("  %zu of %zu test sentences in %zu languages identified\n", right, n, n);
  CHECK(right * 100 >= n * 92, "accuracy %zu/%zu under 92%%", right, n);

  capture c;
  CHECK(run(in, "", 0, NULL, &c) == DOCANALYSIS_OK && c.labels == 0, "empty text gives no label");
  CHECK(run(in, "12345 !!! ... 😀", strlen("12345 !!! ... 😀"), NULL, &c) == DOCANALYSIS_OK && c.labels == 0,
        "no letters gives no label");

  size_t big = 1u << 20;
  char* text = malloc(big);
  for (size_t i = 0; i < big; ++i) text[i] = "the cat sat on the mat "[i % 23];
  CHECK(run(in, text, big, always, &c) == DOCANALYSIS_CANCELLED, "cancellation is answered");
  CHECK(run(in, text, big, NULL, &c) == DOCANALYSIS_OK && strcmp(c.value, "en") == 0, "1 MiB text: '%s'", c.value);
  free(text);

  api->destroy(in);
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
