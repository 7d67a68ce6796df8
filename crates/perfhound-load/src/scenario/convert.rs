//! [`RawFile`] → [`Plan`]: picks the file's dialect (native, k6 options, Artillery), builds
//! every scenario's executor, data bindings and flow, then the thresholds.

use super::bindings::{self, DataFiles, RawBinding};
use super::compat::{self, K6Options};
use super::duration::{positive_duration, show, Bare};
use super::error::ScenarioError;
use super::executor::{self, Timing};
use super::flow::{compile_flow, FlowCtx};
use super::locate::Source;
use super::raw::{RawFile, RawHttp, RawScenario, RawScenarios, RawStep};
use super::request::check_absolute;
use super::thresholds::Thresholds;
use super::vars::Scope;
use crate::plan::{HttpOptions, Plan, ScenarioPlan, HARD_CAP_DEFAULT};
use serde_saphyr::{Location, Spanned};
use std::path::Path;
use std::time::Duration;

/// Longest `hard_cap` accepted.
const MAX_HARD_CAP: Duration = Duration::from_secs(24 * 3600);

type Flow = Spanned<Vec<Spanned<RawStep>>>;

/// A scenario with its executor decided, before its flow is compiled.
struct Draft<'f> {
    name: String,
    timing: Timing,
    flow: &'f Flow,
    data: Vec<&'f RawBinding>,
}

pub(crate) fn build(
    src: &Source,
    raw: RawFile,
    env: &dyn Fn(&str) -> Option<String>,
    base_dir: &Path,
) -> Result<Plan, ScenarioError> {
    let RawFile {
        base_url,
        http,
        hard_cap,
        scenarios,
        data,
        thresholds,
        flow,
        vus,
        duration,
        iterations,
        stages,
        config,
        _audit: _,
        _budgets: _,
    } = raw;
    let k6 = K6Options { vus, duration, iterations, stages };
    let artillery = config.is_some();
    let bare = if artillery { Bare::Seconds } else { Bare::Reject };
    let hard_cap = match &hard_cap {
        Some(h) => {
            let d = positive_duration(src, h, Bare::Reject)?;
            if d > MAX_HARD_CAP {
                return Err(src.error(
                    &h.referenced,
                    format!("hard_cap {} is over 24h", show(d)),
                    "split the test into shorter runs",
                ));
            }
            d
        }
        None => HARD_CAP_DEFAULT,
    };
    let mut http_options = http_options(src, http.as_ref())?;
    if let Some(cfg) = &config {
        if let Some(t) = cfg.value.http.as_ref().and_then(|h| h.value.timeout.as_ref()) {
            http_options.request_timeout = positive_duration(src, t, Bare::Seconds)?;
        }
        if cfg.value.tls.as_ref().and_then(|t| t.reject_unauthorized) == Some(false) {
            http_options.insecure = true;
        }
    }
    let base_url = match (&base_url, config.as_ref().and_then(|c| c.value.target.as_ref())) {
        (Some(_), Some(t)) => {
            return Err(src.error(&t.referenced, "both `base_url` and `config.target` are set", "keep one"))
        }
        (Some(b), None) | (None, Some(b)) => Some(resolve_base_url(src, env, b)?),
        (None, None) => None,
    };

    let owned: Vec<(String, Location, Spanned<RawScenario>)> = match scenarios {
        Some(list) => {
            if let Some(at) = k6.first_location() {
                return Err(src.error(
                    &at,
                    "top-level vus/duration/iterations/stages are ignored when `scenarios` is set",
                    "move them into a scenario",
                ));
            }
            named_scenarios(src, list)?
        }
        None if artillery => {
            return Err(src.error_in(
                &Location::UNKNOWN,
                "scenarios",
                "an Artillery file needs `scenarios:`",
                "add `scenarios: [{flow: [...]}]`",
            ))
        }
        None => {
            let Some(f) = &flow else {
                return Err(src.error_in(
                    &Location::UNKNOWN,
                    "scenarios",
                    "no scenarios",
                    "add `scenarios:` (or top-level `flow:` with `vus` and `duration`)",
                ));
            };
            if k6.is_empty() {
                return Err(src.error(
                    &f.referenced,
                    "the flow has no load settings",
                    "add top-level `vus: 10` and `duration: 30s` (or `iterations`/`stages`), or use `scenarios:`",
                ));
            }
            vec![("default".to_string(), f.referenced, Spanned::new(k6.into_scenario(), f.referenced, f.referenced))]
        }
    };

    let artillery_shape = match &config {
        Some(cfg) => Some(compat::phases(src, cfg)?),
        None => None,
    };
    let phases_at = config.as_ref().and_then(|c| c.value.phases.as_ref()).map_or(Location::UNKNOWN, |p| p.referenced);
    let weights = artillery_weights(src, &owned, artillery)?;
    let top_data: Vec<&RawBinding> = data.as_ref().map(|d| d.value.0.iter().collect()).unwrap_or_default();
    let mut drafts = Vec::new();
    for ((name, at, sc), weight) in owned.iter().zip(&weights) {
        let timing = match &artillery_shape {
            Some((segments, max_vusers)) => {
                if *weight == 0.0 {
                    continue;
                }
                let executor = compat::arrival_executor(segments, *weight, *max_vusers);
                artillery_timing(src, sc, executor, phases_at, hard_cap)?
            }
            None => executor::build(src, sc, hard_cap)?,
        };
        let flow = match (&sc.value.flow, &flow) {
            (Some(f), _) | (None, Some(f)) => f,
            (None, None) => {
                return Err(src.error_in(
                    at,
                    "flow",
                    format!("scenario `{name}` has no `flow`"),
                    "add `flow:` with its requests",
                ))
            }
        };
        let mut data = top_data.clone();
        if let Some(own) = &sc.value.data {
            data.extend(own.value.0.iter());
        }
        drafts.push(Draft { name: name.clone(), timing, flow, data });
    }

    let default_headers = config.as_ref().and_then(|c| c.value.defaults.as_ref()).and_then(|d| d.headers.as_ref());
    let ctx = FlowCtx { src, base_url: base_url.as_deref(), base_dir, bare, default_headers };
    let mut files = DataFiles::default();
    let mut names = Vec::new();
    let mut plans = Vec::new();
    for d in drafts {
        let (data, binding_vars) = bindings::bind(src, base_dir, &mut files, &d.data)?;
        let (steps, capture_slots) =
            compile_flow(&ctx, d.flow, &mut names, |captures| Scope { env, captures, bindings: binding_vars })?;
        plans.push(ScenarioPlan {
            name: d.name,
            executor: d.timing.executor,
            flow: steps,
            start_time: d.timing.start_time,
            graceful_stop: d.timing.graceful_stop,
            data,
            capture_slots,
        });
    }

    let th = Thresholds { src, names: &names };
    let mut threshold_specs = match &thresholds {
        Some(t) => th.read(t)?,
        None => Vec::new(),
    };
    if let Some(ensure) = config.as_ref().and_then(|c| c.value.ensure.as_ref()) {
        threshold_specs.extend(th.ensure(ensure)?);
    }
    Ok(Plan {
        source: src.display.clone(),
        scenarios: plans,
        names,
        thresholds: threshold_specs,
        http: http_options,
        hard_cap,
        data: files.sources,
    })
}

