//! The readability plugin for docanalysis, in Rust: a `cdylib` that implements the plugin C ABI
//! (src/abi.rs mirrors docanalysis/plugin_abi.h) and returns, as document labels,
//! `flesch_reading_ease`, `flesch_kincaid_grade`, `sentence_count`, `word_count` and
//! `syllable_count` (value as text, score as the number).
//!
//! It reads the host's tokens and sentences (it never tokenises on its own): words are WORD
//! tokens, sentences are the host's sentences that hold at least one word. No state is shared
//! between calls, so concurrent `analyze` calls are safe. Panics never cross the boundary: they
//! become INTERNAL with the panic's message.
mod abi;
mod measures;

use abi::*;
use std::os::raw::{c_char, c_void};
use std::panic::{catch_unwind, AssertUnwindSafe};

struct Instance {
    /// Labels to return, from option "labels" ("all" or a comma-separated list).
    labels: Vec<String>,
}

const ALL_LABELS: [&str; 5] = ["flesch_reading_ease", "flesch_kincaid_grade", "sentence_count", "word_count", "syllable_count"];

unsafe fn option<'a>(options: *const docanalysis_option, n: usize, key: &str) -> Option<&'a str> {
    slice(options, n).iter().find(|o| o.key.as_str() == key).map(|o| o.value.as_str())
}

fn parse_labels(v: Option<&str>) -> Result<Vec<String>, String> {
    match v.map(str::trim) {
        None | Some("") | Some("all") => Ok(ALL_LABELS.iter().map(|s| s.to_string()).collect()),
        Some(list) => list
            .split(',')
            .map(|s| s.trim())
            .map(|s| if ALL_LABELS.contains(&s) { Ok(s.to_string()) } else { Err(format!("unknown label \"{s}\" in option \"labels\"; known: {}", ALL_LABELS.join(", "))) })
            .collect(),
    }
}

fn panic_message(e: &Box<dyn std::any::Any + Send>) -> String {
    e.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| e.downcast_ref::<String>().cloned()).unwrap_or_else(|| "panic".into())
}

unsafe extern "C" fn create(args: *const docanalysis_create_args, out: *mut *mut c_void) -> i32 {
    let r = catch_unwind(AssertUnwindSafe(|| {
        let a = &*args;
        match parse_labels(option(a.options, a.option_count, "labels")) {
            Ok(labels) => {
                *out = Box::into_raw(Box::new(Instance { labels })) as *mut c_void;
                OK
            }
            Err(msg) => {
                if let Some(f) = a.set_error {
                    f(a.error_ctx, docanalysis_str::from(&msg));
                }
                INVALID_ARGUMENT
            }
        }
    }));
    r.unwrap_or(INTERNAL)
}

/// Counts over the host's segmentation; `None` when cancelled.
unsafe fn count(doc: &docanalysis_document) -> Option<measures::Counts> {
    let text = doc.text.as_str();
    let tokens = slice(doc.tokens, doc.token_count);
    let sentences = slice(doc.sentences, doc.sentence_count);
    let mut c = measures::Counts::default();
    for (i, s) in sentences.iter().enumerate() {
        if i % 256 == 255 {
            if let Some(poll) = doc.is_cancelled {
                if poll(doc.cancel_ctx) != 0 {
                    return None;
                }
            }
        }
        let (b, e) = (s.token_begin as usize, (s.token_end as usize).min(tokens.len()));
        let mut words = 0;
        for t in tokens.get(b..e).unwrap_or(&[]) {
            if t.kind != TOKEN_WORD {
                continue;
            }
            let w = text.get(t.begin as usize..t.end as usize).unwrap_or("");
            let n = measures::syllables(w);
            if n > 0 {
                words += 1;
                c.syllables += n;
            }
        }
        if words > 0 {
            c.sentences += 1;
            c.words += words;
        }
    }
    Some(c)
}

unsafe extern "C" fn analyze(instance: *mut c_void, doc: *const docanalysis_document, sink: *const docanalysis_sink) -> i32 {
    let sink = &*sink;
    let fail = |code: i32, msg: &str| {
        if let Some(f) = sink.set_error {
            f(sink.ctx, docanalysis_str::from(msg));
        }
        code
    };
    let r = catch_unwind(AssertUnwindSafe(|| {
        let inst = &*(instance as *const Instance);
        let doc = &*doc;
        let c = match count(doc) {
            Some(c) => c,
            None => return fail(CANCELLED, "cancelled"),
        };
        let add = match sink.add_label {
            Some(add) => add,
            None => return OK,
        };
        let wanted = match option(doc.options, doc.option_count, "labels") {
            Some(v) => match parse_labels(Some(v)) {
                Ok(l) => l,
                Err(msg) => return fail(INVALID_ARGUMENT, &msg),
            },
            None => inst.labels.clone(),
        };
        for name in &wanted {
            let value = match name.as_str() {
                "flesch_reading_ease" => c.reading_ease(),
                "flesch_kincaid_grade" => c.grade(),
                "sentence_count" => Some(c.sentences as f64),
                "word_count" => Some(c.words as f64),
                _ => Some(c.syllables as f64),
            };
            let v = match value {
                Some(v) => v,
                None => continue, // no words: no scores
            };
            let text = if name.ends_with("_count") { format!("{}", v as u64) } else { format!("{v:.1}") };
            add(sink.ctx, docanalysis_str::from(name), docanalysis_str::from(&text), v as f32);
        }
        OK
    }));
    r.unwrap_or_else(|e| fail(INTERNAL, &format!("readability panicked: {}", panic_message(&e))))
}

