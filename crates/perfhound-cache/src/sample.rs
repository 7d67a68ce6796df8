//! Bounded `SCAN` sampling: at most `key_budget` keys and `time_budget` of wall time,
//! whichever comes first. For each key: `PTTL` (no TTL?), `MEMORY USAGE` (bytes), `TYPE`,
//! and `OBJECT FREQ` when the eviction policy is LFU (hot keys). One pipelined round trip
//! per `SCAN` batch keeps the cost at a few hundred microseconds per hundred keys.
//!
//! Keys are grouped by template (`session:{uuid}`, [`perfhound_sql::template_key`]).
//! Key names are bytes and may hold anything; they are kept as lossy UTF-8 here and
//! cleaned of control characters wherever they are printed.

use crate::client::Client;
use crate::error::CacheError;
use crate::resp::Value;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Keys per `SCAN` call.
const SCAN_COUNT: &str = "200";
/// How many of the biggest and hottest keys are kept.
const TOP_KEYS: usize = 10;

/// The budgets of one sampling pass.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    pub keys: usize,
    pub time: Duration,
}

/// Why sampling stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// The whole keyspace was scanned.
    Complete,
    KeyBudget,
    TimeBudget,
}

/// One sampled key.
#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    pub name: String,
    pub template: String,
    pub kind: String,
    pub bytes: u64,
    pub has_ttl: bool,
    /// LFU frequency counter (0–255, logarithmic), with an LFU policy.
    pub freq: Option<u64>,
}

/// Keys of one template.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Template {
    pub template: String,
    pub kind: String,
    pub keys: u64,
    pub bytes: u64,
    pub no_ttl_keys: u64,
    pub no_ttl_bytes: u64,
    pub max_bytes: u64,
}

/// What a sampling pass saw.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    pub keys: u64,
    pub bytes: u64,
    pub stop: Stop,
    pub elapsed: Duration,
    /// Largest memory first.
    pub templates: Vec<Template>,
    pub biggest: Vec<Key>,
    pub hottest: Vec<Key>,
    /// Keys left out because a command about them failed, and the first error.
    pub unreadable: u64,
    pub first_error: Option<String>,
}

impl Sample {
    /// Builds the summary of `keys` (pure: tests feed it directly).
    pub fn of(keys: Vec<Key>, stop: Stop, elapsed: Duration) -> Sample {
        let mut tally = Tally::default();
        keys.into_iter().for_each(|k| tally.add(k));
        tally.finish(stop, elapsed)
    }

    /// A template's share of the sampled memory.
    pub fn share(&self, t: &Template) -> f64 {
        t.bytes as f64 / self.bytes.max(1) as f64
    }
}

/// Running totals of a scan. Memory stays bounded whatever the keyspace: at most
/// [`MAX_TEMPLATES`] templates (the rest are counted under [`OTHER`]) and the top lists.
#[derive(Default)]
pub struct Tally {
    keys: u64,
    /// Keys whose PTTL or MEMORY USAGE answered with an error, and the first error.
    unreadable: u64,
    first_error: Option<String>,
    bytes: u64,
    templates: HashMap<String, Template>,
    biggest: Vec<Key>,
    hottest: Vec<Key>,
}

/// Most distinct key templates kept.
pub const MAX_TEMPLATES: usize = 5_000;
/// Where keys of further templates are counted.
pub const OTHER: &str = "(other templates)";

