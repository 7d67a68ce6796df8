//! Streams one OTLP/protobuf message (`TracesData` / `ExportTraceServiceRequest`) from a
//! reader, span by span.
//!
//! Decoding a message with prost needs the whole message in memory, and its decoded form
//! takes several times more. A file holding one large message (a Collector export, a
//! 200k-span batch) would cost memory proportional to the file. This walker reads the
//! protobuf wire format itself down the path `resource_spans(1) → scope_spans(2) →
//! spans(2)`, buffering only one `Resource` or one `Span` at a time and decoding each with
//! prost, so memory is bounded by the largest span.

use super::otlp_proto::{service_of, to_span};
use super::Sink;
use crate::span::Span;
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::Span as ProtoSpan;
use prost::Message as _;
use std::io::{BufRead, Read};
use std::sync::Arc;

/// A malformed message: what was wrong and at which byte offset of the message.
#[derive(Debug, PartialEq, Eq)]
pub struct WalkError {
    pub offset: u64,
    pub message: String,
}

impl std::fmt::Display for WalkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "at byte {}: {}", self.offset, self.message)
    }
}

const LEN: u64 = 2;

struct Wire<'r, R> {
    reader: &'r mut R,
    offset: u64,
    buf: Vec<u8>,
}

/// Reads one message of `len` bytes (to the end of the input when `None`) and sends its
/// spans to `sink`.
pub fn walk<R: BufRead, S: Sink>(reader: &mut R, len: Option<u64>, sink: &mut S) -> Result<(), WalkError> {
    let mut w = Wire { reader, offset: 0, buf: Vec::new() };
    let end = len.unwrap_or(u64::MAX);
    while w.offset < end {
        let (field, wire_type) = match (w.next_tag()?, len) {
            (Some(tag), _) => tag,
            (None, None) => break,
            (None, Some(_)) => return w.fail("input ends inside a message (truncated?)"),
        };
        if field == 1 && wire_type == LEN {
            let size = w.len_within(end)?;
            w.resource_spans(w.offset + size, sink)?;
        } else {
            w.skip(wire_type, end)?;
        }
    }
    Ok(())
}

