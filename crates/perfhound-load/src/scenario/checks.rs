//! `capture:` and `check:` (and Artillery's `expect:`) compiled into plan captures and checks.
//!
//! Captures are read before templates so that every capture of a scenario has a slot and
//! can be used by any step (`{{ token }}`); JSONPaths and regexes are compiled here, so a
//! bad one is a located error before the run instead of a silent miss during it.

use super::duration::{parse_duration, Bare};
use super::error::ScenarioError;
use super::locate::Source;
use super::raw::RawCheck;
use super::vars::{is_identifier, is_reserved};
use crate::jsonpath::JsonPath;
use crate::plan::{CaptureSource, Check, CheckKind};
use http::HeaderName;
use perfhound_yaml::Node;
use serde_saphyr::{Location, Spanned};

/// A capture before slot allocation.
pub(crate) struct CaptureSpec {
    pub var: String,
    pub source: CaptureSource,
}

const CAPTURE_HINT: &str =
    "write `capture: {token: $.token}` or a list of `{json: $.path | header: Name | regex: \"re\", as: var}`";

/// Reads `capture:` in its short map form, its long form, or a list of long forms.
pub(crate) fn captures(src: &Source, node: &Spanned<Node>) -> Result<Vec<CaptureSpec>, ScenarioError> {
    match &node.value {
        Node::Map(entries) if node.value.get("as").is_some() => Ok(vec![long_capture(src, node, entries)?]),
        Node::Map(entries) => entries
            .iter()
            .map(|(var, path)| {
                check_var(src, &var.value, &var.referenced)?;
                let Node::Str(text) = &path.value else {
                    return Err(src.error(
                        &path.referenced,
                        format!("expected a JSONPath, found {}", path.value.kind()),
                        CAPTURE_HINT,
                    ));
                };
                Ok(CaptureSpec {
                    var: var.value.clone(),
                    source: CaptureSource::JsonPath(json_path(src, text, At::Value(&path.referenced))?),
                })
            })
            .collect(),
        Node::Seq(items) => items
            .iter()
            .map(|item| match &item.value {
                Node::Map(entries) => long_capture(src, item, entries),
                other => Err(src.error(
                    &item.referenced,
                    format!("expected a capture mapping, found {}", other.kind()),
                    CAPTURE_HINT,
                )),
            })
            .collect(),
        other => Err(src.error(
            &node.referenced,
            format!("expected a mapping or list, found {}", other.kind()),
            CAPTURE_HINT,
        )),
    }
}

fn long_capture(
    src: &Source,
    node: &Spanned<Node>,
    entries: &[(Spanned<String>, Spanned<Node>)],
) -> Result<CaptureSpec, ScenarioError> {
    let mut var = None;
    let mut source = None;
    let mut group = None;
    for (key, value) in entries {
        let text = || match &value.value {
            Node::Str(s) => Ok(s.clone()),
            other => Err(src.error(&value.referenced, format!("expected text, found {}", other.kind()), CAPTURE_HINT)),
        };
        let kind = match key.value.as_str() {
            "as" => {
                let name = text()?;
                check_var(src, &name, &value.referenced)?;
                var = Some(name);
                continue;
            }
            "group" => {
                group = Some((
                    value.value.as_f64().filter(|g| g.fract() == 0.0 && *g >= 0.0).ok_or_else(|| {
                        src.error(
                            &value.referenced,
                            "`group` must be a whole number ≥ 0",
                            "0 = whole match, 1 = first `( )`",
                        )
                    })? as usize,
                    value.referenced,
                ));
                continue;
            }
            "json" => CaptureSource::JsonPath(json_path(src, &text()?, At::Value(&value.referenced))?),
            "header" => CaptureSource::Header(header_name(src, &text()?, At::Value(&value.referenced))?),
            "regex" | "regexp" => {
                let re = regex::Regex::new(&text()?).map_err(|e| {
                    src.error(
                        &value.referenced,
                        format!("invalid regex: {}", last_line(&e.to_string())),
                        "fix the pattern (Rust regex syntax)",
                    )
                })?;
                CaptureSource::Regex { group: usize::from(re.captures_len() > 1), regex: re }
            }
            other => {
                return Err(src.key_error(
                    &key.referenced,
                    format!("unknown capture field `{other}`"),
                    "use json, header, regex, as or group",
                ))
            }
        };
        if source.is_some() {
            return Err(src.key_error(
                &key.referenced,
                "a capture takes exactly one of json, header or regex",
                "split it into two captures",
            ));
        }
        source = Some(kind);
    }
    let mut source =
        source.ok_or_else(|| src.error_in(&node.referenced, "json", "capture has no source", CAPTURE_HINT))?;
    let var =
        var.ok_or_else(|| src.error_in(&node.referenced, "as", "capture has no `as:` variable name", CAPTURE_HINT))?;
    if let Some((g, at)) = group {
        let CaptureSource::Regex { regex, group } = &mut source else {
            return Err(src.error(&at, "`group` only applies to `regex` captures", "remove `group`"));
        };
        if g >= regex.captures_len() {
            return Err(src.error(
                &at,
                format!("the regex has only {} group(s)", regex.captures_len() - 1),
                "lower `group`",
            ));
        }
        *group = g;
    }
    Ok(CaptureSpec { var, source })
}

