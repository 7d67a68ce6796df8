//! Zipkin v2 JSON: a top-level array of spans with µs timestamps, `localEndpoint`
//! (service), `remoteEndpoint` (peer) and string `tags`. Spans are split out of the
//! stream one at a time ([`super::split`]) and parsed zero-copy.

use super::ids;
use super::json_de::{Key, Scalar};
use super::Sink;
use crate::semconv::{self, Applied, AttrValue};
use crate::span::{empty_span, Span, SpanKind};
use serde::Deserialize;
use std::borrow::Cow;
use std::sync::Arc;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ZSpan<'a> {
    #[serde(default, borrow)]
    trace_id: Cow<'a, str>,
    #[serde(default, borrow)]
    id: Cow<'a, str>,
    #[serde(default, borrow)]
    parent_id: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    name: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    kind: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    timestamp: Option<Scalar<'a>>,
    #[serde(default, borrow)]
    duration: Option<Scalar<'a>>,
    #[serde(default, borrow)]
    local_endpoint: Option<ZEndpoint<'a>>,
    #[serde(default, borrow)]
    remote_endpoint: Option<ZEndpoint<'a>>,
    #[serde(default, borrow, deserialize_with = "pairs")]
    tags: Vec<(Cow<'a, str>, Scalar<'a>)>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ZEndpoint<'a> {
    #[serde(default, borrow)]
    service_name: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    ipv4: Option<Cow<'a, str>>,
    #[serde(default)]
    port: Option<u32>,
}

/// Decodes a Zipkin v2 JSON array from a reader, one span at a time.
pub fn decode_reader<R: std::io::Read, S: Sink>(
    reader: R,
    sink: &mut S,
) -> Result<(), super::split::SplitError<serde_json::Error>> {
    super::split::for_each_element(reader, None, super::MAX_MESSAGE_BYTES as usize, |el, _| decode_span(el, sink))
}

/// Decodes one span object (an element of the top-level array).
pub fn decode_span<S: Sink>(text: &str, sink: &mut S) -> Result<(), serde_json::Error> {
    let z: ZSpan = serde_json::from_str(text)?;
    let service: Arc<str> =
        Arc::from(z.local_endpoint.as_ref().and_then(|e| e.service_name.as_deref()).unwrap_or("unknown"));
    match span(z, service) {
        Some(s) => sink.span(s),
        None => sink.invalid("Zipkin span without a valid traceId/id"),
    }
    Ok(())
}

fn span(z: ZSpan<'_>, service: Arc<str>) -> Option<Span> {
    let mut s = empty_span(service);
    s.trace_id = ids::trace_id(&z.trace_id)?;
    s.span_id = ids::span_id(&z.id).filter(|id| *id != 0)?;
    s.parent_id = z.parent_id.as_deref().and_then(ids::span_id).unwrap_or(0);
    s.name = z.name.as_deref().unwrap_or("").into();
    s.kind = z.kind.as_deref().map(SpanKind::from_name).unwrap_or_default();
    let start = z.timestamp.as_ref().and_then(Scalar::as_u64).unwrap_or(0);
    let dur = z.duration.as_ref().and_then(Scalar::as_u64).unwrap_or(0);
    s.start_ns = start.saturating_mul(1_000);
    s.end_ns = start.saturating_add(dur).saturating_mul(1_000);
    if let Some(remote) = &z.remote_endpoint {
        s.attrs.server_address = remote.service_name.as_deref().or(remote.ipv4.as_deref()).map(Box::from);
        s.attrs.server_port = remote.port;
    }
    let mut error_tag = false;
    for (k, v) in z.tags {
        error_tag |= k == "error";
        let v: AttrValue<'_> = v.into_attr();
        match semconv::apply(&mut s.attrs, &k, &v) {
            Applied::Done => {}
            Applied::Kind => {
                if s.kind == SpanKind::Unspecified {
                    s.kind = semconv::value_str(&v).map(SpanKind::from_name).unwrap_or_default();
                }
            }
            Applied::Status => s.error |= semconv::value_str(&v).is_some_and(|x| x.eq_ignore_ascii_case("error")),
        }
    }
    // Zipkin marks failures with an `error` tag whose value is the message.
    s.error |= s.attrs.error || error_tag;
    Some(s)
}

/// `tags` (a JSON object) as a list of pairs, borrowed, without building a map.
fn pairs<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<(Cow<'de, str>, Scalar<'de>)>, D::Error> {
    struct V;
    impl<'de> serde::de::Visitor<'de> for V {
        type Value = Vec<(Cow<'de, str>, Scalar<'de>)>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object of tags")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some((k, v)) = map.next_entry::<Key<'de>, Scalar<'de>>()? {
                out.push((k.0, v));
            }
            Ok(out)
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
    }
    d.deserialize_any(V)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_zipkin_v2() {
        let doc = r#"[{"traceId":"5af7183fb1d4cf5f","id":"352bff9a74ca9ad2","name":"get /api","kind":"SERVER",
            "timestamp":1556604172355737,"duration":1431,"localEndpoint":{"serviceName":"backend"},
            "tags":{"http.method":"GET","http.path":"/api"}},
           {"traceId":"5af7183fb1d4cf5f","parentId":"352bff9a74ca9ad2","id":"6b221d5bc9e6496c","name":"query","kind":"CLIENT",
            "timestamp":1556604172355800,"duration":700,"localEndpoint":{"serviceName":"backend"},
            "remoteEndpoint":{"serviceName":"mysql","port":3306},"tags":{"sql.query":"SELECT 1","error":"boom"}}]"#;
        let mut out: Vec<Span> = Vec::new();
        decode_reader(doc.as_bytes(), &mut out).unwrap();
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].kind, SpanKind::Server);
        assert_eq!(out[0].attrs.http_target.as_deref(), Some("/api"));
        assert_eq!(out[1].attrs.db_statement.as_deref(), Some("SELECT 1"));
        assert_eq!(out[1].attrs.server_address.as_deref(), Some("mysql"));
        assert!(out[1].error);
        assert_eq!(out[1].duration_us(), 700);
    }
}
