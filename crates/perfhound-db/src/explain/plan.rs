//! The parts of an `EXPLAIN (FORMAT JSON)` plan perfhound uses: total cost, the relations
//! scanned sequentially, and the indexes used (hypothetical ones included).

use serde_json::Value;

/// One plan node that reads a relation.
#[derive(Clone, Debug, PartialEq)]
pub struct Scan {
    /// `Seq Scan`, `Index Scan`, `Index Only Scan`, `Bitmap Index Scan`, …
    pub node_type: String,
    /// Relation name (for index scans under a bitmap heap scan: none).
    pub relation: Option<String>,
    pub schema: Option<String>,
    pub index: Option<String>,
    pub rows: f64,
    pub total_cost: f64,
    /// The filter applied after reading rows (seq scans).
    pub filter: Option<String>,
}

/// A parsed plan.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub total_cost: f64,
    pub scans: Vec<Scan>,
}

impl Plan {
    /// Parses EXPLAIN's JSON output. Unknown shapes are errors, never panics.
    pub fn from_json(text: &str) -> Result<Plan, String> {
        let v: Value = serde_json::from_str(text).map_err(|e| format!("unreadable EXPLAIN output: {e}"))?;
        let root = v.get(0).and_then(|p| p.get("Plan")).ok_or("EXPLAIN output has no plan")?;
        let total_cost = root.get("Total Cost").and_then(Value::as_f64).ok_or("plan has no total cost")?;
        let mut scans = Vec::new();
        collect(root, &mut scans, 0);
        Ok(Plan { total_cost, scans })
    }

    /// Names of the indexes the plan uses.
    pub fn indexes(&self) -> impl Iterator<Item = &str> {
        self.scans.iter().filter_map(|s| s.index.as_deref())
    }

    /// Oids of the HypoPG hypothetical indexes the plan uses (`<13556>btree_orders_user_id`).
    pub fn hypothetical_oids(&self) -> Vec<u32> {
        let mut oids: Vec<u32> = self.indexes().filter_map(hypothetical_oid).collect();
        oids.sort_unstable();
        oids.dedup();
        oids
    }

    /// True when some node scans `relation` sequentially.
    pub fn seq_scans(&self) -> impl Iterator<Item = &Scan> {
        self.scans.iter().filter(|s| s.node_type == "Seq Scan")
    }

    /// True when the index is read without visiting the heap.
    pub fn index_only(&self, index: &str) -> bool {
        self.scans.iter().any(|s| s.node_type == "Index Only Scan" && s.index.as_deref() == Some(index))
    }
}

/// The oid in a HypoPG index name.
pub fn hypothetical_oid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix('<')?;
    let end = rest.find('>')?;
    rest[..end].parse().ok()
}

fn collect(node: &Value, out: &mut Vec<Scan>, depth: usize) {
    if depth > 200 {
        return;
    }
    let text = |k: &str| node.get(k).and_then(Value::as_str).map(str::to_string);
    let node_type = text("Node Type").unwrap_or_default();
    if node.get("Relation Name").is_some() || node.get("Index Name").is_some() {
        out.push(Scan {
            node_type,
            relation: text("Relation Name"),
            schema: text("Schema"),
            index: text("Index Name"),
            rows: node.get("Plan Rows").and_then(Value::as_f64).unwrap_or(0.0),
            total_cost: node.get("Total Cost").and_then(Value::as_f64).unwrap_or(0.0),
            filter: text("Filter"),
        });
    }
    if let Some(children) = node.get("Plans").and_then(Value::as_array) {
        for c in children {
            collect(c, out, depth + 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAN: &str = r#"[{"Plan": {"Node Type": "Bitmap Heap Scan", "Relation Name": "orders", "Total Cost": 40.71,
        "Plan Rows": 10, "Plans": [{"Node Type": "Bitmap Index Scan", "Index Name": "<13556>btree_orders_user_id",
        "Total Cost": 4.12, "Plan Rows": 10}]}}]"#;

    #[test]
    fn reads_cost_and_hypothetical_indexes() {
        let p = Plan::from_json(PLAN).unwrap();
        assert_eq!(p.total_cost, 40.71);
        assert_eq!(p.hypothetical_oids(), vec![13556]);
        assert_eq!(p.seq_scans().count(), 0);
        assert!(!p.index_only("<13556>btree_orders_user_id"));
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        assert!(Plan::from_json("").is_err());
        assert!(Plan::from_json("[{}]").is_err());
        assert!(Plan::from_json("[{\"Plan\": {\"Total Cost\": \"x\"}}]").is_err());
        assert_eq!(hypothetical_oid("orders_pkey"), None);
    }
}