fn check_var(src: &Source, name: &str, at: &Location) -> Result<(), ScenarioError> {
    if !is_identifier(name) || is_reserved(name) {
        return Err(src.key_error(
            at,
            format!("`{name}` cannot be a capture variable name"),
            "use letters, digits and `_`, not a builtin name (env, vu, iteration, timestamp, random)",
        ));
    }
    Ok(())
}

/// Where a value sits: errors about mapping keys name the key, not the mapping.
#[derive(Clone, Copy)]
enum At<'a> {
    Value(&'a Location),
    Key(&'a Location),
}

impl At<'_> {
    fn error(self, src: &Source, what: String, hint: &str) -> ScenarioError {
        match self {
            At::Value(at) => src.error(at, what, hint),
            At::Key(at) => src.key_error(at, what, hint),
        }
    }
}

fn json_path(src: &Source, text: &str, at: At) -> Result<JsonPath, ScenarioError> {
    JsonPath::parse(text).map_err(|why| {
        at.error(src, format!("bad JSONPath: {why}"), "supported: `$.a.b`, `$.items[0].id`, `$['a b']`, `[*]`")
    })
}

fn header_name(src: &Source, text: &str, at: At) -> Result<HeaderName, ScenarioError> {
    HeaderName::from_bytes(text.trim().as_bytes())
        .map_err(|_| at.error(src, format!("`{text}` is not a valid header name"), "use letters, digits and `-`"))
}

fn last_line(s: &str) -> String {
    s.lines().rfind(|l| !l.trim().is_empty()).unwrap_or(s).trim().to_string()
}

/// Compiles `check:` into named checks.
pub(crate) fn checks(src: &Source, raw: &RawCheck) -> Result<Vec<Check>, ScenarioError> {
    let mut out = Vec::new();
    if let Some(status) = &raw.status {
        out.push(status_check(src, status)?);
    }
    if let Some(latency) = &raw.latency {
        let text = latency.value.scalar_text().unwrap_or_default();
        let trimmed = text.trim().trim_start_matches("<=").trim_start_matches('<').trim();
        let d = parse_duration(trimmed, Bare::Reject).ok().filter(|d| !d.is_zero()).ok_or_else(|| {
            src.error(&latency.referenced, format!("bad latency limit `{text}`"), "write e.g. `< 200ms` or `1s`")
        })?;
        out.push(Check { name: format!("latency < {}", super::duration::show(d)), kind: CheckKind::LatencyBelow(d) });
    }
    if let Some(needle) = &raw.body_contains {
        out.push(Check {
            name: format!("body contains {:?}", needle.value),
            kind: CheckKind::BodyContains(needle.value.clone()),
        });
    }
    if let Some(headers) = &raw.header {
        let entries = headers.value.as_map().ok_or_else(|| {
            src.error(&headers.referenced, "expected a mapping of header names", "e.g. `header: {content-type: json}`")
        })?;
        for (name, value) in entries {
            out.push(header_check(src, name, value)?);
        }
    }
    if let Some(json) = &raw.json {
        let entries = json.value.as_map().ok_or_else(|| {
            src.error(&json.referenced, "expected a mapping of JSONPath to value", "e.g. `json: {\"$.ok\": true}`")
        })?;
        for (path, value) in entries {
            let p = json_path(src, &path.value, At::Key(&path.referenced))?;
            let equals = match value.value {
                Node::Null => None,
                _ => Some(
                    perfhound_yaml::to_json(value)
                        .map_err(|at| src.error(&at, "not representable in JSON", "use a finite number"))?,
                ),
            };
            let name = match &equals {
                None => format!("json {p} exists"),
                Some(v) => format!("json {p} == {v}"),
            };
            out.push(Check { name, kind: CheckKind::Json { path: p, equals } });
        }
    }
    Ok(out)
}

