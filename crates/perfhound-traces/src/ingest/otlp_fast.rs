//! The fast path of the OTLP/JSON decoder: a hand-written scanner for the shape every
//! exporter writes, building spans with the same [`SpanBuilder`] as the serde visitors of
//! [`super::otlp_json`] (which cost ~30 % of a trace run in serde's generic machinery).
//!
//! It is at least as strict as serde_json (whitespace, string escapes and control
//! characters, number grammar, literals, trailing characters) and gives up ([`Bail`]) on
//! anything it is not sure of: an escaped string is unescaped by serde_json itself, an
//! unusual number is parsed by serde_json, deep nesting or any JSON error bails. Spans go
//! to the sink in the serde decoder's order, so after a bail the serde decoder re-reads
//! the document and skips the spans already delivered (see `otlp_json::decode_str`):
//! results, errors and their positions are the serde decoder's, always.

use super::json_de::Scalar;
use super::otlp_attrs::{is_scalar_value, scalar_value};
use super::otlp_json::{status_code_is_error, SpanBuilder};
use super::Sink;
use crate::semconv::AttrValue;
use crate::span::{unnamed, Span};
use std::borrow::Cow;
use std::sync::Arc;

/// The fast path cannot decide: the serde decoder takes over.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Bail;

type Res<T> = Result<T, Bail>;

/// Nesting deeper than this bails (serde_json's own limit is 128).
const MAX_DEPTH: u32 = 100;

/// Decodes one OTLP/JSON document, sending spans to `sink` as the serde decoder would.
pub(crate) fn document<S: Sink>(text: &str, sink: &mut S) -> Res<()> {
    let mut c = Cur { s: text, b: text.as_bytes(), i: 0, depth: 0 };
    c.object(|c, key| match key.as_ref() {
        "resourceSpans" | "resource_spans" => c.array_or_null(|c| resource_spans(c, sink)),
        _ => c.skip(),
    })?;
    c.ws();
    if c.i == c.b.len() {
        Ok(())
    } else {
        Err(Bail)
    }
}

/// Decodes one span object of service `service` (a piece of a large document).
pub(crate) fn span_piece(text: &str, service: Arc<str>) -> Res<Result<Span, &'static str>> {
    let mut c = Cur { s: text, b: text.as_bytes(), i: 0, depth: 0 };
    let span = span(&mut c, service)?;
    c.ws();
    if c.i == c.b.len() {
        Ok(span)
    } else {
        Err(Bail)
    }
}

/// `service.name` of a `resource` object (a piece of a large document).
pub(crate) fn resource_piece(text: &str) -> Res<Arc<str>> {
    let mut c = Cur { s: text, b: text.as_bytes(), i: 0, depth: 0 };
    let service = resource(&mut c)?;
    c.ws();
    if c.i == c.b.len() {
        Ok(service)
    } else {
        Err(Bail)
    }
}

/// One `resourceSpans` element: spans are sent on once the service is known, held until
/// the end of the element otherwise (as `otlp_json::Pending` does).
fn resource_spans<S: Sink>(c: &mut Cur<'_>, sink: &mut S) -> Res<()> {
    let mut service: Option<Arc<str>> = None;
    let mut held: Vec<Span> = Vec::new();
    c.object(|c, key| match key.as_ref() {
        "resource" => {
            service = Some(resource(c)?);
            Ok(())
        }
        "scopeSpans" | "scope_spans" | "instrumentationLibrarySpans" => c.array_or_null(|c| {
            c.object(|c, key| {
                if key != "spans" {
                    return c.skip();
                }
                c.array_or_null(|c| {
                    match span(c, service.clone().unwrap_or_else(unnamed))? {
                        Ok(mut s) => match &service {
                            Some(svc) => {
                                s.service = Arc::clone(svc);
                                sink.span(s);
                            }
                            None => held.push(s),
                        },
                        Err(reason) => sink.invalid(reason),
                    }
                    Ok(())
                })
            })
        }),
        _ => c.skip(),
    })?;
    let service = service.unwrap_or_else(|| Arc::from("unknown"));
    for mut s in held {
        s.service = Arc::clone(&service);
        sink.span(s);
    }
    Ok(())
}

/// A `resource` object → its `service.name` (`unknown` without one).
fn resource(c: &mut Cur<'_>) -> Res<Arc<str>> {
    let mut service: Option<Arc<str>> = None;
    c.object(|c, key| {
        if key != "attributes" {
            return c.skip();
        }
        attributes(c, &mut |k, v| {
            if k == "service.name" {
                if let AttrValue::Str(s) = v {
                    service = Some(Arc::from(s.as_ref()));
                }
            }
        })
    })?;
    Ok(service.unwrap_or_else(|| Arc::from("unknown")))
}

