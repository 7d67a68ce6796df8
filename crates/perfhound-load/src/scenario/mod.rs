//! Scenario YAML → [`Plan`]: the `perfhound load scenario.yaml` front end.
//!
//! The file is parsed with serde-saphyr into plain structs that reject unknown fields
//! ([`raw`]), then converted into a [`Plan`] with every name resolved: executors and their
//! limits, request names, capture slots, data columns, environment variables, JSONPaths,
//! regexes and thresholds. Anything wrong becomes one [`ScenarioError`] naming the file,
//! line, column and field, with a hint — before any request is sent. Parsing never panics.
//!
//! Besides perfhound's own format the same loader accepts k6 options (`vus`, `duration`,
//! `iterations`, `stages`, camelCase scenario keys) and Artillery scripts (`config.phases`,
//! `scenarios` as a list); see `docs/scenario.md` for the mapping tables.

mod bindings;
mod checks;
mod compat;
mod convert;
mod duration;
mod error;
mod executor;
mod flow;
mod locate;
mod raw;
mod request;
mod thresholds;
mod vars;

pub use error::ScenarioError;
pub use executor::{EXECUTORS, MAX_ITERATIONS, MAX_RATE, MAX_VUS};

use crate::plan::Plan;
use std::path::Path;

/// Reads and converts a scenario file. Data files and `body_file`s are resolved relative
/// to the scenario file's directory; `env` looks up `{{ env.NAME }}` variables.
pub fn load_scenario(path: &Path, env: &dyn Fn(&str) -> Option<String>) -> Result<Plan, ScenarioError> {
    let bytes = std::fs::read(path).map_err(|e| ScenarioError {
        path: path.display().to_string(),
        line: 1,
        column: 1,
        field: locate::ROOT.to_string(),
        message: error::what_hint(format!("cannot read the scenario file: {e}"), "check the path"),
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let valid = std::str::from_utf8(valid).unwrap_or_default();
        let line = valid.matches('\n').count() as u64 + 1;
        let column = valid.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u64 + 1;
        ScenarioError {
            path: path.display().to_string(),
            line,
            column,
            field: locate::ROOT.to_string(),
            message: error::what_hint("the file is not valid UTF-8", "save it as UTF-8"),
        }
    })?;
    parse_scenario(path, &text, env)
}

/// Converts scenario text. `path_for_messages` names the file in errors and is the base
/// for relative data file paths.
pub fn parse_scenario(
    path_for_messages: &Path,
    text: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Plan, ScenarioError> {
    let src = locate::Source::new(path_for_messages.display().to_string(), text);
    let raw: raw::RawFile = if text.trim().is_empty() {
        raw::RawFile::default()
    } else {
        serde_saphyr::from_str(text).map_err(|e| {
            let (message, prefer_key) = error::describe_yaml_error(&e, text);
            let (line, column) = e.location().map_or((1, 1), |l| (l.line().max(1), l.column().max(1)));
            let field = src.field_at(line, column, prefer_key);
            src.raw_error(line, column, field, message)
        })?
    };
    let base_dir = path_for_messages.parent().unwrap_or(Path::new(""));
    convert::build(&src, raw, env, base_dir)
}
