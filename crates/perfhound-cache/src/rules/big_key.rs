//! `PH-REDIS004 big-key`: single keys of a megabyte or more.
//!
//! # What it detects
//! In the `SCAN` sample, keys whose `MEMORY USAGE` is at least 1 MiB, with their template's
//! total size.
//!
//! # Why it matters
//! Redis serves commands one at a time: reading, writing or deleting a big key blocks
//! every other client for as long as it takes, moves megabytes over the network per read,
//! and makes memory spikes and slow replication. redis-cli `--bigkeys` looks for these.
//!
//! # Example
//! `report:{id}` (report:2024): 12.0 MB in one string key.
//!
//! # Fix
//! Split the value (a hash or several keys per part), store it compressed, or keep it
//! elsewhere (object storage) and cache only what is read; delete big keys with `UNLINK`.
//!
//! # Thresholds
//! `big_key_bytes` (1 MiB); critical from 10× that.

use super::Ctx;
use crate::sample::Key;
use perfhound_model::{Finding, Rule, Severity};
use perfhound_term::human::bytes;

pub const RULE: Rule = Rule {
    code: "PH-REDIS004",
    name: "big-key",
    severity: Severity::Warning,
    summary: "A single Redis key of 1 MiB or more.",
    why: "Redis is single-threaded: reading, writing or deleting a big key blocks every other client and moves megabytes per read.",
    fix: "Split the value into smaller keys or hash fields, compress it, or store it elsewhere and cache only what is read; delete with UNLINK.",
};

pub fn check(ctx: &Ctx<'_>) -> Vec<Finding> {
    let Some(sample) = ctx.sample else { return Vec::new() };
    sample.biggest.iter().filter(|k| k.bytes >= ctx.t.big_key_bytes).map(|k| finding(ctx, sample, k)).collect()
}

fn finding(ctx: &Ctx<'_>, sample: &crate::sample::Sample, k: &Key) -> Finding {
    let title = format!(
        "{} ({}): {} in one {} key",
        k.template,
        perfhound_term::clip(&k.name, 60),
        bytes(k.bytes as f64),
        k.kind
    );
    let mut f = Finding::new(&RULE, k.template.clone(), title);
    f.fingerprint = perfhound_model::finding::fingerprint(&[RULE.code, &k.name]);
    f.evidence.sizes_bytes.insert("key_bytes".into(), k.bytes);
    if let Some(t) = sample.templates.iter().find(|t| t.template == k.template) {
        f.evidence.sizes_bytes.insert("template_bytes".into(), t.bytes);
        f.evidence.counts.insert("template_keys".into(), t.keys);
        f.evidence.notes.push(format!("{}: {:.0}% of sampled memory", t.template, sample.share(t) * 100.0));
    }
    f.evidence.examples.push(k.name.clone());
    f.evidence.notes.push(format!("server: {}", ctx.server));
    if k.bytes >= ctx.t.big_key_bytes * 10 {
        f.severity = Severity::Critical;
    }
    f
}

#[cfg(test)]
mod tests {
    use crate::info::Stats;
    use crate::rules::{fixture::ctx, Thresholds};
    use crate::sample::{Key, Sample, Stop};

    #[test]
    fn flags_keys_from_a_megabyte() {
        let key = |name: &str, bytes| Key {
            name: name.into(),
            template: perfhound_sql::template_key(name),
            kind: "string".into(),
            bytes,
            has_ttl: true,
            freq: None,
        };
        let sample = Sample::of(
            vec![key("report:2024", 12 << 20), key("blob", 2 << 20), key("small", 1000)],
            Stop::Complete,
            std::time::Duration::ZERO,
        );
        let s = Stats::default();
        let f = super::check(&ctx(&s, Some(&sample), &[], &Thresholds::default()));
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].severity, perfhound_model::Severity::Critical);
        assert!(f[0].title.starts_with("report:{id} (report:2024): 12"), "{}", f[0].title);
        assert_eq!(f[1].severity, perfhound_model::Severity::Warning);
    }
}
