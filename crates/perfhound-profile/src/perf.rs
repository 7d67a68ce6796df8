//! Linux `perf script` text: one block per sample, a header line then frames leaf first.
//!
//! ```text
//! python3 4242 [001] 1234.567890:   10101010 cpu-clock:pppH:
//!         7f3a1b2c find_similar+0x1f (/usr/lib/libapp.so)
//!         55d0c0de main+0x12 (/usr/bin/python3.11)
//!
//! ```
//! Each sample weighs 1, the command name is the root frame (as inferno's
//! `collapse-perf` does), `+0x…` offsets are dropped, and an unknown symbol is named after
//! its binary (`[libc.so.6]`).

use crate::error::{excerpt, ParseError};
use crate::folded::for_each_line;
use crate::profile::Profile;
use std::borrow::Cow;
use std::io::BufRead;

/// Reads every sample of `input` into `profile`.
pub fn read(input: impl BufRead, profile: &mut Profile) -> Result<(), ParseError> {
    // One buffer for every sample: empty between samples, the command then frames inside.
    let mut stack: Vec<u32> = Vec::with_capacity(64);
    for_each_line(input, |n, line| {
        if line.trim().is_empty() {
            flush(&mut stack, profile);
        } else if line.starts_with([' ', '\t']) {
            if stack.is_empty() {
                return Err(ParseError::at(n, NO_HEADER));
            }
            stack.push(profile.intern(&symbol(line.trim()).map_err(|m| ParseError::at(n, m))?));
        } else if !line.starts_with('#') {
            flush(&mut stack, profile);
            stack.push(profile.intern(command(line)));
        }
        Ok(())
    })?;
    flush(&mut stack, profile);
    Ok(())
}

const NO_HEADER: &str = "a stack frame before any sample header; expected `perf script` output \
     (a line `COMM PID TIME: PERIOD EVENT:` followed by indented `ADDRESS SYMBOL (BINARY)` lines)";

/// Adds the finished sample and empties the buffer: frames were pushed root (command),
/// then leaf … outermost.
fn flush(stack: &mut Vec<u32>, profile: &mut Profile) {
    if stack.len() > 1 {
        stack[1..].reverse();
        profile.add(stack, 1);
    }
    stack.clear();
}

/// The command name: the header's text before the PID (`comm` may contain spaces).
fn command(header: &str) -> &str {
    let mut end = 0;
    for word in header.split_whitespace() {
        if is_pid(word) {
            break;
        }
        end = word.as_ptr() as usize - header.as_ptr() as usize + word.len();
    }
    match header[..end].trim() {
        "" => "[unknown]",
        comm => comm,
    }
}

fn is_pid(word: &str) -> bool {
    !word.is_empty() && word.split('/').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// `ADDRESS SYMBOL+0xOFF (BINARY)` → `SYMBOL`, or `[BINARY]` when the symbol is unknown.
fn symbol(frame: &str) -> Result<Cow<'_, str>, String> {
    let Some((addr, rest)) = frame.split_once(char::is_whitespace) else {
        return Err(format!("expected `ADDRESS SYMBOL (BINARY)` in a stack, found `{}`", excerpt(frame)));
    };
    if !addr.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("expected a hexadecimal address at the start of a stack frame, found `{}`", excerpt(addr)));
    }
    let rest = rest.trim();
    let (sym, binary) = match rest.rfind(" (") {
        Some(i) if rest.ends_with(')') => (&rest[..i], &rest[i + 2..rest.len() - 1]),
        _ => (rest, ""),
    };
    let sym = strip_offset(sym.trim());
    if sym.is_empty() || sym == "[unknown]" {
        let base = binary.rsplit('/').next().unwrap_or("").trim_matches(['[', ']']);
        let base = if base.is_empty() { "unknown" } else { base };
        return Ok(Cow::Owned(format!("[{base}]")));
    }
    Ok(Cow::Borrowed(sym))
}

fn strip_offset(sym: &str) -> &str {
    match sym.rfind("+0x") {
        Some(i) if sym[i + 3..].bytes().all(|b| b.is_ascii_hexdigit()) => &sym[..i],
        _ => sym,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_lose_offsets_and_unknowns_name_their_binary() {
        assert_eq!(symbol("7f00 find_similar+0x1f (/usr/lib/libapp.so)").unwrap(), "find_similar");
        assert_eq!(symbol("7f00 [unknown] (/usr/lib/libc.so.6)").unwrap(), "[libc.so.6]");
        assert_eq!(symbol("0 [unknown] ([unknown])").unwrap(), "[unknown]");
        assert!(symbol("zz main (/bin/x)").is_err());
    }

    #[test]
    fn command_names_may_contain_spaces() {
        assert_eq!(command("Web Content 4242/4243 [001] 1.0: 1 cycles:"), "Web Content");
    }
}
