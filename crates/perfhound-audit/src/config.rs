//! The audit config: a scenario file (anything `perfhound load` reads) plus an `audit:`
//! section and an optional top-level `budgets:` list.
//!
//! ```yaml
//! base_url: http://127.0.0.1:8080
//! scenarios: { browse: { executor: constant-vus, vus: 10, duration: 30s, flow: [...] } }
//! audit:
//!   title: Shop API audit
//!   traces: { listen: 127.0.0.1:4318, settle: 5s, thresholds: { slow_db: { min_ms: 100 } } }
//!   db: $DATABASE_URL                 # postgres://… or sqlite://path
//!   redis: redis://127.0.0.1:6379     # INFO before/after the load: the window's Cache Hit Rate
//!   out: perfhound-audit              # run.json, report.html, report.md
//!   fail_on: critical                 # also exit 1 on findings this severe
//!   source: ./src                     # or a list: findings get their Location (docs/scan.md)
//!   store: $PERFHOUND_STORE           # run history: a path or postgres://… (docs/history.md)
//!   profile: { command: "py-spy record --pid {pid} -d {seconds} -f raw -o {out}", pid: $APP_PID }
//! budgets:
//!   - { target: overall, p95: 300ms, error_rate: 1% }
//! ```
//!
//! Errors name the file, line, column and field and say what to write instead.

use crate::error::AuditError;
use perfhound_load::plan::Plan;
use perfhound_model::{BudgetSet, Severity};
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Everything one audit needs, resolved.
#[derive(Debug)]
pub struct AuditConfig {
    pub file: PathBuf,
    pub plan: Plan,
    pub title: Option<String>,
    pub traces: Option<TracesSection>,
    /// `postgres://…` or `sqlite://path` (relative paths resolved against the config file).
    pub db: Option<String>,
    /// `redis://…` or `rediss://…`: INFO is snapshotted before and after the load.
    pub redis: Option<String>,
    pub budgets: Option<BudgetSet>,
    pub out_dir: PathBuf,
    pub fail_on: Option<Severity>,
    /// The service's source directories (`audit.source`): runtime findings are located
    /// there and its static scan is merged in.
    pub source: Vec<PathBuf>,
    /// The run store (`--store` wins): a `postgres://…` URL or a path (relative to the file).
    pub store: Option<String>,
    /// `audit.profile`: capture a CPU profile of the service during the load.
    pub profile: Option<crate::profile::ProfileSection>,
}

/// The OTLP receiver opened during the load.
#[derive(Clone, Debug)]
pub struct TracesSection {
    /// `host:port` to listen on; loopback by default.
    pub listen: String,
    /// Longest wait for the last spans after the load (they stop arriving earlier).
    pub settle: Duration,
    /// Send `traceparent` with every request (ties traces to request names).
    pub propagate: bool,
    pub detectors: perfhound_traces::Config,
}

impl Default for TracesSection {
    fn default() -> Self {
        TracesSection {
            listen: "127.0.0.1:4318".into(),
            settle: Duration::from_secs(5),
            propagate: true,
            detectors: perfhound_traces::Config::default(),
        }
    }
}

#[derive(Deserialize, Default)]
struct Top {
    audit: Option<Spanned<RawAudit>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawAudit {
    title: Option<String>,
    traces: Option<Spanned<RawTraces>>,
    db: Option<Spanned<String>>,
    redis: Option<Spanned<String>>,
    budgets: Option<Spanned<String>>,
    out: Option<String>,
    fail_on: Option<Spanned<String>>,
    store: Option<Spanned<String>>,
    profile: Option<Spanned<crate::profile::config::RawProfile>>,
    source: Option<Spanned<SourceDirs>>,
}

/// `source: ./src` or `source: [./api, ./web]`.
#[derive(Deserialize)]
#[serde(untagged)]
enum SourceDirs {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawTraces {
    listen: Option<Spanned<String>>,
    settle: Option<Spanned<String>>,
    propagate: Option<bool>,
    thresholds: Option<perfhound_traces::Config>,
}

/// Reads and resolves an audit config file; `env` looks up `$NAME` values.
pub fn load(path: &Path, env: &dyn Fn(&str) -> Option<String>) -> Result<AuditConfig, AuditError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        AuditError::Config(format!(
            "{}: cannot read the audit config: {e} (create one with `perfhound init`)",
            path.display()
        ))
    })?;
    parse(path, &text, env)
}

