//! A minimal protobuf wire-format reader for pprof: varints, length-delimited fields and
//! packed repeated varints, each error naming the byte offset where the input broke.
//! [`Reader`] walks a message held in memory; [`Stream`] walks the top-level fields of a
//! message read from a stream, holding one field at a time.

use crate::error::ParseError;
use std::io::{BufRead, Read};

/// A top-level field larger than this is refused: pprof's entries (a sample, a location,
/// a function, a string) are small, so this is not a CPU profile.
const MAX_FIELD_BYTES: u64 = 64 << 20;

/// One field's value as the wire carries it.
#[derive(Clone, Copy, Debug)]
pub enum Value<'a> {
    Varint(u64),
    /// A length-delimited payload and its absolute offset in the input.
    Bytes(&'a [u8], u64),
    /// Fixed 32/64-bit values, which pprof never uses for fields it reads.
    Fixed,
}

/// Walks the fields of one message.
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    base: u64,
}

impl<'a> Reader<'a> {
    /// A reader over `buf`, whose first byte sits at absolute offset `base`.
    pub fn new(buf: &'a [u8], base: u64) -> Self {
        Reader { buf, pos: 0, base }
    }

    /// The absolute offset of the next byte.
    pub fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// The next field number and value, or `None` at the end of the message.
    pub fn field(&mut self) -> Result<Option<(u64, Value<'a>)>, ParseError> {
        if self.pos >= self.buf.len() {
            return Ok(None);
        }
        let at = self.offset();
        let key = self.varint()?;
        let (number, kind) = (key >> 3, key & 7);
        if number == 0 {
            return Err(ParseError::at_byte(at, "field number 0; expected a protobuf field key"));
        }
        let value = match kind {
            0 => Value::Varint(self.varint()?),
            1 => self.skip(8).map(|_| Value::Fixed)?,
            2 => {
                let len = self.varint()?;
                let start = self.offset();
                Value::Bytes(self.skip(len)?, start)
            }
            5 => self.skip(4).map(|_| Value::Fixed)?,
            other => {
                return Err(ParseError::at_byte(
                    at,
                    format!("wire type {other}; expected a protobuf field (wire type 0, 1, 2 or 5)"),
                ))
            }
        };
        Ok(Some((number, value)))
    }

    fn varint(&mut self) -> Result<u64, ParseError> {
        let at = self.offset();
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let Some(&byte) = self.buf.get(self.pos) else {
                return Err(ParseError::at_byte(at, "the input ends inside a varint; expected more bytes"));
            };
            self.pos += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(ParseError::at_byte(at, "a varint longer than 10 bytes; expected a protobuf varint"))
    }

    fn skip(&mut self, len: u64) -> Result<&'a [u8], ParseError> {
        let left = (self.buf.len() - self.pos) as u64;
        if len > left {
            let at = self.offset();
            return Err(ParseError::at_byte(
                at,
                format!("a field of {len} bytes but only {left} remain; the file is truncated"),
            ));
        }
        let out = &self.buf[self.pos..self.pos + len as usize];
        self.pos += len as usize;
        Ok(out)
    }
}

/// Walks the top-level fields of a message from a stream, one field in memory at a time.
pub struct Stream<R> {
    input: R,
    offset: u64,
    field: Vec<u8>,
}

impl<R: BufRead> Stream<R> {
    pub fn new(input: R) -> Self {
        Stream { input, offset: 0, field: Vec::new() }
    }

    /// The next field's number, offset and value, or `None` at the end of the input.
    pub fn field(&mut self) -> Result<Option<(u64, u64, Value<'_>)>, ParseError> {
        let at = self.offset;
        let Some(key) = self.varint(true)? else {
            return Ok(None);
        };
        let (number, kind) = (key >> 3, key & 7);
        if number == 0 {
            return Err(ParseError::at_byte(at, "field number 0; expected a protobuf field key"));
        }
        let value = match kind {
            0 => Value::Varint(self.varint(false)?.unwrap_or_default()),
            1 => self.payload(8).map(|_| Value::Fixed)?,
            2 => {
                let len = self.varint(false)?.unwrap_or_default();
                let start = self.offset;
                if len > MAX_FIELD_BYTES {
                    return Err(ParseError::at_byte(
                        at,
                        format!("a field of {len} bytes; a pprof profile's entries are small (over 64 MiB: not a CPU profile)"),
                    ));
                }
                self.payload(len)?;
                Value::Bytes(&self.field, start)
            }
            5 => self.payload(4).map(|_| Value::Fixed)?,
            other => {
                return Err(ParseError::at_byte(
                    at,
                    format!("wire type {other}; expected a protobuf field (wire type 0, 1, 2 or 5)"),
                ))
            }
        };
        Ok(Some((number, at, value)))
    }

