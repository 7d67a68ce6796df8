//! OTLP/JSON (`ExportTraceServiceRequest` / `TracesData`) decoded straight into [`Span`]s.
//!
//! A hand-written serde visitor instead of `opentelemetry-proto`'s serde types: spans are
//! handed to the [`Sink`] one by one while the document is being read (nothing but the
//! current span is held, so a 5 GB document needs no more memory than a 5 KB one),
//! strings are borrowed from the input when they need no unescaping, and attributes
//! perfhound does not read are skipped without being built. It accepts what real
//! exporters write: hex or base64 ids, int64 as string or number, enum values as numbers
//! or names, `camelCase` or `snake_case` keys, and `resource` after `scopeSpans`.

use super::ids;
use super::json_de::{Key, Repeat, Scalar, SeqOf};
use super::otlp_attrs::AttrList;
use super::Sink;
use crate::semconv::{self, Applied, AttrValue};
use crate::span::{empty_span, unnamed, Span, SpanKind};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;
use std::sync::Arc;

/// Decodes one OTLP/JSON document held in memory (strings are borrowed where possible).
pub fn decode_slice<S: Sink>(bytes: &[u8], sink: &mut S) -> Result<(), serde_json::Error> {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return decode_str(text, sink);
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    Top { sink }.deserialize(&mut de)?;
    de.end()
}

/// Decodes one OTLP/JSON document held in memory as text (no UTF-8 re-validation).
pub fn decode_str<S: Sink>(text: &str, sink: &mut S) -> Result<(), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    Top { sink }.deserialize(&mut de)?;
    de.end()
}

/// Decodes a document handed out piece by piece by [`super::otlp_split`]: spans are sent
/// on as soon as their resource's service is known, held until the end of their
/// `resourceSpans` element otherwise.
#[derive(Default)]
pub struct PieceDecoder {
    service: Option<Arc<str>>,
    held: Vec<Span>,
}

impl PieceDecoder {
    /// A `resource` object: its `service.name` names the spans of the current element.
    pub fn resource(&mut self, text: &str) -> Result<(), serde_json::Error> {
        let mut de = serde_json::Deserializer::from_str(text);
        self.service = Some(Resource.deserialize(&mut de)?);
        de.end()
    }

    /// One span object.
    pub fn span<S: Sink>(&mut self, text: &str, sink: &mut S) -> Result<(), serde_json::Error> {
        let mut p = Pending { sink, service: self.service.clone(), held: std::mem::take(&mut self.held) };
        let mut de = serde_json::Deserializer::from_str(text);
        let result = SpanSeed { p: &mut p }.deserialize(&mut de).and_then(|()| de.end());
        self.held = p.held;
        result
    }

    /// The current `resourceSpans` element ended: held spans get its service (or `unknown`).
    pub fn end<S: Sink>(&mut self, sink: &mut S) {
        let service = self.service.take().unwrap_or_else(|| Arc::from("unknown"));
        for mut span in self.held.drain(..) {
            span.service = Arc::clone(&service);
            sink.span(span);
        }
    }
}

struct Top<'s, S> {
    sink: &'s mut S,
}

impl<'de, S: Sink> DeserializeSeed<'de> for Top<'_, S> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, S: Sink> Visitor<'de> for Top<'_, S> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an OTLP/JSON object with `resourceSpans`")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(k) = map.next_key::<Key>()? {
            match k.0.as_ref() {
                "resourceSpans" | "resource_spans" => map.next_value_seed(SeqOf(ResourceList(&mut *self.sink)))?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}
struct ResourceList<'s, S>(&'s mut S);

impl<'de, S: Sink> Repeat<'de> for ResourceList<'_, S> {
    fn read<A: SeqAccess<'de>>(&mut self, seq: &mut A) -> Result<bool, A::Error> {
        Ok(seq.next_element_seed(ResourceSpans { sink: &mut *self.0 })?.is_some())
    }
}

struct ScopeList<'p, 's, S>(&'p mut Pending<'s, S>);