impl Tally {
    pub fn add(&mut self, k: Key) {
        self.keys += 1;
        self.bytes += k.bytes;
        let name = if self.templates.len() < MAX_TEMPLATES || self.templates.contains_key(&k.template) {
            k.template.as_str()
        } else {
            OTHER
        };
        let t = self.templates.entry(name.to_string()).or_insert_with(|| Template {
            template: name.to_string(),
            kind: k.kind.clone(),
            ..Template::default()
        });
        t.keys += 1;
        t.bytes += k.bytes;
        t.max_bytes = t.max_bytes.max(k.bytes);
        if !k.has_ttl {
            t.no_ttl_keys += 1;
            t.no_ttl_bytes += k.bytes;
        }
        if k.freq.is_some_and(|f| f > 0) {
            keep_top(&mut self.hottest, k.clone(), |a, b| b.freq.cmp(&a.freq).then(a.name.cmp(&b.name)));
        }
        keep_top(&mut self.biggest, k, |a, b| b.bytes.cmp(&a.bytes).then(a.name.cmp(&b.name)));
    }

    pub fn finish(self, stop: Stop, elapsed: Duration) -> Sample {
        let mut templates: Vec<Template> = self.templates.into_values().collect();
        templates.sort_by(|a, b| b.bytes.cmp(&a.bytes).then(a.template.cmp(&b.template)));
        let (mut biggest, mut hottest) = (self.biggest, self.hottest);
        let by_bytes = |a: &Key, b: &Key| b.bytes.cmp(&a.bytes).then(a.name.cmp(&b.name));
        biggest.sort_by(by_bytes);
        biggest.truncate(TOP_KEYS);
        hottest.sort_by(|a, b| b.freq.cmp(&a.freq).then(a.name.cmp(&b.name)));
        hottest.truncate(TOP_KEYS);
        let (unreadable, first_error) = (self.unreadable, self.first_error);
        Sample {
            keys: self.keys,
            bytes: self.bytes,
            stop,
            elapsed,
            templates,
            biggest,
            hottest,
            unreadable,
            first_error,
        }
    }
}

/// Adds `k` to a top list ordered by `order`, trimming it to [`TOP_KEYS`] now and then.
fn keep_top(list: &mut Vec<Key>, k: Key, order: impl Fn(&Key, &Key) -> std::cmp::Ordering) {
    list.push(k);
    if list.len() >= TOP_KEYS * 4 {
        list.sort_by(&order);
        list.truncate(TOP_KEYS);
    }
}

/// Scans the selected database within `budget`.
pub async fn sample(c: &mut Client, budget: Budget, lfu: bool) -> Result<Sample, CacheError> {
    let start = Instant::now();
    let mut tally = Tally::default();
    let mut cursor = "0".to_string();
    let stop = loop {
        let reply = c.command(&["SCAN", &cursor, "COUNT", SCAN_COUNT]).await?;
        let (next, batch) = scan_reply(&reply).ok_or_else(|| CacheError::Protocol {
            url: c.url.clone(),
            reason: "SCAN returned something other than [cursor, keys]".into(),
        })?;
        let room = budget.keys.saturating_sub((tally.keys + tally.unreadable) as usize);
        let cut = batch.len() > room;
        let batch: Vec<Vec<u8>> = batch.into_iter().take(room).collect();
        describe(c, &batch, lfu, &mut tally).await?;
        cursor = next;
        if cut || (cursor != "0" && (tally.keys + tally.unreadable) as usize >= budget.keys) {
            break Stop::KeyBudget;
        }
        if cursor == "0" {
            break Stop::Complete;
        }
        if start.elapsed() >= budget.time {
            break Stop::TimeBudget;
        }
    };
    Ok(tally.finish(stop, start.elapsed()))
}

fn scan_reply(v: &Value) -> Option<(String, Vec<Vec<u8>>)> {
    let [cursor, Value::Array(keys)] = v.items() else { return None };
    let keys = keys.iter().filter_map(|k| if let Value::Bulk(b) = k { Some(b.clone()) } else { None }).collect();
    Some((cursor.text()?, keys))
}

