//! Run files: `perfhound_model::Histogram::from_base64` (HdrHistogram V2 / V2+deflate in
//! base64) and `perfhound_model::Run::from_json` (which decodes every embedded histogram).
//!
//! The input is tried three ways: as base64 text, as raw bytes encoded to base64 here (so
//! the fuzzer reaches the HdrHistogram decoder directly instead of having to guess valid
//! base64 first), and as a run JSON file.
#![no_main]

use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use perfhound_model::{Histogram, Run};

fn exercise(h: Histogram) {
    let _ = h.summary();
    let _ = h.to_base64();
}

fuzz_target!(|data: &[u8]| {
    if let Ok(h) = Histogram::from_base64(&base64::engine::general_purpose::STANDARD.encode(data)) {
        exercise(h);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(h) = Histogram::from_base64(text) {
            exercise(h);
        }
        if let Ok(run) = Run::from_json(text) {
            let _ = serde_json::to_string(&run);
        }
    }
});
