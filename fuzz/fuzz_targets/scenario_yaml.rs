//! Scenario YAML → Plan (`perfhound_load::scenario::parse_scenario`).
//! Errors are expected; a panic, hang or runaway allocation is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = perfhound_load::scenario::parse_scenario(Path::new("fuzz.yaml"), text, &|_| None);
    }
});