unsafe extern "C" fn destroy(instance: *mut c_void) {
    if !instance.is_null() {
        drop(Box::from_raw(instance as *mut Instance));
    }
}

static API: docanalysis_plugin_api = docanalysis_plugin_api {
    abi_major: ABI_MAJOR,
    abi_minor: ABI_MINOR,
    name: b"readability\0".as_ptr() as *const c_char,
    version: b"1.0.0\0".as_ptr() as *const c_char,
    create,
    analyze,
    destroy,
};

/// The one exported symbol.
#[no_mangle]
pub extern "C" fn docanalysis_plugin_get_api() -> *const docanalysis_plugin_api {
    &API
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ptr;

    #[derive(Default)]
    struct Captured {
        labels: Vec<(String, String, f32)>,
        error: String,
    }
    unsafe extern "C" fn add_label(ctx: *mut c_void, n: docanalysis_str, v: docanalysis_str, s: f32) {
        (*(ctx as *mut Captured)).labels.push((n.as_str().to_string(), v.as_str().to_string(), s));
    }
    unsafe extern "C" fn set_error(ctx: *mut c_void, m: docanalysis_str) {
        (*(ctx as *mut Captured)).error = m.as_str().to_string();
    }
    unsafe extern "C" fn always(_: *mut c_void) -> i32 {
        1
    }

    /// A tiny segmentation: words split on spaces, a sentence ends at each '.'.
    fn segment(text: &str) -> (Vec<docanalysis_token>, Vec<docanalysis_sentence>) {
        let (mut toks, mut sents) = (vec![], vec![]);
        let (mut start, mut sent_tok, mut sent_begin) = (None::<usize>, 0u32, 0u32);
        for (i, ch) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
            if ch.is_alphabetic() {
                start.get_or_insert(i);
                continue;
            }
            if let Some(b) = start.take() {
                toks.push(docanalysis_token { begin: b as u32, end: i as u32, kind: TOKEN_WORD, flags: 0 });
            }
            if ch == '.' {
                toks.push(docanalysis_token { begin: i as u32, end: i as u32 + 1, kind: 2, flags: 0 });
                sents.push(docanalysis_sentence { begin: sent_begin, end: i as u32 + 1, token_begin: sent_tok, token_end: toks.len() as u32, paragraph: 0 });
                sent_tok = toks.len() as u32;
                sent_begin = i as u32 + 2;
            }
        }
        (toks, sents)
    }

    fn run(text: &str, cancelled: bool) -> (i32, Captured) {
        let (toks, sents) = segment(text);
        let api = unsafe { &*docanalysis_plugin_get_api() };
        let mut inst = ptr::null_mut();
        let args = docanalysis_create_args { host_abi_major: 1, host_abi_minor: 1, plugin_dir: docanalysis_str::from("."), options: ptr::null(), option_count: 0, set_error: None, error_ctx: ptr::null_mut() };
        assert_eq!(unsafe { (api.create)(&args, &mut inst) }, OK);
        let doc = docanalysis_document {
            id: docanalysis_str::from(""), text: docanalysis_str::from(text), language: docanalysis_str::from(""),
            tokens: toks.as_ptr(), token_count: toks.len(), sentences: sents.as_ptr(), sentence_count: sents.len(),
            options: ptr::null(), option_count: 0, features: ptr::null(), feature_count: 0,
            is_cancelled: if cancelled { Some(always) } else { None }, cancel_ctx: ptr::null_mut(), upstream: ptr::null(),
        };
        let mut cap = Captured::default();
        let sink = docanalysis_sink { ctx: &mut cap as *mut Captured as *mut c_void, add_entity_mention: None, set_sentence_sentiment: None,
            set_document_sentiment: None, add_summary_sentence: None, add_annotation: None, add_label: Some(add_label), set_error: Some(set_error) };
        let code = unsafe { (api.analyze)(inst, &doc, &sink) };
        unsafe { (api.destroy)(inst) };
        (code, cap)
    }

    #[test]
    fn labels_through_the_abi() {
        let (code, cap) = run("The cat sat on the mat. The dog ran away.", false);
        assert_eq!(code, OK);
        let get = |n: &str| cap.labels.iter().find(|l| l.0 == n).cloned().unwrap();
        assert_eq!(get("sentence_count").1, "2");
        assert_eq!(get("word_count").1, "10");
        assert_eq!(get("syllable_count").1, "11"); // a-way
        let fre = get("flesch_reading_ease").2 as f64;
        assert!((fre - (206.835 - 1.015 * 5.0 - 84.6 * 11.0 / 10.0)).abs() < 1e-3, "{fre}");
        assert!(get("flesch_kincaid_grade").2 < 2.0);
    }

    #[test]
    fn empty_text_gives_counts_only() {
        let (code, cap) = run("", false);
        assert_eq!(code, OK);
        let names: Vec<_> = cap.labels.iter().map(|l| l.0.as_str()).collect();
        assert_eq!(names, ["sentence_count", "word_count", "syllable_count"]);
    }

    #[test]
    fn answers_cancellation_on_long_text() {
        let text = "Short words here. ".repeat(2000);
        let (code, cap) = run(&text, true);
        assert_eq!(code, CANCELLED);
        assert_eq!(cap.error, "cancelled");
    }

    #[test]
    fn bad_labels_option_fails_create() {
        assert!(parse_labels(Some("flesch_reading_ease, nope")).is_err());
        assert_eq!(parse_labels(Some("word_count")).unwrap(), vec!["word_count"]);
    }
}
