//! A hand-written HTTP/1.1 keep-alive client for the request loop.
//!
//! Why not hyper here: hyper's client runs each connection as its own task and talks to
//! it through a channel, so every request costs two task wake-ups and a channel round
//! trip on top of the two syscalls. Profiling showed that overhead to be most of the
//! generator's user CPU. This client writes the request and reads the response inline in
//! the VU's task: one `write`, usually one `read`, `httparse` for the head, and
//! Content-Length / chunked / read-to-EOF framing for the body. HTTP/2 still uses hyper.
//!
//! The response parser is fuzzed (`fuzz/fuzz_targets/h1_response.rs`).

use super::error::RequestError;
use super::stream::MaybeTls;
use bytes::{Buf, Bytes, BytesMut};
use http::header::{HeaderName, HeaderValue};
use http::{HeaderMap, StatusCode};
use perfhound_model::ErrorKind;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Largest response head accepted.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;
/// Most headers accepted in one response.
const MAX_HEADERS: usize = 128;
/// Initial read buffer size per connection.
const READ_CHUNK: usize = 4 * 1024;
/// Largest body kept in memory for checks/captures; bytes beyond are counted only.
pub const MAX_KEPT_BODY: usize = 16 * 1024 * 1024;

/// A response body kept for checks and captures, at most a limit long. At the first
/// chunk that would overflow the limit, keeping stops: what is kept is always a prefix of
/// the body, never a body with holes where large chunks were skipped.
#[derive(Debug)]
pub struct KeptBody {
    buf: BytesMut,
    limit: usize,
    truncated: bool,
}

impl Default for KeptBody {
    fn default() -> Self {
        KeptBody::with_limit(MAX_KEPT_BODY)
    }
}

impl KeptBody {
    pub fn with_limit(limit: usize) -> KeptBody {
        KeptBody { buf: BytesMut::new(), limit, truncated: false }
    }

    /// Appends `chunk`, unless it (or an earlier chunk) would overflow the limit.
    pub fn push(&mut self, chunk: &[u8]) {
        if self.truncated {
            return;
        }
        if self.buf.len() + chunk.len() > self.limit {
            self.truncated = true;
            return;
        }
        self.buf.extend_from_slice(chunk);
    }

    /// Whether bytes were left out.
    pub fn is_truncated(&self) -> bool {
        self.truncated
    }

    pub fn freeze(self) -> Bytes {
        self.buf.freeze()
    }
}

/// A response read by [`H1Conn::round_trip`].
pub struct RawResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// The body when asked to keep it (decoded from chunked framing, not from gzip).
    pub body: Option<Bytes>,
    pub body_len: u64,
    pub head_len: u64,
    /// The connection can carry another request.
    pub reusable: bool,
}

/// How the body is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    None,
    Length(u64),
    Chunked,
    UntilClose,
}

/// The parsed head of a response, with headers as offsets into the head's bytes so
/// their values can share one buffer instead of one allocation each.
pub struct HeadInfo {
    pub status: StatusCode,
    pub framing: Framing,
    pub keep_alive: bool,
    pub len: usize,
}

/// A head with its headers materialized (tests, probes, fuzzing).
pub struct Head {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub framing: Framing,
    pub keep_alive: bool,
    pub len: usize,
}

/// Header name and the byte range of its value within the head.
pub type Field = (HeaderName, std::ops::Range<usize>);

/// Parses a response head from the start of `buf`. `Ok(None)`: need more bytes.
pub fn parse_head(buf: &[u8], head_request: bool) -> Result<Option<Head>, String> {
    let mut fields = Vec::new();
    let Some(info) = parse_head_fields(buf, head_request, &mut fields)? else { return Ok(None) };
    let headers = header_map(&Bytes::copy_from_slice(&buf[..info.len]), &mut fields)?;
    Ok(Some(Head { status: info.status, headers, framing: info.framing, keep_alive: info.keep_alive, len: info.len }))
}

/// Builds the header map, values sharing `head`'s bytes.
pub fn header_map(head: &Bytes, fields: &mut Vec<Field>) -> Result<HeaderMap, String> {
    let mut headers = HeaderMap::with_capacity(fields.len());
    for (name, range) in fields.drain(..) {
        let value = HeaderValue::from_maybe_shared(head.slice(range))
            .map_err(|_| format!("invalid value for header {name}"))?;
        headers.append(name, value);
    }
    Ok(headers)
}

