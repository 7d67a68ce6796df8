//! RESP2/RESP3 replies: an incremental, bounded parser.
//!
//! [`parse`] reads one reply from the front of a buffer and says how many bytes it used,
//! or that more bytes are needed. Every length is checked against [`Limits`] before
//! anything is allocated, nesting is bounded, and malformed input is an error naming
//! what was wrong — never a panic (the parser is fuzzed: `fuzz/run.sh resp`).

/// One reply.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `+OK`, or a RESP3 verbatim string's text.
    Simple(String),
    /// `-ERR …` / `!…` (RESP3 blob error).
    Error(String),
    Int(i64),
    /// `$…` bulk strings: bytes, not necessarily UTF-8 (keys can hold anything).
    Bulk(Vec<u8>),
    /// `$-1`, `*-1`, `_`.
    Nil,
    /// `*`, `~` (set), `>` (push).
    Array(Vec<Value>),
    /// `%` maps and `|` attributes, as key/value pairs.
    Map(Vec<(Value, Value)>),
    /// `,` doubles.
    Double(f64),
    /// `#t` / `#f`.
    Bool(bool),
}

impl Value {
    /// The text of a string reply (lossy for non-UTF-8 bulk strings).
    pub fn text(&self) -> Option<String> {
        match self {
            Value::Simple(s) => Some(s.clone()),
            Value::Bulk(b) => Some(String::from_utf8_lossy(b).into_owned()),
            _ => None,
        }
    }

    /// An integer reply, or a string holding one.
    pub fn int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            Value::Simple(_) | Value::Bulk(_) => self.text()?.trim().parse().ok(),
            _ => None,
        }
    }

    /// The elements of an array reply (empty for anything else).
    pub fn items(&self) -> &[Value] {
        match self {
            Value::Array(v) => v,
            _ => &[],
        }
    }
}

/// Bounds on what one reply may hold.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest bulk string (bytes).
    pub max_bulk: usize,
    /// Most elements of one array or map.
    pub max_items: usize,
    /// Deepest nesting.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_bulk: 64 << 20, max_items: 1 << 20, max_depth: 16 }
    }
}

/// Longest simple-string, error, number or length line.
const MAX_LINE: usize = 64 << 10;

/// Why a reply could not be read.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum RespError {
    #[error("malformed reply: {0}")]
    Malformed(String),
    #[error("reply too large: {0}")]
    TooLarge(String),
}

/// Parses one reply from the start of `buf`: `Ok(Some((value, used)))`, `Ok(None)` when
/// `buf` holds only part of it.
pub fn parse(buf: &[u8], limits: &Limits) -> Result<Option<(Value, usize)>, RespError> {
    let mut p = Parser { buf, pos: 0, limits };
    match p.value(0)? {
        Some(v) => Ok(Some((v, p.pos))),
        None => Ok(None),
    }
}

struct Parser<'a> {
    buf: &'a [u8],
    pos: usize,
    limits: &'a Limits,
}

/// `?` for "need more bytes": the whole parse returns `Ok(None)`.
macro_rules! need {
    ($e:expr) => {
        match $e? {
            Some(v) => v,
            None => return Ok(None),
        }
    };
}

impl<'a> Parser<'a> {
    fn value(&mut self, depth: usize) -> Result<Option<Value>, RespError> {
        if depth > self.limits.max_depth {
            return Err(RespError::TooLarge(format!("nested deeper than {}", self.limits.max_depth)));
        }
        let Some(&kind) = self.buf.get(self.pos) else { return Ok(None) };
        self.pos += 1;
        let line = need!(self.line());
        Ok(Some(match kind {
            b'+' => Value::Simple(lossy(line)),
            b'-' => Value::Error(lossy(line)),
            b':' => Value::Int(number(line)?),
            b'(' => Value::Simple(lossy(line)), // big number, kept as text
            b',' => Value::Double(double(line)?),
            b'#' => Value::Bool(boolean(line)?),
            b'_' => Value::Nil,
            b'$' | b'!' | b'=' => need!(self.blob(kind, number(line)?)),
            b'*' | b'~' | b'>' => need!(self.array(number(line)?, depth)),
            b'%' | b'|' => need!(self.map(number(line)?, depth)),
            other => return Err(RespError::Malformed(format!("unknown reply type byte 0x{other:02x}"))),
        }))
    }

