//! HTTP/1.1 response heads and chunked framing as perfhound's own client parses them
//! (`perfhound_load::client::h1::{parse_head, chunk_size_line}`), arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perfhound_load::client::h1::{chunk_size_line, parse_head, Framing};

fuzz_target!(|data: &[u8]| {
    let head_request = data.first().is_some_and(|b| b & 1 == 1);
    let Ok(Some(head)) = parse_head(data, head_request) else { return };
    assert!(head.len <= data.len());
    if head.framing != Framing::Chunked {
        return;
    }
    // Walk the chunks the way the client does.
    let mut rest = &data[head.len..];
    while let Ok(Some((size, line))) = chunk_size_line(rest) {
        assert!(line <= rest.len());
        rest = &rest[line..];
        let Ok(size) = usize::try_from(size) else { return };
        if size == 0 || size.saturating_add(2) > rest.len() {
            return;
        }
        rest = &rest[size + 2..];
    }
});