/// Parses the head; header names and value ranges go to `fields` (cleared first).
pub fn parse_head_fields(buf: &[u8], head_request: bool, fields: &mut Vec<Field>) -> Result<Option<HeadInfo>, String> {
    fields.clear();
    let mut slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut resp = httparse::Response::new(&mut slots);
    let len = match resp.parse(buf) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) if buf.len() > MAX_HEAD_BYTES => {
            return Err(format!("response head larger than {MAX_HEAD_BYTES} bytes"))
        }
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(e) => return Err(format!("invalid HTTP response: {e}")),
    };
    let code = resp.code.unwrap_or(0);
    let status = StatusCode::from_u16(code).map_err(|_| format!("invalid status code {code}"))?;
    let http11 = resp.version == Some(1);
    let (mut length, mut chunked, mut close, mut keep_alive_token) = (None, false, false, false);
    let base = buf.as_ptr() as usize;
    for h in resp.headers.iter() {
        let name =
            HeaderName::from_bytes(h.name.as_bytes()).map_err(|_| format!("invalid header name {:?}", h.name))?;
        if name == http::header::CONTENT_LENGTH {
            let n: u64 = std::str::from_utf8(h.value)
                .ok()
                .and_then(|s| s.trim().parse().ok())
                .ok_or_else(|| "invalid Content-Length".to_string())?;
            if length.is_some_and(|l| l != n) {
                return Err("conflicting Content-Length headers".into());
            }
            length = Some(n);
        } else if name == http::header::TRANSFER_ENCODING {
            chunked |= h.value.split(|b| *b == b',').any(|t| t.trim_ascii().eq_ignore_ascii_case(b"chunked"));
        } else if name == http::header::CONNECTION {
            for token in h.value.split(|b| *b == b',') {
                close |= token.trim_ascii().eq_ignore_ascii_case(b"close");
                keep_alive_token |= token.trim_ascii().eq_ignore_ascii_case(b"keep-alive");
            }
        }
        let start = h.value.as_ptr() as usize - base;
        fields.push((name, start..start + h.value.len()));
    }
    let framing = if head_request || code < 200 || code == 204 || code == 304 {
        Framing::None
    } else if chunked {
        Framing::Chunked
    } else if let Some(n) = length {
        Framing::Length(n)
    } else {
        Framing::UntilClose
    };
    let keep_alive = framing != Framing::UntilClose && !close && (http11 || keep_alive_token);
    Ok(Some(HeadInfo { status, framing, keep_alive, len }))
}

/// One HTTP/1.1 connection.
pub struct H1Conn {
    stream: MaybeTls,
    rbuf: BytesMut,
    wbuf: Vec<u8>,
    fields: Vec<Field>,
    closed: bool,
    /// Requests completed on this connection.
    pub served: u64,
}

impl H1Conn {
    pub fn new(stream: MaybeTls) -> H1Conn {
        H1Conn { stream, rbuf: BytesMut::new(), wbuf: Vec::new(), fields: Vec::new(), closed: false, served: 0 }
    }

    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Serializes the request into the connection's write buffer (reused across requests).
    pub fn encode(
        &mut self,
        method: &http::Method,
        target: &str,
        host: &HeaderValue,
        headers: &HeaderMap,
        body: &[u8],
    ) {
        let w = &mut self.wbuf;
        w.clear();
        w.extend_from_slice(method.as_str().as_bytes());
        w.push(b' ');
        w.extend_from_slice(target.as_bytes());
        w.extend_from_slice(b" HTTP/1.1\r\n");
        if !headers.contains_key(http::header::HOST) {
            w.extend_from_slice(b"host: ");
            w.extend_from_slice(host.as_bytes());
            w.extend_from_slice(b"\r\n");
        }
        for (k, v) in headers {
            w.extend_from_slice(k.as_str().as_bytes());
            w.extend_from_slice(b": ");
            w.extend_from_slice(v.as_bytes());
            w.extend_from_slice(b"\r\n");
        }
        let needs_length =
            !body.is_empty() || matches!(*method, http::Method::POST | http::Method::PUT | http::Method::PATCH);
        if needs_length && !headers.contains_key(http::header::CONTENT_LENGTH) {
            w.extend_from_slice(b"content-length: ");
            w.extend_from_slice(body.len().to_string().as_bytes());
            w.extend_from_slice(b"\r\n");
        }
        w.extend_from_slice(b"\r\n");
        w.extend_from_slice(body);
    }