    /// A varint; `None` when the input ends before its first byte and `at_end_ok`.
    fn varint(&mut self, at_end_ok: bool) -> Result<Option<u64>, ParseError> {
        let at = self.offset;
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let Some(&byte) = self.input.fill_buf()?.first() else {
                if shift == 0 && at_end_ok {
                    return Ok(None);
                }
                return Err(ParseError::at_byte(at, "the input ends inside a varint; expected more bytes"));
            };
            self.input.consume(1);
            self.offset += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(Some(value));
            }
        }
        Err(ParseError::at_byte(at, "a varint longer than 10 bytes; expected a protobuf varint"))
    }

    /// Reads `len` bytes into the field buffer; fewer means the input is truncated.
    fn payload(&mut self, len: u64) -> Result<(), ParseError> {
        let at = self.offset;
        self.field.clear();
        let got = (&mut self.input).take(len).read_to_end(&mut self.field)? as u64;
        self.offset += got;
        if got < len {
            return Err(ParseError::at_byte(
                at,
                format!("a field of {len} bytes but only {got} remain; the file is truncated"),
            ));
        }
        Ok(())
    }
}

/// Appends a repeated integer field, packed (`Bytes`) or not (`Varint`), to `out`.
pub fn push_varints(value: Value<'_>, out: &mut Vec<u64>) -> Result<(), ParseError> {
    match value {
        Value::Varint(v) => out.push(v),
        Value::Bytes(b, at) => {
            let mut r = Reader::new(b, at);
            while r.pos < b.len() {
                out.push(r.varint()?);
            }
        }
        Value::Fixed => {}
    }
    Ok(())
}

/// The value of a scalar field, or 0 for a wire type pprof does not use there.
pub fn int(value: Value<'_>) -> u64 {
    match value {
        Value::Varint(v) => v,
        _ => 0,
    }
}

/// The payload of a message or string field, or a clear error for a scalar.
/// `at` is the offset of the field, for the error.
pub fn bytes<'a>(value: Value<'a>, at: u64, what: &str) -> Result<Reader<'a>, ParseError> {
    match value {
        Value::Bytes(b, start) => Ok(Reader::new(b, start)),
        _ => Err(ParseError::at_byte(at, format!("{what} is not length-delimited; expected an embedded message"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_and_packed_fields_decode() {
        let mut r = Reader::new(&[0x08, 0x96, 0x01, 0x12, 0x02, 0x03, 0x04], 0);
        assert!(matches!(r.field().unwrap(), Some((1, Value::Varint(150)))));
        let (n, v) = r.field().unwrap().unwrap();
        let mut out = Vec::new();
        push_varints(v, &mut out).unwrap();
        assert_eq!((n, out), (2, vec![3, 4]));
        assert!(r.field().unwrap().is_none());
    }

    #[test]
    fn a_stream_reads_fields_and_names_truncation() {
        let mut s = Stream::new(&[0x08, 0x96, 0x01, 0x12, 0x02, 0x03, 0x04, 0x1a, 0x05, 0x01][..]);
        assert!(matches!(s.field().unwrap(), Some((1, 0, Value::Varint(150)))));
        assert!(matches!(s.field().unwrap(), Some((2, 3, Value::Bytes(&[3, 4], 5)))));
        let e = s.field().unwrap_err().to_string();
        assert_eq!(e, "byte 9: a field of 5 bytes but only 1 remain; the file is truncated");
        assert!(Stream::new(&[][..]).field().unwrap().is_none());
    }

    #[test]
    fn truncation_names_the_offset() {
        let e = Reader::new(&[0x08, 0x12, 0x05, 0x01], 10)
            .field()
            .and_then(|_| Reader::new(&[0x12, 0x05, 0x01], 10).field());
        assert_eq!(e.unwrap_err().to_string(), "byte 12: a field of 5 bytes but only 1 remain; the file is truncated");
    }
}
