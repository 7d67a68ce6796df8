//! Index keys a statement's column uses suggest for one table, the same for every advisor:
//! each key column alone (equality, join, range, ORDER BY, GROUP BY), then two-column keys
//! with an equality or join column first followed by another key column — both orders
//! when both are equalities; the database's planner (HypoPG costs, timings on a copy)
//! decides between them.

use super::Role;

/// Roles that can lead a B-tree key: the search is an exact match on them.
const LEADING: &[Role] = &[Role::Eq, Role::Join];
/// Roles a key column can serve.
const KEY: &[Role] = &[Role::Eq, Role::Join, Role::Range, Role::Order, Role::Group];

/// One table's candidate keys, in the order to try them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IndexKeys {
    pub singles: Vec<String>,
    pub pairs: Vec<[String; 2]>,
}

impl IndexKeys {
    /// The keys for one table's `(column, role)` uses, columns in order of first use.
    pub fn of<'a>(uses: impl IntoIterator<Item = (&'a str, Role)> + Clone) -> IndexKeys {
        let leading = columns_with(uses.clone(), LEADING);
        let singles = columns_with(uses, KEY);
        let pairs = leading
            .iter()
            .flat_map(|a| singles.iter().filter(move |b| *b != a).map(move |b| [a.clone(), b.clone()]))
            .collect();
        IndexKeys { singles, pairs }
    }
}

/// The distinct columns among `uses` that have one of `roles`, in order of first use.
pub fn columns_with<'a>(uses: impl IntoIterator<Item = (&'a str, Role)>, roles: &[Role]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (column, role) in uses {
        if roles.contains(&role) && !out.iter().any(|c| c == column) {
            out.push(column.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equality_columns_lead_and_every_key_column_follows() {
        let uses =
            [("status", Role::Eq), ("created_at", Role::Range), ("user_id", Role::Join), ("total", Role::Select)];
        let keys = IndexKeys::of(uses.iter().copied());
        assert_eq!(keys.singles, ["status", "created_at", "user_id"]);
        let pairs: Vec<String> = keys.pairs.iter().map(|p| p.join(",")).collect();
        assert_eq!(pairs, ["status,created_at", "status,user_id", "user_id,status", "user_id,created_at"]);
        assert_eq!(IndexKeys::of([("total", Role::Other)]), IndexKeys::default());
    }
}
