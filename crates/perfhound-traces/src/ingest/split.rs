//! Streams the elements of one JSON array out of a reader, one complete element at a time.
//!
//! Jaeger exports (`{"data": [trace…]}`), Zipkin files (`[span…]`) and OTLP/JSON documents
//! (`{"resourceSpans": [...]}`) are one huge JSON value. Parsing them with a streaming
//! deserializer works but is slow (byte-at-a-time reads, no borrowed strings); reading
//! them whole costs memory equal to the file. The splitter scans bytes (quotes and
//! escapes aware) to find where each array element starts and ends, so every element is
//! parsed from memory, zero-copy, and memory is bounded by the largest element.

use std::io::Read;

/// Where a split failed.
#[derive(Debug)]
pub enum SplitError<E> {
    Io(std::io::Error),
    /// The element starting on `line` could not be handled by the callback.
    Element {
        line: u64,
        error: E,
    },
    /// The input ended inside an element.
    Truncated {
        line: u64,
    },
    /// The array to split was not found.
    NotFound,
    /// An element is larger than the limit.
    TooLarge {
        line: u64,
        limit: usize,
    },
    /// An element is not valid UTF-8.
    Utf8 {
        line: u64,
    },
    /// An element is not an object (e.g. a number in a list of spans).
    NotAnObject {
        line: u64,
    },
}

/// Calls `f(element, first_line)` for each element of the top-level array (`key = None`)
/// or of the array under `key` in the top-level object.
pub fn for_each_element<R: Read, E>(
    mut reader: R,
    key: Option<&str>,
    max_element: usize,
    mut f: impl FnMut(&str, u64) -> Result<(), E>,
) -> Result<(), SplitError<E>> {
    let mut sc = Scanner::new(key.map(str::as_bytes));
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 20);
    let mut chunk = vec![0u8; 1 << 20];
    let mut pos = 0usize;
    loop {
        // Keep only the open element (if any) before reading more.
        let keep_from = sc.element.map_or(pos, |(s, _)| s);
        buf.drain(..keep_from);
        pos -= keep_from;
        if let Some((s, l)) = sc.element.as_mut() {
            *s = 0;
            if buf.len() > max_element {
                return Err(SplitError::TooLarge { line: *l, limit: max_element });
            }
        }
        let n = reader.read(&mut chunk).map_err(SplitError::Io)?;
        if n == 0 {
            return sc.finish();
        }
        buf.extend_from_slice(&chunk[..n]);
        pos = sc.scan(&buf, pos, max_element, &mut f)?;
    }
}

/// Bytes that matter inside an element outside strings: quotes, brackets, newlines.
const STRUCTURAL: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = matches!(i as u8, b'"' | b'{' | b'[' | b'}' | b']' | b'\n');
        i += 1;
    }
    t
};

/// The splitter's state between buffer refills.
struct Scanner<'k> {
    key: Option<&'k [u8]>,
    target_depth: i32,
    depth: i32,
    in_string: bool,
    escape: bool,
    /// The current string is a key of the top-level object: its bytes go to `last_key`.
    string_is_key: bool,
    last_key: Vec<u8>,
    line: u64,
    in_array: bool,
    found: bool,
    /// The open element: its start in the buffer and its first line.
    element: Option<(usize, u64)>,
}

impl<'k> Scanner<'k> {
    fn new(key: Option<&'k [u8]>) -> Self {
        Scanner {
            key,
            target_depth: if key.is_some() { 2 } else { 1 },
            depth: 0,
            in_string: false,
            escape: false,
            string_is_key: false,
            last_key: Vec::with_capacity(16),
            line: 1,
            in_array: false,
            found: false,
            element: None,
        }
    }

    fn finish<E>(&self) -> Result<(), SplitError<E>> {
        match self.element {
            Some((_, l)) => Err(SplitError::Truncated { line: l }),
            None if !self.found => Err(SplitError::NotFound),
            None if self.in_array => Err(SplitError::Truncated { line: self.line }),
            None => Ok(()),
        }
    }

    /// Scans `buf[pos..]`; returns how far it got (always the end of `buf`).
    fn scan<E>(
        &mut self,
        buf: &[u8],
        mut pos: usize,
        max_element: usize,
        f: &mut impl FnMut(&str, u64) -> Result<(), E>,
    ) -> Result<usize, SplitError<E>> {
        while pos < buf.len() {
            if self.in_string {
                pos = self.skip_string(buf, pos);
                continue;
            }
            if self.element.is_some() {
                // Inside an element only brackets, quotes and newlines matter.
                match buf[pos..].iter().position(|&b| STRUCTURAL[usize::from(b)]) {
                    Some(i) => pos += i,
                    None => return Ok(buf.len()),
                }
            }
            self.byte(buf, pos, max_element, f)?;
            pos += 1;
        }
        Ok(pos)
    }

