//! Which format a profile file holds, from its first non-blank line.

use crate::error::ParseError;
use crate::profile::Profile;
use crate::{folded, perf};
use serde::Serialize;
use std::io::{BufRead, Cursor, Read};

/// A profile format perfhound reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// `root;caller;leaf COUNT` lines.
    Folded,
    /// `perf script` text.
    PerfScript,
}

/// Detects the format of `input` and reads it into `profile`.
pub fn read(mut input: impl BufRead, profile: &mut Profile) -> Result<Format, ParseError> {
    let mut head = Vec::new();
    let mut lines = 0;
    let first = loop {
        let start = head.len();
        if input.read_until(b'\n', &mut head)? == 0 {
            return Err(ParseError::at(0, "the profile is empty; expected folded stacks or `perf script` text"));
        }
        lines += 1;
        let line = String::from_utf8_lossy(&head[start..]).trim().to_string();
        if !line.is_empty() && !line.starts_with('#') {
            break line;
        }
    };
    let format = sniff(&head, &first, lines)?;
    let whole = Cursor::new(head).chain(input);
    match format {
        Format::Folded => folded::read(whole, profile)?,
        Format::PerfScript => perf::read(whole, profile)?,
    }
    Ok(format)
}

fn sniff(head: &[u8], first: &str, line: u64) -> Result<Format, ParseError> {
    let binary = head.iter().any(|&b| b < 0x09 || (0x0e..0x20).contains(&b) && b != 0x1b);
    if head.starts_with(&[0x1f, 0x8b]) || binary {
        return Err(ParseError::at(
            0,
            "this looks like a pprof (protobuf) profile, which perfhound cannot read yet; \
             convert it with `go tool pprof -raw` or `pprof -traces`, or export folded stacks",
        ));
    }
    if first.starts_with('{') || first.starts_with('[') {
        return Err(ParseError::at(
            line,
            "this looks like JSON (a .cpuprofile or speedscope file), which perfhound \
             cannot read yet; expected folded stacks or `perf script` text",
        ));
    }
    let last = first.rsplit([' ', '\t']).next().unwrap_or("");
    if first.contains(' ') && last.parse::<u64>().is_ok() || first.contains(';') {
        Ok(Format::Folded)
    } else {
        Ok(Format::PerfScript)
    }
}
