//! Folded (collapsed) stacks: one line per stack, `root;child;leaf COUNT`.
//!
//! Written by inferno's and Brendan Gregg's `stackcollapse-*`, async-profiler's
//! `collapsed` output and py-spy's `--format raw` (`fn (file.py:line)` frames).

use crate::error::{excerpt, ParseError};
use crate::profile::Profile;
use std::io::BufRead;

/// Reads every line of `input` into `profile`.
pub fn read(input: impl BufRead, profile: &mut Profile) -> Result<(), ParseError> {
    let mut scratch = Vec::new();
    for_each_line(input, |n, line| add_line(line, profile, &mut scratch).map_err(|m| ParseError::at(n, m)))
}

/// Calls `f` with each line (1-based number, text without the line ending), lossily
/// decoded, reusing one buffer.
pub(crate) fn for_each_line(
    mut input: impl BufRead,
    mut f: impl FnMut(u64, &str) -> Result<(), ParseError>,
) -> Result<(), ParseError> {
    let mut buf = Vec::new();
    let mut n = 0;
    loop {
        buf.clear();
        if input.read_until(b'\n', &mut buf)? == 0 {
            return Ok(());
        }
        n += 1;
        let text = String::from_utf8_lossy(&buf);
        f(n, text.trim_end_matches(['\n', '\r']))?;
    }
}

fn add_line(line: &str, profile: &mut Profile, scratch: &mut Vec<u32>) -> Result<(), String> {
    let line = line.trim();
    // py-spy writes ` 3` for samples taken while no Python frame was on the stack.
    if line.is_empty() || line.starts_with('#') || line.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(());
    }
    let Some((stack, count)) = line.rsplit_once([' ', '\t']) else {
        return Err(expected("no sample count after the stack"));
    };
    let Ok(weight) = count.parse::<u64>() else {
        return Err(expected(&format!("`{}` is not a sample count", excerpt(count))));
    };
    scratch.clear();
    for frame in stack.trim_end().split(';').filter(|f| !f.is_empty()) {
        scratch.push(profile.intern(frame));
    }
    if scratch.is_empty() {
        return Err(expected("the stack has no frames"));
    }
    profile.add(scratch, weight);
    Ok(())
}

fn expected(what: &str) -> String {
    format!("{what}; expected a folded stack `root;caller;leaf COUNT` (frames joined by `;`, a space, a whole number)")
}
