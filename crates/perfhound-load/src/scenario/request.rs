//! One request step → [`RequestStep`]: URL joined with the base URL, default request name,
//! headers, query, body and checks, all templates resolved against the scenario's scope.

use super::checks;
use super::error::ScenarioError;
use super::flow::{FlowCtx, RequestView};
use super::locate::Source;
use super::vars::Scope;
use crate::plan::{Body, Capture, RequestStep};
use crate::template::{Template, Vars};
use http::HeaderName;
use perfhound_yaml::Node;
use serde_saphyr::{Location, Spanned};

/// Largest `body_file` read into memory.
const MAX_BODY_FILE_BYTES: u64 = 64 * 1024 * 1024;

pub(crate) fn compile(
    ctx: &FlowCtx,
    scope: &Scope,
    req: &RequestView,
    captures: Vec<Capture>,
    names: &mut Vec<String>,
) -> Result<RequestStep, ScenarioError> {
    let src = ctx.src;
    let url = url_template(ctx, scope, req.url, &req.url_at)?;
    let name = match req.name {
        Some(n) if n.value.trim().is_empty() => {
            return Err(src.error(&n.referenced, "empty request name", "write a name or remove `name:`"))
        }
        Some(n) => n.value.trim().to_string(),
        None => default_name(req.method.as_str(), req.url, ctx.base_url),
    };
    let name_id = names.iter().position(|n| *n == name).unwrap_or_else(|| {
        names.push(name);
        names.len() - 1
    });
    let mut headers = Vec::new();
    if let Some(h) = req.headers {
        headers = header_list(src, scope, h)?;
    }
    if let Some(defaults) = ctx.default_headers {
        let own: Vec<HeaderName> = headers.iter().map(|(n, _)| n.clone()).collect();
        let mut merged: Vec<_> =
            header_list(src, scope, defaults)?.into_iter().filter(|(n, _)| !own.contains(n)).collect();
        merged.append(&mut headers);
        headers = merged;
    }
    let query = match req.query {
        Some(q) => pairs(src, q, "query")?
            .into_iter()
            .map(|(k, v, at)| Ok((scope.template(src, &k.value, &k.referenced)?, scope.template(src, &v, &at)?)))
            .collect::<Result<Vec<_>, ScenarioError>>()?,
        None => Vec::new(),
    };
    let body = body(ctx, scope, req)?;
    let mut check_list = Vec::new();
    if let Some(c) = req.check {
        check_list = checks::checks(src, &c.value)?;
    }
    if let Some(e) = req.expect {
        check_list.extend(checks::expect(src, e)?);
    }
    let abort_on_fail = req.abort_on_fail.is_some_and(|a| a.value);
    if let (Some(a), true) = (req.abort_on_fail, check_list.is_empty()) {
        if a.value {
            return Err(src.error(
                &a.referenced,
                "`abort_on_fail` without any check",
                "add a `check:` or remove `abort_on_fail`",
            ));
        }
    }
    Ok(RequestStep {
        name_id,
        method: req.method.clone(),
        url,
        query,
        headers,
        body,
        captures,
        checks: check_list,
        abort_on_fail,
    })
}

/// Renders variables as placeholders, to see what a URL template starts with.
struct Probe;
impl Vars for Probe {
    fn slot(&self, _: usize) -> Option<&str> {
        Some("\u{0}")
    }
    fn data(&self, _: usize, _: usize) -> Option<&str> {
        Some("\u{0}")
    }
    fn vu_id(&self) -> u64 {
        0
    }
    fn iteration(&self) -> u64 {
        0
    }
}

fn is_absolute(url: &str) -> bool {
    let lower = url.trim_start().get(..8).unwrap_or(url).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// Checks that an absolute URL has a host; returns a message when it does not.
pub(crate) fn check_absolute(url: &str) -> Result<(), String> {
    let rest = url.trim().split_once("://").map(|(_, r)| r).unwrap_or("");
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || host.contains(' ') {
        return Err(format!("`{url}` has no valid host"));
    }
    Ok(())
}

fn url_template(ctx: &FlowCtx, scope: &Scope, text: &str, at: &Location) -> Result<Template, ScenarioError> {
    let src = ctx.src;
    let own = scope.template(src, text, at)?;
    let probe = own.render(&Probe);
    if is_absolute(&probe) {
        check_absolute(&probe).map_err(|why| src.error(at, why, "write `http://host:port/path`"))?;
        return Ok(own);
    }
    if let Some((scheme, _)) = probe.split_once("://").filter(|(s, _)| s.chars().all(|c| c.is_ascii_alphanumeric())) {
        return Err(src.error(at, format!("unsupported URL scheme `{scheme}`"), "use http:// or https://"));
    }
    if probe.starts_with('\u{0}') {
        // Starts with a captured or data value (e.g. a `Location` header): used as is.
        return Ok(own);
    }
    let Some(base) = ctx.base_url else {
        return Err(src.error(
            at,
            format!("relative URL `{text}` but no base URL"),
            "set `base_url:` at the top (Artillery: `config.target`), or write an absolute URL",
        ));
    };
    let sep = if text.starts_with('/') || text.starts_with('?') || text.is_empty() { "" } else { "/" };
    scope.template(src, &format!("{base}{sep}{text}"), at)
}

/// `GET /users/{{ id }}?x=1` → `GET /users/{id}`: no base URL, no query, `{{ x }}` → `{x}`.
pub(crate) fn default_name(method: &str, url: &str, base_url: Option<&str>) -> String {
    let mut t = url.trim();
    if let Some(rest) = base_url.and_then(|b| t.strip_prefix(b)) {
        t = rest;
    } else if is_absolute(t) {
        let after = t.split_once("://").map_or("", |(_, r)| r);
        t = after.find('/').map_or("/", |i| &after[i..]);
    }
    let t = t.split(['?', '#']).next().unwrap_or("");
    let mut path = String::new();
    let mut rest = t;
    while let Some(start) = rest.find("{{") {
        path.push_str(&rest[..start]);
        match rest[start..].find("}}") {
            Some(end) => {
                path.push('{');
                path.push_str(rest[start + 2..start + end].trim());
                path.push('}');
                rest = &rest[start + end + 2..];
            }
            None => {
                rest = &rest[start..];
                break;
            }
        }
    }
    path.push_str(rest);
    if !path.starts_with('/') {
        path.insert(0, '/');
    }
    format!("{method} {path}")
}

/// A key, one of its values as text, and where that value is.
type Pair<'a> = (&'a Spanned<String>, String, Location);

