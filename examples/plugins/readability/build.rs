//! Checks the hand-written ABI bindings (src/abi.rs, ABI 1.1) against the installed SDK header:
//! $DOCANALYSIS_SDK_PREFIX/include/docanalysis/plugin_abi.h must declare major 1 and minor >= 1
//! (a later 1.x only appends, so the 1.1 layout stays a valid prefix). The plugin reports 1.1.
use std::{env, fs, path::PathBuf};

fn define(header: &str, name: &str) -> Option<u32> {
    header.lines().find_map(|l| {
        let mut it = l.split_whitespace();
        (it.next() == Some("#define") && it.next() == Some(name)).then(|| it.next()?.parse().ok())?
    })
}

fn main() {
    println!("cargo:rerun-if-env-changed=DOCANALYSIS_SDK_PREFIX");
    let prefix = match env::var("DOCANALYSIS_SDK_PREFIX") {
        Ok(p) => p,
        Err(_) => {
            println!("cargo:warning=DOCANALYSIS_SDK_PREFIX is not set; the ABI bindings are not checked against an SDK");
            return;
        }
    };
    let header = PathBuf::from(prefix).join("include/docanalysis/plugin_abi.h");
    println!("cargo:rerun-if-changed={}", header.display());
    let text = fs::read_to_string(&header).unwrap_or_else(|e| panic!("cannot read {}: {e}", header.display()));
    let major = define(&text, "DOCANALYSIS_ABI_MAJOR").expect("no DOCANALYSIS_ABI_MAJOR in the SDK header");
    let minor = define(&text, "DOCANALYSIS_ABI_MINOR").expect("no DOCANALYSIS_ABI_MINOR in the SDK header");
    if major != 1 || minor < 1 {
        panic!("the SDK at {} speaks ABI {major}.{minor}; these bindings are for 1.1 (major 1, minor >= 1)", header.display());
    }
}
