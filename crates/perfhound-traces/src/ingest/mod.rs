//! Reading spans from files, stdin and request bodies, whatever the format.
//!
//! [`read`] sniffs the first 64 KB ([`detect`]) and streams the rest to a [`Sink`] one span
//! at a time: OTLP/JSON documents and the OpenTelemetry Collector file exporter's
//! one-document-per-line output, OTLP/protobuf (one message, or the file exporter's
//! length-prefixed messages), Jaeger JSON (`{"data": [trace…]}`) and Zipkin v2 JSON
//! (`[span…]`), each optionally gzip-compressed. Malformed input never aborts the run:
//! each bad line or document becomes an [`InputError`] with its place, and reading goes on
//! where it can.

pub mod ids;
pub mod jaeger;
mod json_de;
mod otlp_attrs;
pub mod otlp_json;
pub mod otlp_proto;
pub mod otlp_split;
pub mod proto_walk;
pub mod split;
pub mod zipkin;

use crate::span::Span;
use std::fmt;
use std::io::{BufRead, BufReader, Read};

/// Receives decoded spans.
pub trait Sink {
    fn span(&mut self, span: Span);
    /// A span was skipped (no valid ids); `reason` says why.
    fn invalid(&mut self, _reason: &'static str) {}
}

impl Sink for Vec<Span> {
    fn span(&mut self, span: Span) {
        self.push(span);
    }
}

/// Input formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// One OTLP/JSON document (may span many lines).
    OtlpJson,
    /// One OTLP/JSON document per line (Collector file exporter, `.jsonl`).
    OtlpJsonLines,
    /// One OTLP/protobuf `ExportTraceServiceRequest` / `TracesData`.
    OtlpProto,
    /// Length-prefixed (4-byte big-endian) OTLP/protobuf messages (Collector file exporter).
    OtlpProtoStream,
    Jaeger,
    Zipkin,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::OtlpJson => "otlp-json",
            Format::OtlpJsonLines => "otlp-jsonl",
            Format::OtlpProto => "otlp-proto",
            Format::OtlpProtoStream => "otlp-proto-stream",
            Format::Jaeger => "jaeger",
            Format::Zipkin => "zipkin",
        }
    }

    pub fn parse(name: &str) -> Option<Format> {
        Some(match name {
            "otlp-json" | "otlp" | "json" => Format::OtlpJson,
            "otlp-jsonl" | "jsonl" | "ndjson" => Format::OtlpJsonLines,
            "otlp-proto" | "proto" | "protobuf" => Format::OtlpProto,
            "otlp-proto-stream" => Format::OtlpProtoStream,
            "jaeger" => Format::Jaeger,
            "zipkin" => Format::Zipkin,
            _ => return None,
        })
    }
}

/// A problem in the input, with where it was.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    pub source: String,
    /// 1-based line (of the file for line formats, of the document for JSON documents).
    pub line: Option<u64>,
    pub column: Option<u64>,
    pub message: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.source)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for InputError {}

/// What reading one input produced.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadReport {
    pub format: Option<Format>,
    pub bytes: u64,
    /// Documents (lines, messages) that could not be decoded; the first few are in `errors`.
    pub failed_documents: u64,
    pub errors: Vec<InputError>,
}

/// Errors kept per input; the rest are only counted.
pub const MAX_ERRORS_KEPT: usize = 20;

/// Largest single protobuf message or JSON line read into memory (1 GiB).
pub const MAX_MESSAGE_BYTES: u64 = 1 << 30;

impl ReadReport {
    fn fail(&mut self, e: InputError) {
        self.failed_documents += 1;
        if self.errors.len() < MAX_ERRORS_KEPT {
            self.errors.push(e);
        }
    }
}

/// Guesses the format from the first bytes of the (decompressed) input.
pub fn detect(head: &[u8]) -> Format {
    let first = head.iter().position(|b| !b.is_ascii_whitespace()).map(|i| (i, head[i]));
    match first {
        Some((_, b'[')) => Format::Zipkin,
        Some((i, b'{')) => detect_json(&head[i..]),
        _ if head.first() == Some(&0x0a) => Format::OtlpProto,
        _ if head.len() > 4 && head[4] == 0x0a => Format::OtlpProtoStream,
        _ => Format::OtlpProto,
    }
}

fn detect_json(text: &[u8]) -> Format {
    let has = |needle: &[u8]| memchr::memmem::find(text, needle).is_some();
    if !has(b"resourceSpans") && !has(b"resource_spans") && has(b"\"data\"") {
        return Format::Jaeger;
    }
    match memchr::memchr(b'\n', text) {
        Some(nl) if serde_json::from_slice::<serde::de::IgnoredAny>(&text[..nl]).is_ok() => Format::OtlpJsonLines,
        Some(_) => Format::OtlpJson,
        // One long line: a line per document (Collector output) or a compact document.
        None => Format::OtlpJsonLines,
    }
}

/// Reads all spans of `input` (named `source` in errors) into `sink`.
pub fn read<R: Read, S: Sink>(source: &str, input: R, format: Option<Format>, sink: &mut S) -> ReadReport {
    read_dyn(source, Box::new(input), format, sink, true)
}