impl<R: BufRead> Wire<'_, R> {
    fn fail<T>(&self, message: impl Into<String>) -> Result<T, WalkError> {
        Err(WalkError { offset: self.offset, message: message.into() })
    }

    fn byte(&mut self) -> Result<Option<u8>, WalkError> {
        let mut b = [0u8; 1];
        match self.reader.read(&mut b) {
            Ok(0) => Ok(None),
            Ok(_) => {
                self.offset += 1;
                Ok(Some(b[0]))
            }
            Err(e) => self.fail(format!("cannot read: {e}")),
        }
    }

    fn varint(&mut self) -> Result<Option<u64>, WalkError> {
        let mut value = 0u64;
        for shift in (0..70).step_by(7) {
            let Some(b) = self.byte()? else {
                return if shift == 0 { Ok(None) } else { self.fail("input ends inside a varint (truncated?)") };
            };
            if shift == 63 && b > 1 {
                return self.fail("varint longer than 64 bits");
            }
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(Some(value));
            }
        }
        self.fail("varint longer than 10 bytes")
    }

    /// The next field's number and wire type; `None` at the end of the input.
    fn next_tag(&mut self) -> Result<Option<(u64, u64)>, WalkError> {
        match self.varint()? {
            Some(tag) if tag >> 3 == 0 => self.fail("field number 0 (not OTLP/protobuf)"),
            Some(tag) => Ok(Some((tag >> 3, tag & 7))),
            None => Ok(None),
        }
    }

    /// The next field inside a message, which must not end here.
    fn field(&mut self) -> Result<(u64, u64), WalkError> {
        match self.next_tag()? {
            Some(tag) => Ok(tag),
            None => self.fail("input ends inside a message (truncated?)"),
        }
    }

    /// A length prefix that must fit before `end`.
    fn len_within(&mut self, end: u64) -> Result<u64, WalkError> {
        let Some(size) = self.varint()? else { return self.fail("input ends before a length (truncated?)") };
        if size > end.saturating_sub(self.offset) {
            return self.fail(format!("a field of {size} bytes overruns its enclosing message"));
        }
        Ok(size)
    }

    fn read_bytes(&mut self, size: u64) -> Result<(), WalkError> {
        self.buf.clear();
        let got = (&mut *self.reader).take(size).read_to_end(&mut self.buf);
        match got {
            Ok(n) if n as u64 == size => {
                self.offset += size;
                Ok(())
            }
            Ok(n) => {
                self.offset += n as u64;
                self.fail(format!("input ends inside a field of {size} bytes (truncated?)"))
            }
            Err(e) => self.fail(format!("cannot read: {e}")),
        }
    }

    fn skip(&mut self, wire_type: u64, end: u64) -> Result<(), WalkError> {
        let size = match wire_type {
            0 => return self.varint()?.map(|_| ()).map_or_else(|| self.fail("truncated varint"), Ok),
            1 => 8,
            LEN => self.len_within(end)?,
            5 => 4,
            other => return self.fail(format!("unsupported wire type {other} (not OTLP/protobuf)")),
        };
        let skipped = std::io::copy(&mut (&mut *self.reader).take(size), &mut std::io::sink());
        match skipped {
            Ok(n) if n == size => {
                self.offset += size;
                Ok(())
            }
            _ => self.fail("input ends inside a field (truncated?)"),
        }
    }

    fn resource_spans<S: Sink>(&mut self, end: u64, sink: &mut S) -> Result<(), WalkError> {
        let mut service: Option<Arc<str>> = None;
        let mut held: Vec<Span> = Vec::new();
        while self.offset < end {
            let (field, wire_type) = self.field()?;
            match (field, wire_type) {
                (1, LEN) => {
                    let size = self.len_within(end)?;
                    self.read_bytes(size)?;
                    let resource = Resource::decode(self.buf.as_slice()).or_else(|e| self.fail(e.to_string()))?;
                    service = Some(service_of(Some(&resource)));
                }
                (2, LEN) => {
                    let size = self.len_within(end)?;
                    self.scope_spans(self.offset + size, service.as_ref(), &mut held, sink)?;
                }
                _ => self.skip(wire_type, end)?,
            }
        }
        let service = service.unwrap_or_else(|| Arc::from("unknown"));
        for mut span in held {
            span.service = Arc::clone(&service);
            sink.span(span);
        }
        Ok(())
    }

    fn scope_spans<S: Sink>(
        &mut self,
        end: u64,
        service: Option<&Arc<str>>,
        held: &mut Vec<Span>,
        sink: &mut S,
    ) -> Result<(), WalkError> {
        let placeholder: Arc<str> = Arc::from("");
        while self.offset < end {
            let (field, wire_type) = self.field()?;
            if (field, wire_type) != (2, LEN) {
                self.skip(wire_type, end)?;
                continue;
            }
            let size = self.len_within(end)?;
            self.read_bytes(size)?;
            let proto = ProtoSpan::decode(self.buf.as_slice()).or_else(|e| self.fail(e.to_string()))?;
            match (to_span(proto, service.unwrap_or(&placeholder)), service) {
                (Some(span), Some(_)) => sink.span(span),
                (Some(span), None) => held.push(span),
                (None, _) => sink.invalid("span without a valid trace_id/span_id"),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
    use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue, KeyValue};
    use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans};

    fn resource(service: &str) -> Resource {
        let value = AnyValue { value: Some(any_value::Value::StringValue(service.into())) };
        Resource {
            attributes: vec![KeyValue { key: "service.name".into(), value: Some(value), ..Default::default() }],
            ..Default::default()
        }
    }

    fn span(n: u8) -> ProtoSpan {
        ProtoSpan { trace_id: vec![n; 16], span_id: vec![n; 8], name: format!("s{n}"), ..Default::default() }
    }

    fn message() -> Vec<u8> {
        let scope = |spans| ScopeSpans { spans, schema_url: "x".into(), ..Default::default() };
        ExportTraceServiceRequest {
            resource_spans: vec![
                ResourceSpans {
                    resource: Some(resource("a")),
                    scope_spans: vec![scope(vec![span(1), span(2)])],
                    schema_url: "https://opentelemetry.io/schemas/1.21.0".into(),
                },
                ResourceSpans {
                    resource: Some(resource("b")),
                    scope_spans: vec![scope(vec![span(3)])],
                    ..Default::default()
                },
            ],
        }
        .encode_to_vec()
    }

    fn run(bytes: &[u8], len: Option<u64>) -> Result<Vec<(String, String)>, WalkError> {
        let mut out: Vec<Span> = Vec::new();
        walk(&mut std::io::BufReader::new(bytes), len, &mut out)?;
        Ok(out.iter().map(|s| (s.service.to_string(), s.name.to_string())).collect())
    }

    #[test]
    fn walks_every_span_with_its_service() {
        let got = run(&message(), None).unwrap();
        let want = [("a", "s1"), ("a", "s2"), ("b", "s3")].map(|(a, b)| (a.to_string(), b.to_string()));
        assert_eq!(got, want);
        let bytes = message();
        assert_eq!(run(&bytes, Some(bytes.len() as u64)).unwrap().len(), 3);
    }

    #[test]
    fn a_resource_after_its_spans_still_names_them() {
        // scope_spans (field 2) written before resource (field 1) in one ResourceSpans.
        let scope = ScopeSpans { spans: vec![span(7)], ..Default::default() }.encode_to_vec();
        let res = resource("late").encode_to_vec();
        let mut rs = Vec::new();
        prost::encoding::encode_key(2, prost::encoding::WireType::LengthDelimited, &mut rs);
        prost::encoding::encode_varint(scope.len() as u64, &mut rs);
        rs.extend_from_slice(&scope);
        prost::encoding::encode_key(1, prost::encoding::WireType::LengthDelimited, &mut rs);
        prost::encoding::encode_varint(res.len() as u64, &mut rs);
        rs.extend_from_slice(&res);
        let mut msg = Vec::new();
        prost::encoding::encode_key(1, prost::encoding::WireType::LengthDelimited, &mut msg);
        prost::encoding::encode_varint(rs.len() as u64, &mut msg);
        msg.extend_from_slice(&rs);
        assert_eq!(run(&msg, None).unwrap(), vec![("late".to_string(), "s7".to_string())]);
    }

    #[test]
    fn truncated_and_overrunning_messages_are_located_errors() {
        let bytes = message();
        for cut in 1..bytes.len() {
            let e = run(&bytes[..cut], Some(bytes.len() as u64)).unwrap_err();
            assert!(e.offset <= cut as u64, "cut {cut}: {e}");
        }
        // A nested length larger than its parent's.
        let e = run(&[0x0a, 0x02, 0x12, 0x7f], None).unwrap_err();
        assert!(e.message.contains("overruns"), "{e}");
        assert!(run(&[0x00], None).unwrap_err().message.contains("field number 0"));
        assert!(run(&[0x0b], None).unwrap_err().message.contains("wire type 3"));
    }
}
