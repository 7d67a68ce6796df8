//! PostgreSQL server logs (`perfhound_db::pglog::parse`): stderr, csvlog or jsonlog (the
//! first byte picks the format), arbitrary bytes after it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perfhound_db::pglog::{parse, Format};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, input)) = data.split_first() else { return };
    let format = [Format::Stderr, Format::Csv, Format::Json][usize::from(selector % 3)];
    let Ok(log) = parse(input, format, "fuzz.log") else { return };
    for s in &log.statements.statements {
        assert!(s.calls >= 1, "a statement is only reported when it ran");
        assert!(s.total_ms.is_finite() && s.total_ms >= 0.0, "{}", s.total_ms);
        assert!(s.min_ms <= s.max_ms && s.mean_ms <= s.max_ms + 1e-6, "{s:?}");
        assert!((s.mean_ms * s.calls as f64 - s.total_ms).abs() <= 1e-6 * s.total_ms.max(1.0), "{s:?}");
        assert!(s.stddev_ms.is_finite() && s.stddev_ms >= 0.0, "{s:?}");
    }
    if let Some(w) = log.statements.window_s {
        assert!(w.is_finite() && w >= 0.0, "{w}");
    }
});