    /// The bytes up to the next CRLF (consumed), or `None` when it has not arrived.
    fn line(&mut self) -> Result<Option<&'a [u8]>, RespError> {
        let buf: &'a [u8] = self.buf;
        let rest = &buf[self.pos..];
        // A line longer than the limit is refused whether or not its end has arrived, so a
        // reply and any prefix of it are judged alike.
        let end = rest.windows(2).position(|w| w == b"\r\n");
        if end.unwrap_or(rest.len()) > MAX_LINE {
            return Err(RespError::TooLarge("a header line longer than 64 KiB".into()));
        }
        let Some(end) = end else { return Ok(None) };
        self.pos += end + 2;
        Ok(Some(&rest[..end]))
    }

    fn blob(&mut self, kind: u8, len: i64) -> Result<Option<Value>, RespError> {
        if len < 0 {
            return Ok(Some(Value::Nil));
        }
        let len = usize::try_from(len).map_err(|_| RespError::TooLarge(format!("bulk length {len}")))?;
        if len > self.limits.max_bulk {
            return Err(RespError::TooLarge(format!("bulk string of {len} bytes (limit {})", self.limits.max_bulk)));
        }
        let rest = &self.buf[self.pos..];
        if rest.len() < len + 2 {
            return Ok(None);
        }
        if &rest[len..len + 2] != b"\r\n" {
            return Err(RespError::Malformed("bulk string not followed by CRLF".into()));
        }
        let data = rest[..len].to_vec();
        self.pos += len + 2;
        Ok(Some(match kind {
            b'!' => Value::Error(lossy(&data)),
            // Verbatim strings start with a 3-letter format and a colon (`txt:`).
            b'=' => Value::Simple(lossy(data.get(4..).unwrap_or_default())),
            _ => Value::Bulk(data),
        }))
    }

    fn count(&self, n: i64, what: &str) -> Result<usize, RespError> {
        let n = usize::try_from(n).map_err(|_| RespError::Malformed(format!("{what} length {n}")))?;
        if n > self.limits.max_items {
            return Err(RespError::TooLarge(format!("{what} of {n} elements (limit {})", self.limits.max_items)));
        }
        Ok(n)
    }

    fn array(&mut self, n: i64, depth: usize) -> Result<Option<Value>, RespError> {
        if n < 0 {
            return Ok(Some(Value::Nil));
        }
        let n = self.count(n, "array")?;
        // Each element takes at least 3 bytes: never reserve more than the input could hold.
        let mut items = Vec::with_capacity(n.min(self.buf.len() / 3 + 1));
        for _ in 0..n {
            items.push(need!(self.value(depth + 1)));
        }
        Ok(Some(Value::Array(items)))
    }

    fn map(&mut self, n: i64, depth: usize) -> Result<Option<Value>, RespError> {
        let n = self.count(n, "map")?;
        let mut pairs = Vec::with_capacity(n.min(self.buf.len() / 6 + 1));
        for _ in 0..n {
            let k = need!(self.value(depth + 1));
            let v = need!(self.value(depth + 1));
            pairs.push((k, v));
        }
        Ok(Some(Value::Map(pairs)))
    }
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn number(line: &[u8]) -> Result<i64, RespError> {
    std::str::from_utf8(line)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| RespError::Malformed(format!("`{}` is not an integer", lossy(line).escape_debug())))
}

