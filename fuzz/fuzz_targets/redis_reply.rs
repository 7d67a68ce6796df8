//! Redis replies (`perfhound_cache::resp::parse`) read as a stream, and what perfhound does
//! with them: SLOWLOG entries grouped by shape (no control character may survive into a
//! shape), INFO text, SCAN key names templated and clipped for the terminal.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perfhound_cache::resp::{parse, Limits, Value};
use perfhound_cache::{slowlog, Stats};

fuzz_target!(|data: &[u8]| {
    let limits = Limits { max_bulk: 1 << 16, max_items: 1 << 12, max_depth: 8 };
    let mut rest = data;
    while let Ok(Some((value, used))) = parse(rest, &limits) {
        assert!(used > 0 && used <= rest.len(), "{used} of {}", rest.len());
        // A reply cut short is "need more", never an error or a different reply.
        let cut = used / 2;
        assert!(matches!(parse(&rest[..cut], &limits), Ok(None)), "prefix of {used} bytes at {cut}");
        check(&value);
        rest = &rest[used..];
    }
});

fn check(value: &Value) {
    let (entries, _) = slowlog::entries(value);
    for g in slowlog::group(&entries) {
        assert!(!g.shape.chars().any(perfhound_term::clean::is_unsafe), "{:?}", g.shape);
        assert!(g.count >= 1 && g.max_us <= g.total_us, "{g:?}");
    }
    if let Some(text) = value.text() {
        let s = Stats::parse(&text);
        assert!(s.hit_ratio().is_none_or(|r| (0.0..=1.0).contains(&r)), "{s:?}");
        let key = perfhound_term::clip(&perfhound_sql::template_key(&text), 80);
        assert!(!key.chars().any(perfhound_term::clean::is_unsafe), "{key:?}");
    }
    for v in value.items() {
        check(v);
    }
}