/// One pipeline for the batch: PTTL, MEMORY USAGE, TYPE (and OBJECT FREQ) per key.
async fn describe(c: &mut Client, batch: &[Vec<u8>], lfu: bool, tally: &mut Tally) -> Result<(), CacheError> {
    let per = if lfu { 4 } else { 3 };
    let mut cmds: Vec<Vec<&[u8]>> = Vec::with_capacity(batch.len() * per);
    for k in batch {
        cmds.push(vec![b"PTTL", k]);
        cmds.push(vec![b"MEMORY", b"USAGE", k]);
        cmds.push(vec![b"TYPE", k]);
        if lfu {
            cmds.push(vec![b"OBJECT", b"FREQ", k]);
        }
    }
    let replies = c.pipeline(&cmds).await?;
    let mut out = Vec::with_capacity(batch.len());
    for (k, r) in batch.iter().zip(replies.chunks(per)) {
        // An error reply (an ACL without MEMORY, a module type): counted, said once.
        if let Some(Value::Error(e)) = r.iter().take(2).find(|v| matches!(v, Value::Error(_))) {
            tally.unreadable += 1;
            tally.first_error.get_or_insert_with(|| perfhound_term::clip(e, 200));
            continue;
        }
        // -2: the key expired or was deleted since SCAN returned it.
        let (Some(ttl), Some(bytes)) = (r[0].int(), r[1].int()) else { continue };
        if ttl == -2 {
            continue;
        }
        let name = String::from_utf8_lossy(k).into_owned();
        out.push(Key {
            template: perfhound_sql::template_key(&name),
            name,
            kind: r[2].text().unwrap_or_default(),
            bytes: bytes.max(0) as u64,
            has_ttl: ttl >= 0,
            freq: r.get(3).and_then(Value::int).map(|f| f.max(0) as u64),
        });
    }
    out.into_iter().for_each(|k| tally.add(k));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str, bytes: u64, has_ttl: bool, freq: Option<u64>) -> Key {
        let template = perfhound_sql::template_key(name);
        Key { name: name.into(), template, kind: "string".into(), bytes, has_ttl, freq }
    }

    #[test]
    fn groups_by_template_and_ranks() {
        let keys = vec![
            key("session:6f1c2b1e-0000-4000-8000-000000000001", 300, false, Some(5)),
            key("session:6f1c2b1e-0000-4000-8000-000000000002", 300, false, Some(9)),
            key("user:1", 100, true, None),
            key("blob", 5000, false, Some(0)),
        ];
        let s = Sample::of(keys, Stop::Complete, Duration::ZERO);
        assert_eq!(s.templates[0].template, "blob");
        let sess = &s.templates[1];
        assert_eq!((sess.template.as_str(), sess.keys, sess.no_ttl_bytes), ("session:{uuid}", 2, 600));
        assert!((s.share(sess) - 600.0 / 5700.0).abs() < 1e-9);
        assert_eq!(s.biggest[0].name, "blob");
        assert_eq!(s.hottest.len(), 2);
        assert_eq!(s.hottest[0].freq, Some(9));
    }

    #[test]
    fn templates_are_capped() {
        // Letters, not digits: every name is its own template.
        let word = |i: usize| i.to_string().bytes().map(|b| char::from(b'a' + b - b'0')).collect::<String>();
        let keys = (0..MAX_TEMPLATES + 3).map(|i| key(&format!("k{}", word(i)), 1, true, None)).collect();
        let s = Sample::of(keys, Stop::Complete, Duration::ZERO);
        assert_eq!(s.templates.len(), MAX_TEMPLATES + 1);
        assert_eq!(s.templates.iter().find(|t| t.template == OTHER).map(|t| t.keys), Some(3));
        assert_eq!(s.biggest.len(), TOP_KEYS);
    }

    #[test]
    fn scan_replies_are_checked() {
        let ok = Value::Array(vec![Value::Bulk(b"17".to_vec()), Value::Array(vec![Value::Bulk(b"k".to_vec())])]);
        assert_eq!(scan_reply(&ok), Some(("17".into(), vec![b"k".to_vec()])));
        assert_eq!(scan_reply(&Value::Int(1)), None);
    }
}
