//! Empirical complexity: `perfhound complexity URL --sizes n=100..1600x2` sends the same
//! request with a size parameter `{{ n }}` (in the URL or the body) over a geometric
//! series of sizes, several samples per size, and fits time = a·n^k ([`fit`]).
//!
//! The sizes are interleaved: every iteration of the single VU sends each size once, in
//! order, so a machine that gets busier half-way slows every size alike instead of bending
//! the curve. One unmeasured round warms the service up first (a cold first request would
//! make the smallest size look slow and pull k down). The run is bounded by the sample count and by a wall-time limit, like every
//! load; targets are loopback unless `allow_remote`.

pub mod fit;
pub mod rule;

use crate::engine::{self, EngineOptions, Observer};
use crate::plan::{Body, Executor, Plan, Step};
use crate::quick::{self, QuickOptions};
use crate::template::Template;
use perfhound_model::Run;
use std::time::Duration;

/// The sizes of a series: the template variable and its values, ascending.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sizes {
    pub parameter: String,
    pub values: Vec<u64>,
}

/// At most this many sizes in one series.
const MAX_SIZES: usize = 24;

/// The default series: `n=100..1600x2`.
pub const DEFAULT_SIZES: &str = "n=100..1600x2";

impl Sizes {
    /// `n=100..1600x2` (a geometric series: from, to, factor), `n=100,300,1000` (a list);
    /// the `n=` may be left out.
    pub fn parse(text: &str) -> Result<Sizes, String> {
        let (parameter, spec) = text.split_once('=').unwrap_or(("n", text));
        let parameter = parameter.trim();
        if parameter.is_empty() || !parameter.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!("`{parameter}` is not a variable name (letters, digits, _)"));
        }
        let values = match spec.split_once("..") {
            Some((from, rest)) => {
                let (to, factor) = rest.split_once('x').unwrap_or((rest, "2"));
                geometric(number(from)?, number(to)?, factor.trim().parse().map_err(|_| bad(factor))?)?
            }
            None => spec.split(',').map(number).collect::<Result<Vec<_>, _>>()?,
        };
        let mut values = values;
        values.sort_unstable();
        values.dedup();
        if values.len() < 3 || values.len() > MAX_SIZES {
            return Err(format!("{} sizes: give 3 to {MAX_SIZES}, e.g. {DEFAULT_SIZES}", values.len()));
        }
        if values[values.len() - 1] < values[0] * 4 {
            return Err(
                "the largest size must be at least 4× the smallest: a fit over a narrow range says nothing".into()
            );
        }
        Ok(Sizes { parameter: parameter.to_string(), values })
    }
}

fn number(text: &str) -> Result<u64, String> {
    text.trim().parse::<u64>().ok().filter(|n| *n > 0).ok_or_else(|| bad(text))
}

fn bad(text: &str) -> String {
    format!("`{}` is not a positive number; write sizes like {DEFAULT_SIZES} or n=100,300,1000", text.trim())
}

fn geometric(from: u64, to: u64, factor: f64) -> Result<Vec<u64>, String> {
    if !(factor > 1.0 && factor.is_finite()) || to <= from {
        return Err(format!("`{from}..{to}x{factor}`: needs from < to and a factor above 1, e.g. {DEFAULT_SIZES}"));
    }
    let mut out = Vec::new();
    let mut v = from as f64;
    while v.round() as u64 <= to && out.len() <= MAX_SIZES {
        out.push(v.round() as u64);
        v *= factor;
    }
    Ok(out)
}

/// Replaces `{{ name }}` (spaces optional) by `value`; `None` when the text has none.
pub fn substitute(text: &str, name: &str, value: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut found = false;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start..].find("}}") else { break };
        let inner = rest[start + 2..start + len].trim();
        out.push_str(&rest[..start]);
        if inner == name {
            out.push_str(value);
            found = true;
        } else {
            out.push_str(&rest[start..start + len + 2]);
        }
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    found.then_some(out)
}

/// What to measure.
#[derive(Clone, Debug)]
pub struct ComplexityOptions {
    /// The request; `url` and `body` carry `{{ n }}`. `requests` is the samples per size,
    /// `duration` the wall-time limit of the whole series; `connections` is ignored (1).
    pub request: QuickOptions,
    pub body_text: Option<String>,
    pub sizes: Sizes,
    /// The fit's target name; default [`template_name`] of the URL.
    pub name: Option<String>,
}

/// The request's name with the parameter shown as `{n}`: `GET /api/similar?items={n}`.
pub fn template_name(o: &ComplexityOptions) -> String {
    if let Some(name) = &o.name {
        return name.clone();
    }
    let url = &o.request.url;
    let path = url.find("://").and_then(|i| url[i + 3..].find('/').map(|j| &url[i + 3 + j..])).unwrap_or("/");
    let shown = format!("{{{}}}", o.sizes.parameter);
    let name = substitute(path, &o.sizes.parameter, &shown).unwrap_or_else(|| path.to_string());
    format!("{} {name}", o.request.method)
}

