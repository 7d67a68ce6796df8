//! Access logs end to end (`perfhound_logs::Analyzer`): arbitrary bytes as a log (the
//! first byte picks detection, combined, a custom log_format or JSON), read line by
//! line, analyzed, simulated and rendered. Every line is counted exactly once (parsed,
//! blank or malformed) and the rendered text carries no terminal control characters.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perfhound_logs::{Analyzer, Config, Input, LogFormat};

const CUSTOM: &str = r#"$remote_addr [$time_iso8601] "$request" $status $body_bytes_sent $request_time "$upstream_response_time" $sent_http_set_cookie"#;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, input)) = data.split_first() else { return };
    let format = match selector % 4 {
        0 => None,
        1 => LogFormat::from_flag("combined", &[]).ok(),
        2 => LogFormat::from_flag(CUSTOM, &[]).ok(),
        _ => LogFormat::from_flag("json", &["duration=d:ms".to_string()]).ok(),
    };
    let cfg = Config { cache_sizes: vec![1_000, 100_000], cache_ttls: vec![1, 60], ..Config::default() };
    let mut a = Analyzer::new(cfg, format, Vec::new());
    a.read(Input { name: "fuzz.log".into(), reader: Box::new(std::io::Cursor::new(input.to_vec())) });
    let analysis = a.finish();
    let c = &analysis.counts;
    assert_eq!(c.lines, c.parsed + c.blank + c.malformed, "{c:?}");
    assert_eq!(analysis.requests, c.parsed);
    let text = perfhound_logs::render::text(&analysis, 20);
    let printed = perfhound_term::clean(&text);
    assert!(!printed.chars().any(|ch| ch.is_control() && ch != '\n' && ch != '\t'), "{printed:?}");
    for r in &analysis.cache {
        assert!((0.0..=1.0).contains(&r.chosen.hit) && (0.0..=1.0).contains(&r.sieve_hit), "{r:?}");
    }
});