impl<'de, S: Sink> Repeat<'de> for ScopeList<'_, '_, S> {
    fn read<A: SeqAccess<'de>>(&mut self, seq: &mut A) -> Result<bool, A::Error> {
        Ok(seq.next_element_seed(ScopeSpans { p: &mut *self.0 })?.is_some())
    }
}

struct SpanList<'p, 's, S>(&'p mut Pending<'s, S>);

impl<'de, S: Sink> Repeat<'de> for SpanList<'_, '_, S> {
    fn read<A: SeqAccess<'de>>(&mut self, seq: &mut A) -> Result<bool, A::Error> {
        Ok(seq.next_element_seed(SpanSeed { p: &mut *self.0 })?.is_some())
    }
}
struct ResourceSpans<'s, S> {
    sink: &'s mut S,
}

/// Spans of one `resourceSpans` entry: sent on when the service is known, held otherwise.
struct Pending<'s, S> {
    sink: &'s mut S,
    service: Option<Arc<str>>,
    held: Vec<Span>,
}

impl<S: Sink> Pending<'_, S> {
    fn push(&mut self, mut span: Span) {
        match &self.service {
            Some(svc) => {
                span.service = Arc::clone(svc);
                self.sink.span(span);
            }
            None => self.held.push(span),
        }
    }
}

