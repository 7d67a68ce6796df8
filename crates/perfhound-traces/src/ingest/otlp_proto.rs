//! OTLP/protobuf: `ExportTraceServiceRequest` (what OTLP/HTTP and gRPC carry) and
//! `TracesData` (same wire layout), decoded with prost via `opentelemetry-proto`.

use super::ids;
use super::Sink;
use crate::semconv::{self, Applied, AttrValue};
use crate::span::{empty_span, Span, SpanKind};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue, KeyValue};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::status::StatusCode;
use opentelemetry_proto::tonic::trace::v1::Span as ProtoSpan;
use prost::Message as _;
use std::borrow::Cow;
use std::sync::Arc;

/// Decodes one protobuf message and sends its spans to `sink`.
pub fn decode<S: Sink>(bytes: &[u8], sink: &mut S) -> Result<(), prost::DecodeError> {
    let req = ExportTraceServiceRequest::decode(bytes)?;
    convert(req, sink);
    Ok(())
}

/// Sends the spans of a decoded request to `sink`.
pub fn convert<S: Sink>(req: ExportTraceServiceRequest, sink: &mut S) {
    for rs in req.resource_spans {
        let service = service_of(rs.resource.as_ref());
        for s in rs.scope_spans.into_iter().flat_map(|ss| ss.spans) {
            match to_span(s, &service) {
                Some(span) => sink.span(span),
                None => sink.invalid("span without a valid trace_id/span_id"),
            }
        }
    }
}

/// A resource's `service.name` (`unknown` without one).
pub(crate) fn service_of(resource: Option<&Resource>) -> Arc<str> {
    resource
        .and_then(|r| r.attributes.iter().find(|kv| kv.key == "service.name"))
        .and_then(|kv| match kv.value.as_ref().and_then(|v| v.value.as_ref()) {
            Some(any_value::Value::StringValue(s)) => Some(Arc::from(s.as_str())),
            _ => None,
        })
        .unwrap_or_else(|| Arc::from("unknown"))
}

/// One protobuf span as a perfhound [`Span`] of `service`; `None` without valid ids.
pub(crate) fn to_span(s: ProtoSpan, service: &Arc<str>) -> Option<Span> {
    let trace_id = ids::trace_id_from_bytes(&s.trace_id)?;
    let span_id = ids::span_id_from_bytes(&s.span_id).filter(|id| *id != 0)?;
    let parent_id = ids::span_id_from_bytes(&s.parent_span_id)?;
    let mut span = empty_span(Arc::clone(service));
    span.trace_id = trace_id;
    span.span_id = span_id;
    span.parent_id = parent_id;
    span.name = s.name.into_boxed_str();
    span.kind = SpanKind::from_otlp(i64::from(s.kind));
    span.start_ns = s.start_time_unix_nano;
    span.end_ns = s.end_time_unix_nano;
    span.error = s.status.as_ref().is_some_and(|st| st.code == StatusCode::Error as i32);
    apply_all(&mut span, &s.attributes);
    Some(span)
}

fn apply_all(span: &mut Span, attrs: &[KeyValue]) {
    for kv in attrs {
        let v = kv.value.as_ref().map_or(AttrValue::Other, value);
        match semconv::apply(&mut span.attrs, &kv.key, &v) {
            Applied::Done => {}
            Applied::Kind => {
                if span.kind == SpanKind::Unspecified {
                    span.kind = semconv::value_str(&v).map(SpanKind::from_name).unwrap_or_default();
                }
            }
            Applied::Status => span.error |= semconv::value_str(&v).is_some_and(|s| s.eq_ignore_ascii_case("error")),
        }
    }
    span.error |= span.attrs.error;
}

fn value(v: &AnyValue) -> AttrValue<'_> {
    match &v.value {
        Some(any_value::Value::StringValue(s)) => AttrValue::Str(Cow::Borrowed(s)),
        Some(any_value::Value::BoolValue(b)) => AttrValue::Bool(*b),
        Some(any_value::Value::IntValue(i)) => AttrValue::Int(*i),
        Some(any_value::Value::DoubleValue(d)) => AttrValue::Double(*d),
        Some(any_value::Value::ArrayValue(a)) => AttrValue::Array(a.values.iter().take(64).map(value).collect()),
        _ => AttrValue::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span as PSpan, Status};

    fn kv(k: &str, v: any_value::Value) -> KeyValue {
        KeyValue { key: k.into(), value: Some(AnyValue { value: Some(v) }), ..Default::default() }
    }

    #[test]
    fn roundtrip_through_bytes() {
        let span = PSpan {
            trace_id: vec![1; 16],
            span_id: vec![2; 8],
            name: "SELECT users".into(),
            kind: 3,
            start_time_unix_nano: 1_000,
            end_time_unix_nano: 5_000_000,
            attributes: vec![kv("db.system", any_value::Value::StringValue("postgresql".into()))],
            status: Some(Status { code: 2, ..Default::default() }),
            ..Default::default()
        };
        let req = ExportTraceServiceRequest {
            resource_spans: vec![ResourceSpans {
                resource: Some(Resource {
                    attributes: vec![kv("service.name", any_value::Value::StringValue("shop".into()))],
                    ..Default::default()
                }),
                scope_spans: vec![ScopeSpans { spans: vec![span], ..Default::default() }],
                ..Default::default()
            }],
        };
        let mut out: Vec<crate::span::Span> = Vec::new();
        decode(&req.encode_to_vec(), &mut out).unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(&*out[0].service, "shop");
        assert_eq!(out[0].kind, SpanKind::Client);
        assert!(out[0].error);
        assert_eq!(out[0].attrs.db_system.as_deref(), Some("postgresql"));
        assert!(decode(&[0xff, 0xff, 0xff], &mut out).is_err());
    }
}
