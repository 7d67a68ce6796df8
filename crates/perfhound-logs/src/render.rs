//! Human output of an [`Analysis`]: text for the terminal (printed through
//! `perfhound_term::print`, which strips control characters) and Markdown.

use crate::summary::{Analysis, EndpointSummary};
use perfhound_term::human::{bytes, duration_us, pct, rate};
use perfhound_term::{clip, finding_line, one_line};
use std::fmt::Write as _;

/// A table: header and rows of cells.
struct Table {
    head: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn text(&self, out: &mut String) {
        let mut w: Vec<usize> = self.head.iter().map(|h| h.chars().count()).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate() {
                w[i] = w[i].max(c.chars().count());
            }
        }
        let line = |cells: Vec<&str>, out: &mut String| {
            let mut s = String::from(" ");
            for (i, c) in cells.iter().enumerate() {
                let pad = w[i] - c.chars().count();
                if i == 0 {
                    let _ = write!(s, " {c}{}", " ".repeat(pad));
                } else {
                    let _ = write!(s, "  {}{c}", " ".repeat(pad));
                }
            }
            out.push_str(s.trim_end());
            out.push('\n');
        };
        line(self.head.clone(), out);
        for r in &self.rows {
            line(r.iter().map(String::as_str).collect(), out);
        }
    }

    fn md(&self, out: &mut String) {
        let _ = writeln!(out, "| {} |", self.head.join(" | "));
        let _ = writeln!(out, "|{}", "---|".repeat(self.head.len()));
        for r in &self.rows {
            let cells: Vec<String> = r.iter().map(|c| c.replace('|', "\\|")).collect();
            let _ = writeln!(out, "| {} |", cells.join(" | "));
        }
    }
}

fn ms(us: u64) -> String {
    duration_us(us as f64)
}

fn endpoint_row(e: &EndpointSummary, a: &Analysis) -> Vec<String> {
    let timed = e.timed > 0;
    let lat = |v: u64| if timed { ms(v) } else { "-".into() };
    let err = if e.requests > 0 { e.server_errors as f64 / e.requests as f64 } else { 0.0 };
    vec![
        clip(&one_line(&e.name), 60),
        e.requests.to_string(),
        a.duration_s().map_or("-".into(), |d| rate(e.requests as f64 / d)),
        pct(err),
        lat(e.p50_us),
        lat(e.p95_us),
        lat(e.p99_us),
        lat(e.max_us),
        bytes(e.bytes as f64),
    ]
}

fn tables(a: &Analysis, max_endpoints: usize) -> Vec<(&'static str, Table)> {
    let head = vec!["endpoint", "requests", "req/s", "5xx", "p50", "p95", "p99", "max", "bytes"];
    let rows = a.endpoints.iter().take(max_endpoints).map(|e| endpoint_row(e, a)).collect();
    let mut out = vec![("Endpoints by time spent", Table { head: head.clone(), rows })];
    let mut slow: Vec<&EndpointSummary> = a.endpoints.iter().filter(|e| e.timed >= 10).collect();
    slow.sort_by_key(|e| std::cmp::Reverse(e.p95_us));
    if !slow.is_empty() {
        let rows = slow.iter().take(5).map(|e| endpoint_row(e, a)).collect();
        out.push(("Slowest endpoints (p95, at least 10 requests)", Table { head, rows }));
    }
    let status =
        a.status.iter().map(|(s, n)| vec![s.to_string(), n.to_string(), pct(*n as f64 / a.requests.max(1) as f64)]);
    out.push(("Status mix", Table { head: vec!["status", "requests", "share"], rows: status.collect() }));
    let approx = if a.clients_approximate { "≥ " } else { "" };
    let clients = a.clients.iter().map(|(c, n)| vec![clip(&one_line(c), 45), format!("{approx}{n}")]);
    out.push(("Top clients", Table { head: vec!["client", "requests"], rows: clients.collect() }));
    let cache = a.cache.iter().map(|c| {
        vec![
            clip(&one_line(&c.endpoint), 50),
            c.requests.to_string(),
            format!(
                "{} / {}",
                perfhound_term::human::bytes(c.chosen.size_bytes as f64),
                crate::cache_opportunity::ttl_words(c.chosen.ttl_s)
            ),
            pct(c.chosen.hit),
            pct(c.sieve_hit),
            ms(c.p50_us),
            ms(c.p50_after_us),
            c.not_shared.as_ref().map_or_else(
                || if c.rate < 1.0 { format!("sampled 1/{:.0}", 1.0 / c.rate) } else { "exact".into() },
                |_| "not shareable".into(),
            ),
        ]
    });
    let head = vec!["GET endpoint", "cacheable", "cache", "LRU hits", "SIEVE hits", "p50", "p50 cached", "note"];
    out.push((
        "Cache simulation (cache-aside; smallest size and TTL within 5 % of the best)",
        Table { head, rows: cache.collect() },
    ));
    out
}

