//! `EXPLAIN QUERY PLAN`: running it (placeholders bound to NULL — nothing is executed)
//! and reading its rows as [`Step`]s: full scans, index searches, automatic (transient)
//! indexes, temporary B-trees for sorting, correlated subqueries.

use rusqlite::Connection;

/// One row of EXPLAIN QUERY PLAN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanNode {
    pub id: i64,
    pub parent: i64,
    pub detail: String,
}

/// What a plan row does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step<'a> {
    /// `SCAN t` (every row), possibly in the order of an index (`SCAN t USING INDEX i`).
    Scan {
        name: &'a str,
        index: Option<&'a str>,
    },
    /// `SEARCH t USING INDEX i (…)`; `index` is `None` for the rowid / primary key.
    Search {
        name: &'a str,
        index: Option<&'a str>,
        automatic: bool,
    },
    /// `USE TEMP B-TREE FOR ORDER BY` — the text after `FOR `.
    TempBTree(&'a str),
    /// `CORRELATED SCALAR SUBQUERY n` / `CORRELATED LIST SUBQUERY n`: run once per outer row.
    Correlated,
    /// `BLOOM FILTER ON t (…)`, built for each execution.
    Bloom {
        name: &'a str,
    },
    Other,
}

/// A statement's query plan.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub nodes: Vec<PlanNode>,
}

impl Plan {
    /// Explains `sql` on `conn` with every parameter bound to NULL.
    pub fn explain(conn: &Connection, sql: &str) -> rusqlite::Result<Plan> {
        let mut st = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
        for i in 1..=st.parameter_count() {
            st.raw_bind_parameter(i, rusqlite::types::Null)?;
        }
        let mut rows = st.raw_query();
        let mut nodes = Vec::new();
        while let Some(r) = rows.next()? {
            nodes.push(PlanNode { id: r.get(0)?, parent: r.get(1)?, detail: r.get(3)? });
        }
        Ok(Plan { nodes })
    }

    /// The steps with their node index.
    pub fn steps(&self) -> impl Iterator<Item = (usize, Step<'_>)> {
        self.nodes.iter().enumerate().map(|(i, n)| (i, step(&n.detail)))
    }

    /// True when the node runs inside a correlated subquery (once per outer row).
    pub fn in_correlated(&self, i: usize) -> bool {
        let mut parent = self.nodes[i].parent;
        for _ in 0..self.nodes.len() {
            let Some(p) = self.nodes.iter().find(|n| n.id == parent) else { return false };
            if step(&p.detail) == Step::Correlated {
                return true;
            }
            parent = p.parent;
        }
        false
    }

    /// Names (alias or table) scanned in full without any index.
    pub fn full_scans(&self) -> Vec<&str> {
        self.steps()
            .filter_map(|(_, s)| matches!(s, Step::Scan { index: None, .. }).then_some(s))
            .map(name_of)
            .collect()
    }

    /// True when some step reads through the index `name` (exact, case-insensitive).
    pub fn uses_index(&self, name: &str) -> bool {
        self.steps().any(|(_, s)| match s {
            Step::Scan { index: Some(i), .. } | Step::Search { index: Some(i), automatic: false, .. } => {
                i.eq_ignore_ascii_case(name)
            }
            _ => false,
        })
    }

    /// True when the plan sorts or groups with a temporary B-tree.
    pub fn has_temp_btree(&self) -> bool {
        self.steps().any(|(_, s)| matches!(s, Step::TempBTree(_)))
    }

    /// The plan as indented lines (`SCAN orders`, `  SEARCH …` under its parent).
    pub fn render(&self) -> String {
        let mut out = String::new();
        self.render_children(0, 0, &mut out);
        out
    }

    fn render_children(&self, parent: i64, depth: usize, out: &mut String) {
        if depth > 32 {
            return;
        }
        for n in self.nodes.iter().filter(|n| n.parent == parent && n.id != parent) {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&"  ".repeat(depth));
            out.push_str(&n.detail);
            self.render_children(n.id, depth + 1, out);
        }
    }
}

