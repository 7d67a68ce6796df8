//! `data:` bindings: CSV files loaded once per run, bound to a variable prefix per scenario.
//!
//! Paths are relative to the scenario file. Every file is read and validated before any
//! request is sent; CSV errors name the CSV file, its line and column, and the YAML field
//! that referenced it.

use super::error::{what_hint, ScenarioError};
use super::locate::Source;
use super::raw::RawData;
use super::vars::{is_identifier, is_reserved, BindingVars};
use crate::data::DataSource;
use crate::plan::{DataBinding, DataMode, DataOrder};
use serde_saphyr::Spanned;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The run's data files, deduplicated by resolved path.
#[derive(Default)]
pub(crate) struct DataFiles {
    pub sources: Vec<Arc<DataSource>>,
    paths: Vec<PathBuf>,
}

pub(crate) type RawBinding = (Spanned<String>, Spanned<RawData>);

impl DataFiles {
    fn load(&mut self, src: &Source, base_dir: &Path, raw: &Spanned<RawData>) -> Result<usize, ScenarioError> {
        let csv = &raw.value.csv;
        let path = base_dir.join(&csv.value);
        if let Some(i) = self.paths.iter().position(|p| *p == path) {
            return Ok(i);
        }
        let source = DataSource::load(&path).map_err(|e| {
            if e.line == 0 {
                src.error(
                    &csv.referenced,
                    format!(
                        "cannot read data file `{}` ({}): {}",
                        csv.value,
                        path.display(),
                        e.message.trim_start_matches("cannot read data file: ")
                    ),
                    "check the path; relative paths are resolved from the scenario file's directory",
                )
            } else {
                let field = src.field_at(raw.referenced.line(), raw.referenced.column(), false);
                ScenarioError {
                    path: e.path,
                    line: e.line,
                    column: e.column.max(1),
                    field,
                    message: what_hint(
                        e.message,
                        format!(
                            "fix the CSV file (referenced from {}:{}:{})",
                            src.display,
                            csv.referenced.line(),
                            csv.referenced.column()
                        ),
                    ),
                }
            }
        })?;
        self.paths.push(path);
        self.sources.push(Arc::new(source));
        Ok(self.sources.len() - 1)
    }
}

/// Binds the file-level and scenario-level `data:` entries of one scenario (the scenario's
/// own entries replace file-level ones with the same name).
pub(crate) fn bind(
    src: &Source,
    base_dir: &Path,
    files: &mut DataFiles,
    entries: &[&RawBinding],
) -> Result<(Vec<DataBinding>, Vec<BindingVars>), ScenarioError> {
    let mut chosen: Vec<&RawBinding> = Vec::new();
    for entry in entries {
        chosen.retain(|c| c.0.value != entry.0.value);
        chosen.push(entry);
    }
    let mut bindings = Vec::new();
    let mut vars = Vec::new();
    for (name, raw) in chosen {
        check_name(src, name)?;
        let source = files.load(src, base_dir, raw)?;
        let mode = match raw.value.mode.as_ref() {
            None => DataMode::PerVu,
            Some(m) => match m.value.as_str() {
                "per-vu" | "per_vu" | "perVu" => DataMode::PerVu,
                "shared" => DataMode::Shared,
                other => {
                    return Err(src.error(
                        &m.referenced,
                        format!("unknown data mode `{other}`"),
                        "use `per-vu` or `shared`",
                    ))
                }
            },
        };
        let order = match raw.value.order.as_ref() {
            None => DataOrder::Sequential,
            Some(o) => match o.value.as_str() {
                "sequential" | "sequence" => DataOrder::Sequential,
                "random" => DataOrder::Random,
                other => {
                    return Err(src.error(
                        &o.referenced,
                        format!("unknown data order `{other}`"),
                        "use `sequential` or `random`",
                    ))
                }
            },
        };
        bindings.push(DataBinding { var: name.value.clone(), source, mode, order });
        vars.push(BindingVars { var: name.value.clone(), columns: files.sources[source].columns.clone() });
    }
    Ok((bindings, vars))
}

fn check_name(src: &Source, name: &Spanned<String>) -> Result<(), ScenarioError> {
    if !is_identifier(&name.value) {
        return Err(src.key_error(
            &name.referenced,
            format!("`{}` is not a valid data variable name", name.value),
            "use letters, digits and `_`, e.g. `user`",
        ));
    }
    if is_reserved(&name.value) {
        return Err(src.key_error(
            &name.referenced,
            format!("`{}` is a builtin variable name", name.value),
            "choose another name for this data binding",
        ));
    }
    Ok(())
}
