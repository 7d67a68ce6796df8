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
    let target_depth: i32 = if key.is_some() { 2 } else { 1 };
    let key = key.map(str::as_bytes);
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 20);
    let mut pos = 0usize;
    let (mut depth, mut in_string, mut escape) = (0i32, false, false);
    let mut line = 1u64;
    let mut string_start = 0usize;
    let mut last_key_matches = false;
    let mut in_array = false;
    let mut found = false;
    let mut element: Option<(usize, u64)> = None;
    let mut chunk = vec![0u8; 1 << 20];
    loop {
        if pos == buf.len() {
            // Keep only the open element (if any) before reading more.
            let keep_from = element.map_or(buf.len(), |(s, _)| s);
            if keep_from > 0 {
                buf.drain(..keep_from);
                pos -= keep_from;
                string_start = string_start.saturating_sub(keep_from);
                if let Some((s, l)) = element {
                    element = Some((s - keep_from, l));
                }
            }
            if let Some((start, l)) = element.filter(|(s, _)| buf.len() - s > max_element) {
                let _ = start;
                return Err(SplitError::TooLarge { line: l, limit: max_element });
            }
            let n = reader.read(&mut chunk).map_err(SplitError::Io)?;
            if n == 0 {
                return match element {
                    Some((_, l)) => Err(SplitError::Truncated { line: l }),
                    None if !found => Err(SplitError::NotFound),
                    None if in_array => Err(SplitError::Truncated { line }),
                    None => Ok(()),
                };
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        let b = buf[pos];
        if b == b'\n' {
            line += 1;
        }
        if in_string {
            if escape {
                escape = false;
            } else if b == b'\\' {
                escape = true;
            } else if b == b'"' {
                in_string = false;
                if depth == 1 && key.is_some() && element.is_none() {
                    last_key_matches = key == Some(&buf[string_start..pos]);
                }
            }
            pos += 1;
            continue;
        }
        let element_level = in_array && depth == target_depth && element.is_none();
        if element_level && !matches!(b, b'{' | b'[' | b']' | b',' | b' ' | b'\n' | b'\r' | b'\t') {
            return Err(SplitError::NotAnObject { line });
        }
        match b {
            b'"' => {
                in_string = true;
                string_start = pos + 1;
            }
            b'{' | b'[' => {
                if b == b'[' && !found && depth == target_depth - 1 && (key.is_none() || last_key_matches) {
                    in_array = true;
                    found = true;
                } else if in_array && depth == target_depth && element.is_none() {
                    element = Some((pos, line));
                }
                depth += 1;
            }
            b'}' | b']' => {
                depth -= 1;
                if in_array && depth == target_depth {
                    if let Some((start, l)) = element.take() {
                        if pos + 1 - start > max_element {
                            return Err(SplitError::TooLarge { line: l, limit: max_element });
                        }
                        let text = std::str::from_utf8(&buf[start..=pos]).map_err(|_| SplitError::Utf8 { line: l })?;
                        f(text, l).map_err(|error| SplitError::Element { line: l, error })?;
                    }
                } else if in_array && depth < target_depth {
                    in_array = false;
                }
            }
            _ => {}
        }
        pos += 1;
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
