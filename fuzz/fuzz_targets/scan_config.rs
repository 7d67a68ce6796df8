//! The hand-written suppression-comment parser (`perfhound_scan::suppress`) and the
//! `.perfhound-scan.yaml` reader: any input, no panic; a parsed suppression list holds no
//! empty rule name.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perfhound_scan::suppress::{parse, parse_line, Suppressed};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for s in parse(&text).values() {
        if let Suppressed::Rules(names) = s {
            assert!(names.iter().all(|n| !n.is_empty() && n.trim() == n), "{names:?}");
        }
    }
    for line in text.lines() {
        let _ = parse_line(line);
    }
    let _ = perfhound_scan::Config::from_yaml("fuzz.yaml", &text, &perfhound_scan::rules());
});