/// One span object: the span, or why it is invalid.
fn span(c: &mut Cur<'_>, service: Arc<str>) -> Res<Result<Span, &'static str>> {
    let mut b = SpanBuilder::new(service);
    c.object(|c, key| {
        match key.as_ref() {
            "traceId" | "trace_id" => b.trace_id(&c.string()?),
            "spanId" | "span_id" => b.span_id(&c.string()?),
            "parentSpanId" | "parent_span_id" => b.parent_id(&c.string()?),
            "name" => b.span.name = Box::from(c.string()?.as_ref()),
            "kind" => b.kind(c.scalar()?),
            "startTimeUnixNano" | "start_time_unix_nano" => b.span.start_ns = c.scalar()?.as_u64().unwrap_or(0),
            "endTimeUnixNano" | "end_time_unix_nano" => b.span.end_ns = c.scalar()?.as_u64().unwrap_or(0),
            "attributes" => attributes(c, &mut |k, v| b.attr(k, &v))?,
            "status" => b.span.error = status(c)?,
            _ => c.skip()?,
        }
        Ok(())
    })?;
    Ok(b.finish())
}

/// `status`: an object (or null) whose `code` says ERROR.
fn status(c: &mut Cur<'_>) -> Res<bool> {
    if c.null()? {
        return Ok(false);
    }
    let mut error = false;
    c.object(|c, key| {
        if key == "code" {
            error = status_code_is_error(c.scalar()?);
            Ok(())
        } else {
            c.skip()
        }
    })?;
    Ok(error)
}

/// An attribute list (or null): `on(key, value)` for each attribute with both.
fn attributes<'a>(c: &mut Cur<'a>, on: &mut impl FnMut(&str, AttrValue<'a>)) -> Res<()> {
    c.array_or_null(|c| {
        let mut key: Option<Cow<'a, str>> = None;
        let mut value: Option<AttrValue<'a>> = None;
        c.object(|c, k| {
            match k.as_ref() {
                "key" => key = Some(c.string()?),
                "value" => value = Some(any_value(c)?),
                _ => c.skip()?,
            }
            Ok(())
        })?;
        if let (Some(k), Some(v)) = (key, value) {
            on(&k, v);
        }
        Ok(())
    })
}

/// An `AnyValue` object (or null); the last field wins, unknown fields make it `Other`.
fn any_value<'a>(c: &mut Cur<'a>) -> Res<AttrValue<'a>> {
    if c.null()? {
        return Ok(AttrValue::Other);
    }
    let mut out = AttrValue::Other;
    c.object(|c, key| {
        out = match key.as_ref() {
            "arrayValue" | "array_value" => array_value(c)?,
            k if is_scalar_value(k) => scalar_value(k, c.scalar()?),
            _ => {
                c.skip()?;
                AttrValue::Other
            }
        };
        Ok(())
    })?;
    Ok(out)
}

/// `{ "values": [AnyValue…] }` (at most 64 kept, as the serde decoder does).
fn array_value<'a>(c: &mut Cur<'a>) -> Res<AttrValue<'a>> {
    let mut values = Vec::new();
    c.object(|c, key| {
        if key != "values" {
            return c.skip();
        }
        c.array(|c| {
            let v = any_value(c)?;
            if values.len() < 64 {
                values.push(v);
            }
            Ok(())
        })
    })?;
    Ok(AttrValue::Array(values))
}

/// A cursor over the document.
struct Cur<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
    depth: u32,
}

impl<'a> Cur<'a> {
    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.b.get(self.i) {
            self.i += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.b.get(self.i).copied()
    }

    fn eat(&mut self, byte: u8) -> Res<()> {
        if self.peek() == Some(byte) {
            self.i += 1;
            Ok(())
        } else {
            Err(Bail)
        }
    }

    /// `null` (consumed) → true; anything else is left for the caller.
    fn null(&mut self) -> Res<bool> {
        if self.peek() == Some(b'n') {
            self.literal(b"null")?;
            return Ok(true);
        }
        Ok(false)
    }

    fn literal(&mut self, word: &[u8]) -> Res<()> {
        if self.b[self.i..].starts_with(word) {
            self.i += word.len();
            Ok(())
        } else {
            Err(Bail)
        }
    }