fn read_dyn<S: Sink>(
    source: &str,
    input: Box<dyn Read + '_>,
    format: Option<Format>,
    sink: &mut S,
    gunzip: bool,
) -> ReadReport {
    let mut report = ReadReport::default();
    let mut input = CountingReader { inner: input, count: 0 };
    let mut head = Vec::with_capacity(64 * 1024);
    if let Err(e) = (&mut input).take(64 * 1024).read_to_end(&mut head) {
        report.fail(err(source, None, format!("cannot read: {e}")));
        return report;
    }
    if gunzip && head.starts_with(&[0x1f, 0x8b]) {
        let decoder = flate2::read::MultiGzDecoder::new(std::io::Cursor::new(head).chain(input));
        return read_dyn(source, Box::new(decoder), format, sink, false);
    }
    let format = format.unwrap_or_else(|| detect(&head));
    report.format = Some(format);
    let mut rest = std::io::Cursor::new(head).chain(&mut input);
    if format == Format::OtlpJsonLines {
        // Reads straight into the line buffer: a BufReader would copy every byte once more.
        read_lines(source, &mut rest, sink, &mut report, LineLimits::DEFAULT);
        report.bytes = input.count;
        return report;
    }
    let mut reader = BufReader::with_capacity(1 << 20, rest);
    match format {
        Format::OtlpJsonLines => {} // read above
        Format::OtlpJson => read_otlp_document(source, &mut reader, sink, &mut report),
        Format::Jaeger => {
            read_split(source, &mut reader, Some("data"), &mut report, |el| jaeger::decode_trace(el, sink))
        }
        Format::Zipkin => read_split(source, &mut reader, None, &mut report, |el| zipkin::decode_span(el, sink)),
        Format::OtlpProto => {
            if let Err(e) = proto_walk::walk(&mut reader, None, sink) {
                report.fail(err(source, None, format!("not OTLP/protobuf: {e}")));
            }
        }
        Format::OtlpProtoStream => read_proto_stream(source, &mut reader, sink, &mut report),
    }
    report.bytes = input.count;
    report
}

/// Buffer sizes of the JSON-lines reader.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineLimits {
    /// First size of the read buffer (it doubles for a longer line).
    pub buffer: usize,
    /// Longest line decoded; longer ones are reported and skipped.
    pub max_line: usize,
}

impl LineLimits {
    /// What [`read`] uses: a 1 MiB buffer, lines up to [`MAX_MESSAGE_BYTES`].
    pub const DEFAULT: LineLimits = LineLimits { buffer: 1 << 20, max_line: MAX_MESSAGE_BYTES as usize };
}

/// Reads one OTLP/JSON document per line from `input` (no format detection, no gzip) with
/// explicit limits: small ones let the fuzz target reach every refill and buffer move.
pub fn read_json_lines<R: Read, S: Sink>(source: &str, mut input: R, sink: &mut S, limits: LineLimits) -> ReadReport {
    let mut report = ReadReport { format: Some(Format::OtlpJsonLines), ..ReadReport::default() };
    let mut input = CountingReader { inner: &mut input, count: 0 };
    read_lines(source, &mut input, sink, &mut report, limits);
    report.bytes = input.count;
    report
}

/// One OTLP/JSON document per line. Lines are cut out of a large buffer with `memchr` and
/// decoded in place (no copy per line); a line longer than `limits.max_line` is reported
/// and skipped, however the reads happened to cut it.
fn read_lines<R: Read, S: Sink>(
    source: &str,
    reader: &mut R,
    sink: &mut S,
    report: &mut ReadReport,
    limits: LineLimits,
) {
    let max_line = limits.max_line;
    let mut buf = vec![0u8; limits.buffer.max(1)];
    let (mut start, mut scanned, mut filled) = (0usize, 0usize, 0usize);
    let mut number = 0u64;
    let mut skipping = false;
    loop {
        while let Some(i) = memchr::memchr(b'\n', &buf[scanned..filled]) {
            let end = scanned + i;
            number += 1;
            if std::mem::take(&mut skipping) {
                // The rest of an over-long line, already reported.
            } else if end - start > max_line {
                report.fail(err(source, Some(number), format!("line longer than {max_line} bytes")));
            } else {
                decode_line(source, &buf[start..end], number, sink, report);
            }
            (start, scanned) = (end + 1, end + 1);
        }
        scanned = filled;
        if !skipping && filled - start > max_line {
            report.fail(err(source, Some(number + 1), format!("line longer than {max_line} bytes")));
            skipping = true;
        }
        if skipping {
            start = filled; // the rest of an over-long line is dropped as it arrives
        }
        if filled == buf.len() {
            // Full: move the unfinished line to the front, or grow for a long one.
            if start > 0 {
                buf.copy_within(start..filled, 0);
                (filled, scanned, start) = (filled - start, scanned - start, 0);
            } else {
                buf.resize(buf.len() * 2, 0);
            }
        }
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return report.fail(err(source, Some(number + 1), format!("cannot read: {e}"))),
        }
    }
    if start < filled && !skipping {
        decode_line(source, &buf[start..filled], number + 1, sink, report);
    }
}

