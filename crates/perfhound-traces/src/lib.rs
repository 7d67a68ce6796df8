//! perfhound's trace engine: finds N+1 queries, serial I/O and waste in distributed traces.
//!
//! The biggest bottlenecks of web services — N+1 queries, calls made one after another
//! that could run concurrently, the same read repeated, rows written one at a time,
//! connections opened per request, oversized uncompressed payloads — are all visible in
//! the traces applications already emit. This crate reads them and says where they are,
//! what they cost and how to fix them.
//!
//! Data flow, each step one module:
//!
//! ```text
//! bytes ─ingest─▶ Span ─assemble─▶ Vec<Span> (one trace) ─trace─▶ Trace (tree, classified)
//!   ─detect─▶ Occurrence ─aggregate─▶ Group ─describe─▶ Finding
//!   ─measure─▶ per-endpoint/query stats ─to_model─▶ model Run ─output─▶ text / JSON / SARIF
//! ```
//!
//! Design points:
//! - **Streaming, bounded memory**: decoders hand spans over one at a time; the assembler
//!   keeps only traces in flight; aggregation keeps counts and a few example ids per
//!   problem. Memory follows the number of concurrent traces and distinct problems, never
//!   the input size.
//! - **General rules**: classification reads OpenTelemetry semantic conventions (old and
//!   new names) and SQL/URL fingerprints from `perfhound-sql`, not span names of one
//!   framework. Every threshold is in [`config::Config`].
//! - **Never panics on input**: every decoder turns malformed data into counted,
//!   located errors; broken trace trees (missing parents, cycles) become forests.

pub mod aggregate;
pub mod assemble;
pub mod classify;
pub mod config;
pub mod describe;
pub mod detect;
pub mod engine;
pub mod ingest;
pub mod measure;
pub mod output;
pub mod reads;
pub mod semconv;
pub mod sketch;
pub mod span;
pub mod to_model;
pub mod trace;

pub use config::Config;
pub use detect::rules;
pub use engine::{analyze_inputs, Engine, Input};
pub use ingest::Format;
pub use to_model::{to_run, RunMeta};
