//! The terminal summary of an [`Analysis`]: INFO at a glance, slowlog groups, memory by key
//! template, biggest and hottest keys, then the shared findings block. Key names and command shapes are
//! input: every one goes through [`clip`] (control characters removed, one line, cut).

use crate::sample::Sample;
use crate::Analysis;
use perfhound_term::clip;
use perfhound_term::human::{bytes, duration_s, duration_us, pct, rate};
use std::fmt::Write as _;

/// Renders the text report; `top` bounds each list.
pub fn text(a: &Analysis, top: usize) -> String {
    let mut o = String::new();
    let s = &a.stats;
    let _ =
        writeln!(o, "perfhound redis — {} (Redis {}, database {})", clip(&a.source, 120), clip(&s.version, 20), a.db);
    let ratio = s.hit_ratio().map_or("no lookups yet".to_string(), pct);
    let _ = writeln!(
        o,
        "Hit ratio {ratio} (target 80%): {} hits, {} misses over {} uptime",
        s.keyspace_hits,
        s.keyspace_misses,
        duration_s(s.uptime_s)
    );
    let _ = writeln!(
        o,
        "Evicted keys {} · expired keys {} · {} commands now",
        s.evicted_keys,
        s.expired_keys,
        rate(s.ops_per_sec)
    );
    let limit = if s.maxmemory > 0 { format!(" of {} maxmemory", bytes(s.maxmemory as f64)) } else { String::new() };
    let _ = writeln!(
        o,
        "Memory {}{limit} ({}), RSS {}, fragmentation {:.2}",
        bytes(s.used_memory as f64),
        clip(&s.maxmemory_policy, 30),
        bytes(s.used_memory_rss as f64),
        s.fragmentation_ratio
    );
    let _ = writeln!(
        o,
        "Clients {} connected, {} blocked · keys {} ({} with a TTL)",
        s.connected_clients, s.blocked_clients, s.keys, s.keys_with_expiry
    );
    commands(&mut o, a, top);
    slowlog(&mut o, a, top);
    if let Some(sample) = &a.sample {
        keys(&mut o, sample, top);
        if !s.lfu() {
            let policy = clip(&s.maxmemory_policy, 30);
            let _ = writeln!(o, "\nHot keys: need an LFU maxmemory-policy for OBJECT FREQ (this server: {policy})");
        }
    }
    let d = &a.diagnosis;
    let snippet = |f: &perfhound_model::Finding| {
        f.recommendation.snippet.as_deref().map_or(Vec::new(), |s| s.lines().map(|l| clip(l, 200)).collect())
    };
    perfhound_term::findings_block(&mut o, &d.findings, &d.warnings, snippet);
    o
}

fn commands(o: &mut String, a: &Analysis, top: usize) {
    if a.stats.commands.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "\nCommands by time (since start)\n  {:>10} {:>10} {:>10} {:>10}  command",
        "calls", "total", "mean", "p99"
    );
    for c in a.stats.commands.iter().take(top) {
        let mean = duration_us(c.usec as f64 / c.calls.max(1) as f64);
        let p99 = c.p99_usec.map_or("—".to_string(), duration_us);
        let total = duration_us(c.usec as f64);
        let _ = writeln!(o, "  {:>10} {total:>10} {mean:>10} {p99:>10}  {}", c.calls, clip(&c.name, 40));
    }
}

fn slowlog(o: &mut String, a: &Analysis, top: usize) {
    if a.slowlog.is_empty() {
        let _ = writeln!(o, "\nSlowlog: empty");
        return;
    }
    let _ = writeln!(o, "\nSlowlog by command shape\n  {:>6} {:>10} {:>10}  command", "count", "mean", "max");
    for g in a.slowlog.iter().take(top) {
        let (mean, max) = (duration_us(g.mean_us()), duration_us(g.max_us as f64));
        let _ = writeln!(o, "  {:>6} {mean:>10} {max:>10}  {}", g.count, clip(&g.shape, 100));
    }
}

fn keys(o: &mut String, s: &Sample, top: usize) {
    let scope = match s.stop {
        crate::sample::Stop::Complete => "all keys",
        _ => "a sample",
    };
    let _ = writeln!(
        o,
        "\nMemory by key template ({scope}: {} keys, {} in {})",
        s.keys,
        bytes(s.bytes as f64),
        duration_s(s.elapsed.as_secs_f64())
    );
    let _ = writeln!(o, "  {:>7} {:>10} {:>7} {:>8}  template", "keys", "memory", "share", "no TTL");
    for t in s.templates.iter().take(top) {
        let no_ttl = pct(t.no_ttl_keys as f64 / t.keys.max(1) as f64);
        let share = pct(s.share(t));
        let _ = writeln!(
            o,
            "  {:>7} {:>10} {share:>7} {no_ttl:>8}  {} ({})",
            t.keys,
            bytes(t.bytes as f64),
            clip(&t.template, 80),
            clip(&t.kind, 12)
        );
    }
    if !s.biggest.is_empty() {
        let _ = writeln!(o, "\nBiggest keys");
        for k in s.biggest.iter().take(top) {
            let _ = writeln!(o, "  {:>10}  {} ({})", bytes(k.bytes as f64), clip(&k.name, 80), clip(&k.kind, 12));
        }
    }
    if !s.hottest.is_empty() {
        let _ = writeln!(o, "\nHottest keys (LFU frequency counter, 0–255, logarithmic)");
        for k in s.hottest.iter().take(top) {
            let _ = writeln!(o, "  {:>5}  {}", k.freq.unwrap_or(0), clip(&k.name, 80));
        }
    }
}
