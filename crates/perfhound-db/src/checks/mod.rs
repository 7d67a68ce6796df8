//! Health checks with PgHero parity, one rule per file (`PH-DB004`…`PH-DB017`). Each
//! check runs one catalog/statistics query on the read-only session and judges the rows
//! against [`Thresholds`]; a check that fails (privileges, old server) becomes a warning,
//! never the end of the analysis.

pub mod bloat;
pub mod blocked;
pub mod connections;
pub mod dead_tuples;
pub mod duplicate_index;
pub mod idle_in_transaction;
pub mod index_cache_hit;
pub mod invalid_index;
pub mod long_running;
pub mod seq_scans;
pub mod sequence_overflow;
pub mod table_cache_hit;
pub mod unused_index;
pub mod wraparound;

use crate::catalog::Catalog;
use crate::config::Thresholds;
use crate::error::DbError;
use crate::session::ServerInfo;
use crate::sqltext;
use perfhound_model::Rule;
pub use perfhound_sql::engine::{Health, Outcome};
use tokio_postgres::Client;

/// What every check gets.
pub struct Ctx<'a> {
    pub client: &'a Client,
    pub server: &'a ServerInfo,
    pub catalog: &'a Catalog,
    pub t: &'a Thresholds,
    pub show_literals: bool,
}

impl Ctx<'_> {
    /// Query text from pg_stat_activity as it may be shown.
    pub fn query_text(&self, q: &str) -> String {
        sqltext::display(q, self.show_literals)
    }
}

/// Every health-check rule, for `perfhound rules`.
pub const RULES: [Rule; 14] = [
    long_running::RULE,
    blocked::RULE,
    connections::RULE,
    idle_in_transaction::RULE,
    table_cache_hit::RULE,
    index_cache_hit::RULE,
    unused_index::RULE,
    duplicate_index::RULE,
    invalid_index::RULE,
    sequence_overflow::RULE,
    wraparound::RULE,
    seq_scans::RULE,
    dead_tuples::RULE,
    bloat::RULE,
];

/// Runs every check; failures become warnings naming the check.
pub async fn run_all(ctx: &Ctx<'_>) -> Health {
    let results: Vec<(Rule, Result<Outcome, DbError>)> = vec![
        (long_running::RULE, long_running::check(ctx).await),
        (blocked::RULE, blocked::check(ctx).await),
        (connections::RULE, connections::check(ctx).await),
        (idle_in_transaction::RULE, idle_in_transaction::check(ctx).await),
        (table_cache_hit::RULE, table_cache_hit::check(ctx).await),
        (index_cache_hit::RULE, index_cache_hit::check(ctx).await),
        (unused_index::RULE, Ok(unused_index::check(ctx))),
        (duplicate_index::RULE, Ok(duplicate_index::check(ctx))),
        (invalid_index::RULE, Ok(invalid_index::check(ctx))),
        (sequence_overflow::RULE, sequence_overflow::check(ctx).await),
        (wraparound::RULE, wraparound::check(ctx).await),
        (seq_scans::RULE, Ok(seq_scans::check(ctx))),
        (dead_tuples::RULE, dead_tuples::check(ctx).await),
        (bloat::RULE, bloat::check(ctx).await),
    ];
    Health::collect(results)
}