fn status_check(src: &Source, node: &Spanned<Node>) -> Result<Check, ScenarioError> {
    let mut codes = Vec::new();
    let items: Vec<&Spanned<Node>> = match &node.value {
        Node::Seq(items) => items.iter().collect(),
        _ => vec![node],
    };
    for item in &items {
        let text = item.value.scalar_text().unwrap_or_default();
        let bad = || {
            src.error(
                &item.referenced,
                format!("`{text}` is not an HTTP status"),
                "use a code (200), a class (`2xx`) or a list [200, 201]",
            )
        };
        if let Some(class) = text.strip_suffix("xx").and_then(|c| c.parse::<u16>().ok()).filter(|c| (1..=5).contains(c))
        {
            codes.extend(class * 100..class * 100 + 100);
        } else {
            codes.push(text.parse::<u16>().ok().filter(|c| (100..=599).contains(c)).ok_or_else(bad)?);
        }
    }
    if codes.is_empty() {
        return Err(src.error(&node.referenced, "empty status list", "list at least one status code"));
    }
    let shown: Vec<String> = items.iter().filter_map(|i| i.value.scalar_text()).collect();
    let name =
        if shown.len() == 1 { format!("status is {}", shown[0]) } else { format!("status in [{}]", shown.join(", ")) };
    Ok(Check { name, kind: CheckKind::Status(codes) })
}

fn header_check(src: &Source, name: &Spanned<String>, value: &Spanned<Node>) -> Result<Check, ScenarioError> {
    let header = header_name(src, &name.value, At::Key(&name.referenced))?;
    let (equals, contains) = match &value.value {
        Node::Null | Node::Bool(true) => (None, None),
        Node::Map(_) => {
            let get = |k| value.value.get(k).and_then(|v| v.value.scalar_text());
            if get("equals").is_none() && get("contains").is_none() {
                return Err(src.error(
                    &value.referenced,
                    "expected `equals:` or `contains:`",
                    "e.g. `{contains: json}`",
                ));
            }
            (get("equals"), get("contains"))
        }
        other => match other.scalar_text() {
            Some(text) => (None, Some(text)),
            None => return Err(src.error(&value.referenced, "expected text to look for", "e.g. `content-type: json`")),
        },
    };
    let name = match (&equals, &contains) {
        (Some(e), _) => format!("header {header} == {e:?}"),
        (None, Some(c)) => format!("header {header} contains {c:?}"),
        (None, None) => format!("header {header} exists"),
    };
    Ok(Check { name, kind: CheckKind::Header { name: header, equals, contains } })
}

/// Artillery `expect: [{statusCode: 200}, {contentType: json}, {hasProperty: data.id}, {hasHeader: etag}]`.
pub(crate) fn expect(src: &Source, node: &Spanned<Node>) -> Result<Vec<Check>, ScenarioError> {
    let single = [node.clone()];
    let items: &[Spanned<Node>] = match &node.value {
        Node::Seq(items) => items,
        _ => &single,
    };
    let hint = "supported: statusCode, contentType, hasProperty, hasHeader";
    let mut out = Vec::new();
    for item in items {
        let Some(entries) = item.value.as_map() else {
            return Err(src.error(&item.referenced, "expected a mapping like `{statusCode: 200}`", hint));
        };
        for (key, value) in entries {
            let text = value.value.scalar_text().unwrap_or_default();
            let check = match key.value.as_str() {
                "statusCode" => status_check(src, value)?,
                "contentType" => {
                    header_check(src, &Spanned::new("content-type".into(), key.referenced, key.defined), value)?
                }
                "hasHeader" => {
                    let name = Spanned::new(text, value.referenced, value.defined);
                    header_check(src, &name, &Spanned::new(Node::Null, value.referenced, value.defined))?
                }
                "hasProperty" => {
                    let p = json_path(src, &text, At::Value(&value.referenced))?;
                    Check { name: format!("json {p} exists"), kind: CheckKind::Json { path: p, equals: None } }
                }
                other => {
                    return Err(src.key_error(&key.referenced, format!("unsupported expectation `{other}`"), hint))
                }
            };
            out.push(check);
        }
    }
    Ok(out)
}
