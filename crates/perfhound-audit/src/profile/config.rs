//! The `audit.profile:` section.
//!
//! ```yaml
//! audit:
//!   profile:
//!     pprof: http://127.0.0.1:6060/debug/pprof/profile   # or:
//!     command: py-spy record --pid {pid} --duration {seconds} --format raw -o {out}   # or:
//!     perf: true
//!     pid: $APP_PID          # for `command` with {pid} and for `perf`; or pid_file: app.pid
//!     seconds: 10            # default: the load's planned length, at most 60 s
//! ```

use serde::Deserialize;
use serde_saphyr::Spanned;
use std::path::Path;
use std::time::Duration;

/// How the profile is captured.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Method {
    /// GET `url?seconds=N` (a pprof protobuf, gzipped or not).
    Pprof { url: String },
    /// A shell command; `{pid}`, `{seconds}` and `{out}` are filled in.
    Command { template: String },
    /// `perf record -F frequency -g -p PID` then `perf script`.
    Perf { frequency: u32 },
}

/// The resolved section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileSection {
    pub method: Method,
    pub pid: Option<u32>,
    /// `None`: the load's planned length (see [`ProfileSection::seconds_for`]).
    pub seconds: Option<u64>,
}

/// Longest default capture.
const DEFAULT_MAX_SECONDS: u64 = 60;

impl ProfileSection {
    /// The capture length: `seconds`, else the load's planned length, 1..=60 s.
    pub fn seconds_for(&self, load: Duration) -> u64 {
        self.seconds.unwrap_or_else(|| load.as_secs().clamp(1, DEFAULT_MAX_SECONDS))
    }
}

/// `pid: 1234` or `pid: $APP_PID`.
#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum PidValue {
    Number(u64),
    Text(String),
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawProfile {
    pprof: Option<String>,
    command: Option<String>,
    perf: Option<bool>,
    frequency: Option<u32>,
    pid: Option<PidValue>,
    pid_file: Option<String>,
    seconds: Option<Spanned<String>>,
}

/// Resolves the raw section; `at` is `file:line:col` of the section, errors say what to write.
pub(crate) fn resolve(
    raw: RawProfile,
    at: &str,
    base: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ProfileSection, String> {
    let err = |m: String| format!("{at}: audit.profile: {m} (see docs/audit.md, \"audit.profile\")");
    let method = match (raw.pprof, raw.command, raw.perf.unwrap_or(false)) {
        (Some(url), None, false) => Method::Pprof { url: pprof_url(&url).map_err(err)? },
        (None, Some(template), false) => Method::Command { template },
        (None, None, true) => Method::Perf { frequency: raw.frequency.unwrap_or(99).clamp(1, 10_000) },
        (None, None, false) => return Err(err("give one of `pprof: URL`, `command: …` or `perf: true`".into())),
        _ => return Err(err("give only one of `pprof`, `command` and `perf`".into())),
    };
    let pid = match (raw.pid, raw.pid_file) {
        (Some(p), None) => Some(pid_value(&p, env).map_err(err)?),
        (None, Some(f)) => Some(pid_file(&base.join(f)).map_err(err)?),
        (None, None) => None,
        (Some(_), Some(_)) => return Err(err("give `pid` or `pid_file`, not both".into())),
    };
    let needs_pid = match &method {
        Method::Perf { .. } => true,
        Method::Command { template } => template.contains("{pid}"),
        Method::Pprof { .. } => false,
    };
    if needs_pid && pid.is_none() {
        return Err(err(
            "this method needs the service's process id: add `pid: 1234`, `pid: $APP_PID` or `pid_file: app.pid`"
                .into(),
        ));
    }
    let seconds = match raw.seconds {
        None => None,
        Some(s) => Some(
            perfhound_model::duration::parse_flag(&s.value)
                .map_err(|e| err(format!("seconds: {e} ({})", perfhound_model::duration::EXAMPLES)))?
                .as_secs()
                .max(1),
        ),
    };
    Ok(ProfileSection { method, pid, seconds })
}

fn pprof_url(url: &str) -> Result<String, String> {
    let host = url.strip_prefix("http://").map(|r| r.split(['/', '?']).next().unwrap_or(""));
    if host.is_none_or(str::is_empty) {
        return Err(format!("pprof: `{url}` must be an http:// URL, e.g. http://127.0.0.1:6060/debug/pprof/profile"));
    }
    Ok(url.to_string())
}

fn pid_value(v: &PidValue, env: &dyn Fn(&str) -> Option<String>) -> Result<u32, String> {
    let text = match v {
        PidValue::Number(n) => n.to_string(),
        PidValue::Text(s) => match s.trim().strip_prefix('$') {
            Some(name) => {
                let name = name.trim_start_matches('{').trim_end_matches('}');
                env(name).ok_or_else(|| format!("pid: environment variable {name} is not set"))?
            }
            None => s.clone(),
        },
    };
    text.trim()
        .parse::<u32>()
        .ok()
        .filter(|p| *p > 0)
        .ok_or_else(|| format!("pid: `{}` is not a process id", text.trim()))
}

fn pid_file(path: &Path) -> Result<u32, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("pid_file: cannot read {}: {e}", path.display()))?;
    text.trim()
        .parse::<u32>()
        .ok()
        .filter(|p| *p > 0)
        .ok_or_else(|| format!("pid_file {}: `{}` is not a process id", path.display(), text.trim()))
}
