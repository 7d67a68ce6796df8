//! Streams one OTLP/JSON document span by span, whatever its shape.
//!
//! [`super::split`] cuts a document into the elements of one array, which is enough for
//! Jaeger and Zipkin. An OTLP/JSON document nests three arrays deep
//! (`resourceSpans[].scopeSpans[].spans[]`), and an SDK or Collector batch often puts
//! every span under ONE `resourceSpans` element: cutting at that level holds the whole
//! document in memory. This walker follows the nesting instead and hands out each span
//! object (and each `resource` object) as soon as it is complete, so memory is bounded by
//! the largest span, not by the document.
//!
//! It scans bytes only to find where objects start and end (quote and escape aware;
//! string contents are skipped with `memchr`); the pieces are then parsed from memory,
//! zero-copy, by the serde visitors of [`super::otlp_json`].

use super::split::SplitError;
use std::io::Read;

/// A piece of an OTLP/JSON document, in document order.
#[derive(Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    /// The `resource` object of the current `resourceSpans` element.
    Resource(&'a str),
    /// One span object.
    Span(&'a str),
    /// The current `resourceSpans` element ended.
    EndResource,
}

/// Where an open container sits in the OTLP nesting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Frame {
    Top,
    ResourceList,
    ResourceSpans,
    ScopeList,
    ScopeSpans,
    SpanList,
    /// Anything perfhound does not read (skipped, only its brackets are counted).
    Other,
}

impl Frame {
    fn is_object(self) -> bool {
        matches!(self, Frame::Top | Frame::ResourceSpans | Frame::ScopeSpans)
    }

    /// The frame a value opened with `open` gets inside `self` (after key `key` in an object).
    fn child(self, key: &[u8], open: u8) -> Child {
        let object = open == b'{';
        match (self, object) {
            (Frame::Top, false) if matches!(key, b"resourceSpans" | b"resource_spans") => {
                Child::Frame(Frame::ResourceList)
            }
            (Frame::ResourceList, true) => Child::Frame(Frame::ResourceSpans),
            (Frame::ResourceSpans, true) if key == b"resource" => Child::Capture(Kind::Resource),
            (Frame::ResourceSpans, false)
                if matches!(key, b"scopeSpans" | b"scope_spans" | b"instrumentationLibrarySpans") =>
            {
                Child::Frame(Frame::ScopeList)
            }
            (Frame::ScopeList, true) => Child::Frame(Frame::ScopeSpans),
            (Frame::ScopeSpans, false) if key == b"spans" => Child::Frame(Frame::SpanList),
            (Frame::SpanList, true) => Child::Capture(Kind::Span),
            _ => Child::Frame(Frame::Other),
        }
    }

    /// Lists whose elements must be objects.
    fn wants_objects(self) -> bool {
        matches!(self, Frame::ResourceList | Frame::ScopeList | Frame::SpanList)
    }
}

enum Child {
    Frame(Frame),
    Capture(Kind),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Resource,
    Span,
}

/// An object being collected: where it starts in the buffer, its line, its nesting depth.
struct Capture {
    kind: Kind,
    start: usize,
    line: u64,
    depth: u32,
}

/// The walker's state between buffer refills.
struct Walker {
    stack: Vec<Frame>,
    /// In an object frame: the next string is a key.
    expect_key: bool,
    key: Vec<u8>,
    in_string: bool,
    string_is_key: bool,
    escape: bool,
    capture: Option<Capture>,
    line: u64,
    found: bool,
}

/// Calls `f(piece, line)` for each resource, span and end of a `resourceSpans` element.
pub fn for_each_piece<R: Read, E>(
    mut reader: R,
    max_piece: usize,
    mut f: impl FnMut(Piece<'_>, u64) -> Result<(), E>,
) -> Result<(), SplitError<E>> {
    let mut w = Walker {
        stack: Vec::with_capacity(16),
        expect_key: false,
        key: Vec::with_capacity(64),
        in_string: false,
        string_is_key: false,
        escape: false,
        capture: None,
        line: 1,
        found: false,
    };
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 20);
    let mut chunk = vec![0u8; 1 << 20];
    let mut pos = 0usize;
    loop {
        // Keep only the open capture before reading more.
        let keep_from = w.capture.as_ref().map_or(pos, |c| c.start);
        buf.drain(..keep_from);
        pos -= keep_from;
        if let Some(c) = w.capture.as_mut() {
            c.start = 0;
            if buf.len() > max_piece {
                return Err(SplitError::TooLarge { line: c.line, limit: max_piece });
            }
        }
        let n = reader.read(&mut chunk).map_err(SplitError::Io)?;
        if n == 0 {
            return w.finish();
        }
        buf.extend_from_slice(&chunk[..n]);
        pos = w.scan(&buf, pos, max_piece, &mut f)?;
    }
}

