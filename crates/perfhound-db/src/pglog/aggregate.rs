//! Log entries → a [`StatementSet`], like pg_stat_statements would have produced: one
//! statement per `perfhound-sql` shape with its calls and total/mean/min/max/stddev time.
//! Logs carry no row or buffer counts (they stay 0). perfhound's own statements
//! (`application_name = perfhound` in csvlog/jsonlog, the `/* perfhound */` marker, HypoPG
//! calls) and utility statements are skipped.

use super::entry::{self, Entry, Event};
use crate::sqltext;
use crate::statements::group::Acc;
use crate::statements::{is_own_or_utility, Origin, Statement, StatementSet, SYSTEM};
use perfhound_sql::Normalizer;
use std::collections::HashMap;

/// Distinct statement shapes kept; executions of further shapes are counted and dropped.
const MAX_SHAPES: usize = 100_000;

/// A statement logged by `log_statement`, waiting for its bare `duration:` line.
struct Pending {
    text: String,
    line: usize,
    detail: Option<String>,
}

struct Group {
    statement: Statement,
    acc: Acc,
}

/// What the aggregator saw.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Log entries (all severities).
    pub entries: u64,
    /// Executions recorded (timed or not).
    pub executions: u64,
    /// Executions without a duration.
    pub untimed: u64,
    /// Executions of perfhound's own, utility or excess statements.
    pub skipped: u64,
    /// Distinct statements beyond the limit.
    pub dropped_shapes: u64,
}

#[derive(Default)]
pub struct Aggregator {
    path: String,
    normalizer: Normalizer,
    /// Shape hash → index into `groups`, or `None` for skipped shapes.
    index: HashMap<u64, Option<usize>>,
    groups: Vec<Group>,
    pending: HashMap<String, Pending>,
    first_s: Option<f64>,
    last_s: Option<f64>,
    pub counts: Counts,
}

impl Aggregator {
    pub fn new(path: &str) -> Self {
        Aggregator { path: path.to_string(), ..Aggregator::default() }
    }

    pub fn add(&mut self, e: Entry) {
        self.counts.entries += 1;
        if let Some(t) = e.time_s {
            self.first_s = Some(self.first_s.map_or(t, |f| f.min(t)));
            self.last_s = Some(self.last_s.map_or(t, |l| l.max(t)));
        }
        if e.severity != "LOG" {
            return;
        }
        if e.application.as_deref() == Some("perfhound") {
            self.counts.skipped += u64::from(!matches!(entry::classify(&e.message), Event::Other));
            return;
        }
        match entry::classify(&e.message) {
            Event::Timed { ms, text } => self.record(text, Some(ms), e.line, e.detail.as_deref()),
            Event::Untimed { text } => {
                let next = Pending { text: text.to_string(), line: e.line, detail: e.detail.clone() };
                if let Some(prev) = self.pending.insert(e.session, next) {
                    self.record(&prev.text, None, prev.line, prev.detail.as_deref());
                }
            }
            Event::Duration { ms } => {
                if let Some(p) = self.pending.remove(&e.session) {
                    self.record(&p.text, Some(ms), p.line, p.detail.as_deref());
                }
            }
            Event::Other => {}
        }
    }

    fn record(&mut self, text: &str, ms: Option<f64>, line: usize, detail: Option<&str>) {
        let shape = self.normalizer.fingerprint(text, SYSTEM).shape;
        let slot = match self.index.get(&shape.hash) {
            Some(slot) => *slot,
            None => {
                let keep = !is_own_or_utility(text) && self.groups.len() < MAX_SHAPES;
                self.counts.dropped_shapes += u64::from(!keep && self.groups.len() >= MAX_SHAPES);
                let slot = keep.then_some(self.groups.len());
                if keep {
                    let origin = Origin::Log { path: self.path.clone(), line };
                    let statement = Statement::with_shape(origin, text.to_string(), shape.clone());
                    self.groups.push(Group { statement, acc: Acc::default() });
                }
                self.index.insert(shape.hash, slot);
                slot
            }
        };
        let Some(i) = slot else {
            self.counts.skipped += 1;
            return;
        };
        self.counts.executions += 1;
        self.counts.untimed += u64::from(ms.is_none());
        let g = &mut self.groups[i];
        let ms = ms.unwrap_or(0.0);
        if g.statement.slowest_example.is_none() || ms > g.acc.max_ms {
            let params = detail.and_then(entry::parameters);
            g.statement.slowest_example =
                Some(params.map_or_else(|| text.to_string(), |p| sqltext::bind_parameters(text, &p)));
        }
        g.acc.add(&Acc::one(ms));
    }