    fn enter(&mut self) -> Res<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Bail);
        }
        Ok(())
    }

    /// An object: `field(cursor, key)` reads each value.
    fn object(&mut self, mut field: impl FnMut(&mut Self, Cow<'a, str>) -> Res<()>) -> Res<()> {
        self.eat(b'{')?;
        self.enter()?;
        if self.peek() == Some(b'}') {
            self.i += 1;
            self.depth -= 1;
            return Ok(());
        }
        loop {
            let key = self.string()?;
            self.eat(b':')?;
            field(self, key)?;
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    self.depth -= 1;
                    return Ok(());
                }
                _ => return Err(Bail),
            }
        }
    }

    /// An array: `element(cursor)` reads each element.
    fn array(&mut self, mut element: impl FnMut(&mut Self) -> Res<()>) -> Res<()> {
        self.eat(b'[')?;
        self.enter()?;
        if self.peek() == Some(b']') {
            self.i += 1;
            self.depth -= 1;
            return Ok(());
        }
        loop {
            element(self)?;
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    self.depth -= 1;
                    return Ok(());
                }
                _ => return Err(Bail),
            }
        }
    }

    fn array_or_null(&mut self, element: impl FnMut(&mut Self) -> Res<()>) -> Res<()> {
        if self.null()? {
            return Ok(());
        }
        self.array(element)
    }

    /// A string, borrowed when it has no escapes (escaped ones are unescaped by serde_json).
    fn string(&mut self) -> Res<Cow<'a, str>> {
        self.eat(b'"')?;
        let start = self.i;
        let rest = &self.b[start..];
        let end = memchr::memchr2(b'"', b'\\', rest).ok_or(Bail)?;
        if rest[end] == b'\\' {
            return self.escaped(start);
        }
        if rest[..end].iter().fold(false, |bad, &b| bad | (b < 0x20)) {
            return Err(Bail); // a raw control character: serde_json rejects it
        }
        self.i = start + end + 1;
        Ok(Cow::Borrowed(&self.s[start..start + end]))
    }

    /// The rest of a string with escapes, from `start` (after its quote).
    fn escaped(&mut self, start: usize) -> Res<Cow<'a, str>> {
        let mut j = start;
        loop {
            j += memchr::memchr2(b'"', b'\\', &self.b[j..]).ok_or(Bail)?;
            if self.b[j] == b'"' {
                break;
            }
            j += 2; // the backslash and the escaped byte
            if j >= self.b.len() {
                return Err(Bail);
            }
        }
        self.i = j + 1;
        serde_json::from_str::<String>(&self.s[start - 1..=j]).map(Cow::Owned).map_err(|_| Bail)
    }

    /// Any JSON scalar, as serde_json hands it to [`Scalar`] (arrays and objects → `Null`).
    fn scalar(&mut self) -> Res<Scalar<'a>> {
        match self.peek() {
            Some(b'"') => Ok(Scalar::Str(self.string()?)),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') => self.literal(b"true").map(|()| Scalar::Bool(true)),
            Some(b'f') => self.literal(b"false").map(|()| Scalar::Bool(false)),
            Some(b'n') => self.literal(b"null").map(|()| Scalar::Null),
            Some(b'[' | b'{') => self.skip().map(|()| Scalar::Null),
            _ => Err(Bail),
        }
    }

    /// A number: short plain integers here, everything else through serde_json.
    fn number(&mut self) -> Res<Scalar<'a>> {
        let token = self.number_token()?;
        if token.len() <= 18 && token.bytes().all(|b| b.is_ascii_digit()) {
            let n = token.bytes().fold(0i64, |n, b| n * 10 + i64::from(b - b'0'));
            return Ok(Scalar::Int(n));
        }
        serde_json::from_str::<Scalar>(token).map_err(|_| Bail)
    }

    /// The bytes of a number, checked against JSON's grammar.
    fn number_token(&mut self) -> Res<&'a str> {
        let start = self.i;
        let rest = &self.b[start..];
        let len = rest.iter().position(|b| !matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'));
        let len = len.unwrap_or(rest.len());
        let token = &rest[..len];
        if !valid_number(token) {
            return Err(Bail);
        }
        self.i += len;
        Ok(&self.s[start..start + len])
    }

    /// Skips any value, validating it as serde_json would.
    fn skip(&mut self) -> Res<()> {
        match self.peek() {
            Some(b'{') => self.object(|c, _| c.skip()),
            Some(b'[') => self.array(Self::skip),
            Some(b'"') => self.string().map(drop),
            Some(b'-' | b'0'..=b'9') => self.number_token().map(drop),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            _ => Err(Bail),
        }
    }
}

