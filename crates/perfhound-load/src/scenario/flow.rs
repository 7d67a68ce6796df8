//! Flow steps → plan [`Step`]s: method and URL, headers, query, body, think time.
//!
//! A step is read in two passes: first its shape (which method, which body, its captures),
//! so that every capture of the scenario gets a slot; then its templates, which may refer
//! to any of those captures.

use super::checks::{self, CaptureSpec};
use super::duration::{node_duration, Bare};
use super::error::ScenarioError;
use super::locate::Source;
use super::raw::{Field, RawStep, RawTarget};
use super::request;
use super::vars::Scope;
use crate::plan::{Capture, Step};
use http::Method;
use perfhound_yaml::Node;
use serde_saphyr::{Location, Spanned};
use std::path::Path;

/// What every step of a scenario shares.
pub(crate) struct FlowCtx<'a> {
    pub src: &'a Source<'a>,
    /// Literal base URL without a trailing `/`.
    pub base_url: Option<&'a str>,
    pub base_dir: &'a Path,
    pub bare: Bare,
    /// Artillery `config.defaults.headers`.
    pub default_headers: Option<&'a Spanned<Node>>,
}

/// A request step with its fields merged from the step and (Artillery) `get: {url: ..}`.
pub(crate) struct RequestView<'a> {
    pub method: Method,
    pub url: &'a str,
    pub url_at: Location,
    pub name: Option<&'a Spanned<String>>,
    pub headers: Option<&'a Spanned<Node>>,
    pub query: Option<&'a Spanned<Node>>,
    pub json: Option<&'a Spanned<Node>>,
    pub body: Option<&'a Spanned<String>>,
    pub body_file: Option<&'a Spanned<String>>,
    pub content_type: Option<&'a Spanned<String>>,
    pub form: Option<&'a Spanned<Node>>,
    pub check: Option<&'a Spanned<super::raw::RawCheck>>,
    pub expect: Option<&'a Spanned<Node>>,
    pub abort_on_fail: Option<&'a Spanned<bool>>,
}

enum View<'a> {
    Think(Step),
    Request(Box<RequestView<'a>>, Vec<CaptureSpec>),
}

const NO_REQUEST: &str =
    "add `get: /path` (or post, put, patch, delete, head, options), `method:` + `url:`, or `think: 1s`";

/// Compiles a flow. `make_scope` receives the scenario's capture names (slot order) and
/// returns the scope that templates are resolved in.
pub(crate) fn compile_flow<'s>(
    ctx: &FlowCtx,
    flow: &Spanned<Vec<Spanned<RawStep>>>,
    names: &mut Vec<String>,
    make_scope: impl FnOnce(Vec<String>) -> Scope<'s>,
) -> Result<(Vec<Step>, usize), ScenarioError> {
    let src = ctx.src;
    if flow.value.is_empty() {
        return Err(src.error(&flow.referenced, "the flow has no steps", NO_REQUEST));
    }
    let views = flow.value.iter().map(|s| view(ctx, s)).collect::<Result<Vec<_>, _>>()?;
    if !views.iter().any(|v| matches!(v, View::Request(..))) {
        return Err(src.error(&flow.referenced, "the flow has only think steps", NO_REQUEST));
    }
    let mut slots: Vec<String> = Vec::new();
    for v in &views {
        if let View::Request(_, caps) = v {
            for c in caps {
                if !slots.contains(&c.var) {
                    slots.push(c.var.clone());
                }
            }
        }
    }
    let slot_count = slots.len();
    let scope = make_scope(slots);
    let mut steps = Vec::with_capacity(views.len());
    for v in views {
        steps.push(match v {
            View::Think(step) => step,
            View::Request(req, caps) => {
                let captures = caps
                    .into_iter()
                    .map(|c| Capture {
                        slot: scope.captures.iter().position(|s| *s == c.var).unwrap_or(0),
                        var: c.var,
                        source: c.source,
                    })
                    .collect();
                Step::Request(Box::new(request::compile(ctx, &scope, &req, captures, names)?))
            }
        });
    }
    Ok((steps, slot_count))
}