fn http_options(src: &Source, http: Option<&Spanned<RawHttp>>) -> Result<HttpOptions, ScenarioError> {
    let mut o = HttpOptions::default();
    let Some(h) = http else { return Ok(o) };
    let h = &h.value;
    o.http2 = h.http2.unwrap_or(o.http2);
    o.insecure = h.insecure.unwrap_or(o.insecure);
    if let Some(t) = &h.connect_timeout {
        o.connect_timeout = positive_duration(src, t, Bare::Reject)?;
    }
    if let Some(t) = &h.timeout {
        o.request_timeout = positive_duration(src, t, Bare::Reject)?;
    }
    if let Some(r) = &h.max_redirects {
        if r.value > 100 {
            return Err(src.error(&r.referenced, "more than 100 redirects", "use 0 (do not follow) to 100"));
        }
        o.max_redirects = r.value;
    }
    Ok(o)
}

/// Expands `{{ env.X }}` in the base URL and checks that it is an absolute http(s) URL.
fn resolve_base_url(
    src: &Source,
    env: &dyn Fn(&str) -> Option<String>,
    b: &Spanned<String>,
) -> Result<String, ScenarioError> {
    let scope = Scope::env_only(env);
    let t = scope.template(src, &b.value, &b.referenced)?;
    let Some(text) = t.as_literal() else {
        return Err(src.error(
            &b.referenced,
            "the base URL can only use `{{ env.NAME }}` variables",
            "move per-request parts to the step URLs",
        ));
    };
    let lower = text.to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return Err(src.error(
            &b.referenced,
            format!("`{text}` is not an http:// or https:// URL"),
            "write e.g. `http://127.0.0.1:8080`",
        ));
    }
    check_absolute(text).map_err(|why| src.error(&b.referenced, why, "write e.g. `http://127.0.0.1:8080`"))?;
    Ok(text.trim_end_matches('/').to_string())
}

