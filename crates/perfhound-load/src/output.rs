//! Human output: the live progress line and the end-of-run summary.

use crate::engine::{Observer, Tick};
use perfhound_model::{Histogram, Run};
use perfhound_term::{clip, finding_line, human, one_line};
use std::fmt::Write as _;
use std::io::Write;

/// How progress is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProgressMode {
    /// Rewrites one line on a terminal every second.
    Tty,
    /// One plain line every `every` seconds (CI logs).
    Plain {
        every: u32,
    },
    Quiet,
}

impl ProgressMode {
    /// Quiet when asked; a rewritten line on a terminal; otherwise a plain line every
    /// `plain_every` seconds (CI logs).
    pub fn choose(quiet: bool, plain_every: u32) -> ProgressMode {
        use std::io::IsTerminal as _;
        if quiet {
            ProgressMode::Quiet
        } else if std::io::stderr().is_terminal() {
            ProgressMode::Tty
        } else {
            ProgressMode::Plain { every: plain_every }
        }
    }
}

/// Prints progress to stderr.
pub struct Progress {
    mode: ProgressMode,
    printed: bool,
}

impl Progress {
    pub fn new(mode: ProgressMode) -> Progress {
        Progress { mode, printed: false }
    }

    /// Clears the progress line before the summary is printed.
    pub fn finish(&mut self) {
        if self.mode == ProgressMode::Tty && self.printed {
            eprint!("\r\x1b[2K");
            let _ = std::io::stderr().flush();
        }
    }
}

impl Observer for Progress {
    fn on_tick(&mut self, t: &Tick<'_>) {
        let line = format!(
            "[{:>6.1}s/{:.0}s] {:>8} req/s  p50 {:>8}  p99 {:>8}  errors {:>6}  dropped {:>5}  vus {:>5}  total {}",
            t.elapsed.as_secs_f64(),
            t.expected.as_secs_f64(),
            t.sample.requests,
            lat(t.sample.p50_us),
            lat(t.sample.p99_us),
            t.total_errors,
            t.sample.dropped,
            t.sample.vus_active,
            t.total_requests,
        );
        match self.mode {
            ProgressMode::Tty => {
                eprint!("\r\x1b[2K{line}");
                let _ = std::io::stderr().flush();
                self.printed = true;
            }
            ProgressMode::Plain { every } => {
                if (t.sample.t_s + 1) % every.max(1) == 0 {
                    eprintln!("{line}");
                }
            }
            ProgressMode::Quiet => {}
        }
    }

    fn on_interrupt(&mut self) {
        if self.mode != ProgressMode::Quiet {
            eprintln!(
                "\ninterrupted: stopping, in-flight requests are counted as interrupted; writing partial results…"
            );
        }
    }
}

fn bytes(n: u64) -> String {
    human::bytes(n as f64)
}

fn lat(us: u64) -> String {
    human::duration_us(us as f64)
}

fn latency_row(out: &mut String, label: &str, h: &Histogram) {
    let s = h.summary();
    let _ = writeln!(
        out,
        "  {:<28} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
        clip(label, 28),
        lat(s.p50_us),
        lat(s.p75_us),
        lat(s.p90_us),
        lat(s.p95_us),
        lat(s.p99_us),
        lat(s.p999_us),
        lat(s.max_us),
        lat(s.mean_us)
    );
}

/// The end-of-run summary table.
pub fn summary(run: &Run) -> String {
    let mut out = String::new();
    let load = run.load.clone().unwrap_or_default();
    let Some(overall) = run.targets.first() else { return out };
    let m = &overall.measurements;
    let _ = writeln!(
        out,
        "\nperfhound load — {}  ({}, {:.1}s, {})",
        one_line(run.sources.first().map_or("", |s| s.description.as_str())),
        if load.open_model { "open model" } else { "closed model" },
        load.duration_s,
        load.end_reason
    );
    let a = &load.accounting;
    let target = m.target_rps.map(|t| format!(" (target {})", human::rate(t))).unwrap_or_default();
    let _ = writeln!(
        out,
        "\n  requests   {} sent = {} ok + {} failed ({} errors)   {}{}",
        a.requests_sent,
        a.requests_ok,
        a.requests_failed,
        human::pct(m.error_rate()),
        human::rate(m.rps),
        target
    );
    let _ = writeln!(
        out,
        "  iterations {} scheduled = {} started + {} dropped;  {} late, {} completed, {} aborted",
        a.iterations_scheduled,
        a.iterations_started,
        a.iterations_dropped,
        a.iterations_late,
        a.iterations_completed,
        a.iterations_aborted
    );
    let _ = writeln!(out, "  data       {} in, {} out", bytes(m.bytes_in), bytes(m.bytes_out));
    let _ = writeln!(
        out,
        "\n  {:<28} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "latency", "p50", "p75", "p90", "p95", "p99", "p99.9", "max", "mean"
    );
    for t in &run.targets {
        if let Some(h) = &t.measurements.latency {
            latency_row(&mut out, &t.name, h);
        }
    }
    if load.open_model {
        if let Some(h) = &m.service_time {
            latency_row(&mut out, "service time (overall)", h);
            let _ = writeln!(
                out,
                "  (latency is measured from each request's intended send time; service time from the actual send)"
            );
        }
    }
    if !m.errors.is_empty() {
        let parts: Vec<String> = m.errors.iter().map(|(k, v)| format!("{}: {v}", k.as_str())).collect();
        let _ = writeln!(out, "\n  errors     {}", parts.join(", "));
    }
    if !m.status_codes.is_empty() {
        let parts: Vec<String> = m.status_codes.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        let _ = writeln!(out, "  statuses   {}", parts.join(", "));
    }
    let checks: Vec<_> =
        run.targets.iter().skip(1).flat_map(|t| t.measurements.checks.iter().map(move |c| (t, c))).collect();
    if !checks.is_empty() {
        let _ = writeln!(out, "\n  checks");
        for (t, c) in checks {
            let mark = if c.failed == 0 { "✓" } else { "✗" };
            let _ = writeln!(
                out,
                "    {mark} {:<40} {}/{} passed  ({})",
                clip(&c.name, 40),
                c.passed,
                c.passed + c.failed,
                clip(&t.name, 60)
            );
        }
    }
    if !run.budget_results.is_empty() {
        let _ = writeln!(out, "\n  thresholds");
        for b in &run.budget_results {
            let mark = if b.passed { "✓" } else { "✗" };
            let actual = b.actual.map_or("no data".to_string(), |a| human::metric_value(b.metric, Some(a)));
            let _ = writeln!(out, "    {mark} {:<40} actual {actual}", one_line(&b.expression));
        }
    }
    if !run.findings.is_empty() {
        let _ = writeln!(out, "\n  findings");
        for f in &run.findings {
            let _ = writeln!(out, "    {}", finding_line(f));
        }
    }
    if let Some(res) = &run.resources {
        for p in [&res.generator, &res.target].into_iter().flatten() {
            let _ = writeln!(
                out,
                "\n  resources  {}: cpu avg {:.0}% peak {:.0}%, rss avg {} peak {}",
                one_line(&p.label),
                p.cpu_pct_avg,
                p.cpu_pct_peak,
                bytes(p.rss_bytes_avg),
                bytes(p.rss_bytes_peak)
            );
        }
    }
    for w in &run.warnings {
        let _ = writeln!(out, "\n  warning: {w}");
    }
    out
}
