//! Every scan rule on arbitrary source text (the first byte picks Python, JavaScript,
//! TypeScript or TSX): parse failures are errors, rules never panic, and every finding
//! points at a line of the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perfhound_scan::lang::Lang;

fuzz_target!(|data: &[u8]| {
    let Some((first, rest)) = data.split_first() else { return };
    let lang = Lang::ALL[usize::from(*first) % Lang::ALL.len()];
    let text = String::from_utf8_lossy(rest);
    if let Ok(findings) = perfhound_scan::scan_text("f", lang, &text) {
        let lines = text.lines().count().max(1);
        for f in findings {
            let line: usize = f.target.split(':').nth(1).and_then(|l| l.parse().ok()).expect("f:line:col");
            assert!(line >= 1 && line <= lines + 1, "{} of {lines}", f.target);
        }
    }
});
