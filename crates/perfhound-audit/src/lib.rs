//! `perfhound audit`: the whole loop in one run.
//!
//! One config file ([`config`]) names the load (it *is* a scenario file), an OTLP receiver
//! to open while the load runs, an optional database, budgets and where to write. [`run`]
//! opens the receiver ([`receiver`]), snapshots the database statistics, runs the load with
//! a `traceparent` on every request so the service's traces are tied to the load's request
//! names, waits for the last spans, analyzes the database over the window ([`database`]),
//! takes the Redis counters of the window ([`cache`]), simulates a cache on the reads the
//! traces repeat across requests ([`read_cache`]),
//! merges everything into one model `Run` ([`merge`]), judges it by the budgets and writes
//! the run and the report ([`output`]).
//!
//! The crate orchestrates engines; it contains no detector of its own.

pub mod cache;
pub mod config;
pub mod database;
pub mod error;
pub mod merge;
pub mod output;
pub mod profile;
pub mod read_cache;
pub mod receiver;
pub mod source;
pub mod window;

pub use config::AuditConfig;
pub use error::AuditError;
pub use window::{run, Audit, Hooks};