/// Scenario names from the map keys, or from `name` (default `scenario-N`) in a list.
fn named_scenarios(
    src: &Source,
    list: Spanned<RawScenarios>,
) -> Result<Vec<(String, Location, Spanned<RawScenario>)>, ScenarioError> {
    let out: Vec<(String, Location, Spanned<RawScenario>)> = match list.value {
        RawScenarios::Map(entries) => {
            let mut out = Vec::new();
            for (name, sc) in entries {
                if let Some(n) = &sc.value.name {
                    return Err(src.error(
                        &n.referenced,
                        "`name` is only used in the list form of `scenarios`",
                        "the map key is the scenario's name; remove `name`",
                    ));
                }
                out.push((name.value, name.referenced, sc));
            }
            out
        }
        RawScenarios::List(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, sc)| {
                let (name, at) = match &sc.value.name {
                    Some(n) => (n.value.trim().to_string(), n.referenced),
                    None => (format!("scenario-{}", i + 1), sc.referenced),
                };
                (name, at, sc)
            })
            .collect(),
    };
    if out.is_empty() {
        return Err(src.error(&list.referenced, "`scenarios` is empty", "add at least one scenario"));
    }
    for (i, (name, at, _)) in out.iter().enumerate() {
        if name.is_empty() {
            return Err(src.key_error(at, "empty scenario name", "give the scenario a name"));
        }
        if out[..i].iter().any(|(n, _, _)| n == name) {
            return Err(src.key_error(
                at,
                format!("duplicate scenario name `{name}`"),
                "scenario names must be unique",
            ));
        }
    }
    Ok(out)
}

/// Each scenario's share of the Artillery arrival rate; 1.0 for other files.
fn artillery_weights(
    src: &Source,
    scenarios: &[(String, Location, Spanned<RawScenario>)],
    artillery: bool,
) -> Result<Vec<f64>, ScenarioError> {
    let mut weights = Vec::new();
    for (_, _, sc) in scenarios {
        weights.push(match &sc.value.weight {
            Some(w) if !artillery => {
                return Err(src.error(
                    &w.referenced,
                    "`weight` applies to Artillery files (with `config.phases`)",
                    "remove it, or set each scenario's own rate",
                ))
            }
            Some(w) if !w.value.is_finite() || w.value < 0.0 => {
                return Err(src.error(&w.referenced, "weight must be ≥ 0", "e.g. `weight: 3`"))
            }
            Some(w) => w.value,
            None => 1.0,
        });
    }
    let total: f64 = weights.iter().sum();
    if artillery && total <= 0.0 {
        let at = scenarios.first().map_or(Location::UNKNOWN, |s| s.2.referenced);
        return Err(src.error(&at, "all scenario weights are 0", "give at least one scenario a weight above 0"));
    }
    Ok(weights.into_iter().map(|w| if total > 0.0 { w / total } else { w }).collect())
}

/// In Artillery files the phases decide the load; per-scenario executor fields are errors.
fn artillery_timing(
    src: &Source,
    sc: &Spanned<RawScenario>,
    executor: crate::plan::Executor,
    phases_at: Location,
    hard_cap: Duration,
) -> Result<Timing, ScenarioError> {
    let s = &sc.value;
    let stray = [
        s.executor.as_ref().map(|f| f.referenced),
        s.vus.as_ref().map(|f| f.referenced),
        s.rate.as_ref().map(|f| f.referenced),
        s.duration.as_ref().map(|f| f.referenced),
        s.stages.as_ref().map(|f| f.referenced),
        s.iterations.as_ref().map(|f| f.referenced),
    ];
    if let Some(at) = stray.into_iter().flatten().next() {
        return Err(src.error(
            &at,
            "in an Artillery file the load comes from `config.phases`",
            "remove this field (use `weight` to split the arrival rate)",
        ));
    }
    let total = executor.max_duration();
    if total > hard_cap {
        return Err(src.error(
            &phases_at,
            format!("the phases last {} but hard_cap is {}", show(total), show(hard_cap)),
            "shorten the phases or raise `hard_cap:`",
        ));
    }
    Ok(Timing { executor, start_time: Duration::ZERO, graceful_stop: executor::DEFAULT_GRACEFUL_STOP })
}
