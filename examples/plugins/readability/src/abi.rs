//! Rust mirror of docanalysis/plugin_abi.h, ABI 1.1 (checked against the installed header by
//! build.rs). Field order and types follow the header exactly; `#[repr(C)]` gives the C layout.
#![allow(non_camel_case_types, dead_code)]

use std::os::raw::{c_char, c_int, c_void};

pub const ABI_MAJOR: u32 = 1;
pub const ABI_MINOR: u32 = 1;

pub const OK: i32 = 0;
pub const CANCELLED: i32 = 1;
pub const INVALID_ARGUMENT: i32 = 3;
pub const INTERNAL: i32 = 13;

pub const TOKEN_WORD: u32 = 0;
pub const TOKEN_NUMBER: u32 = 1;

#[repr(C)]
#[derive(Clone, Copy)]
pub struct docanalysis_str {
    pub data: *const c_char,
    pub size: usize,
}

impl docanalysis_str {
    pub fn from(s: &str) -> Self {
        docanalysis_str { data: s.as_ptr() as *const c_char, size: s.len() }
    }
    /// # Safety
    /// `data` must point to `size` readable bytes of UTF-8 for the returned lifetime.
    pub unsafe fn as_str<'a>(&self) -> &'a str {
        if self.data.is_null() || self.size == 0 {
            return "";
        }
        let bytes = std::slice::from_raw_parts(self.data as *const u8, self.size);
        std::str::from_utf8(bytes).unwrap_or("")
    }
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct docanalysis_option {
    pub key: docanalysis_str,
    pub value: docanalysis_str,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct docanalysis_token {
    pub begin: u32,
    pub end: u32,
    pub kind: u32,
    pub flags: u32,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct docanalysis_sentence {
    pub begin: u32,
    pub end: u32,
    pub token_begin: u32,
    pub token_end: u32,
    pub paragraph: u32,
}

/// ABI 1.1's upstream view; this plugin needs nothing, so it never reads it.
#[repr(C)]
pub struct docanalysis_upstream {
    _opaque: [u8; 0],
}

#[repr(C)]
pub struct docanalysis_document {
    pub id: docanalysis_str,
    pub text: docanalysis_str,
    pub language: docanalysis_str,
    pub tokens: *const docanalysis_token,
    pub token_count: usize,
    pub sentences: *const docanalysis_sentence,
    pub sentence_count: usize,
    pub options: *const docanalysis_option,
    pub option_count: usize,
    pub features: *const docanalysis_str,
    pub feature_count: usize,
    pub is_cancelled: Option<unsafe extern "C" fn(*mut c_void) -> c_int>,
    pub cancel_ctx: *mut c_void,
    pub upstream: *const docanalysis_upstream, // ABI 1.1
}

#[repr(C)]
pub struct docanalysis_sink {
    pub ctx: *mut c_void,
    pub add_entity_mention: Option<unsafe extern "C" fn(*mut c_void, u32, u32, i32, f32, docanalysis_str)>,
    pub set_sentence_sentiment: Option<unsafe extern "C" fn(*mut c_void, u32, f32, f32)>,
    pub set_document_sentiment: Option<unsafe extern "C" fn(*mut c_void, f32, f32)>,
    pub add_summary_sentence: Option<unsafe extern "C" fn(*mut c_void, u32, f32)>,
    pub add_annotation: Option<
        unsafe extern "C" fn(*mut c_void, docanalysis_str, u32, u32, f32, *const docanalysis_option, usize),
    >,
    pub add_label: Option<unsafe extern "C" fn(*mut c_void, docanalysis_str, docanalysis_str, f32)>,
    pub set_error: Option<unsafe extern "C" fn(*mut c_void, docanalysis_str)>,
}

#[repr(C)]
pub struct docanalysis_create_args {
    pub host_abi_major: u32,
    pub host_abi_minor: u32,
    pub plugin_dir: docanalysis_str,
    pub options: *const docanalysis_option,
    pub option_count: usize,
    pub set_error: Option<unsafe extern "C" fn(*mut c_void, docanalysis_str)>,
    pub error_ctx: *mut c_void,
}

#[repr(C)]
pub struct docanalysis_plugin_api {
    pub abi_major: u32,
    pub abi_minor: u32,
    pub name: *const c_char,
    pub version: *const c_char,
    pub create: unsafe extern "C" fn(*const docanalysis_create_args, *mut *mut c_void) -> i32,
    pub analyze: unsafe extern "C" fn(*mut c_void, *const docanalysis_document, *const docanalysis_sink) -> i32,
    pub destroy: unsafe extern "C" fn(*mut c_void),
}

// The table holds only pointers to static data and functions.
unsafe impl Sync for docanalysis_plugin_api {}

/// # Safety
/// `p` must point to `n` valid items (or `n` must be 0) for the returned lifetime.
pub unsafe fn slice<'a, T>(p: *const T, n: usize) -> &'a [T] {
    if p.is_null() || n == 0 {
        &[]
    } else {
        std::slice::from_raw_parts(p, n)
    }
}
