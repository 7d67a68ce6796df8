//! Template variables of one scenario: captures, data columns, environment and builtins.
//!
//! Names are resolved to [`VarRef`]s once, here; an unknown name is a located error that
//! lists the names that do exist, so a typo never renders as an empty string mid-run.

use super::error::{did_you_mean, ScenarioError};
use super::locate::Source;
use crate::template::{JsonTemplate, Resolved, Template, TemplateError, VarRef};
use perfhound_yaml::Node;
use serde_saphyr::{Location, Spanned};

/// Builtin variable names and what they mean.
const BUILTINS: [(&str, VarRef); 6] = [
    ("vu", VarRef::VuId),
    ("__VU", VarRef::VuId),
    ("iteration", VarRef::Iteration),
    ("__ITER", VarRef::Iteration),
    ("timestamp", VarRef::TimestampMs),
    ("random", VarRef::RandomInt),
];

/// Names that cannot be used for captures or data bindings.
pub(crate) fn is_reserved(name: &str) -> bool {
    name == "env" || name == "$env" || BUILTINS.iter().any(|(b, _)| *b == name)
}

/// `[A-Za-z_][A-Za-z0-9_]*`.
pub(crate) fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A data binding as seen by templates: its prefix and the CSV columns.
pub(crate) struct BindingVars {
    pub var: String,
    pub columns: Vec<String>,
}

/// Everything `{{ name }}` can refer to in one scenario.
pub(crate) struct Scope<'a> {
    pub env: &'a dyn Fn(&str) -> Option<String>,
    /// Capture variable names; the index is the slot.
    pub captures: Vec<String>,
    pub bindings: Vec<BindingVars>,
}

impl Scope<'_> {
    /// A scope for values known before any request (base URL): environment only.
    pub fn env_only(env: &dyn Fn(&str) -> Option<String>) -> Scope<'_> {
        Scope { env, captures: Vec::new(), bindings: Vec::new() }
    }

    pub fn resolve(&self, raw: &str) -> Result<Resolved, String> {
        let name = raw.trim();
        let env_var = ["env.", "$env.", "__ENV."].iter().find_map(|p| name.strip_prefix(p));
        if let Some(var) = env_var {
            if var.is_empty() {
                return Err(format!("`{name}` names no environment variable — write `{{{{ env.NAME }}}}`"));
            }
            return match (self.env)(var) {
                Some(value) => Ok(Resolved::Literal(value)),
                None => Err(format!(
                    "environment variable `{var}` is not set — export {var}=… before running, or remove `{{{{ {name} }}}}`"
                )),
            };
        }
        if let Some((_, var)) = BUILTINS.iter().find(|(b, _)| *b == name) {
            return Ok(Resolved::Var(*var));
        }
        if let Some(slot) = self.captures.iter().position(|c| c == name) {
            return Ok(Resolved::Var(VarRef::Slot(slot)));
        }
        if let Some((prefix, column)) = name.split_once('.') {
            if let Some(binding) = self.bindings.iter().position(|b| b.var == prefix) {
                let columns = &self.bindings[binding].columns;
                return match columns.iter().position(|c| c == column) {
                    Some(column) => Ok(Resolved::Var(VarRef::Data { binding, column })),
                    None => Err(format!(
                        "data `{prefix}` has no column `{column}` — its CSV columns are: {}",
                        columns.join(", ")
                    )),
                };
            }
        }
        let known = self.known();
        let suggestion = did_you_mean(name, known.iter().map(String::as_str))
            .map(|s| format!("did you mean `{s}`? "))
            .unwrap_or_default();
        Err(format!("unknown variable `{name}` — {suggestion}known variables: {}, env.NAME", known.join(", ")))
    }

    fn known(&self) -> Vec<String> {
        let mut out: Vec<String> = self.captures.clone();
        for b in &self.bindings {
            out.extend(b.columns.iter().map(|c| format!("{}.{c}", b.var)));
        }
        out.extend(["vu", "iteration", "timestamp", "random"].map(String::from));
        out
    }

    /// Compiles a template string found at `at`.
    pub fn template(&self, src: &Source, text: &str, at: &Location) -> Result<Template, ScenarioError> {
        Template::parse(text, &mut |name| self.resolve(name)).map_err(|e| template_error(src, text, at, e))
    }

    /// Compiles a JSON body; errors point at the string that holds the bad template.
    pub fn json(&self, src: &Source, value: &Spanned<Node>) -> Result<JsonTemplate, ScenarioError> {
        let json = perfhound_yaml::to_json(value).map_err(|at| {
            src.error(&at, "this number cannot be represented in JSON", "use a finite number or quote it")
        })?;
        JsonTemplate::compile(&json, &mut |name| self.resolve(name)).map_err(|e| {
            let mut strings = Vec::new();
            perfhound_yaml::strings(value, &mut strings);
            for (text, at) in &strings {
                if let Err(err) = self.template(src, text, at) {
                    return err;
                }
            }
            template_error(src, "", &value.referenced, e)
        })
    }
}

fn template_error(src: &Source, text: &str, at: &Location, e: TemplateError) -> ScenarioError {
    let (what, hint) = match e.message.split_once(" — ") {
        Some((w, h)) => (w.to_string(), h.to_string()),
        None => (e.message.clone(), "templates look like `{{ name }}`".to_string()),
    };
    src.error_at_offset(at, text, e.offset, what, hint)
}