    /// Skips string content from `pos`; returns the position after what was consumed.
    fn skip_string(&mut self, buf: &[u8], pos: usize) -> usize {
        if self.escape {
            self.escape = false;
            return pos + 1;
        }
        let rest = &buf[pos..];
        let Some(i) = memchr::memchr2(b'"', b'\\', rest) else {
            if self.string_is_key {
                self.last_key.extend_from_slice(rest);
            }
            return buf.len();
        };
        if self.string_is_key {
            self.last_key.extend_from_slice(&rest[..i]);
        }
        if rest[i] == b'\\' {
            self.escape = true;
        } else {
            self.in_string = false;
        }
        pos + i + 1
    }

    /// One byte outside a string.
    fn byte<E>(
        &mut self,
        buf: &[u8],
        pos: usize,
        max_element: usize,
        f: &mut impl FnMut(&str, u64) -> Result<(), E>,
    ) -> Result<(), SplitError<E>> {
        let b = buf[pos];
        let element_level = self.in_array && self.depth == self.target_depth && self.element.is_none();
        if element_level && !matches!(b, b'{' | b'[' | b']' | b',' | b' ' | b'\n' | b'\r' | b'\t') {
            return Err(SplitError::NotAnObject { line: self.line });
        }
        match b {
            b'\n' => self.line += 1,
            b'"' => {
                self.in_string = true;
                self.string_is_key = self.depth == 1 && self.key.is_some() && self.element.is_none();
                self.last_key.clear();
            }
            b'{' | b'[' => {
                let key_matches = self.key.is_none() || self.key == Some(self.last_key.as_slice());
                if b == b'[' && !self.found && self.depth == self.target_depth - 1 && key_matches {
                    self.in_array = true;
                    self.found = true;
                } else if element_level {
                    self.element = Some((pos, self.line));
                }
                self.depth += 1;
            }
            b'}' | b']' => {
                self.depth -= 1;
                if self.in_array && self.depth == self.target_depth {
                    if let Some((start, l)) = self.element.take() {
                        if pos + 1 - start > max_element {
                            return Err(SplitError::TooLarge { line: l, limit: max_element });
                        }
                        let text = std::str::from_utf8(&buf[start..=pos]).map_err(|_| SplitError::Utf8 { line: l })?;
                        f(text, l).map_err(|error| SplitError::Element { line: l, error })?;
                    }
                } else if self.in_array && self.depth < self.target_depth {
                    self.in_array = false;
                }
            }
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str, key: Option<&str>) -> Result<Vec<(String, u64)>, SplitError<()>> {
        let mut out = Vec::new();
        for_each_element(text.as_bytes(), key, 1 << 20, |e, l| {
            out.push((e.to_string(), l));
            Ok::<(), ()>(())
        })?;
        Ok(out)
    }

    #[test]
    fn splits_keyed_and_top_level_arrays() {
        let doc = "{\"x\": [{\"a\": 0}], \"data\": [\n {\"a\": \"]}\\\"\"},\n {\"b\": [1, {}]}\n], \"total\": 2}";
        let els = split(doc, Some("data")).unwrap();
        assert_eq!(els, vec![("{\"a\": \"]}\\\"\"}".to_string(), 2), ("{\"b\": [1, {}]}".to_string(), 3)]);
        let els = split("[{\"id\":1},{\"id\":2}]", None).unwrap();
        assert_eq!(els.len(), 2);
    }

    #[test]
    fn errors_are_located() {
        assert!(matches!(
            split("{\"data\": [{\"a\": 1}, {\"b\":", Some("data")),
            Err(SplitError::Truncated { line: 1 })
        ));
        assert!(matches!(split("{\"other\": []}", Some("data")), Err(SplitError::NotFound)));
        assert!(matches!(split("[1, 2]", None), Err(SplitError::NotAnObject { line: 1 })));
        assert!(matches!(split("[{}, ", None), Err(SplitError::Truncated { .. })));
        let big = format!("[{{\"a\": \"{}\"}}]", "x".repeat(100));
        let r = for_each_element(big.as_bytes(), None, 10, |_, _| Ok::<(), ()>(()));
        assert!(matches!(r, Err(SplitError::TooLarge { .. })));
    }
}