    /// Sends the encoded request and reads the whole response.
    pub async fn round_trip(&mut self, head_request: bool, keep_body: bool) -> Result<RawResponse, RequestError> {
        let result = self.exchange(head_request, keep_body).await;
        match &result {
            Ok(r) if r.reusable => self.served += 1,
            _ => self.closed = true,
        }
        result
    }

    async fn exchange(&mut self, head_request: bool, keep_body: bool) -> Result<RawResponse, RequestError> {
        self.stream.write_all(&self.wbuf).await.map_err(|e| io_error(&e, "writing the request"))?;
        let (info, headers) = loop {
            if let Some(info) = parse_head_fields(&self.rbuf, head_request, &mut self.fields).map_err(protocol)? {
                let head = self.rbuf.split_to(info.len).freeze();
                let headers = header_map(&head, &mut self.fields).map_err(protocol)?;
                if info.status.as_u16() < 200 && info.status != StatusCode::SWITCHING_PROTOCOLS {
                    continue; // 100 Continue / 103 Early Hints: the real response follows.
                }
                break (info, headers);
            }
            self.fill().await?;
        };
        let mut kept = keep_body.then(KeptBody::default);
        let body_len = match info.framing {
            Framing::None => 0,
            Framing::Length(n) => self.read_exact_body(n, &mut kept).await?,
            Framing::Chunked => self.read_chunked(&mut kept).await?,
            Framing::UntilClose => self.read_to_close(&mut kept).await?,
        };
        Ok(RawResponse {
            status: info.status,
            headers,
            body: kept.map(KeptBody::freeze),
            body_len,
            head_len: info.len as u64,
            reusable: info.keep_alive,
        })
    }

    /// Reads more bytes; EOF is an error (the caller needs more).
    async fn fill(&mut self) -> Result<(), RequestError> {
        // Small buffers keep idle connections cheap (memory per connection is a goal);
        // they grow while a large response is being read.
        if self.rbuf.capacity() - self.rbuf.len() < 1024 {
            let grow = (self.rbuf.capacity() * 2).clamp(READ_CHUNK, 64 * 1024);
            self.rbuf.reserve(grow);
        }
        let n = self.stream.read_buf(&mut self.rbuf).await.map_err(|e| io_error(&e, "reading the response"))?;
        if n == 0 {
            if self.served > 0 && self.rbuf.is_empty() {
                let mut e = RequestError::new(
                    ErrorKind::Reset,
                    "the server closed the keep-alive connection before responding",
                );
                e.stale_connection = true;
                return Err(e);
            }
            return Err(RequestError::new(
                ErrorKind::Reset,
                "the server closed the connection in the middle of a response",
            ));
        }
        Ok(())
    }

    /// Consumes `n` body bytes from the read buffer, keeping them if asked.
    fn take(&mut self, n: usize, kept: &mut Option<KeptBody>) {
        match kept.as_mut() {
            Some(k) => k.push(&self.rbuf.split_to(n)),
            None => self.rbuf.advance(n),
        }
    }

    async fn read_exact_body(&mut self, n: u64, kept: &mut Option<KeptBody>) -> Result<u64, RequestError> {
        let mut left = n;
        while left > 0 {
            if self.rbuf.is_empty() {
                self.fill().await?;
            }
            let take = self.rbuf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
            self.take(take, kept);
            left -= take as u64;
        }
        Ok(n)
    }

    async fn read_chunked(&mut self, kept: &mut Option<KeptBody>) -> Result<u64, RequestError> {
        let mut total = 0u64;
        loop {
            let size = loop {
                match chunk_size_line(&self.rbuf).map_err(protocol)? {
                    Some((size, line_len)) => {
                        self.rbuf.advance(line_len);
                        break size;
                    }
                    None => self.fill().await?,
                }
            };
            if size == 0 {
                // Trailers: lines until an empty one.
                loop {
                    match find_crlf(&self.rbuf) {
                        Some(0) => {
                            self.rbuf.advance(2);
                            return Ok(total);
                        }
                        Some(i) => self.rbuf.advance(i + 2),
                        None if self.rbuf.len() > MAX_HEAD_BYTES => {
                            return Err(protocol("chunked trailers too large".into()))
                        }
                        None => self.fill().await?,
                    }
                }
            }
            total = total.saturating_add(self.read_exact_body(size, kept).await?);
            while self.rbuf.len() < 2 {
                self.fill().await?;
            }
            if &self.rbuf[..2] != b"\r\n" {
                return Err(protocol("chunk not followed by CRLF".into()));
            }
            self.rbuf.advance(2);
        }
    }

