//! `SLOWLOG GET`: entries grouped by command shape.
//!
//! The shape is the command name, its key templated (`session:{uuid}`, see
//! [`perfhound_sql::template_key`]) and each further argument kept only when it is a
//! keyword (`BY`, `LIMIT`, `WITHSCORES`) — values become `?`, runs of them one `?…` — so
//! `SORT list:7 BY nosort LIMIT 0 10` and `SORT list:9 BY nosort LIMIT 0 5` are one group.

use crate::resp::Value;
use perfhound_term::one_line;

/// One slowlog entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub duration_us: u64,
    pub shape: String,
}

/// Entries of one shape.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    pub shape: String,
    pub count: u64,
    pub total_us: u64,
    pub max_us: u64,
}

impl Group {
    pub fn mean_us(&self) -> f64 {
        self.total_us as f64 / self.count.max(1) as f64
    }
}

/// Reads a `SLOWLOG GET` reply; malformed entries are skipped and counted.
pub fn entries(reply: &Value) -> (Vec<Entry>, usize) {
    let mut out = Vec::new();
    let mut bad = 0;
    for e in reply.items() {
        let items = e.items();
        let (Some(us), Some(Value::Array(args))) = (items.get(2).and_then(Value::int), items.get(3)) else {
            bad += 1;
            continue;
        };
        let args: Vec<String> = args.iter().filter_map(Value::text).collect();
        out.push(Entry { duration_us: us.max(0) as u64, shape: shape(&args) });
    }
    (out, bad)
}

/// Groups entries by shape, slowest total first.
pub fn group(entries: &[Entry]) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for e in entries {
        match groups.iter_mut().find(|g| g.shape == e.shape) {
            Some(g) => {
                g.count += 1;
                g.total_us += e.duration_us;
                g.max_us = g.max_us.max(e.duration_us);
            }
            None => {
                groups.push(Group { shape: e.shape.clone(), count: 1, total_us: e.duration_us, max_us: e.duration_us })
            }
        }
    }
    groups.sort_by(|a, b| b.total_us.cmp(&a.total_us).then(a.shape.cmp(&b.shape)));
    groups
}

/// The shape of one command line (control characters removed).
pub fn shape(args: &[String]) -> String {
    let Some((cmd, rest)) = args.split_first() else { return String::new() };
    let mut words = vec![cmd.to_ascii_uppercase()];
    let mut rest = rest.iter();
    if let Some(key) = rest.next() {
        words.push(perfhound_sql::template_key(&clip_arg(key)));
    }
    for a in rest {
        let w = if is_keyword(a) { a.to_ascii_uppercase() } else { "?".to_string() };
        match words.last_mut() {
            Some(last) if w == "?" && (last == "?" || last == "?…") => *last = "?…".into(),
            _ => words.push(w),
        }
    }
    one_line(&words.join(" ")).into_owned()
}

/// Redis truncates long arguments (`… (123 more bytes)`); keys are cut at 100 characters.
fn clip_arg(a: &str) -> String {
    a.chars().take(100).collect()
}

fn is_keyword(a: &str) -> bool {
    (2..=12).contains(&a.len()) && a.bytes().all(|b| b.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split(' ').map(String::from).collect()
    }

    #[test]
    fn shapes_group_values() {
        assert_eq!(shape(&args("sort list:7 BY nosort LIMIT 0 10")), "SORT list:{id} BY NOSORT LIMIT ?…");
        assert_eq!(shape(&args("DEBUG sleep 0.2")), "DEBUG sleep ?");
        assert_eq!(shape(&["GET".into(), "k\u{1b}[2Jx".into()]), "GET kx");
    }

    #[test]
    fn reads_and_groups_a_reply() {
        let entry = |us: i64, a: &[&str]| {
            Value::Array(vec![
                Value::Int(1),
                Value::Int(0),
                Value::Int(us),
                Value::Array(a.iter().map(|s| Value::Bulk(s.as_bytes().to_vec())).collect()),
            ])
        };
        let reply = Value::Array(vec![
            entry(300, &["GET", "user:1"]),
            entry(100, &["GET", "user:2"]),
            entry(50, &["KEYS", "*"]),
            Value::Int(3),
        ]);
        let (e, bad) = entries(&reply);
        assert_eq!(bad, 1);
        let g = group(&e);
        assert_eq!((g[0].shape.as_str(), g[0].count, g[0].total_us, g[0].max_us), ("GET user:{id}", 2, 400, 300));
        assert_eq!(g[1].shape, "KEYS *");
    }
}
