//! `PH-TRACE016 n-plus-one-cache-command`
//!
//! **What it detects**: the same key-value cache command (Redis, Valkey, Memcached…) on
//! keys of one template — `GET user:{id}:pref:{id}` — sent once per item under one parent
//! span, one after another or concurrently.
//!
//! **Why it matters**: a cache answers in microseconds, but every command still pays a
//! network round trip (0.2–1 ms in production, more across zones): 30 `GET`s in a loop
//! cost 30 round trips where one `MGET` costs one. Locally the cache sits on loopback and
//! the loop looks free; the finding projects it at `rtt_ms`.
//!
//! **Example**: `GET /users/{id}/preferences` runs `GET user:42:pref:1` …
//! `GET user:42:pref:30`, one after another.
//!
//! **Fix**: one multi-key command (`MGET`, `HMGET`, Memcached `get_many`/`get_multi`), or
//! a pipeline (redis-py `pipeline()`, ioredis `pipeline()`/auto-pipelining) when the
//! commands differ or write (`MSET`, `SET` per key).
//!
//! **Thresholds** (`n_plus_one_cache`): `min_repeats` = 5 commands under one parent,
//! `min_total_ms` = 0. Keys are grouped by template: numbers, UUIDs, dates and hex
//! hashes are masked. Not reported: multi-key commands (`MGET a b c`), commands under
//! different parents, the very same key read again and again (a redundant read, not a
//! per-item loop). Sanitized statements (`GET ?`) group by command alone.
//!
//! Why a rule of its own rather than part of `n-plus-one-db-query`: the fix is a
//! different command family (multi-key commands and pipelining, not `IN` lists or eager
//! loading), and neither Sentry nor perf-sentinel looks at cache spans, so users filter
//! and configure it separately.

use super::util::{parents_with, repeated_groups, repeats_occurrence};
use super::{Claims, Context, Detector, Occurrence};
use crate::aggregate::Group;
use crate::classify::Category;
use crate::config::Config;
use crate::describe::short;
use crate::trace::Trace;
use perfhound_model::{Effort, Finding, Recommendation, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "PH-TRACE016",
    name: "n-plus-one-cache-command",
    severity: Severity::Warning,
    summary: "The same cache command runs once per key under one parent span (N+1 over Redis/Memcached).",
    why: "Every command pays a network round trip however fast the cache is; N keys fetched one by one cost N round trips instead of one.",
    fix: "Fetch the keys with one multi-key command (MGET, HMGET, get_many) or send the commands in one pipeline (redis-py/ioredis `pipeline()`).",
};

pub fn detect(t: &Trace, cfg: &Config, claims: &mut Claims, out: &mut Vec<Occurrence>) {
    let c = &cfg.n_plus_one_cache;
    for p in parents_with(t, c.min_repeats.max(2) as usize) {
        let groups = repeated_groups(t, p, c, claims, |n| n.class.category == Category::Cache && n.class.batch <= 1);
        for g in groups {
            out.push(repeats_occurrence(&RULE, t, &g, cfg));
            claims.claim(&g);
        }
    }
}

/// The multi-key form of a single-key command, when there is one.
fn batched_command(label: &str) -> Option<&'static str> {
    let cmd = label.split_whitespace().nth(1)?.to_ascii_uppercase();
    Some(match cmd.as_str() {
        "GET" => "MGET key1 key2 …",
        "HGET" => "HMGET key field1 field2 …",
        "SET" => "MSET key1 value1 key2 value2 … (or a pipeline when each key needs its own TTL)",
        "GETS" => "get_many([key1, key2, …])",
        _ => return None,
    })
}

/// The rule's detector (registered in [`super::DETECTORS`]).
pub struct NPlusOneCache;

impl Detector for NPlusOneCache {
    fn per_endpoint(&self) -> bool {
        true
    }

    fn detect(&self, t: &Trace, cfg: &Config, claims: &mut Claims, out: &mut Vec<Occurrence>) {
        detect(t, cfg, claims, out);
    }

    fn title(&self, g: &Group, cx: &Context) -> String {
        let endpoint = cx.endpoint;
        let what = if g.concurrent { "N+1 cache commands (parallel)" } else { "N+1 cache commands" };
        format!("{what}: {} per request in {endpoint}: {}", g.max_calls, short(&g.key, 100))
    }

    fn evidence(&self, g: &Group, _cx: &Context, f: &mut Finding) {
        f.evidence.notes.push(format!("command and key template: {}", g.key));
    }

    fn effort(&self) -> Effort {
        Effort::QuickWin
    }

    fn recommend(&self, g: &Group, _cx: &Context, r: &mut Recommendation) {
        if let Some(cmd) = batched_command(&g.key) {
            r.snippet = Some(cmd.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::batched_command;

    #[test]
    fn multi_key_forms() {
        assert_eq!(batched_command("redis GET user:{id}:pref:{id}"), Some("MGET key1 key2 …"));
        assert_eq!(batched_command("redis get user:{id}"), Some("MGET key1 key2 …"));
        assert_eq!(batched_command("redis LPOP q"), None);
    }
}