/// Key/value pairs of a mapping whose values are scalars or lists of scalars.
fn pairs<'a>(src: &Source, node: &'a Spanned<Node>, what: &str) -> Result<Vec<Pair<'a>>, ScenarioError> {
    let entries = node.value.as_map().ok_or_else(|| {
        src.error(
            &node.referenced,
            format!("`{what}` must be a mapping, found {}", node.value.kind()),
            "e.g. `{name: value}`",
        )
    })?;
    let mut out = Vec::new();
    for (k, v) in entries {
        let items: Vec<&Spanned<Node>> = match &v.value {
            Node::Seq(items) => items.iter().collect(),
            _ => vec![v],
        };
        for item in items {
            let text = item.value.scalar_text().ok_or_else(|| {
                src.error(
                    &item.referenced,
                    format!("expected text or a number, found {}", item.value.kind()),
                    "quote the value",
                )
            })?;
            out.push((k, text, item.referenced));
        }
    }
    Ok(out)
}

fn header_list(
    src: &Source,
    scope: &Scope,
    node: &Spanned<Node>,
) -> Result<Vec<(HeaderName, Template)>, ScenarioError> {
    pairs(src, node, "headers")?
        .into_iter()
        .map(|(k, v, at)| {
            let name = HeaderName::from_bytes(k.value.trim().as_bytes()).map_err(|_| {
                src.key_error(
                    &k.referenced,
                    format!("`{}` is not a valid header name", k.value),
                    "use letters, digits and `-`",
                )
            })?;
            if v.contains(['\r', '\n']) {
                return Err(src.error(&at, "header value contains a line break", "remove the line break"));
            }
            Ok((name, scope.template(src, &v, &at)?))
        })
        .collect()
}

fn body(ctx: &FlowCtx, scope: &Scope, req: &RequestView) -> Result<Body, ScenarioError> {
    let src = ctx.src;
    let set: Vec<(&str, Location)> = [
        ("json", req.json.map(|j| j.referenced)),
        ("body", req.body.map(|b| b.referenced)),
        ("body_file", req.body_file.map(|b| b.referenced)),
        ("form", req.form.map(|f| f.referenced)),
    ]
    .into_iter()
    .filter_map(|(n, at)| at.map(|at| (n, at)))
    .collect();
    if let [(first, _), (second, at), ..] = set.as_slice() {
        return Err(src.error(
            at,
            format!("a request has one body, but both `{first}` and `{second}` are set"),
            "keep one",
        ));
    }
    let content_type = req.content_type.map(|c| c.value.clone());
    if let (Some(ct), None, None) = (req.content_type, req.body, req.body_file) {
        return Err(src.error(
            &ct.referenced,
            "`content_type` applies to `body` and `body_file`",
            "JSON and form bodies set their own; use a `Content-Type` header to override",
        ));
    }
    Ok(if let Some(j) = req.json {
        Body::Json(scope.json(src, j)?)
    } else if let Some(b) = req.body {
        Body::Raw { content: scope.template(src, &b.value, &b.referenced)?, content_type }
    } else if let Some(f) = req.body_file {
        let path = ctx.base_dir.join(&f.value);
        let read = std::fs::metadata(&path)
            .map_err(|e| e.to_string())
            .and_then(|m| if m.len() > MAX_BODY_FILE_BYTES { Err("larger than 64 MiB".to_string()) } else { Ok(()) })
            .and_then(|()| std::fs::read(&path).map_err(|e| e.to_string()));
        let bytes = read.map_err(|why| {
            src.error(
                &f.referenced,
                format!("cannot read `{}` ({}): {why}", f.value, path.display()),
                "paths are relative to the scenario file",
            )
        })?;
        Body::Bytes { content: bytes.into(), content_type }
    } else if let Some(f) = req.form {
        let fields = pairs(src, f, "form")?;
        Body::Form(
            fields
                .into_iter()
                .map(|(k, v, at)| Ok((k.value.clone(), scope.template(src, &v, &at)?)))
                .collect::<Result<_, ScenarioError>>()?,
        )
    } else {
        Body::Empty
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_names() {
        assert_eq!(default_name("GET", "/users/{{id}}?x=1", None), "GET /users/{id}");
        assert_eq!(default_name("GET", "http://h:1/api/{{ user.name }}", Some("http://h:1")), "GET /api/{user.name}");
        assert_eq!(default_name("POST", "https://x.test/a#f", None), "POST /a");
        assert_eq!(default_name("GET", "https://x.test", None), "GET /");
        assert_eq!(default_name("GET", "items", None), "GET /items");
    }
}