    /// The statements, heaviest first; statements still waiting for a duration count as untimed calls.
    pub fn finish(mut self) -> (StatementSet, Counts) {
        for (_, p) in std::mem::take(&mut self.pending) {
            self.record(&p.text, None, p.line, p.detail.as_deref());
        }
        let mut statements: Vec<Statement> = std::mem::take(&mut self.groups)
            .into_iter()
            .map(|mut g| {
                g.acc.apply(&mut g.statement);
                g.statement
            })
            .collect();
        statements.sort_by(|a, b| b.total_ms.total_cmp(&a.total_ms).then(b.calls.cmp(&a.calls)));
        let window_s = self.first_s.zip(self.last_s).map(|(f, l)| l - f);
        (StatementSet { statements, window_s, hidden: 0 }, self.counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(session: &str, line: usize, message: &str, detail: Option<&str>) -> Entry {
        Entry {
            line,
            session: session.into(),
            severity: "LOG".into(),
            message: message.into(),
            detail: detail.map(str::to_string),
            time_s: Some(line as f64),
            ..Entry::default()
        }
    }

    #[test]
    fn groups_by_shared_fingerprint_and_pairs_bare_durations() {
        let mut a = Aggregator::new("pg.log");
        a.add(log("1", 1, "duration: 1.000 ms  statement: SELECT * FROM t WHERE id = 7", None));
        a.add(log(
            "1",
            2,
            "duration: 3.000 ms  execute <unnamed>: select * from t where id = $1",
            Some("parameters: $1 = '9'"),
        ));
        a.add(log("2", 3, "statement: SELECT * FROM u WHERE a = 'x'", None));
        a.add(log("1", 4, "duration: 5.000 ms", None)); // another session: not u's duration
        a.add(log("2", 5, "duration: 2.000 ms", None));
        a.add(log("1", 6, "duration: 0.100 ms  statement: BEGIN", None));
        a.add(log("1", 7, "duration: 0.100 ms  statement: /* perfhound */ SELECT 1", None));
        a.add(log("3", 8, "statement: SELECT * FROM v", None));
        let (set, a) = a.finish();
        let got: Vec<(&str, i64, f64)> =
            set.statements.iter().map(|s| (s.query.as_str(), s.calls, s.total_ms)).collect();
        assert_eq!(
            got,
            vec![
                ("SELECT * FROM t WHERE id = 7", 2, 4.0),
                ("SELECT * FROM u WHERE a = 'x'", 1, 2.0),
                ("SELECT * FROM v", 1, 0.0)
            ]
        );
        assert_eq!(set.statements[0].slowest_example.as_deref(), Some("select * from t where id = '9'"));
        assert_eq!(set.statements[0].origin, Origin::Log { path: "pg.log".into(), line: 1 });
        assert_eq!((a.executions, a.untimed, a.skipped), (4, 1, 2));
        assert_eq!(set.window_s, Some(7.0));
    }

    #[test]
    fn perfhound_sessions_and_errors_are_not_workload() {
        let mut a = Aggregator::new("pg.csv");
        let mut own = log("1", 1, "duration: 1.000 ms  statement: SELECT * FROM t", None);
        own.application = Some("perfhound".into());
        a.add(own);
        let mut err = log("1", 2, "duration: 1.000 ms  statement: SELECT * FROM t", None);
        err.severity = "ERROR".into();
        a.add(err);
        let (set, a) = a.finish();
        assert!(set.statements.is_empty());
        assert_eq!((a.entries, a.skipped), (2, 1));
    }
}