/// The bytes that change the walker's state inside a captured piece.
const CAPTURE_STOPS: [bool; 256] = {
    let mut stops = [false; 256];
    let mut i = 0;
    let bytes = *b"\"{}[]\n";
    while i < bytes.len() {
        stops[bytes[i] as usize] = true;
        i += 1;
    }
    stops
};

impl Walker {
    fn finish<E>(&self) -> Result<(), SplitError<E>> {
        if let Some(c) = &self.capture {
            return Err(SplitError::Truncated { line: c.line });
        }
        if !self.found {
            return Err(SplitError::NotFound);
        }
        if !self.stack.is_empty() || self.in_string {
            return Err(SplitError::Truncated { line: self.line });
        }
        Ok(())
    }

    /// Scans `buf[pos..]`; returns how far it got (always the end of `buf`).
    fn scan<E>(
        &mut self,
        buf: &[u8],
        mut pos: usize,
        max_piece: usize,
        f: &mut impl FnMut(Piece<'_>, u64) -> Result<(), E>,
    ) -> Result<usize, SplitError<E>> {
        while pos < buf.len() {
            if self.in_string {
                pos = self.skip_string(buf, pos);
                continue;
            }
            if self.capture.is_some() {
                // Inside a captured piece only strings, brackets and newlines matter (the
                // decoder checks the rest): skip the other bytes in a tight loop.
                while pos < buf.len() && !CAPTURE_STOPS[usize::from(buf[pos])] {
                    pos += 1;
                }
                if pos == buf.len() {
                    break;
                }
            }
            let b = buf[pos];
            match b {
                b'\n' => self.line += 1,
                b' ' | b'\t' | b'\r' => {}
                b'"' => {
                    self.check_scalar(b)?;
                    self.in_string = true;
                    self.string_is_key = self.capture.is_none() && self.expect_key;
                    self.key.clear();
                }
                b'{' | b'[' => self.open(b, pos)?,
                b'}' | b']' => self.close(buf, pos, max_piece, f)?,
                b':' => self.expect_key = false,
                b',' => self.expect_key = self.capture.is_none() && self.top().is_some_and(Frame::is_object),
                _ => self.check_scalar(b)?,
            }
            pos += 1;
        }
        Ok(pos)
    }

    /// Skips string content from `pos`; returns the position after what was consumed.
    fn skip_string(&mut self, buf: &[u8], pos: usize) -> usize {
        if self.escape {
            self.escape = false;
            if self.string_is_key {
                self.key.push(buf[pos]);
            }
            return pos + 1;
        }
        let rest = &buf[pos..];
        let Some(i) = memchr::memchr2(b'"', b'\\', rest) else {
            if self.string_is_key {
                self.key.extend_from_slice(rest);
            }
            return buf.len();
        };
        if self.string_is_key {
            self.key.extend_from_slice(&rest[..i]);
        }
        if rest[i] == b'\\' {
            self.escape = true;
            if self.string_is_key {
                self.key.push(b'\\');
            }
        } else {
            self.in_string = false;
        }
        pos + i + 1
    }

    fn top(&self) -> Option<Frame> {
        self.stack.last().copied()
    }

    fn open<E>(&mut self, b: u8, pos: usize) -> Result<(), SplitError<E>> {
        if let Some(c) = self.capture.as_mut() {
            c.depth += 1;
            return Ok(());
        }
        let Some(parent) = self.top() else {
            // A top-level document (several may follow one another).
            if b != b'{' {
                return Err(SplitError::NotFound);
            }
            self.stack.push(Frame::Top);
            self.expect_key = true;
            return Ok(());
        };
        if parent.wants_objects() && b != b'{' {
            return Err(SplitError::NotAnObject { line: self.line });
        }
        let key = if parent.is_object() { self.key.as_slice() } else { b"" };
        match parent.child(key, b) {
            Child::Frame(frame) => {
                self.found |= frame == Frame::ResourceList;
                self.stack.push(frame);
                self.expect_key = frame.is_object();
            }
            Child::Capture(kind) => self.capture = Some(Capture { kind, start: pos, line: self.line, depth: 1 }),
        }
        Ok(())
    }

    fn close<E>(
        &mut self,
        buf: &[u8],
        pos: usize,
        max_piece: usize,
        f: &mut impl FnMut(Piece<'_>, u64) -> Result<(), E>,
    ) -> Result<(), SplitError<E>> {
        if let Some(c) = self.capture.as_mut() {
            c.depth -= 1;
            if c.depth > 0 {
                return Ok(());
            }
            let (kind, start, line) = (c.kind, c.start, c.line);
            self.capture = None;
            if pos + 1 - start > max_piece {
                return Err(SplitError::TooLarge { line, limit: max_piece });
            }
            let text = std::str::from_utf8(&buf[start..=pos]).map_err(|_| SplitError::Utf8 { line })?;
            let piece = if kind == Kind::Resource { Piece::Resource(text) } else { Piece::Span(text) };
            return f(piece, line).map_err(|error| SplitError::Element { line, error });
        }
        match self.stack.pop() {
            Some(Frame::ResourceSpans) => {
                f(Piece::EndResource, self.line).map_err(|error| SplitError::Element { line: self.line, error })?
            }
            Some(_) => {}
            None => return Err(SplitError::NotFound),
        }
        self.expect_key = false;
        Ok(())
    }

    /// A scalar (number, true/false/null) where only objects may stand is an error.
    fn check_scalar<E>(&self, _b: u8) -> Result<(), SplitError<E>> {
        match self.top() {
            Some(frame) if self.capture.is_none() && frame.wants_objects() => {
                Err(SplitError::NotAnObject { line: self.line })
            }
            None if self.capture.is_none() => Err(SplitError::NotFound),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(text: &str) -> Result<Vec<String>, SplitError<()>> {
        let mut out = Vec::new();
        for_each_piece(text.as_bytes(), 1 << 20, |p, line| {
            out.push(match p {
                Piece::Resource(t) => format!("R{line}:{t}"),
                Piece::Span(t) => format!("S{line}:{t}"),
                Piece::EndResource => "E".to_string(),
            });
            Ok::<(), ()>(())
        })?;
        Ok(out)
    }

    #[test]
    fn walks_the_otlp_nesting() {
        let doc = r#"{"resourceSpans":[{"resource":{"attributes":[{"key":"a\"]}","value":{}}]},
            "scopeSpans":[{"scope":{"name":"x"},"spans":[{"name":"s1","e":[{}]},{"name":"}"}]}]},
            {"scope_spans":[{"spans":[{"n":1}]}],"resource":{}}], "other": [1]}"#;
        let got = pieces(doc).unwrap();
        assert_eq!(
            got,
            vec![
                r#"R1:{"attributes":[{"key":"a\"]}","value":{}}]}"#.to_string(),
                r#"S2:{"name":"s1","e":[{}]}"#.to_string(),
                r#"S2:{"name":"}"}"#.to_string(),
                "E".to_string(),
                r#"S3:{"n":1}"#.to_string(),
                "R3:{}".to_string(),
                "E".to_string(),
            ]
        );
    }

    #[test]
    fn ignores_lookalike_keys_in_values_and_other_objects() {
        let doc = r#"{"x":{"resourceSpans":[{"scopeSpans":[{"spans":[{"no":1}]}]}]},"resourceSpans":[]}"#;
        assert_eq!(pieces(doc).unwrap(), Vec::<String>::new());
        let doc = r#"{"k":"resourceSpans","resourceSpans":[{"scopeSpans":[{"spans":[{"y":"spans"}]}]}]}"#;
        assert_eq!(pieces(doc).unwrap(), vec![r#"S1:{"y":"spans"}"#.to_string(), "E".to_string()]);
    }

    #[test]
    fn errors_are_located() {
        assert!(matches!(pieces(r#"{"other": []}"#), Err(SplitError::NotFound)));
        assert!(matches!(pieces("[]"), Err(SplitError::NotFound)));
        assert!(matches!(
            pieces("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[\n{\"a\":"),
            Err(SplitError::Truncated { line: 2 })
        ));
        assert!(matches!(pieces(r#"{"resourceSpans":[1]}"#), Err(SplitError::NotAnObject { line: 1 })));
        assert!(matches!(pieces(r#"{"resourceSpans":[{"scopeSpans":["x"]}]}"#), Err(SplitError::NotAnObject { .. })));
        let big = format!(r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{{"a":"{}"}}]}}]}}]}}"#, "x".repeat(100));
        let r = for_each_piece(big.as_bytes(), 50, |_, _| Ok::<(), ()>(()));
        assert!(matches!(r, Err(SplitError::TooLarge { .. })));
    }

    #[test]
    fn pieces_survive_any_chunking() {
        let doc = r#"{"resourceSpans":[{"resource":{"k":"v\\"},"scopeSpans":[{"spans":[{"a":"b\"c"},{"d":[1,2]}]}]}]}"#;
        let whole = pieces(doc).unwrap();
        for size in 1..doc.len() {
            let reader = OneByOne { data: doc.as_bytes(), size };
            let mut out = Vec::new();
            for_each_piece(reader, 1 << 20, |p, line| {
                out.push(match p {
                    Piece::Resource(t) => format!("R{line}:{t}"),
                    Piece::Span(t) => format!("S{line}:{t}"),
                    Piece::EndResource => "E".to_string(),
                });
                Ok::<(), ()>(())
            })
            .unwrap();
            assert_eq!(out, whole, "chunk size {size}");
        }
    }

    /// A reader that returns at most `size` bytes per read.
    struct OneByOne<'a> {
        data: &'a [u8],
        size: usize,
    }

    impl Read for OneByOne<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = self.size.min(out.len()).min(self.data.len());
            out[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }
}
