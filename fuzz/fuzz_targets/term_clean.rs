//! Control-character stripping for the terminal (`perfhound_term::clean`, `one_line`,
//! `clip`): any input, no panic, and nothing a terminal interprets survives.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perfhound_term::clean::{clean, clip, is_unsafe, one_line};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let out = clean(&text);
    assert!(!out.chars().any(is_unsafe), "{out:?}");
    assert_eq!(clean(&out), out, "clean is idempotent");
    let line = one_line(&text);
    assert!(!line.contains(['\n', '\t']) && !line.chars().any(is_unsafe));
    let max = data.first().map_or(0, |b| usize::from(*b % 64));
    let clipped = clip(&text, max);
    assert!(clipped.chars().count() <= max);
});