    async fn read_to_close(&mut self, kept: &mut Option<KeptBody>) -> Result<u64, RequestError> {
        let mut total = 0u64;
        loop {
            let n = self.rbuf.len();
            total += n as u64;
            self.take(n, kept);
            self.rbuf.reserve(READ_CHUNK);
            let read = self.stream.read_buf(&mut self.rbuf).await.map_err(|e| io_error(&e, "reading the response"))?;
            if read == 0 {
                return Ok(total);
            }
        }
    }
}

fn find_crlf(buf: &[u8]) -> Option<usize> {
    buf.windows(2).position(|w| w == b"\r\n")
}

/// Parses `SIZE[;ext]\r\n` at the start of `buf`: `Ok(Some((size, line_len)))`.
pub fn chunk_size_line(buf: &[u8]) -> Result<Option<(u64, usize)>, String> {
    let Some(end) = find_crlf(buf) else {
        return if buf.len() > 1024 { Err("chunk size line too long".into()) } else { Ok(None) };
    };
    let line = &buf[..end];
    let hex = line.split(|b| *b == b';').next().unwrap_or(&[]).trim_ascii();
    if hex.is_empty() || hex.len() > 15 {
        return Err("invalid chunk size".into());
    }
    let mut size = 0u64;
    for b in hex {
        let digit = (*b as char).to_digit(16).ok_or_else(|| "invalid chunk size".to_string())?;
        size = size * 16 + u64::from(digit);
    }
    Ok(Some((size, end + 2)))
}

fn protocol(message: String) -> RequestError {
    RequestError::new(ErrorKind::Protocol, message)
}

fn io_error(e: &std::io::Error, doing: &str) -> RequestError {
    let kind = match e.kind() {
        std::io::ErrorKind::ConnectionReset
        | std::io::ErrorKind::ConnectionAborted
        | std::io::ErrorKind::BrokenPipe
        | std::io::ErrorKind::UnexpectedEof => ErrorKind::Reset,
        std::io::ErrorKind::TimedOut => ErrorKind::Timeout,
        _ if e.get_ref().is_some_and(|i| i.downcast_ref::<rustls::Error>().is_some()) => ErrorKind::Tls,
        _ => ErrorKind::Io,
    };
    RequestError::new(kind, format!("{doing}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_heads_and_framing() {
        let h = parse_head(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", false).unwrap().unwrap();
        assert_eq!((h.status.as_u16(), h.framing, h.keep_alive), (200, Framing::Length(5), true));
        let h = parse_head(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n", false)
            .unwrap()
            .unwrap();
        assert_eq!((h.framing, h.keep_alive), (Framing::Chunked, false));
        let h = parse_head(b"HTTP/1.0 200 OK\r\n\r\n", false).unwrap().unwrap();
        assert_eq!((h.framing, h.keep_alive), (Framing::UntilClose, false));
        let h = parse_head(b"HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n", false).unwrap().unwrap();
        assert_eq!(h.framing, Framing::None);
        assert!(parse_head(b"HTTP/1.1 200 OK\r\nContent-Le", false).unwrap().is_none());
        assert!(parse_head(b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", false).is_err());
        assert!(parse_head(b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", false).is_err());
        assert!(parse_head(b"garbage\r\n\r\n", false).is_err());
    }

    #[test]
    fn chunk_size_lines() {
        assert_eq!(chunk_size_line(b"1a\r\n").unwrap(), Some((26, 4)));
        assert_eq!(chunk_size_line(b"0;ext=1\r\n").unwrap(), Some((0, 9)));
        assert_eq!(chunk_size_line(b"1a").unwrap(), None);
        assert!(chunk_size_line(b"zz\r\n").is_err());
        assert!(chunk_size_line(b"ffffffffffffffffff\r\n").is_err());
    }

    #[test]
    fn kept_body_stops_at_the_first_chunk_that_overflows() {
        let mut kept = KeptBody::with_limit(10);
        kept.push(b"abcd");
        kept.push(b"0123456789"); // would overflow: keeping stops here
        kept.push(b"xy"); // would fit, but would leave a hole in the body
        assert!(kept.is_truncated());
        assert_eq!(&kept.freeze()[..], b"abcd");

        let mut exact = KeptBody::with_limit(6);
        exact.push(b"abc");
        exact.push(b"def");
        assert!(!exact.is_truncated());
        assert_eq!(&exact.freeze()[..], b"abcdef");
    }
}
