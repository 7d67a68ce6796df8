//! Grouping statements by their `perfhound-sql` shape: pg_stat_statements keeps one row
//! per role and per `IN`-list length, a log has one line per execution; perfhound reports
//! one statement per shape (what `perfhound traces` reports too). Counters add; mean,
//! min, max and the (population) standard deviation are combined exactly.

use super::Statement;
use std::collections::HashMap;

/// Running sums of one shape's executions.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Acc {
    pub calls: i64,
    pub total_ms: f64,
    /// Σ duration² (ms²), for the standard deviation.
    pub sum_sq: f64,
    pub min_ms: f64,
    pub max_ms: f64,
    pub rows: i64,
    pub shared_blks_hit: i64,
    pub shared_blks_read: i64,
}

impl Acc {
    /// One execution of `ms` milliseconds.
    pub fn one(ms: f64) -> Acc {
        Acc { calls: 1, total_ms: ms, sum_sq: ms * ms, min_ms: ms, max_ms: ms, ..Acc::default() }
    }

    /// The sums behind a statement's statistics.
    pub fn of(s: &Statement) -> Acc {
        let n = s.calls.max(0) as f64;
        Acc {
            calls: s.calls,
            total_ms: s.total_ms,
            sum_sq: (s.stddev_ms * s.stddev_ms + s.mean_ms * s.mean_ms) * n,
            min_ms: s.min_ms,
            max_ms: s.max_ms,
            rows: s.rows,
            shared_blks_hit: s.shared_blks_hit,
            shared_blks_read: s.shared_blks_read,
        }
    }

    pub fn add(&mut self, o: &Acc) {
        if o.calls <= 0 {
            return;
        }
        if self.calls <= 0 {
            *self = *o;
            return;
        }
        self.calls += o.calls;
        self.total_ms += o.total_ms;
        self.sum_sq += o.sum_sq;
        self.min_ms = self.min_ms.min(o.min_ms);
        self.max_ms = self.max_ms.max(o.max_ms);
        self.rows += o.rows;
        self.shared_blks_hit += o.shared_blks_hit;
        self.shared_blks_read += o.shared_blks_read;
    }

    /// Writes the statistics into `s`.
    pub fn apply(&self, s: &mut Statement) {
        s.calls = self.calls;
        s.total_ms = self.total_ms;
        s.rows = self.rows;
        s.shared_blks_hit = self.shared_blks_hit;
        s.shared_blks_read = self.shared_blks_read;
        s.min_ms = self.min_ms;
        s.max_ms = self.max_ms;
        if self.calls > 0 {
            let n = self.calls as f64;
            s.mean_ms = self.total_ms / n;
            s.stddev_ms = (self.sum_sq / n - s.mean_ms * s.mean_ms).max(0.0).sqrt();
        } else {
            s.mean_ms = 0.0;
            s.stddev_ms = 0.0;
        }
    }
}

/// Merges statements with the same shape into the first one seen (which keeps its text
/// and origin), preserving the order of first appearance.
pub fn by_shape(statements: Vec<Statement>) -> Vec<Statement> {
    let mut index: HashMap<u64, usize> = HashMap::new();
    let mut out: Vec<(Statement, Acc)> = Vec::new();
    for s in statements {
        match index.get(&s.shape.hash) {
            Some(&i) => out[i].1.add(&Acc::of(&s)),
            None => {
                index.insert(s.shape.hash, out.len());
                let acc = Acc::of(&s);
                out.push((s, acc));
            }
        }
    }
    out.into_iter()
        .map(|(mut s, acc)| {
            acc.apply(&mut s);
            s
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::statements::Origin;

    fn stmt(query: &str, durations: &[f64]) -> Statement {
        let mut s = Statement::from_file("f", 1, query.into());
        s.origin = Origin::PgStatStatements { queryid: 1 };
        let mut acc = Acc::default();
        durations.iter().for_each(|d| acc.add(&Acc::one(*d)));
        acc.apply(&mut s);
        s
    }

    #[test]
    fn merges_same_shape_exactly() {
        let merged = by_shape(vec![
            stmt("SELECT * FROM t WHERE id IN ($1, $2)", &[1.0, 3.0]),
            stmt("SELECT * FROM u WHERE id = $1", &[7.0]),
            stmt("select * from t where id in ($1, $2, $3)", &[5.0, 7.0]),
        ]);
        assert_eq!(merged.len(), 2);
        let whole = stmt("SELECT * FROM t WHERE id IN ($1, $2)", &[1.0, 3.0, 5.0, 7.0]);
        let m = &merged[0];
        assert_eq!((m.calls, m.total_ms, m.mean_ms, m.min_ms, m.max_ms), (4, 16.0, 4.0, 1.0, 7.0));
        assert!(
            (m.stddev_ms - whole.stddev_ms).abs() < 1e-9 && whole.stddev_ms > 2.0,
            "{} vs {}",
            m.stddev_ms,
            whole.stddev_ms
        );
        assert_eq!(m.query, "SELECT * FROM t WHERE id IN ($1, $2)", "the first text is kept");
    }
}