fn view<'a>(ctx: &FlowCtx, step: &'a Spanned<RawStep>) -> Result<View<'a>, ScenarioError> {
    let src = ctx.src;
    let s = &step.value;
    let methods = method_fields(s);
    if let Some(think) = &s.think {
        if !methods.is_empty() || s.method.is_some() || s.url.is_some() {
            return Err(src.error(
                &think.referenced,
                "a step is either a request or a `think` pause",
                "split it into two steps",
            ));
        }
        return Ok(View::Think(think_step(ctx, think)?));
    }
    let (method, target, target_at) = match (methods.as_slice(), &s.method, &s.url) {
        ([], Some(m), Some(u)) => {
            let method = Method::from_bytes(m.value.trim().to_ascii_uppercase().as_bytes()).map_err(|_| {
                src.error(&m.referenced, format!("`{}` is not an HTTP method", m.value), "e.g. GET, POST, PUT")
            })?;
            (method, None, u.referenced)
        }
        ([], Some(_), None) => {
            return Err(src.error_in(&step.referenced, "url", "`method:` without `url:`", "add `url: /path`"))
        }
        ([], None, Some(u)) => {
            return Err(src.error(&u.referenced, "`url:` without a method", "add `method: GET` or write `get: /path`"))
        }
        ([], None, None) => return Err(src.error(&step.referenced, "this step has no request", NO_REQUEST)),
        ([(m, t)], None, None) => (m.clone(), Some(&t.value), t.referenced),
        ([_, (m, t), ..], _, _) => {
            return Err(src.error(
                &t.referenced,
                format!("a step sends one request, but this one also has `{}`", m.as_str().to_lowercase()),
                "split it into separate steps",
            ))
        }
        ([(_, t)], _, _) => {
            return Err(src.error(
                &t.referenced,
                "a step cannot have both a method key and `method:`/`url:`",
                "keep one form",
            ))
        }
    };
    let inner: Option<&RawStep> = match target {
        Some(RawTarget::Detail(inner)) => {
            if !method_fields(inner).is_empty() || inner.method.is_some() || inner.think.is_some() {
                return Err(src.error(
                    &target_at,
                    "a nested request cannot contain another method or `think`",
                    "move it to its own step",
                ));
            }
            Some(inner)
        }
        _ => None,
    };
    let url = match (target, inner.and_then(|i| i.url.as_ref()), &s.url) {
        (Some(RawTarget::Url(u)), _, _) => (u.as_str(), target_at),
        (Some(RawTarget::Detail(_)), Some(u), _) => (u.value.as_str(), u.referenced),
        (Some(RawTarget::Detail(_)), None, _) => {
            return Err(src.error_in(&target_at, "url", "missing `url:`", "add `url: /path` inside"))
        }
        (None, _, Some(u)) => (u.value.as_str(), u.referenced),
        (None, _, None) => return Err(src.error(&step.referenced, "this step has no URL", NO_REQUEST)),
    };
    let req = RequestView {
        method,
        url: url.0,
        url_at: url.1,
        name: pick(src, &s.name, inner.map(|i| &i.name), "name")?,
        headers: pick(src, &s.headers, inner.map(|i| &i.headers), "headers")?,
        query: pick(src, &s.query, inner.map(|i| &i.query), "query")?,
        json: pick(src, &s.json, inner.map(|i| &i.json), "json")?,
        body: pick(src, &s.body, inner.map(|i| &i.body), "body")?,
        body_file: pick(src, &s.body_file, inner.map(|i| &i.body_file), "body_file")?,
        content_type: pick(src, &s.content_type, inner.map(|i| &i.content_type), "content_type")?,
        form: pick(src, &s.form, inner.map(|i| &i.form), "form")?,
        check: pick(src, &s.check, inner.map(|i| &i.check), "check")?,
        expect: pick(src, &s.expect, inner.map(|i| &i.expect), "expect")?,
        abort_on_fail: pick(src, &s.abort_on_fail, inner.map(|i| &i.abort_on_fail), "abort_on_fail")?,
    };
    let capture = pick(src, &s.capture, inner.map(|i| &i.capture), "capture")?;
    let caps = match capture {
        Some(c) => checks::captures(src, c)?,
        None => Vec::new(),
    };
    Ok(View::Request(Box::new(req), caps))
}

fn method_fields(s: &RawStep) -> Vec<(Method, &Spanned<RawTarget>)> {
    [
        (Method::GET, &s.get),
        (Method::POST, &s.post),
        (Method::PUT, &s.put),
        (Method::PATCH, &s.patch),
        (Method::DELETE, &s.delete),
        (Method::HEAD, &s.head),
        (Method::OPTIONS, &s.options),
    ]
    .into_iter()
    .filter_map(|(m, f)| f.as_ref().map(|t| (m, t)))
    .collect()
}

/// A field set either next to `get:` or inside `get: {..}`, not both.
fn pick<'a, T>(
    src: &Source,
    outer: &'a Field<T>,
    inner: Option<&'a Field<T>>,
    name: &str,
) -> Result<Option<&'a Spanned<T>>, ScenarioError> {
    match (outer.as_ref(), inner.and_then(Option::as_ref)) {
        (Some(_), Some(i)) => {
            Err(src.error(&i.referenced, format!("`{name}` is set both next to the method and inside it"), "keep one"))
        }
        (o, i) => Ok(o.or(i)),
    }
}

fn think_step(ctx: &FlowCtx, think: &Spanned<Node>) -> Result<Step, ScenarioError> {
    let src = ctx.src;
    let (min, max) = match &think.value {
        Node::Map(entries) => {
            for (k, _) in entries {
                if k.value != "min" && k.value != "max" {
                    return Err(src.key_error(
                        &k.referenced,
                        format!("unknown field `{}`", k.value),
                        "think takes `min` and `max`",
                    ));
                }
            }
            let get = |k: &str| {
                think.value.get(k).ok_or_else(|| {
                    src.error_in(&think.referenced, k, format!("missing `{k}`"), "write `think: {min: 100ms, max: 1s}`")
                })
            };
            let (min_node, max_node) = (get("min")?, get("max")?);
            let (min, max) = (node_duration(src, min_node, ctx.bare)?, node_duration(src, max_node, ctx.bare)?);
            if min > max {
                return Err(src.error(&max_node.referenced, "`max` is shorter than `min`", "swap them"));
            }
            (min, max)
        }
        _ => {
            let d = node_duration(src, think, ctx.bare)?;
            (d, d)
        }
    };
    if max > std::time::Duration::from_secs(3600) {
        return Err(src.error(&think.referenced, "think time over 1h", "use a shorter pause"));
    }
    Ok(Step::Think { min, max })
}
