//! Budgets and reports: the end every perfhound engine's run file comes to.
//!
//! - [`budget`] reads budget files — perfhound's YAML, the seeds' "Performance Targets"
//!   YAML and Lighthouse `budget.json` — into the model's [`perfhound_model::BudgetSet`],
//!   with file:line:column:field errors.
//! - [`check`] judges budgets against runs and renders the outcome as a table, JSON,
//!   JUnit XML and GitHub Actions annotations (`perfhound check`).
//! - [`report`] computes the Performance Analysis Report of the seeds from one or more runs
//!   (and optionally a baseline and budgets): executive summary with a status derived by
//!   documented rules, metrics against targets, resources, bottlenecks ranked by estimated
//!   impact, recommendations by horizon, before/after. [`render`] writes it as Markdown,
//!   one self-contained HTML file, or JSON (`perfhound report`).
//!
//! This crate reads only model types: it never depends on an engine, so a run from any
//! source — load, traces, database, logs, code scan — reports the same way. Rendering is
//! plain string building; every string that came from a run goes through an escaping
//! function of the output format ([`render::escape`]).

pub mod budget;
pub mod check;
pub mod glob;
pub mod human;
pub mod render;
pub mod report;
pub mod runset;

pub use budget::{load_budgets, parse_budgets, parse_embedded_budgets, BudgetError};
pub use check::{evaluate, CheckReport, Status};
pub use report::{build_report, ProfileHotspot, ProfileView, Report, ReportOptions};
pub use runset::{read_run, write_file, RunFileError, RunSet};