fn name_of(s: Step<'_>) -> &str {
    match s {
        Step::Scan { name, .. } | Step::Search { name, .. } | Step::Bloom { name } => name,
        _ => "",
    }
}

/// Reads one plan row's detail text.
pub fn step(detail: &str) -> Step<'_> {
    if let Some(rest) = detail.strip_prefix("SCAN ") {
        let (name, using) = split_using(rest);
        if name == "CONSTANT ROW" || name.contains(" VIRTUAL TABLE") || name.starts_with('(') {
            return Step::Other;
        }
        return Step::Scan { name, index: using.and_then(index_name) };
    }
    if let Some(rest) = detail.strip_prefix("SEARCH ") {
        let (name, using) = split_using(rest);
        let automatic = using.is_some_and(|u| u.starts_with("AUTOMATIC "));
        let index = if automatic { None } else { using.and_then(index_name) };
        return Step::Search { name, index, automatic };
    }
    if let Some(what) = detail.strip_prefix("USE TEMP B-TREE FOR ") {
        return Step::TempBTree(what);
    }
    if detail.starts_with("CORRELATED ") {
        return Step::Correlated;
    }
    if let Some(rest) = detail.strip_prefix("BLOOM FILTER ON ") {
        return Step::Bloom { name: rest.split(" (").next().unwrap_or(rest) };
    }
    Step::Other
}

/// `orders USING INDEX ix (a=?)` → (`orders`, `INDEX ix (a=?)`).
fn split_using(rest: &str) -> (&str, Option<&str>) {
    match rest.find(" USING ") {
        Some(i) => (&rest[..i], Some(&rest[i + 7..])),
        None => (rest, None),
    }
}

/// `INDEX ix (a=?)` / `COVERING INDEX ix` → `ix`; the rowid / primary key → `None`.
fn index_name(using: &str) -> Option<&str> {
    let rest = using.strip_prefix("COVERING INDEX ").or_else(|| using.strip_prefix("INDEX "))?;
    Some(rest.split(" (").next().unwrap_or(rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_plan_rows() {
        assert_eq!(step("SCAN o"), Step::Scan { name: "o", index: None });
        assert_eq!(step("SCAN orders USING COVERING INDEX ix"), Step::Scan { name: "orders", index: Some("ix") });
        assert_eq!(
            step("SEARCH Order Items USING INDEX idx_a_b (a=? AND b>?)"),
            Step::Search { name: "Order Items", index: Some("idx_a_b"), automatic: false }
        );
        assert_eq!(
            step("SEARCH u USING INTEGER PRIMARY KEY (rowid=?)"),
            Step::Search { name: "u", index: None, automatic: false }
        );
        assert_eq!(
            step("SEARCH o USING AUTOMATIC COVERING INDEX (user_id=?)"),
            Step::Search { name: "o", index: None, automatic: true }
        );
        assert_eq!(step("USE TEMP B-TREE FOR ORDER BY"), Step::TempBTree("ORDER BY"));
        assert_eq!(step("CORRELATED SCALAR SUBQUERY 1"), Step::Correlated);
        assert_eq!(step("SCAN CONSTANT ROW"), Step::Other);
    }

    #[test]
    fn explains_with_null_parameters_and_renders_a_tree() {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch("CREATE TABLE u(id INTEGER PRIMARY KEY, n); CREATE TABLE o(id INTEGER PRIMARY KEY, uid, t);")
            .unwrap();
        let p = Plan::explain(&c, "SELECT * FROM u WHERE (SELECT count(*) FROM o WHERE o.uid = u.id) > ?1 AND n = $x")
            .unwrap();
        assert_eq!(p.full_scans(), ["u", "o"]);
        let inner = p.nodes.iter().position(|n| n.detail == "SCAN o").unwrap();
        assert!(p.in_correlated(inner) && !p.in_correlated(0));
        assert_eq!(p.render(), "SCAN u\nCORRELATED SCALAR SUBQUERY 1\n  SCAN o");
        assert!(!p.uses_index("anything"));
    }
}
