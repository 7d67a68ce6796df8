//! nginx `log_format` strings (`perfhound_logs::format::TextFormat::compile`): an
//! arbitrary format (before the first NUL) compiled, then an arbitrary line (after it)
//! matched. Never a panic; a compiled format either reads the line or says why.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perfhound_logs::format::TextFormat;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (fmt, line) = text.split_once('\0').unwrap_or((text, ""));
    let Ok(format) = TextFormat::compile(fmt) else { return };
    match format.parse(line) {
        Ok(r) => assert!(r.latency_us().is_none_or(|us| us < u64::MAX / 2), "{r:?}"),
        Err(why) => assert!(!why.is_empty()),
    }
});
