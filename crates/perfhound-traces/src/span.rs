//! The one span type every input format is decoded into.
//!
//! Only what the detectors and measurements use is kept: ids, timing, kind, status, the
//! service, and the attributes of [`Attrs`] (old and new OpenTelemetry semantic-convention
//! names land in the same field, see [`crate::semconv`]). Everything else is dropped while
//! decoding, which keeps memory per span small and bounded.

use std::fmt;
use std::sync::Arc;

/// 128-bit trace id. Shorter ids (64-bit Jaeger/Zipkin) are left-padded with zeros.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TraceId(pub [u8; 16]);

impl fmt::Display for TraceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// 64-bit span id; 0 means "none" (no parent).
pub type SpanId = u64;

/// Formats a span id as 16 hex digits.
pub fn span_id_hex(id: SpanId) -> String {
    format!("{id:016x}")
}

/// OpenTelemetry span kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SpanKind {
    #[default]
    Unspecified,
    Internal,
    Server,
    Client,
    Producer,
    Consumer,
}

impl SpanKind {
    /// From the OTLP enum number (`SPAN_KIND_SERVER` = 2, …).
    pub fn from_otlp(n: i64) -> SpanKind {
        match n {
            1 => SpanKind::Internal,
            2 => SpanKind::Server,
            3 => SpanKind::Client,
            4 => SpanKind::Producer,
            5 => SpanKind::Consumer,
            _ => SpanKind::Unspecified,
        }
    }

    /// From a name: `SPAN_KIND_SERVER`, `server`, `SERVER` (OTLP JSON, Jaeger, Zipkin).
    pub fn from_name(s: &str) -> SpanKind {
        let s = s.strip_prefix("SPAN_KIND_").unwrap_or(s);
        match s.to_ascii_lowercase().as_str() {
            "internal" => SpanKind::Internal,
            "server" => SpanKind::Server,
            "client" => SpanKind::Client,
            "producer" => SpanKind::Producer,
            "consumer" => SpanKind::Consumer,
            _ => SpanKind::Unspecified,
        }
    }

    /// Server or consumer: the span where a service starts handling a request or message.
    pub fn is_entry(self) -> bool {
        matches!(self, SpanKind::Server | SpanKind::Consumer)
    }
}

/// The attributes perfhound reads. Strings are boxed to keep the struct small.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Attrs {
    pub db_system: Option<Box<str>>,
    pub db_statement: Option<Box<str>>,
    pub db_operation: Option<Box<str>>,
    /// Table or collection (`db.sql.table`, `db.collection.name`, …).
    pub db_collection: Option<Box<str>>,
    /// Database name (`db.name`, `db.namespace`).
    pub db_namespace: Option<Box<str>>,
    /// Rows/statements sent together (`db.operation.batch.size`).
    pub db_batch_size: Option<u64>,
    /// FNV-1a over `db.query.parameter.*` values, when the instrumentation records them.
    pub db_params_hash: Option<u64>,
    pub http_method: Option<Box<str>>,
    /// Full URL of an outbound call (`http.url`, `url.full`).
    pub url: Option<Box<str>>,
    /// Path and query (`http.target`, `url.path` + `url.query`).
    pub http_target: Option<Box<str>>,
    pub http_route: Option<Box<str>>,
    /// Peer host (`server.address`, `net.peer.name`, `http.host`, `peer.service`).
    pub server_address: Option<Box<str>>,
    pub server_port: Option<u32>,
    pub status_code: Option<u16>,
    pub response_size: Option<u64>,
    pub response_uncompressed_size: Option<u64>,
    pub request_size: Option<u64>,
    /// `Content-Encoding` of the response, when the instrumentation captured it.
    pub content_encoding: Option<Box<str>>,
    /// `Content-Type` of the response, when captured.
    pub content_type: Option<Box<str>>,
    pub rpc_system: Option<Box<str>>,
    pub rpc_service: Option<Box<str>>,
    pub rpc_method: Option<Box<str>>,
    pub messaging_system: Option<Box<str>>,
    pub code_filepath: Option<Box<str>>,
    pub code_lineno: Option<u32>,
    pub code_function: Option<Box<str>>,
    /// `cache.hit` of a cache lookup, when the instrumentation records it.
    pub cache_hit: Option<bool>,
    /// The request carried credentials or the response set a cookie (recorded header
    /// attributes, `enduser.id`): never a shared-cache candidate.
    pub private: bool,
    /// `error.type` or an `error=true` tag.
    pub error: bool,
    /// The result came from a client-side cache (`cached`, `db.*.cached` = true): no round trip.
    pub cached: bool,
    /// A web framework's own layer (`express.type` = middleware, router, request_handler;
    /// Koa, Fastify, Hapi, Restify, Connect, NestJS alike): plumbing that wraps the
    /// application's code, not a computation of its own.
    pub framework_layer: bool,
    /// FNV-1a over the attributes perfhound does not otherwise read (a computation's
    /// inputs), minus per-request identifiers; `None` when there are none.
    pub args_hash: Option<u64>,
}

