//! OpenTelemetry semantic conventions: old and new attribute names mapped to one field.
//!
//! Instrumentations in the wild emit both generations (`db.statement` before semconv 1.25,
//! `db.query.text` after; `http.status_code` / `http.response.status_code`; …) and some
//! legacy Zipkin/Brave/Jaeger tags (`sql.query`, `error`). Every decoder calls [`apply`]
//! for each attribute, so detectors only ever look at [`Attrs`].

use crate::span::Attrs;
use perfhound_sql::lexer::fnv1a;
use std::borrow::Cow;

/// An attribute value as decoders see it (borrowed from the input when possible).
#[derive(Clone, Debug, PartialEq)]
pub enum AttrValue<'a> {
    Str(Cow<'a, str>),
    Int(i64),
    Double(f64),
    Bool(bool),
    Array(Vec<AttrValue<'a>>),
    /// Bytes, maps and anything else perfhound does not read.
    Other,
}

impl AttrValue<'_> {
    fn as_str(&self) -> Option<&str> {
        match self {
            AttrValue::Str(s) => Some(s),
            AttrValue::Array(a) => a.first().and_then(AttrValue::as_str),
            _ => None,
        }
    }

    fn as_u64(&self) -> Option<u64> {
        match self {
            AttrValue::Int(i) => u64::try_from(*i).ok(),
            AttrValue::Double(d) if *d >= 0.0 && d.is_finite() => Some(*d as u64),
            AttrValue::Str(s) => s.trim().parse().ok(),
            AttrValue::Array(a) => a.first().and_then(AttrValue::as_u64),
            _ => None,
        }
    }

    fn as_bool(&self) -> Option<bool> {
        match self {
            AttrValue::Bool(b) => Some(*b),
            AttrValue::Str(s) => match s.as_ref() {
                "true" | "True" | "TRUE" | "1" => Some(true),
                "false" | "False" | "FALSE" | "0" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// A recorded, non-empty value (a header attribute is a list of its values).
    fn is_present(&self) -> bool {
        match self {
            AttrValue::Str(s) => !s.trim().is_empty(),
            AttrValue::Array(a) => a.iter().any(AttrValue::is_present),
            AttrValue::Other => false,
            _ => true,
        }
    }

    fn hash_into(&self, h: u64) -> u64 {
        match self {
            AttrValue::Str(s) => fnv1a(h, s.as_bytes()),
            AttrValue::Int(i) => fnv1a(h, &i.to_le_bytes()),
            AttrValue::Double(d) => fnv1a(h, &d.to_le_bytes()),
            AttrValue::Bool(b) => fnv1a(h, &[u8::from(*b)]),
            AttrValue::Array(a) => a.iter().fold(h, |h, v| v.hash_into(h)),
            AttrValue::Other => h,
        }
    }
}

fn boxed(v: &AttrValue<'_>) -> Option<Box<str>> {
    v.as_str().map(Box::from)
}

/// What an attribute meant, besides filling [`Attrs`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    /// Mapped into [`Attrs`] (or deliberately ignored).
    Done,
    /// `span.kind` tag (Jaeger/OpenTracing): the value is the kind name.
    Kind,
    /// `otel.status_code` / `status.code` tag: ERROR marks the span failed.
    Status,
}

/// Records attribute `key` = `value` into `a`.
pub fn apply(a: &mut Attrs, key: &str, value: &AttrValue<'_>) -> Applied {
    match key {
        "db.system" | "db.system.name" => a.db_system = boxed(value),
        "db.statement" | "db.query.text" | "sql.query" => a.db_statement = boxed(value),
        "db.operation" | "db.operation.name" => a.db_operation = boxed(value),
        "db.sql.table" | "db.collection.name" | "db.mongodb.collection" | "db.cassandra.table" => {
            a.db_collection = boxed(value)
        }
        "db.name" | "db.namespace" | "db.instance" => a.db_namespace = boxed(value),
        "db.operation.batch.size" => a.db_batch_size = value.as_u64(),
        "db.statement.parameters" | "db.postgresql.values" => {
            a.db_params_hash = Some(value.hash_into(a.db_params_hash.unwrap_or(1)))
        }
        "http.method" | "http.request.method" => a.http_method = boxed(value),
        "http.url" | "url.full" => a.url = boxed(value),
        "http.target" | "url.path" | "http.path" if a.http_target.is_none() => a.http_target = boxed(value),
        "http.route" => a.http_route = boxed(value),
        "server.address" | "net.peer.name" => a.server_address = boxed(value),
        "peer.service" | "http.host" | "net.host.name" if a.server_address.is_none() => a.server_address = boxed(value),
        "server.port" | "net.peer.port" => a.server_port = value.as_u64().and_then(|p| u32::try_from(p).ok()),
        "http.status_code" | "http.response.status_code" => {
            a.status_code = value.as_u64().and_then(|s| u16::try_from(s).ok())
        }
        "http.response_content_length" | "http.response.body.size" | "http.response.size" => {
            a.response_size = value.as_u64()
        }
        "http.response.header.content-length" | "http.response.header.content_length" if a.response_size.is_none() => {
            a.response_size = value.as_u64()
        }
        "http.response_content_length_uncompressed" => a.response_uncompressed_size = value.as_u64(),
        "http.request_content_length" | "http.request.body.size" => a.request_size = value.as_u64(),
        "http.response.header.content-encoding" | "http.response.header.content_encoding" => {
            a.content_encoding = Some(boxed(value).unwrap_or_default())
        }
        "http.response.header.content-type" | "http.response.header.content_type" => a.content_type = boxed(value),
        "rpc.system" => a.rpc_system = boxed(value),
        "rpc.service" => a.rpc_service = boxed(value),
        "rpc.method" => a.rpc_method = boxed(value),
        "messaging.system" => a.messaging_system = boxed(value),
        "code.filepath" | "code.file.path" => a.code_filepath = boxed(value),
        "code.lineno" | "code.line.number" => a.code_lineno = value.as_u64().and_then(|l| u32::try_from(l).ok()),
        "code.function" | "code.function.name" => a.code_function = boxed(value),
        "cache.hit" => a.cache_hit = value.as_bool(),
        _ if is_private_marker(key) => a.private |= value.is_present(),
        "error.type" => a.error = true,
        "error" => a.error |= value.as_bool().unwrap_or(false),
        _ if is_cached_flag(key) => a.cached |= value.as_bool().unwrap_or(false),
        _ if is_framework_layer(key) => a.framework_layer = true,
        _ if is_framework_name(key) => {}
        "span.kind" => return Applied::Kind,
        "otel.status_code" | "status.code" => return Applied::Status,
        _ if key.starts_with("db.query.parameter.") => {
            let h = fnv1a(a.db_params_hash.unwrap_or(1), key.as_bytes());
            a.db_params_hash = Some(value.hash_into(h));
        }
        _ if is_input(key) => {
            let h = fnv1a(a.args_hash.unwrap_or(1), key.as_bytes());
            a.args_hash = Some(value.hash_into(h));
        }
        _ => {}
    }
    Applied::Done
}

/// Attributes that mark a request or response as per-user: credentials sent
/// (`Authorization`, `Cookie` request headers), a cookie set, an authenticated end user.
fn is_private_marker(key: &str) -> bool {
    matches!(
        key,
        "http.request.header.authorization"
            | "http.request.header.cookie"
            | "http.request.header.proxy-authorization"
            | "http.response.header.set-cookie"
            | "http.response.header.set_cookie"
            | "enduser.id"
    )
}

/// `cached`, `db.cached`, `db.query.cached`, `db.response.cached`…: a result served from
/// a client-side cache (ORM query caches, Rails QueryCache), so no round trip happened.
fn is_cached_flag(key: &str) -> bool {
    key == "cached" || key.starts_with("db.") && key.ends_with(".cached")
}

/// Web frameworks whose OpenTelemetry instrumentations mark their own layers with
/// `<framework>.type` (and name them with `<framework>.name`).
const FRAMEWORKS: &[&str] = &["express", "koa", "fastify", "hapi", "restify", "connect", "nestjs"];

/// `express.type`, `koa.type`…: the span is one of the framework's layers.
fn is_framework_layer(key: &str) -> bool {
    key.strip_suffix(".type").is_some_and(|f| FRAMEWORKS.contains(&f))
}

/// `express.name`, `koa.name`…: the layer's name (the span's name says it already), not an input.
fn is_framework_name(key: &str) -> bool {
    key.strip_suffix(".name").is_some_and(|f| FRAMEWORKS.contains(&f))
}

/// Attributes that differ per request by nature (ids, threads, sockets, timings) and so
/// never describe a computation's inputs.
fn is_input(key: &str) -> bool {
    const NOISE_PREFIXES: &[&str] = &[
        "thread.",
        "net.",
        "network.",
        "otel.",
        "telemetry.",
        "process.",
        "host.",
        "client.",
        "user_agent.",
        "exception.",
    ];
    const NOISE_SUFFIXES: &[&str] = &[".id", "_id", ".time", ".timestamp", ".duration", ".count"];
    !NOISE_PREFIXES.iter().any(|p| key.starts_with(p))
        && !NOISE_SUFFIXES.iter().any(|x| key.ends_with(x))
        && !key.starts_with("http.")
        && !key.starts_with("url.")
        && !key.starts_with("db.")
}

/// The string form of a value (for `span.kind` / status tags handled by decoders).
pub fn value_str<'v>(value: &'v AttrValue<'_>) -> Option<&'v str> {
    value.as_str()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> AttrValue<'_> {
        AttrValue::Str(Cow::Borrowed(v))
    }

    #[test]
    fn unknown_attributes_are_inputs_but_ids_are_not() {
        let hash = |pairs: &[(&str, &str)]| {
            let mut a = Attrs::default();
            for (k, v) in pairs {
                apply(&mut a, k, &s(v));
            }
            a.args_hash
        };
        assert_eq!(hash(&[("thread.id", "7"), ("request.id", "abc")]), None);
        let p30 = hash(&[("app.report.period", "30d"), ("thread.id", "1")]);
        assert!(p30.is_some());
        assert_eq!(p30, hash(&[("app.report.period", "30d"), ("thread.id", "2")]));
        assert_ne!(p30, hash(&[("app.report.period", "7d")]));
    }

    #[test]
    fn old_and_new_names_land_in_one_field() {
        for (key, stmt) in [("db.statement", "SELECT 1"), ("db.query.text", "SELECT 2")] {
            let mut a = Attrs::default();
            apply(&mut a, key, &s(stmt));
            assert_eq!(a.db_statement.as_deref(), Some(stmt));
        }
        let mut a = Attrs::default();
        apply(&mut a, "http.response.status_code", &AttrValue::Int(503));
        apply(&mut a, "http.response.header.content-length", &AttrValue::Array(vec![s("4096")]));
        assert_eq!(a.status_code, Some(503));
        assert_eq!(a.response_size, Some(4096));
    }

    #[test]
    fn parameters_hash_distinguishes_values() {
        let mut a = Attrs::default();
        let mut b = Attrs::default();
        apply(&mut a, "db.query.parameter.id", &s("1"));
        apply(&mut b, "db.query.parameter.id", &s("2"));
        assert_ne!(a.db_params_hash, b.db_params_hash);
        assert!(a.db_params_hash.is_some());
    }

    #[test]
    fn credentials_and_cookies_mark_a_span_private() {
        for key in ["http.request.header.authorization", "http.response.header.set-cookie", "enduser.id"] {
            let mut a = Attrs::default();
            apply(&mut a, key, &AttrValue::Array(vec![s("Bearer x")]));
            assert!(a.private, "{key}");
        }
        let mut a = Attrs::default();
        apply(&mut a, "http.request.header.cookie", &AttrValue::Array(Vec::new()));
        apply(&mut a, "http.request.header.accept", &s("text/html"));
        assert!(!a.private, "an empty header list and other headers are not credentials");
    }

    #[test]
    fn cached_flags() {
        for key in ["cached", "db.cached", "db.query.cached", "db.response.cached"] {
            let mut a = Attrs::default();
            apply(&mut a, key, &AttrValue::Bool(true));
            assert!(a.cached, "{key}");
        }
        let mut a = Attrs::default();
        apply(&mut a, "db.cached", &s("false"));
        apply(&mut a, "app.cached", &AttrValue::Bool(true));
        assert!(!a.cached);
    }

    #[test]
    fn framework_layers_are_marked_and_their_names_are_not_inputs() {
        let mut a = Attrs::default();
        apply(&mut a, "express.type", &s("middleware"));
        apply(&mut a, "express.name", &s("patched"));
        assert!(a.framework_layer);
        assert_eq!(a.args_hash, None, "layer names are not a computation's inputs");
        let mut b = Attrs::default();
        apply(&mut b, "app.type", &s("report"));
        assert!(!b.framework_layer && b.args_hash.is_some(), "other `.type` attributes are inputs");
    }

    #[test]
    fn kind_and_status_tags_are_reported() {
        let mut a = Attrs::default();
        assert_eq!(apply(&mut a, "span.kind", &s("client")), Applied::Kind);
        assert_eq!(apply(&mut a, "otel.status_code", &s("ERROR")), Applied::Status);
        assert_eq!(apply(&mut a, "error", &AttrValue::Bool(true)), Applied::Done);
        assert!(a.error);
    }
}
