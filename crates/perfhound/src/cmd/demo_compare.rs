//! The demo's closing table: each planted bottleneck, its endpoint's latency before and
//! after the fix, and whether perfhound still reports it.

use perfhound_model::{Run, Severity};
use perfhound_term::human;

/// Bytes received per response (body and headers, as sent on the wire).
fn bytes_per_response(run: &Run, endpoint: &str) -> Option<f64> {
    let m = &run.target(endpoint)?.measurements;
    (m.requests > 0).then(|| m.bytes_in as f64 / m.requests as f64)
}

fn size(bytes: Option<f64>) -> String {
    bytes.map_or("n/a".to_string(), human::bytes)
}

fn p50_ms(run: &Run, endpoint: &str) -> Option<f64> {
    let h = run.target(endpoint)?.measurements.latency.as_ref().filter(|h| !h.is_empty())?;
    Some(h.quantile_us(0.5) as f64 / 1000.0)
}

/// Rule codes reported at warning or above on `endpoint`.
pub fn codes_on(run: &Run, endpoint: &str) -> Vec<String> {
    let mut codes: Vec<String> = run
        .findings
        .iter()
        .filter(|f| f.target == endpoint && f.severity >= Severity::Warning)
        .map(|f| f.rule.code.clone())
        .collect();
    codes.sort();
    codes.dedup();
    codes
}

pub fn render(before: &Run, after: &Run) -> String {
    let mut s =
        String::from("\nPlanted bottleneck → fix, measured under the same load (p50 latency; bytes per response):\n");
    for p in perfhound_demo::PLANTED {
        let (b, a) = (p50_ms(before, p.endpoint), p50_ms(after, p.endpoint));
        let change = match (b, a) {
            (Some(b), Some(a)) if b > 0.0 => format!("{:+.0}%", (a - b) / b * 100.0),
            _ => "n/a".into(),
        };
        let fmt = |v: Option<f64>| v.map_or("n/a".to_string(), human::duration_ms);
        let found = codes_on(before, p.endpoint).join(",");
        let left = codes_on(after, p.endpoint);
        let left = if left.is_empty() { "none".to_string() } else { left.join(",") };
        s.push_str(&format!(
            "  {:<31} {:<28} {:>9} → {:>8} {:>5}  {:>7} → {:>7}  found: {:<33} after fix: {}\n",
            p.endpoint,
            p.bottleneck,
            fmt(b),
            fmt(a),
            change,
            size(bytes_per_response(before, p.endpoint)),
            size(bytes_per_response(after, p.endpoint)),
            if found.is_empty() { "-" } else { &found },
            left
        ));
    }
    s
}