fn double(line: &[u8]) -> Result<f64, RespError> {
    let s = std::str::from_utf8(line).map_err(|_| RespError::Malformed("a double that is not UTF-8".into()))?;
    match s {
        "inf" => Ok(f64::INFINITY),
        "-inf" => Ok(f64::NEG_INFINITY),
        _ => s.parse().map_err(|_| RespError::Malformed(format!("`{}` is not a double", s.escape_debug()))),
    }
}

fn boolean(line: &[u8]) -> Result<bool, RespError> {
    match line {
        b"t" => Ok(true),
        b"f" => Ok(false),
        _ => Err(RespError::Malformed(format!("`{}` is not a boolean", lossy(line).escape_debug()))),
    }
}

/// A command in the RESP wire format (an array of bulk strings).
pub fn encode(args: &[&[u8]]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(s: &[u8]) -> Value {
        let (v, used) = parse(s, &Limits::default()).unwrap().unwrap();
        assert_eq!(used, s.len());
        v
    }

    #[test]
    fn reads_resp2_and_resp3_types() {
        assert_eq!(one(b"+OK\r\n"), Value::Simple("OK".into()));
        assert_eq!(one(b"-ERR no\r\n"), Value::Error("ERR no".into()));
        assert_eq!(one(b":42\r\n"), Value::Int(42));
        assert_eq!(one(b"$3\r\na\r\n\r\n"), Value::Bulk(b"a\r\n".to_vec()));
        assert_eq!(one(b"$-1\r\n"), Value::Nil);
        assert_eq!(one(b"*2\r\n:1\r\n$1\r\nx\r\n"), Value::Array(vec![Value::Int(1), Value::Bulk(b"x".to_vec())]));
        assert_eq!(one(b"%1\r\n+a\r\n#t\r\n"), Value::Map(vec![(Value::Simple("a".into()), Value::Bool(true))]));
        assert_eq!(one(b",1.5\r\n"), Value::Double(1.5));
        assert_eq!(one(b"=7\r\ntxt:abc\r\n"), Value::Simple("abc".into()));
        assert_eq!(one(b"_\r\n"), Value::Nil);
    }

    #[test]
    fn partial_input_asks_for_more() {
        for cut in [0, 1, 3, 6, 10, 14] {
            let full = b"*2\r\n:1\r\n$1\r\nx\r\n";
            assert_eq!(parse(&full[..cut], &Limits::default()), Ok(None), "cut at {cut}");
        }
    }

    #[test]
    fn hostile_input_is_an_error() {
        let small = Limits { max_bulk: 10, max_items: 4, max_depth: 2 };
        assert!(matches!(parse(b"$11\r\n", &small), Err(RespError::TooLarge(_))));
        assert!(matches!(parse(b"*5\r\n", &small), Err(RespError::TooLarge(_))));
        assert!(matches!(parse(b"*1\r\n*1\r\n*1\r\n*1\r\n", &small), Err(RespError::TooLarge(_))));
        assert!(matches!(parse(b"?x\r\n", &small), Err(RespError::Malformed(_))));
        assert!(matches!(parse(b":12x\r\n", &small), Err(RespError::Malformed(_))));
        assert!(matches!(parse(b"$1\r\nab\r\n", &small), Err(RespError::Malformed(_))));
        assert!(matches!(parse(b"*-2\r\n", &small), Ok(Some((Value::Nil, _)))));
        let long = [b"+".as_slice(), &[b'x'; MAX_LINE + 1], b"\r\n"].concat();
        assert!(matches!(parse(&long, &small), Err(RespError::TooLarge(_))));
        assert!(matches!(parse(&long[..MAX_LINE + 1], &small), Ok(None)), "not yet over the limit");
    }

    #[test]
    fn encodes_binary_arguments() {
        assert_eq!(encode(&[b"GET", b"a\r\nb"]), b"*2\r\n$3\r\nGET\r\n$4\r\na\r\nb\r\n");
    }
}
