//! Input: files, stdin and gzip (detected by its magic bytes), read line by line with a
//! bounded line buffer — a 1 GB line without a newline costs [`MAX_LINE`] bytes of
//! memory and one counted malformed line, not the whole line.

use flate2::read::MultiGzDecoder;
use std::io::{self, BufRead, BufReader, Read};

/// The longest line kept; longer ones are counted as malformed.
pub const MAX_LINE: usize = 64 * 1024;

const BUFFER: usize = 256 * 1024;

/// A named input.
pub struct Input {
    pub name: String,
    pub reader: Box<dyn Read>,
}

/// Buffers `reader`, decompressing it when it starts with the gzip magic bytes.
pub fn open(reader: Box<dyn Read>) -> io::Result<Box<dyn BufRead>> {
    let mut buffered = BufReader::with_capacity(BUFFER, reader);
    let gz = buffered.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    Ok(if gz { Box::new(BufReader::with_capacity(BUFFER, MultiGzDecoder::new(buffered))) } else { Box::new(buffered) })
}

/// Calls `f(line, overlong)` for every line (without `\n`); an overlong line is passed
/// truncated to its first [`MAX_LINE`] bytes.
pub fn lines(reader: &mut dyn BufRead, mut f: impl FnMut(&[u8], bool)) -> io::Result<()> {
    let mut line = Vec::new();
    let mut overlong = false;
    loop {
        let buf = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            if !line.is_empty() || overlong {
                f(&line, overlong);
            }
            return Ok(());
        }
        let (chunk, used, end) = match memchr::memchr(b'\n', buf) {
            Some(i) => (&buf[..i], i + 1, true),
            None => (buf, buf.len(), false),
        };
        if end && line.is_empty() && !overlong && chunk.len() <= MAX_LINE {
            f(chunk, false);
        } else {
            let room = MAX_LINE.saturating_sub(line.len());
            overlong |= chunk.len() > room;
            line.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if end {
                f(&line, overlong);
                line.clear();
                overlong = false;
            }
        }
        reader.consume(used);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(data: Vec<u8>) -> Vec<(usize, bool)> {
        let mut r = open(Box::new(io::Cursor::new(data))).unwrap();
        let mut out = Vec::new();
        lines(&mut *r, |l, o| out.push((l.len(), o))).unwrap();
        out
    }

    #[test]
    fn bounded_lines_plain_and_gzip() {
        let mut data = b"a\nbb\n".to_vec();
        data.extend(vec![b'x'; MAX_LINE * 3]);
        data.extend(b"\nlast");
        let expect = vec![(1, false), (2, false), (MAX_LINE, true), (4, false)];
        assert_eq!(collect(data.clone()), expect);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        io::Write::write_all(&mut gz, &data).unwrap();
        assert_eq!(collect(gz.finish().unwrap()), expect);
    }
}