impl<'de, S: Sink> DeserializeSeed<'de> for ResourceSpans<'_, S> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, S: Sink> Visitor<'de> for ResourceSpans<'_, S> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a ResourceSpans object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut p = Pending { sink: self.sink, service: None, held: Vec::new() };
        while let Some(k) = map.next_key::<Key>()? {
            match k.0.as_ref() {
                "resource" => p.service = Some(map.next_value_seed(Resource)?),
                "scopeSpans" | "scope_spans" | "instrumentationLibrarySpans" => {
                    map.next_value_seed(SeqOf(ScopeList(&mut p)))?
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let service: Arc<str> = p.service.clone().unwrap_or_else(|| Arc::from("unknown"));
        for mut span in std::mem::take(&mut p.held) {
            span.service = Arc::clone(&service);
            p.sink.span(span);
        }
        Ok(())
    }
}

/// `resource` → its `service.name`.
struct Resource;

impl<'de> DeserializeSeed<'de> for Resource {
    type Value = Arc<str>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Arc<str>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Resource {
    type Value = Arc<str>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Resource object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Arc<str>, A::Error> {
        let mut service: Option<Arc<str>> = None;
        while let Some(k) = map.next_key::<Key>()? {
            if k.0 == "attributes" {
                let mut on_attr = |key: &str, v: AttrValue<'_>| {
                    if key == "service.name" {
                        if let AttrValue::Str(s) = v {
                            service = Some(Arc::from(s.as_ref()));
                        }
                    }
                };
                map.next_value_seed(SeqOf(AttrList(&mut on_attr)))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(service.unwrap_or_else(|| Arc::from("unknown")))
    }
}

struct ScopeSpans<'p, 's, S> {
    p: &'p mut Pending<'s, S>,
}

impl<'de, S: Sink> DeserializeSeed<'de> for ScopeSpans<'_, '_, S> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, S: Sink> Visitor<'de> for ScopeSpans<'_, '_, S> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a ScopeSpans object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(k) = map.next_key::<Key>()? {
            if k.0 == "spans" {
                map.next_value_seed(SeqOf(SpanList(&mut *self.p)))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

struct SpanSeed<'p, 's, S> {
    p: &'p mut Pending<'s, S>,
}

impl<'de, S: Sink> DeserializeSeed<'de> for SpanSeed<'_, '_, S> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, S: Sink> Visitor<'de> for SpanSeed<'_, '_, S> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Span object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut b = SpanBuilder::new(self.p.service.clone().unwrap_or_else(unnamed));
        while let Some(k) = map.next_key::<Key>()? {
            match k.0.as_ref() {
                "traceId" | "trace_id" => b.trace_id(&map.next_value::<Key>()?.0),
                "spanId" | "span_id" => b.span_id(&map.next_value::<Key>()?.0),
                "parentSpanId" | "parent_span_id" => b.parent_id(&map.next_value::<Key>()?.0),
                "name" => b.span.name = Box::from(map.next_value::<Key>()?.0.as_ref()),
                "kind" => b.kind(map.next_value::<Scalar>()?),
                "startTimeUnixNano" | "start_time_unix_nano" => {
                    b.span.start_ns = map.next_value::<Scalar>()?.as_u64().unwrap_or(0)
                }
                "endTimeUnixNano" | "end_time_unix_nano" => {
                    b.span.end_ns = map.next_value::<Scalar>()?.as_u64().unwrap_or(0)
                }
                "attributes" => {
                    let mut on_attr = |key: &str, v: AttrValue<'_>| b.attr(key, &v);
                    map.next_value_seed(SeqOf(AttrList(&mut on_attr)))?;
                }
                "status" => b.span.error = map.next_value_seed(Status)?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        match b.finish() {
            Ok(span) => self.p.push(span),
            Err(reason) => self.p.sink.invalid(reason),
        }
        Ok(())
    }
}

/// One span being decoded, field by field.
pub(crate) struct SpanBuilder {
    pub(crate) span: Span,
    trace_ok: bool,
    span_ok: bool,
    parent_ok: bool,
    tag_kind: Option<SpanKind>,
    tag_error: bool,
}

impl SpanBuilder {
    pub(crate) fn new(service: Arc<str>) -> SpanBuilder {
        SpanBuilder {
            span: empty_span(service),
            trace_ok: false,
            span_ok: false,
            parent_ok: true,
            tag_kind: None,
            tag_error: false,
        }
    }

    pub(crate) fn trace_id(&mut self, v: &str) {
        if let Some(t) = ids::trace_id(v) {
            self.span.trace_id = t;
            self.trace_ok = true;
        }
    }

    pub(crate) fn span_id(&mut self, v: &str) {
        if let Some(s) = ids::span_id(v).filter(|s| *s != 0) {
            self.span.span_id = s;
            self.span_ok = true;
        }
    }

    pub(crate) fn parent_id(&mut self, v: &str) {
        match ids::span_id(v) {
            Some(p) => self.span.parent_id = p,
            None => self.parent_ok = false,
        }
    }

    pub(crate) fn kind(&mut self, v: Scalar<'_>) {
        self.span.kind = match v {
            Scalar::Str(s) => SpanKind::from_name(&s),
            other => SpanKind::from_otlp(other.as_i64().unwrap_or(0)),
        }
    }

    pub(crate) fn attr(&mut self, key: &str, v: &AttrValue<'_>) {
        match semconv::apply(&mut self.span.attrs, key, v) {
            Applied::Done => {}
            Applied::Kind => self.tag_kind = semconv::value_str(v).map(SpanKind::from_name),
            Applied::Status => self.tag_error |= semconv::value_str(v).is_some_and(|s| s.eq_ignore_ascii_case("error")),
        }
    }

    /// The span, or why it is invalid.
    pub(crate) fn finish(mut self) -> Result<Span, &'static str> {
        if self.span.kind == SpanKind::Unspecified {
            self.span.kind = self.tag_kind.unwrap_or_default();
        }
        self.span.error |= self.tag_error || self.span.attrs.error;
        if self.trace_ok && self.span_ok && self.parent_ok {
            Ok(self.span)
        } else {
            Err("span without a valid traceId/spanId")
        }
    }
}

/// An OTLP `Status.code` value: true when it is ERROR (2).
pub(crate) fn status_code_is_error(v: Scalar<'_>) -> bool {
    match v {
        Scalar::Str(s) => s == "STATUS_CODE_ERROR" || s == "ERROR" || s == "2",
        other => other.as_i64() == Some(2),
    }
}

/// `status` → true when the code is ERROR (2).
struct Status;

impl<'de> DeserializeSeed<'de> for Status {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Status {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Status object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let mut error = false;
        while let Some(k) = map.next_key::<Key>()? {
            if k.0 == "code" {
                error = status_code_is_error(map.next_value::<Scalar>()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(error)
    }
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
}
