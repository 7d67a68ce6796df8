//! perfhound's run history: every run a command writes is also saved here, so regressions
//! can be proven against the past instead of against a file someone kept.
//!
//! - **Where**: an embedded SQLite file (`.perfhound/history.db`, WAL) by default, or the
//!   same schema in PostgreSQL for a team (`--store postgres://…`, `PERFHOUND_STORE`); see
//!   [`location`]. Both backends implement the handful of operations in [`db`], so every
//!   query is written once.
//! - **What**: the whole run as JSON (HDR histograms, findings, budget results), its
//!   metadata ([`meta`]: git commit/branch, `--tag k=v`, host) and one row per target and
//!   series metric ([`record`]) for fast series queries.
//! - **Safety**: each save is one write transaction (SQLite `BEGIN IMMEDIATE`; PostgreSQL
//!   an advisory transaction lock), so concurrent writers queue and a killed writer leaves
//!   the store as it was before its transaction. Migrations are versioned ([`schema`]); a
//!   store written by a newer perfhound is refused with a message, never misread.
//! - **Analysis** over stored runs: [`compare`] (two HDR distributions: Mann–Whitney U over
//!   buckets + effect size; findings new/fixed/persisting) and [`changepoint`] (E-divisive
//!   means with a permutation test, robust to bimodal noise).
//!
//! The store is a consumer of runs like the report crate: it depends on the model and
//! never on an engine.

pub mod changepoint;
pub mod compare;
pub mod db;
pub mod learned;
pub mod location;
pub mod meta;
mod postgres;
pub mod record;
pub mod schema;
mod sqlite;
mod store;
pub mod trend;

pub use location::Location;
pub use meta::Meta;
pub use record::{Filter, Point, RunRow};
pub use store::{Store, StoreError};

/// Saves `run` with `meta` in the store at `location` (created and migrated on first use);
/// returns the run's id. The one call every command makes after writing a run.
pub fn save(location: &Location, run: &perfhound_model::Run, meta: &Meta) -> Result<String, StoreError> {
    let mut store = Store::open(location)?;
    store.save(run, meta)?;
    Ok(run.id.clone())
}
