//! A reader that hands out its input in chunks whose sizes cycle through `sizes` (each
//! 1..=64): the differential trace-reader targets read the same bytes whole and chunked,
//! so every refill, move and growth of the readers' buffers is exercised.

use std::io::Read;

pub struct Chunked<'a> {
    pub data: &'a [u8],
    pub sizes: Vec<usize>,
    pub n: usize,
}

impl Read for Chunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let want = self.sizes[self.n % self.sizes.len()].min(buf.len()).min(self.data.len());
        self.n += 1;
        buf[..want].copy_from_slice(&self.data[..want]);
        self.data = &self.data[want..];
        Ok(want)
    }
}