/// One span, in any input format.
#[derive(Clone, Debug, PartialEq)]
pub struct Span {
    pub trace_id: TraceId,
    pub span_id: SpanId,
    /// 0 for a root span.
    pub parent_id: SpanId,
    pub name: Box<str>,
    pub service: Arc<str>,
    pub kind: SpanKind,
    pub start_ns: u64,
    pub end_ns: u64,
    /// Status code ERROR (or an error tag).
    pub error: bool,
    /// Boxed: a span is moved several times on its way to the detectors (into its trace's
    /// buffer, while sorting, into the tree), and the attributes are most of its size.
    pub attrs: Box<Attrs>,
}

impl Span {
    /// Duration in microseconds (0 when the end precedes the start).
    pub fn duration_us(&self) -> u64 {
        self.end_ns.saturating_sub(self.start_ns) / 1_000
    }

    pub fn duration_ns(&self) -> u64 {
        self.end_ns.saturating_sub(self.start_ns)
    }

    /// `file:line (function)` from `code.filepath`/`code.lineno`/`code.function` (or
    /// `code.file.path`/`code.line.number`/`code.function.name`), whichever are present;
    /// `(function)` alone when only the function is known.
    pub fn location(&self) -> Option<String> {
        let a = &self.attrs;
        let function = a.code_function.as_deref().filter(|f| !f.is_empty());
        let mut loc = match (a.code_filepath.as_deref().filter(|f| !f.is_empty()), a.code_lineno) {
            (Some(file), Some(line)) => format!("{file}:{line}"),
            (Some(file), None) => file.to_string(),
            (None, _) => String::new(),
        };
        if let Some(f) = function {
            loc = if loc.is_empty() { format!("({f})") } else { format!("{loc} ({f})") };
        }
        (!loc.is_empty()).then_some(loc)
    }
}

/// The empty name, shared: cloning it does not allocate (a placeholder until the real
/// service or endpoint name is known).
pub fn unnamed() -> Arc<str> {
    static UNNAMED: std::sync::LazyLock<Arc<str>> = std::sync::LazyLock::new(|| Arc::from(""));
    Arc::clone(&UNNAMED)
}

/// A fresh span with everything but the ids empty (decoders fill the rest).
pub fn empty_span(service: Arc<str>) -> Span {
    Span {
        trace_id: TraceId::default(),
        span_id: 0,
        parent_id: 0,
        name: "".into(),
        service,
        kind: SpanKind::Unspecified,
        start_ns: 0,
        end_ns: 0,
        error: false,
        attrs: Box::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_from_any_subset_of_code_attributes() {
        let loc = |file: Option<&str>, line: Option<u32>, function: Option<&str>| {
            let mut s = empty_span(Arc::from("svc"));
            s.attrs.code_filepath = file.map(Box::from);
            s.attrs.code_lineno = line;
            s.attrs.code_function = function.map(Box::from);
            s.location()
        };
        assert_eq!(loc(Some("app/a.py"), Some(7), Some("f")).as_deref(), Some("app/a.py:7 (f)"));
        assert_eq!(loc(Some("app/a.py"), Some(7), None).as_deref(), Some("app/a.py:7"));
        assert_eq!(loc(Some("app/a.py"), None, Some("f")).as_deref(), Some("app/a.py (f)"));
        assert_eq!(loc(None, Some(7), Some("f")).as_deref(), Some("(f)"));
        assert_eq!(loc(None, Some(7), None), None);
        assert_eq!(loc(Some(""), None, Some("")), None);
    }

    #[test]
    fn kinds_and_ids() {
        assert_eq!(SpanKind::from_name("SPAN_KIND_CLIENT"), SpanKind::Client);
        assert_eq!(SpanKind::from_name("server"), SpanKind::Server);
        assert_eq!(SpanKind::from_otlp(5), SpanKind::Consumer);
        assert_eq!(span_id_hex(255), "00000000000000ff");
        let mut t = TraceId::default();
        t.0[15] = 1;
        assert_eq!(t.to_string(), "00000000000000000000000000000001");
    }
}
