//! Jaeger JSON, as the Jaeger UI and query API export it: `{"data": [trace…]}`, each trace
//! with `spans` (µs timestamps, `references`, `tags`) and `processes` (service names).
//! Traces are split out of the stream one at a time ([`super::split`]) and parsed
//! zero-copy, so memory is bounded by the largest trace.

use super::ids;
use super::json_de::Scalar;
use super::Sink;
use crate::semconv::{self, Applied, AttrValue};
use crate::span::{empty_span, Span, SpanKind};
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Deserialize)]
struct JTrace<'a> {
    #[serde(default, borrow)]
    spans: Vec<JSpan<'a>>,
    #[serde(default, borrow)]
    processes: HashMap<Cow<'a, str>, JProcess<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JSpan<'a> {
    #[serde(rename = "traceID", borrow)]
    trace_id: Cow<'a, str>,
    #[serde(rename = "spanID", borrow)]
    span_id: Cow<'a, str>,
    #[serde(default, rename = "parentSpanID", borrow)]
    parent_span_id: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    operation_name: Cow<'a, str>,
    #[serde(default, borrow)]
    references: Vec<JRef<'a>>,
    #[serde(default, borrow)]
    start_time: Option<Scalar<'a>>,
    #[serde(default, borrow)]
    duration: Option<Scalar<'a>>,
    #[serde(default, borrow)]
    tags: Vec<JTag<'a>>,
    #[serde(default, rename = "processID", borrow)]
    process_id: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    process: Option<JProcess<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JRef<'a> {
    #[serde(default, borrow)]
    ref_type: Cow<'a, str>,
    #[serde(default, rename = "spanID", borrow)]
    span_id: Cow<'a, str>,
}

#[derive(Deserialize)]
struct JTag<'a> {
    #[serde(borrow)]
    key: Cow<'a, str>,
    #[serde(default, borrow)]
    value: Option<Scalar<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JProcess<'a> {
    #[serde(default, borrow)]
    service_name: Cow<'a, str>,
}

/// Decodes a Jaeger JSON document from a reader, one trace at a time.
pub fn decode_reader<R: std::io::Read, S: Sink>(
    reader: R,
    sink: &mut S,
) -> Result<(), super::split::SplitError<serde_json::Error>> {
    super::split::for_each_element(reader, Some("data"), super::MAX_MESSAGE_BYTES as usize, |el, _| {
        decode_trace(el, sink)
    })
}

/// Decodes one trace object (an element of `data`).
pub fn decode_trace<S: Sink>(text: &str, sink: &mut S) -> Result<(), serde_json::Error> {
    let t: JTrace = serde_json::from_str(text)?;
    let services: HashMap<&str, Arc<str>> =
        t.processes.iter().map(|(k, p)| (k.as_ref(), Arc::from(p.service_name.as_ref()))).collect();
    let unknown: Arc<str> = Arc::from("unknown");
    for js in t.spans {
        let service = match (&js.process, js.process_id.as_deref()) {
            (Some(p), _) => Arc::from(p.service_name.as_ref()),
            (None, Some(id)) => services.get(id).cloned().unwrap_or_else(|| Arc::clone(&unknown)),
            _ => Arc::clone(&unknown),
        };
        match span(js, service) {
            Some(s) => sink.span(s),
            None => sink.invalid("Jaeger span without a valid traceID/spanID"),
        }
    }
    Ok(())
}

fn span(js: JSpan<'_>, service: Arc<str>) -> Option<Span> {
    let mut s = empty_span(service);
    s.trace_id = ids::trace_id(&js.trace_id)?;
    s.span_id = ids::span_id(&js.span_id).filter(|id| *id != 0)?;
    let parent = js
        .references
        .iter()
        .find(|r| r.ref_type.eq_ignore_ascii_case("CHILD_OF"))
        .or_else(|| js.references.first())
        .map(|r| r.span_id.as_ref())
        .or(js.parent_span_id.as_deref())
        .unwrap_or("");
    s.parent_id = ids::span_id(parent).unwrap_or(0);
    s.name = js.operation_name.as_ref().into();
    let start_us = js.start_time.as_ref().and_then(Scalar::as_u64).unwrap_or(0);
    let dur_us = js.duration.as_ref().and_then(Scalar::as_u64).unwrap_or(0);
    s.start_ns = start_us.saturating_mul(1_000);
    s.end_ns = start_us.saturating_add(dur_us).saturating_mul(1_000);
    for tag in js.tags {
        let v = tag.value.map_or(AttrValue::Other, Scalar::into_attr);
        match semconv::apply(&mut s.attrs, &tag.key, &v) {
            Applied::Done => {}
            Applied::Kind => s.kind = semconv::value_str(&v).map(SpanKind::from_name).unwrap_or_default(),
            Applied::Status => s.error |= semconv::value_str(&v).is_some_and(|x| x.eq_ignore_ascii_case("error")),
        }
    }
    s.error |= s.attrs.error;
    Some(s)
}

/// A Zipkin/Jaeger tag value held as JSON, as an attribute value.
pub fn json_value(v: &serde_json::Value) -> AttrValue<'_> {
    match v {
        serde_json::Value::String(s) => AttrValue::Str(Cow::Borrowed(s)),
        serde_json::Value::Bool(b) => AttrValue::Bool(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => AttrValue::Int(i),
            None => AttrValue::Double(n.as_f64().unwrap_or(0.0)),
        },
        serde_json::Value::Array(a) => AttrValue::Array(a.iter().take(64).map(json_value).collect()),
        _ => AttrValue::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_jaeger_export() {
        let doc = r#"{"data":[{"traceID":"abc123abc123abc1","spans":[
            {"traceID":"abc123abc123abc1","spanID":"0000000000000001","operationName":"GET /","references":[],
             "startTime":1700000000000000,"duration":1500,"tags":[{"key":"span.kind","type":"string","value":"server"}],"processID":"p1"},
            {"traceID":"abc123abc123abc1","spanID":"0000000000000002","operationName":"SELECT","references":[{"refType":"CHILD_OF","traceID":"abc123abc123abc1","spanID":"0000000000000001"}],
             "startTime":1700000000000100,"duration":500,"tags":[{"key":"db.statement","type":"string","value":"SELECT 1"},{"key":"error","type":"bool","value":true},{"key":"x","value":{"nested":[1]}}],"processID":"p1"}],
            "processes":{"p1":{"serviceName":"shop","tags":[]}}}],"total":0}"#;
        let mut out: Vec<Span> = Vec::new();
        decode_reader(doc.as_bytes(), &mut out).unwrap();
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].kind, SpanKind::Server);
        assert_eq!(out[1].parent_id, 1);
        assert_eq!(out[1].duration_us(), 500);
        assert!(out[1].error);
        assert_eq!(&*out[1].service, "shop");
    }
}