fn header(a: &Analysis) -> Vec<String> {
    let c = &a.counts;
    let mut h = vec![format!(
        "{} ({}): {} lines, {} requests, {} malformed, {} blank",
        a.sources.join(", "),
        a.format,
        c.lines,
        a.requests,
        c.malformed,
        c.blank
    )];
    if let (Some(d), Some(r), Some(e)) = (a.duration_s(), a.rps(), a.errors_per_s()) {
        let peak = a.peak_rps.map_or(String::new(), |p| format!(" (peak {p}/s)"));
        h.push(format!(
            "over {}: {} requests{peak}, {} server errors (5xx), {} sent",
            duration_us(d * 1e6),
            rate(r),
            rate(e),
            bytes(a.bytes as f64)
        ));
    }
    if !a.overall.is_empty() {
        let o = &a.overall;
        h.push(format!(
            "latency: p50 {} · p95 {} · p99 {} · max {}",
            ms(o.quantile_us(0.5)),
            ms(o.quantile_us(0.95)),
            ms(o.quantile_us(0.99)),
            ms(o.max_us())
        ));
    }
    if a.merges_learned > 0 {
        h.push(format!("{} high-cardinality path positions merged into {{var}}", a.merges_learned));
    }
    if let Some(s) = &a.shards_check {
        h.push(format!(
            "SHARDS check on {} ({} requests): sampling at 1/{:.0} is within {:.1} points of exact LRU",
            s.endpoint,
            s.requests,
            1.0 / s.rate,
            s.max_error * 100.0
        ));
    }
    h
}

/// The terminal report.
pub fn text(a: &Analysis, max_endpoints: usize) -> String {
    let mut out = String::new();
    for line in header(a) {
        let _ = writeln!(out, "{line}");
    }
    for (title, t) in tables(a, max_endpoints) {
        if !t.rows.is_empty() {
            let _ = writeln!(out, "\n{title}");
            t.text(&mut out);
        }
    }
    malformed(a, &mut out);
    if !a.findings.is_empty() {
        out.push_str("\nFindings\n");
        for f in &a.findings {
            let _ = writeln!(out, "  {}", finding_line(f));
        }
    }
    out
}

fn malformed(a: &Analysis, out: &mut String) {
    if a.samples.is_empty() && a.read_errors.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\nMalformed lines ({} of {}, first {} shown)",
        a.counts.malformed,
        a.counts.lines,
        a.samples.len()
    );
    for m in &a.samples {
        let _ = writeln!(out, "  {}:{}: {}", one_line(&m.source), m.line, one_line(&m.why));
    }
    for e in &a.read_errors {
        let _ = writeln!(out, "  {}", one_line(e));
    }
}

/// The Markdown report.
pub fn markdown(a: &Analysis, max_endpoints: usize) -> String {
    let mut out = String::from("# Access log analysis\n\n");
    for line in header(a) {
        let _ = writeln!(out, "- {line}");
    }
    for (title, t) in tables(a, max_endpoints) {
        if !t.rows.is_empty() {
            let _ = writeln!(out, "\n## {title}\n");
            t.md(&mut out);
        }
    }
    if !a.findings.is_empty() {
        out.push_str("\n## Findings\n\n");
        for f in &a.findings {
            let _ = writeln!(out, "- **{}** {} — {}", f.severity, f.rule.code, one_line(&f.title));
        }
    }
    let mut m = String::new();
    malformed(a, &mut m);
    if !m.is_empty() {
        let _ = write!(out, "\n```\n{}\n```\n", m.trim());
    }
    perfhound_term::clean(&out).into_owned()
}