/// Builds one plan whose single VU sends every size once per iteration.
pub fn plan(o: &ComplexityOptions) -> Result<Plan, String> {
    let p = &o.sizes.parameter;
    let in_url = substitute(&o.request.url, p, "1").is_some();
    let in_body = o.body_text.as_deref().is_some_and(|b| substitute(b, p, "1").is_some());
    if !in_url && !in_body {
        return Err(format!("neither the URL nor the body has `{{{{ {p} }}}}`: put it where the size goes, e.g. http://127.0.0.1:8080/api/similar?items={{{{ {p} }}}}"));
    }
    let mut first = o.request.clone();
    first.url = substitute(&first.url, p, "1").unwrap_or(first.url);
    first.connections = 1;
    let mut plan = quick::plan(first).map_err(|e| e.to_string())?;
    let samples = o.request.requests.unwrap_or(9);
    let max_duration = o.request.duration.unwrap_or(Duration::from_secs(120));
    let scenario = &mut plan.scenarios[0];
    scenario.executor = Executor::SharedIterations { vus: 1, iterations: samples, max_duration };
    let Some(Step::Request(step)) = scenario.flow.pop() else { return Err("internal: no request step".into()) };
    let name = template_name(o);
    plan.names.clear();
    for (i, n) in o.sizes.values.iter().enumerate() {
        let value = n.to_string();
        let mut s = step.clone();
        s.name_id = i;
        s.url = Template::literal(substitute(&o.request.url, p, &value).unwrap_or_else(|| o.request.url.clone()));
        if let Some(body) = &o.body_text {
            let text = substitute(body, p, &value).unwrap_or_else(|| body.clone());
            s.body = Body::Bytes { content: bytes::Bytes::from(text.into_bytes()), content_type: None };
        }
        scenario.flow.push(Step::Request(s));
        plan.names.push(format!("{name} · {p}={n}"));
    }
    Ok(plan)
}

/// Runs the series and returns the load run with the fit and its finding added.
pub fn measure(
    o: &ComplexityOptions,
    opts: &EngineOptions,
    observer: &mut dyn Observer,
    command: Vec<String>,
) -> Result<Run, String> {
    let plan = plan(o)?;
    // One unmeasured round first: connection, caches and lazy initialization of every size.
    let mut warm_up = plan.clone();
    if let Executor::SharedIterations { iterations, .. } = &mut warm_up.scenarios[0].executor {
        *iterations = 1;
    }
    engine::run(warm_up, opts, observer).map_err(|e| e.to_string())?;
    let result = engine::run(plan, opts, &mut *observer).map_err(|e| e.to_string())?;
    let mut run = crate::to_model::to_run(&result, command);
    let (mut sizes, mut samples) = (Vec::new(), Vec::new());
    for (i, n) in o.sizes.values.iter().enumerate() {
        let stats = &result.stats.names[i];
        if stats.failed > 0 {
            return Err(format!(
                "{}={n}: {} of {} requests failed; every size must answer successfully (is {n} a valid size for this endpoint?)",
                o.sizes.parameter,
                stats.failed,
                stats.ok + stats.failed
            ));
        }
        let values = expand(&stats.latency);
        if !values.is_empty() {
            sizes.push(*n);
            samples.push(values);
        }
    }
    if sizes.len() < 3 {
        return Err(format!(
            "only {} sizes got an answer before the time limit: raise -d/--duration or lower the sizes",
            sizes.len()
        ));
    }
    if sizes.len() < o.sizes.values.len() {
        run.warnings.push(format!(
            "the time limit stopped the series: sizes above {} were not measured",
            sizes[sizes.len() - 1]
        ));
    }
    let fit = rule::to_fit(&template_name(o), &o.sizes.parameter, &sizes, &samples)
        .ok_or("internal: fewer than two sizes to fit")?;
    // The per-size hygiene findings (one per size, about headers) are not this mode's point.
    run.findings = rule::finding(&fit).into_iter().collect();
    run.complexity.push(fit);
    Ok(run)
}

/// The samples of a histogram, at its precision, in µs.
fn expand(h: &perfhound_model::Histogram) -> Vec<f64> {
    h.recorded_us().into_iter().flat_map(|(v, c)| std::iter::repeat_n(v as f64, c as usize)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_series_and_lists() {
        assert_eq!(Sizes::parse(DEFAULT_SIZES).unwrap().values, [100, 200, 400, 800, 1600]);
        assert_eq!(Sizes::parse("items=10..1000x10").unwrap().values, [10, 100, 1000]);
        assert_eq!(Sizes::parse("500,100,300").unwrap(), Sizes { parameter: "n".into(), values: vec![100, 300, 500] });
        for bad in ["n=100..50", "n=1,2", "n=100,200,300", "n=a..b", "n=10..100x1", "=1,2,3", "n=0,10,100"] {
            assert!(Sizes::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn substitution_replaces_only_the_variable() {
        assert_eq!(substitute("/s?items={{ n }}&x={{n}}", "n", "7").unwrap(), "/s?items=7&x=7");
        assert_eq!(substitute("/s?items={{ m }}", "n", "7"), None);
        assert_eq!(substitute("{{ m }}-{{ n }}", "n", "7").unwrap(), "{{ m }}-7");
    }
}