/// Parses config text; `path` names the file in errors and anchors relative paths.
pub fn parse(path: &Path, text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<AuditConfig, AuditError> {
    let plan =
        perfhound_load::scenario::parse_scenario(path, text, env).map_err(|e| AuditError::Config(e.to_string()))?;
    let file = path.display().to_string();
    let top: Top = if text.trim().is_empty() {
        Top::default()
    } else {
        serde_saphyr::from_str(text).map_err(|e| {
            let (line, col) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
            AuditError::Config(format!("{file}:{line}:{col}: audit: {e} (see docs/audit.md)"))
        })?
    };
    let base = path.parent().unwrap_or(Path::new(""));
    let raw = top.audit.map(|a| a.value).unwrap_or_default();
    let at = |s: &serde_saphyr::Location| format!("{file}:{}:{}", s.line(), s.column());
    let traces = match raw.traces {
        None => None,
        Some(t) => Some(traces_section(t.value, &at)?),
    };
    let db = match raw.db {
        None => None,
        Some(d) => Some(
            resolve_db(&d.value, base, env)
                .map_err(|m| AuditError::Config(format!("{}: audit.db: {m}", at(&d.referenced))))?,
        ),
    };
    let redis = match raw.redis {
        None => None,
        Some(r) => Some(
            resolve_redis(&r.value, env)
                .map_err(|m| AuditError::Config(format!("{}: audit.redis: {m}", at(&r.referenced))))?,
        ),
    };
    let mut budgets =
        perfhound_report::parse_embedded_budgets(&file, text).map_err(|e| AuditError::Config(e.to_string()))?;
    if let Some(b) = raw.budgets {
        if budgets.is_some() {
            return Err(AuditError::Config(format!(
                "{}: audit.budgets: the file also has a top-level `budgets:` list; keep one of the two",
                at(&b.referenced)
            )));
        }
        let p = base.join(&b.value);
        budgets = Some(perfhound_report::load_budgets(&p).map_err(|e| AuditError::Config(e.to_string()))?);
    }
    let fail_on = match raw.fail_on {
        None => None,
        Some(f) => Some(severity(&f.value).ok_or_else(|| {
            AuditError::Config(format!(
                "{}: audit.fail_on: `{}` is not a severity; use critical, warning or info",
                at(&f.referenced),
                f.value
            ))
        })?),
    };
    let profile = match raw.profile {
        None => None,
        Some(p) => {
            Some(crate::profile::config::resolve(p.value, &at(&p.referenced), base, env).map_err(AuditError::Config)?)
        }
    };
    let out_dir = base.join(raw.out.as_deref().unwrap_or("perfhound-audit"));
    let source = match raw.source {
        None => Vec::new(),
        Some(s) => {
            let dirs = match s.value {
                SourceDirs::One(d) => vec![d],
                SourceDirs::Many(v) => v,
            };
            let dirs: Vec<PathBuf> = dirs.iter().map(|d| base.join(d)).collect();
            if let Some(missing) = dirs.iter().find(|d| !d.exists()) {
                return Err(AuditError::Config(format!(
                    "{}: audit.source: {} does not exist (the service's source directory, relative to the config file)",
                    at(&s.referenced),
                    missing.display()
                )));
            }
            dirs
        }
    };
    let store = match raw.store {
        None => None,
        Some(s) => Some(
            resolve_store(&s.value, base, env)
                .map_err(|m| AuditError::Config(format!("{}: audit.store: {m}", at(&s.referenced))))?,
        ),
    };
    Ok(AuditConfig {
        file: path.to_path_buf(),
        plan,
        title: raw.title,
        traces,
        db,
        redis,
        budgets,
        out_dir,
        fail_on,
        store,
        source,
        profile,
    })
}

fn traces_section(t: RawTraces, at: &dyn Fn(&serde_saphyr::Location) -> String) -> Result<TracesSection, AuditError> {
    let mut s = TracesSection::default();
    if let Some(l) = t.listen {
        if l.value.parse::<std::net::SocketAddr>().is_err() {
            return Err(AuditError::Config(format!(
                "{}: audit.traces.listen: `{}` is not host:port; write e.g. 127.0.0.1:4318",
                at(&l.referenced),
                l.value
            )));
        }
        s.listen = l.value;
    }
    if let Some(d) = t.settle {
        s.settle = perfhound_model::duration::parse_flag(&d.value).map_err(|e| {
            let examples = perfhound_model::duration::EXAMPLES;
            AuditError::Config(format!("{}: audit.traces.settle: {e} ({examples})", at(&d.referenced)))
        })?;
    }
    s.propagate = t.propagate.unwrap_or(true);
    if let Some(c) = t.thresholds {
        s.detectors = c;
    }
    Ok(s)
}

fn severity(text: &str) -> Option<Severity> {
    match text.to_ascii_lowercase().as_str() {
        "critical" => Some(Severity::Critical),
        "warning" => Some(Severity::Warning),
        "info" => Some(Severity::Info),
        _ => None,
    }
}

/// `$NAME`/`${NAME}` from the environment, or the value itself; `what` names the value in
/// the error (`URL`, `store`).
fn from_env(value: &str, env: &dyn Fn(&str) -> Option<String>, what: &str) -> Result<String, String> {
    let v = value.trim();
    match v.strip_prefix('$') {
        Some(name) => {
            let name = name.trim_start_matches('{').trim_end_matches('}');
            env(name).ok_or_else(|| format!("environment variable {name} is not set; export it or write the {what}"))
        }
        None => Ok(v.to_string()),
    }
}

/// `$NAME` from the environment; a `postgres://` URL as is; a path relative to the config.
fn resolve_store(value: &str, base: &Path, env: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let v = from_env(value, env, "store")?;
    if v.is_empty() {
        return Err("empty: write a path (e.g. .perfhound/history.db) or a postgres://… URL".into());
    }
    if v.starts_with("postgres://") || v.starts_with("postgresql://") || Path::new(&v).is_absolute() {
        return Ok(v);
    }
    Ok(base.join(v).display().to_string())
}

/// A Redis URL (`$NAME` allowed), checked before anything is sent.
fn resolve_redis(value: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let v = from_env(value, env, "URL")?;
    perfhound_cache::RedisUrl::parse(&v).map_err(|e| format!("`{}`: {e}", perfhound_model::redact::text(&v)))?;
    Ok(v)
}

/// `$NAME`/`${NAME}` from the environment; relative `sqlite://` paths against `base`.
fn resolve_db(value: &str, base: &Path, env: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let v = from_env(value, env, "URL")?;
    if let Some(rest) = v.strip_prefix("sqlite://") {
        let p = Path::new(rest);
        if p.is_relative() {
            return Ok(format!("sqlite://{}", base.join(p).display()));
        }
        return Ok(v);
    }
    if v.starts_with("postgres://") || v.starts_with("postgresql://") {
        return Ok(v);
    }
    Err(format!("`{v}` is not a postgres://… or sqlite://path URL"))
}
