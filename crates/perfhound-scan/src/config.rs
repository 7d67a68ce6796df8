//! The scan configuration file, `.perfhound-scan.yaml` (found in the scanned directory or
//! the current one, or given with `--config`):
//!
//! ```yaml
//! exclude: ["migrations/**", "**/tests/**"]   # paths (globs, relative to the scanned root)
//! disable: [PH-SCAN012, string-concat-in-loop] # rules, by code or name
//! per_file_ignores:                            # rules switched off for some paths
//!   "scripts/**": [query-in-loop]
//! ```
//!
//! Parsed with serde-saphyr (located errors, unknown keys rejected).

use globset::{Glob, GlobSet, GlobSetBuilder};
use perfhound_model::Rule;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The file name looked for when `--config` is not given.
pub const FILE_NAME: &str = ".perfhound-scan.yaml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default)]
    disable: Vec<String>,
    #[serde(default)]
    per_file_ignores: BTreeMap<String, Vec<String>>,
}

/// A configuration error: the file and what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{file}: {message}")]
    File { file: String, message: String },
}

/// What to scan and which rules apply where.
#[derive(Debug, Default)]
pub struct Config {
    exclude: Option<GlobSet>,
    disable: Vec<String>,
    per_file: Vec<(GlobSet, Vec<String>)>,
}

impl Config {
    /// Parses the YAML text of `file`; every glob and rule name is checked against `rules`.
    pub fn from_yaml(file: &str, text: &str, rules: &[Rule]) -> Result<Config, ConfigError> {
        let err = |message: String| ConfigError::File { file: file.to_string(), message };
        let raw: RawConfig = if text.trim().is_empty() {
            RawConfig::default()
        } else {
            serde_saphyr::from_str(text).map_err(|e| err(e.to_string()))?
        };
        for name in raw.disable.iter().chain(raw.per_file_ignores.values().flatten()) {
            if !rules.iter().any(|r| r.code.eq_ignore_ascii_case(name) || r.name == name) {
                return Err(err(format!("unknown rule `{name}` (see `perfhound rules`; codes PH-SCAN…)")));
            }
        }
        let mut per_file = Vec::new();
        for (glob, names) in &raw.per_file_ignores {
            per_file.push((globs(std::slice::from_ref(glob)).map_err(err)?, names.clone()));
        }
        let exclude = if raw.exclude.is_empty() { None } else { Some(globs(&raw.exclude).map_err(err)?) };
        Ok(Config { exclude, disable: raw.disable, per_file })
    }

    /// True when `rel` (a path relative to the scanned root, `/`-separated) is excluded.
    pub fn excluded(&self, rel: &str) -> bool {
        self.exclude.as_ref().is_some_and(|g| g.is_match(rel))
    }

    /// True when `rule` is switched off for the file `rel`.
    pub fn disabled(&self, rule: &Rule, rel: &str) -> bool {
        let named = |names: &[String]| names.iter().any(|n| n.eq_ignore_ascii_case(rule.code) || n == rule.name);
        named(&self.disable) || self.per_file.iter().any(|(g, names)| named(names) && g.is_match(rel))
    }
}

fn globs(patterns: &[String]) -> Result<GlobSet, String> {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        let g = Glob::new(p).map_err(|e| format!("glob `{p}`: {e}"))?;
        b.add(g);
        // `dir` and `dir/` exclude everything below the directory too.
        let below = format!("{}/**", p.trim_end_matches('/'));
        b.add(Glob::new(&below).map_err(|e| format!("glob `{p}`: {e}"))?);
    }
    b.build().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use perfhound_model::Severity;

    const R: Rule =
        Rule { code: "PH-SCAN001", name: "query-in-loop", severity: Severity::Warning, summary: "", why: "", fix: "" };

    #[test]
    fn excludes_and_disables() {
        let yaml = "exclude: [migrations, 'gen/*.py']\ndisable: [ph-scan001]\nper_file_ignores:\n  'scripts/**': [query-in-loop]\n";
        let c = Config::from_yaml("c.yaml", yaml, &[R]).unwrap();
        assert!(c.excluded("migrations/0001.py") && c.excluded("gen/a.py") && !c.excluded("app/views.py"));
        assert!(c.disabled(&R, "app/views.py"));
    }

    #[test]
    fn errors_name_file_and_problem() {
        let e = Config::from_yaml("c.yaml", "disable: [nope]\n", &[R]).unwrap_err().to_string();
        assert!(e.contains("c.yaml") && e.contains("unknown rule `nope`"), "{e}");
        let e = Config::from_yaml("c.yaml", "exclud: [x]\n", &[R]).unwrap_err().to_string();
        assert!(e.contains("c.yaml") && e.contains("exclud"), "{e}");
        let e = Config::from_yaml("c.yaml", "exclude: ['a[']\n", &[R]).unwrap_err().to_string();
        assert!(e.contains("glob `a[`"), "{e}");
    }
}
