//! What the PostgreSQL and SQLite engines share above the SQL itself: the health-check
//! runner ([`Health::collect`]), what an analysis concludes ([`Diagnosis`]) and the run
//! document of one database analysis ([`run`], [`counted_target`], [`top_by`]).
//!
//! Why here: both engines already share [`crate::usage`] and the fingerprints through this
//! crate, and these pieces were near-copies of each other in both engines. Each engine
//! keeps what is really its own (which checks exist, what a check gets, which
//! measurements a target carries); the shape of the result is written once.

mod checks;
mod run;

pub use checks::{Health, Outcome};
pub use run::{counted_target, run, top_by, Diagnosis};
