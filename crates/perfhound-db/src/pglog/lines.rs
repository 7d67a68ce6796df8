//! Lines of a text log with bounded memory: a line longer than [`super::MAX_LINE_BYTES`]
//! is cut (the rest is read past), `\r\n` endings are accepted, and bytes that are not
//! UTF-8 (a statement in another client encoding) become U+FFFD instead of an error.

use std::io::BufRead;

pub struct Lines<R> {
    input: R,
    buf: Vec<u8>,
    text: String,
    number: usize,
}

impl<R: BufRead> Lines<R> {
    pub fn new(input: R) -> Self {
        Lines { input, buf: Vec::new(), text: String::new(), number: 0 }
    }

    /// The next line (1-based number, text without its line ending).
    pub fn next_line(&mut self) -> std::io::Result<Option<(usize, &str)>> {
        self.buf.clear();
        if !self.read_bounded()? {
            return Ok(None);
        }
        self.number += 1;
        while matches!(self.buf.last(), Some(b'\n' | b'\r')) {
            self.buf.pop();
        }
        self.text.clear();
        self.text.push_str(&String::from_utf8_lossy(&self.buf));
        Ok(Some((self.number, &self.text)))
    }

    /// Reads up to and including the next `\n`, keeping at most `MAX_LINE_BYTES`.
    /// False at the end of the input.
    fn read_bounded(&mut self) -> std::io::Result<bool> {
        let mut any = false;
        loop {
            let chunk = match self.input.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                return Ok(any);
            }
            any = true;
            let (take, done) = match memchr_newline(chunk) {
                Some(i) => (i + 1, true),
                None => (chunk.len(), false),
            };
            let room = super::MAX_LINE_BYTES.saturating_sub(self.buf.len());
            self.buf.extend_from_slice(&chunk[..take.min(room)]);
            self.input.consume(take);
            if done {
                return Ok(true);
            }
        }
    }
}

fn memchr_newline(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| c == b'\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_lossy_bounded_lines() {
        let long = "x".repeat(super::super::MAX_LINE_BYTES + 10);
        let mut bytes = b"a\r\nb\xff\n".to_vec();
        bytes.extend_from_slice(long.as_bytes());
        bytes.extend_from_slice(b"\nlast");
        let mut lines = Lines::new(&bytes[..]);
        assert_eq!(lines.next_line().unwrap(), Some((1, "a")));
        assert_eq!(lines.next_line().unwrap(), Some((2, "b\u{fffd}")));
        let (n, l) = lines.next_line().unwrap().map(|(n, l)| (n, l.len())).unwrap();
        assert_eq!((n, l), (3, super::super::MAX_LINE_BYTES));
        assert_eq!(lines.next_line().unwrap(), Some((4, "last")));
        assert_eq!(lines.next_line().unwrap(), None);
    }
}
