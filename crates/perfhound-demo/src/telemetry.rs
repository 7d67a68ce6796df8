//! OpenTelemetry instrumentation with the real SDK: a tracer provider exporting OTLP/HTTP
//! protobuf through a batch processor, W3C trace-context propagation, and the span helpers
//! the endpoints use. Attribute names follow the current semantic conventions
//! (`http.request.method`, `http.route`, `db.query.text`, …), which perfhound reads.
//!
//! No global state: every demo server owns its provider, so several can run in one process
//! (tests run a `Before` and a `Fixed` service side by side).

use crate::DemoError;
use http::{HeaderMap, HeaderName, HeaderValue};
use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator};
use opentelemetry::trace::{SpanKind, Status, TraceContextExt, Tracer, TracerProvider};
use opentelemetry::{Array, Context, KeyValue, StringValue, Value};
use opentelemetry_otlp::{Protocol, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{BatchConfigBuilder, BatchSpanProcessor, SdkTracer, SdkTracerProvider};
use opentelemetry_sdk::Resource;
use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

/// The tracer and its provider (cheap to clone).
#[derive(Clone)]
pub struct Telemetry {
    tracer: SdkTracer,
    provider: SdkTracerProvider,
    propagator: Arc<TraceContextPropagator>,
    exporting: bool,
}

impl Telemetry {
    /// A provider for `service_name`, exporting to `endpoint` (the full OTLP/HTTP traces URL,
    /// e.g. `http://127.0.0.1:4318/v1/traces`) when given. Without an endpoint spans are
    /// created (so code paths are the same) but go nowhere.
    pub fn new(service_name: &str, endpoint: Option<&str>) -> Result<Telemetry, DemoError> {
        let resource = Resource::builder().with_service_name(service_name.to_string()).build();
        let mut builder = SdkTracerProvider::builder().with_resource(resource);
        if let Some(endpoint) = endpoint {
            let exporter = opentelemetry_otlp::SpanExporter::builder()
                .with_http()
                .with_http_client(crate::otlp_http::LoopbackClient { timeout: Duration::from_secs(10) })
                .with_protocol(Protocol::HttpBinary)
                .with_endpoint(endpoint)
                .with_timeout(Duration::from_secs(10))
                .build()
                .map_err(|e| DemoError::Telemetry(format!("cannot build the OTLP exporter for {endpoint}: {e}")))?;
            // A load test ends ~10k spans a second; the default queue (2,048, flushed every
            // 5 s) would drop most of them.
            let config = BatchConfigBuilder::default()
                .with_max_queue_size(1 << 18)
                .with_max_export_batch_size(4096)
                .with_scheduled_delay(Duration::from_millis(500))
                .build();
            builder =
                builder.with_span_processor(BatchSpanProcessor::builder(exporter).with_batch_config(config).build());
        }
        let provider = builder.build();
        let tracer = provider.tracer("perfhound-demo");
        Ok(Telemetry {
            tracer,
            provider,
            propagator: Arc::new(TraceContextPropagator::new()),
            exporting: endpoint.is_some(),
        })
    }

    /// Starts a span under `parent`; the returned guard ends it when dropped.
    pub fn span(
        &self,
        parent: &Context,
        name: impl Into<Cow<'static, str>>,
        kind: SpanKind,
        attributes: Vec<KeyValue>,
    ) -> SpanGuard {
        let span = self
            .tracer
            .span_builder(name)
            .with_kind(kind)
            .with_attributes(attributes)
            .start_with_context(&self.tracer, parent);
        SpanGuard(parent.with_span(span))
    }

    /// Writes `traceparent` (and `tracestate`) for `cx` into outgoing request headers.
    pub fn inject(&self, cx: &Context, headers: &mut HeaderMap) {
        self.propagator.inject_context(cx, &mut HeaderInjector(headers));
    }

    /// The remote parent named by incoming `traceparent`, or an empty context.
    pub fn extract(&self, headers: &HeaderMap) -> Context {
        self.propagator.extract(&HeaderExtractor(headers))
    }

    /// Exports every ended span and stops the exporter. Blocking: call it off the runtime.
    pub fn shutdown(&self) -> Result<(), DemoError> {
        if !self.exporting {
            return Ok(());
        }
        self.provider.force_flush().map_err(|e| DemoError::Telemetry(format!("flushing spans failed: {e}")))?;
        self.provider.shutdown().map_err(|e| DemoError::Telemetry(format!("stopping the exporter failed: {e}")))
    }
}

/// A started span in its context; ends the span when dropped (ending twice is a no-op).
pub struct SpanGuard(pub Context);

impl SpanGuard {
    pub fn cx(&self) -> &Context {
        &self.0
    }

    pub fn set(&self, kv: KeyValue) {
        self.0.span().set_attribute(kv);
    }

    /// Marks the span failed with `error.type`.
    pub fn fail(&self, kind: &'static str, message: String) {
        self.set(KeyValue::new("error.type", kind));
        self.0.span().set_status(Status::error(message));
    }
}

impl Drop for SpanGuard {
    fn drop(&mut self) {
        self.0.span().end();
    }
}

/// A string-array attribute, the semantic conventions' type for captured HTTP headers.
pub fn header_attr(key: &'static str, value: &str) -> KeyValue {
    KeyValue::new(key, Value::Array(Array::String(vec![StringValue::from(value.to_string())])))
}

struct HeaderInjector<'a>(&'a mut HeaderMap);

impl Injector for HeaderInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        if let (Ok(name), Ok(value)) = (HeaderName::from_bytes(key.as_bytes()), HeaderValue::from_str(&value)) {
            self.0.insert(name, value);
        }
    }
}

struct HeaderExtractor<'a>(&'a HeaderMap);

impl Extractor for HeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }
    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(HeaderName::as_str).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traceparent_round_trips() {
        let tel = Telemetry::new("t", None).unwrap();
        let span = tel.span(&Context::new(), "root", SpanKind::Server, vec![]);
        let mut headers = HeaderMap::new();
        tel.inject(span.cx(), &mut headers);
        let tp = headers.get("traceparent").expect("traceparent").to_str().unwrap().to_string();
        let remote = tel.extract(&headers);
        let sc = span.cx().span().span_context().clone();
        assert!(tp.contains(&sc.trace_id().to_string()), "{tp}");
        assert_eq!(remote.span().span_context().trace_id(), sc.trace_id());
        assert_eq!(remote.span().span_context().span_id(), sc.span_id());
    }
}
