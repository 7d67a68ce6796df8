//! `p95 < 300ms` threshold grammar (`perfhound_model::Threshold::parse`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(t) = perfhound_model::Threshold::parse(text) {
            // The canonical form must be printable and evaluation must not panic.
            let _ = t.describe();
            let _ = t.evaluate(0.0);
        }
    }
});
