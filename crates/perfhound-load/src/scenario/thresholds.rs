//! `thresholds:` → [`ThresholdSpec`]s: perfhound expressions, k6's metric map and
//! Artillery's `ensure`.
//!
//! A threshold for a request name that no step has would never be evaluated, so unknown
//! names are errors that list the names that exist.

use super::error::{did_you_mean, ScenarioError};
use super::locate::Source;
use crate::plan::ThresholdSpec;
use perfhound_model::{Comparison, Metric, Threshold};
use perfhound_yaml::Node;
use serde_saphyr::{Location, Spanned};

const HINT: &str = "write e.g. `p95 < 300ms`, `error_rate < 0.1%`, `rps > 100` or `NAME: p99 < 800ms`";

pub(crate) struct Thresholds<'a> {
    pub src: &'a Source<'a>,
    /// Request names of the plan.
    pub names: &'a [String],
}

impl Thresholds<'_> {
    /// Reads `thresholds:` as a list of expressions or a k6-style map.
    pub fn read(&self, node: &Spanned<Node>) -> Result<Vec<ThresholdSpec>, ScenarioError> {
        match &node.value {
            Node::Seq(items) => {
                let mut out = Vec::new();
                for item in items {
                    match item.value.as_map() {
                        // `- products: p99 < 800ms` unquoted is a one-entry mapping in YAML.
                        Some(entries) if item.value.get("threshold").is_none() => {
                            for (name, exprs) in entries {
                                out.extend(self.named(name, exprs)?);
                            }
                        }
                        _ => out.push(self.expression(item)?),
                    }
                }
                Ok(out)
            }
            Node::Map(entries) => {
                let mut out = Vec::new();
                for (key, value) in entries {
                    let items: Vec<&Spanned<Node>> = match &value.value {
                        Node::Seq(items) => items.iter().collect(),
                        _ => vec![value],
                    };
                    for item in items {
                        out.push(self.k6_entry(key, item)?);
                    }
                }
                Ok(out)
            }
            Node::Null => Ok(Vec::new()),
            other => Err(self.src.error(
                &node.referenced,
                format!("expected a list of thresholds, found {}", other.kind()),
                HINT,
            )),
        }
    }

    fn text<'n>(&self, node: &'n Spanned<Node>) -> Result<&'n str, ScenarioError> {
        match &node.value {
            Node::Str(s) => Ok(s),
            Node::Map(_) => match node.value.get("threshold") {
                Some(t) if node.value.as_map().is_some_and(|m| m.len() == 1) => self.text(t),
                _ => Err(self.src.error(
                    &node.referenced,
                    "expected `{threshold: \"...\"}`",
                    "other k6 threshold options (abortOnFail) are not supported",
                )),
            },
            other => Err(self.src.error(
                &node.referenced,
                format!("expected a threshold expression, found {}", other.kind()),
                HINT,
            )),
        }
    }

    /// `p95 < 300ms` or `NAME: p99 < 800ms` (split at the last `:`).
    fn expression(&self, node: &Spanned<Node>) -> Result<ThresholdSpec, ScenarioError> {
        let text = self.text(node)?.trim();
        let (name, expr) = match text.rsplit_once(':') {
            Some((name, expr)) => (Some(name.trim()), expr.trim()),
            None => (None, text),
        };
        let threshold = self.parse(expr, &node.referenced)?;
        let name = name.map(|n| self.request_name(n, &node.referenced)).transpose()?;
        Ok(ThresholdSpec { expression: text.to_string(), name, threshold })
    }

    /// `NAME: expression` or `NAME: [expressions]` written as a mapping.
    fn named(&self, name: &Spanned<String>, exprs: &Spanned<Node>) -> Result<Vec<ThresholdSpec>, ScenarioError> {
        let items: Vec<&Spanned<Node>> = match &exprs.value {
            Node::Seq(items) => items.iter().collect(),
            _ => vec![exprs],
        };
        let request = self.request_name(name.value.trim(), &name.referenced)?;
        items
            .into_iter()
            .map(|item| {
                let text = self.text(item)?.trim();
                let threshold = self.parse(text, &item.referenced)?;
                Ok(ThresholdSpec { expression: format!("{request}: {text}"), name: Some(request.clone()), threshold })
            })
            .collect()
    }

    fn parse(&self, expr: &str, at: &Location) -> Result<Threshold, ScenarioError> {
        let t = Threshold::parse(expr).map_err(|e| self.src.error(at, format!("bad threshold: {e}"), HINT))?;
        crate::to_model::check_load_threshold(&t).map_err(|e| self.src.error(at, e, HINT))?;
        Ok(t)
    }

    fn request_name(&self, name: &str, at: &Location) -> Result<String, ScenarioError> {
        if name.is_empty() {
            return Err(self.src.error(
                at,
                "empty request name before `:`",
                "write `NAME: p95 < 300ms` or drop the `:`",
            ));
        }
        if self.names.iter().any(|n| n == name) {
            return Ok(name.to_string());
        }
        let suggestion = did_you_mean(name, self.names.iter().map(String::as_str))
            .map(|s| format!("did you mean `{s}`? "))
            .unwrap_or_default();
        Err(self.src.error(
            at,
            format!("no request is named `{name}`"),
            format!("{suggestion}request names: {}", self.names.join(", ")),
        ))
    }

    /// `http_req_duration{name:products}: ["p(95)<500"]`, or `NAME: ["p99 < 800ms"]`.
    fn k6_entry(&self, key: &Spanned<String>, item: &Spanned<Node>) -> Result<ThresholdSpec, ScenarioError> {
        let text = self.text(item)?.trim();
        let (metric, name) = match key.value.split_once('{') {
            Some((metric, tags)) => {
                let tag = tags.strip_suffix('}').and_then(|t| t.split_once(':')).filter(|(k, _)| k.trim() == "name");
                let Some((_, value)) = tag else {
                    return Err(self.src.key_error(
                        &key.referenced,
                        format!("unsupported tag filter in `{}`", key.value),
                        "only `{name:REQUEST}` is supported",
                    ));
                };
                (metric.trim(), Some(self.request_name(value.trim(), &key.referenced)?))
            }
            None => (key.value.trim(), None),
        };
        let (lhs, rest) = text.split_at(text.find(['<', '>', '=']).unwrap_or(text.len()));
        let lhs = lhs.trim();
        let threshold = match metric {
            "http_req_duration" => {
                let lhs = lhs
                    .strip_prefix("p(")
                    .and_then(|p| p.strip_suffix(')'))
                    .map_or(lhs.to_string(), |p| format!("p{p}"));
                self.parse(&format!("{lhs}{rest}"), &item.referenced)?
            }
            "http_req_failed" if lhs == "rate" => self.parse(&format!("error_rate{rest}"), &item.referenced)?,
            "http_reqs" if lhs == "count" => self.parse(&format!("requests{rest}"), &item.referenced)?,
            "http_reqs" if lhs == "rate" => self.parse(&format!("rps{rest}"), &item.referenced)?,
            "checks" if lhs == "rate" => {
                let pass = self.parse(&format!("check_fail_rate{rest}"), &item.referenced)?;
                let comparison = match pass.comparison {
                    Comparison::Lt => Comparison::Gt,
                    Comparison::Le => Comparison::Ge,
                    Comparison::Gt => Comparison::Lt,
                    Comparison::Ge => Comparison::Le,
                };
                Threshold { metric: Metric::CheckFailRate, comparison, limit: ((1.0 - pass.limit) * 1e9).round() / 1e9 }
            }
            "http_req_failed" | "http_reqs" | "checks" => {
                return Err(self.src.error(
                    &item.referenced,
                    format!("`{text}` is not supported for {metric}"),
                    "use `rate` (or `count` for http_reqs)",
                ))
            }
            request if name.is_none() && self.names.iter().any(|n| n == request) => {
                let t = self.parse(text, &item.referenced)?;
                return Ok(ThresholdSpec {
                    expression: format!("{request}: {text}"),
                    name: Some(request.to_string()),
                    threshold: t,
                });
            }
            other => {
                return Err(self.src.key_error(
                    &key.referenced,
                    format!("unknown threshold key `{other}`"),
                    format!(
                        "use http_req_duration, http_req_failed, http_reqs, checks, or a request name ({})",
                        self.names.join(", ")
                    ),
                ))
            }
        };
        Ok(ThresholdSpec { expression: format!("{}: {text}", key.value), name, threshold })
    }

    /// Artillery `ensure: {p95: 200, maxErrorRate: 1, thresholds: [{"http.response_time.p99": 500}]}`.
    pub fn ensure(&self, node: &Spanned<Node>) -> Result<Vec<ThresholdSpec>, ScenarioError> {
        let hint = "supported: min, max, median, p50, p95, p99, mean, maxErrorRate, thresholds";
        let Some(entries) = node.value.as_map() else {
            return Err(self.src.error(&node.referenced, "expected a mapping", hint));
        };
        let mut out = Vec::new();
        for (key, value) in entries {
            if key.value == "thresholds" {
                let Node::Seq(items) = &value.value else {
                    return Err(self.src.error(
                        &value.referenced,
                        "expected a list like `[{\"http.response_time.p99\": 500}]`",
                        hint,
                    ));
                };
                for item in items {
                    for (k, v) in item.value.as_map().unwrap_or_default() {
                        let metric = k.value.strip_prefix("http.response_time.").unwrap_or(&k.value);
                        out.push(self.ensure_one(metric, k, v)?);
                    }
                }
            } else {
                out.push(self.ensure_one(&key.value, key, value)?);
            }
        }
        Ok(out)
    }

    fn ensure_one(
        &self,
        metric: &str,
        key: &Spanned<String>,
        value: &Spanned<Node>,
    ) -> Result<ThresholdSpec, ScenarioError> {
        let Some(n) = value.value.as_f64() else {
            return Err(self.src.error(
                &value.referenced,
                "expected a number",
                "milliseconds for latencies, percent for maxErrorRate",
            ));
        };
        let expr = match metric {
            "maxErrorRate" => format!("error_rate <= {n}%"),
            "min" | "max" | "median" | "p50" | "p75" | "p90" | "p95" | "p99" | "p999" | "mean" => {
                format!("{metric} <= {n}ms")
            }
            other => {
                return Err(self.src.key_error(
                    &key.referenced,
                    format!("unsupported ensure metric `{other}`"),
                    "use min, max, median, p95, p99 or maxErrorRate",
                ))
            }
        };
        Ok(ThresholdSpec { threshold: self.parse(&expr, &value.referenced)?, expression: expr, name: None })
    }
}