/// Decodes line `number` (1-based) of a JSON-lines input.
fn decode_line<S: Sink>(source: &str, line: &[u8], number: u64, sink: &mut S, report: &mut ReadReport) {
    let text = line.trim_ascii();
    if text.is_empty() {
        return;
    }
    let result = match std::str::from_utf8(text) {
        Ok(t) => otlp_json::decode_str(t, sink),
        Err(_) => return report.fail(err(source, Some(number), "not valid UTF-8".into())),
    };
    if let Err(e) = result {
        report.fail(json_err(source, &e, number - 1));
    }
}

/// Streams one OTLP/JSON document (or several, one after another) span by span; a bad
/// span is reported with its line and skipped.
fn read_otlp_document<R: Read, S: Sink>(source: &str, reader: &mut R, sink: &mut S, report: &mut ReadReport) {
    let mut decoder = otlp_json::PieceDecoder::default();
    let mut piece_errors: Vec<InputError> = Vec::new();
    let result = otlp_split::for_each_piece(reader, MAX_MESSAGE_BYTES as usize, |piece, line| {
        let decoded = match piece {
            otlp_split::Piece::Resource(text) => decoder.resource(text),
            otlp_split::Piece::Span(text) => decoder.span(text, sink),
            otlp_split::Piece::EndResource => {
                decoder.end(sink);
                Ok(())
            }
        };
        if let Err(e) = decoded {
            piece_errors.push(json_err(source, &e, line - 1));
        }
        Ok::<(), ()>(())
    });
    decoder.end(sink);
    for e in piece_errors {
        report.fail(e);
    }
    split_result(source, "a `resourceSpans` array", result, report);
}

/// Splits a JSON array into elements and decodes each with `decode`; a bad element is
/// reported with its line and skipped.
fn read_split<R: Read>(
    source: &str,
    reader: &mut R,
    key: Option<&str>,
    report: &mut ReadReport,
    mut decode: impl FnMut(&str) -> Result<(), serde_json::Error>,
) {
    let mut element_errors: Vec<InputError> = Vec::new();
    let result = split::for_each_element(reader, key, MAX_MESSAGE_BYTES as usize, |el, line| {
        if let Err(e) = decode(el) {
            element_errors.push(json_err(source, &e, line - 1));
        }
        Ok::<(), ()>(())
    });
    for e in element_errors {
        report.fail(e);
    }
    let what = key.map_or("a JSON array".to_string(), |k| format!("a `{k}` array"));
    split_result(source, &what, result, report);
}

/// Reports how splitting ended (`what` names the array that was expected).
fn split_result(source: &str, what: &str, result: Result<(), split::SplitError<()>>, report: &mut ReadReport) {
    match result {
        Ok(()) | Err(split::SplitError::Element { .. }) => {}
        Err(split::SplitError::Io(e)) => report.fail(err(source, None, format!("cannot read: {e}"))),
        Err(split::SplitError::Truncated { line }) => {
            report.fail(err(source, Some(line), "input ends inside an element (truncated file?)".into()))
        }
        Err(split::SplitError::NotFound) => {
            report.fail(err(source, None, format!("not a trace file: expected {what}")))
        }
        Err(split::SplitError::TooLarge { line, limit }) => {
            report.fail(err(source, Some(line), format!("element larger than {limit} bytes")))
        }
        Err(split::SplitError::Utf8 { line }) => report.fail(err(source, Some(line), "not valid UTF-8".into())),
        Err(split::SplitError::NotAnObject { line }) => {
            report.fail(err(source, Some(line), format!("expected objects in {what}, found another value")))
        }
    }
}

fn read_proto_stream<R: BufRead, S: Sink>(source: &str, reader: &mut R, sink: &mut S, report: &mut ReadReport) {
    for n in 1u64.. {
        let mut len = [0u8; 4];
        match reader.read_exact(&mut len) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return,
            Err(e) => return report.fail(err(source, None, format!("message {n}: cannot read: {e}"))),
        }
        let size = u64::from(u32::from_be_bytes(len));
        // A bad message cannot be skipped reliably (its length may be what is wrong), so
        // reading stops at the first one.
        if let Err(e) = proto_walk::walk(reader, Some(size), sink) {
            return report.fail(err(source, None, format!("message {n}: not OTLP/protobuf: {e}")));
        }
    }
}

fn err(source: &str, line: Option<u64>, message: String) -> InputError {
    InputError { source: source.to_string(), line, column: None, message }
}

fn json_err(source: &str, e: &serde_json::Error, line_offset: u64) -> InputError {
    let (line, column) =
        if e.line() == 0 { (None, None) } else { (Some(e.line() as u64 + line_offset), Some(e.column() as u64)) };
    let message = e.to_string();
    let message = message.split(" at line ").next().unwrap_or(&message).to_string();
    InputError { source: source.to_string(), line, column, message: format!("invalid JSON: {message}") }
}

struct CountingReader<R> {
    inner: R,
    count: u64,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}