/// JSON's number grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
fn valid_number(t: &[u8]) -> bool {
    let digits = |t: &[u8], i: usize| i + t[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    let mut i = usize::from(t.first() == Some(&b'-'));
    match t.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => i = digits(t, i),
        _ => return false,
    }
    if t.get(i) == Some(&b'.') {
        let j = digits(t, i + 1);
        if j == i + 1 {
            return false;
        }
        i = j;
    }
    if matches!(t.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(t.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let j = digits(t, i);
        if j == i {
            return false;
        }
        i = j;
    }
    i == t.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::otlp_json::{decode_str, decode_str_serde};

    /// Spans and invalid reports, in order.
    #[derive(Debug, Default, PartialEq)]
    struct Record(Vec<Result<Span, &'static str>>);

    impl Sink for Record {
        fn span(&mut self, span: Span) {
            self.0.push(Ok(span));
        }
        fn invalid(&mut self, reason: &'static str) {
            self.0.push(Err(reason));
        }
    }

    const SPAN: &str = r#"{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","parentSpanId":"","name":"q","kind":3,"startTimeUnixNano":"1000","endTimeUnixNano":2000,"attributes":[{"key":"db.system","value":{"stringValue":"postgresql"}},{"key":"db.statement","value":{"stringValue":"SELECT \"a\" FROM t WHERE id = 1"}},{"key":"n","value":{"intValue":"7"}},{"key":"d","value":{"doubleValue":1.5e3}},{"key":"arr","value":{"arrayValue":{"values":[{"stringValue":"x"},null]}}}],"status":{"code":"STATUS_CODE_ERROR"}}"#;

    /// The fast path and the serde decoder agree; returns whether the fast path decided.
    fn agree(doc: &str) -> bool {
        let (mut fast, mut serde) = (Record::default(), Record::default());
        let a = decode_str(doc, &mut fast).map_err(|e| e.to_string());
        let b = decode_str_serde(doc, &mut serde).map_err(|e| e.to_string());
        assert_eq!(a, b, "{doc}");
        assert_eq!(fast, serde, "{doc}");
        document(doc, &mut Record::default()).is_ok()
    }

    #[test]
    fn fast_path_matches_serde() {
        let resource = r#"{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]}"#;
        let docs = [
            format!(r#"{{"resourceSpans":[{{"resource":{resource},"scopeSpans":[{{"scope":{{"name":"x"}},"spans":[{SPAN},{SPAN}]}}]}}]}}"#),
            // resource after the spans: held until the element ends
            format!(r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{SPAN}]}}],"resource":{resource}}}]}}"#),
            // snake_case, nulls, an invalid span, whitespace
            format!(" {{ \"resource_spans\" : [ {{ \"scope_spans\": [ {{ \"spans\": [ {SPAN}, {{\"traceId\":\"zz\"}} ] }} ], \"resource\": {{\"attributes\": null}} }} ], \"x\": [1, -2.5e-3, true, false, null, {{}}, []] }}\n"),
            r#"{"resourceSpans":null}"#.to_string(),
        ];
        for doc in &docs {
            assert!(agree(doc), "the fast path decides: {doc}");
        }
    }

    #[test]
    fn fast_path_bails_to_serde_with_the_same_result() {
        let deep = format!(r#"{{"resourceSpans":[], "x": {}{}}}"#, "[".repeat(120), "]".repeat(120));
        let ok = format!(r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{SPAN}]}}]}}]"#);
        for doc in [
            deep,
            format!("{ok}, \"bad\": 01}}"), // a span delivered, then a JSON error
            format!("{ok}}} trailing"),
            format!("{ok}, \"k\": \"\u{1}\"}}"),   // raw control character
            format!("{ok}, \"k\": \"\\ud800\"}}"), // lone surrogate in a skipped string
            r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"kind":1e400}]}]}]}"#.to_string(),
            r#"{"resourceSpans":[{"resource":null}]}"#.to_string(),
            r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":null}]}]}]}"#.to_string(),
            "[]".to_string(),
            String::new(),
        ] {
            assert!(!agree(&doc), "should bail: {doc}");
        }
    }

    #[test]
    fn number_grammar() {
        for ok in ["0", "-0", "12", "1.5", "-1.5e10", "1E+2", "2e-3"] {
            assert!(valid_number(ok.as_bytes()), "{ok}");
        }
        for bad in ["", "-", "01", "1.", ".5", "1e", "1e+", "+1", "1-2", "--1", "1.2.3"] {
            assert!(!valid_number(bad.as_bytes()), "{bad}");
        }
    }
}
