//! Which format a profile file holds, from its first bytes: gzip is removed first, then
//! `{` means JSON (`.cpuprofile` or speedscope), binary bytes mean pprof protobuf, and
//! text is folded stacks or `perf script` by its first non-blank, non-`#` line.

use crate::error::{FileError, ParseError};
use crate::profile::Profile;
use crate::{folded, json, perf, pprof};
use serde::Serialize;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::Path;

/// A profile format perfhound reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// `root;caller;leaf COUNT` lines.
    Folded,
    /// `perf script` text.
    PerfScript,
    /// pprof protobuf (`perftools.profiles.Profile`), gzipped or not.
    Pprof,
    /// Chrome DevTools / Node `.cpuprofile` JSON.
    Cpuprofile,
    /// speedscope JSON.
    Speedscope,
}

/// Reads the profile file at `path` into `profile` (merging with what it holds).
pub fn read_file(path: &Path, profile: &mut Profile) -> Result<Format, FileError> {
    let shown = || crate::frame::clean(&path.display().to_string());
    let file = std::fs::File::open(path).map_err(|error| FileError::Open { path: shown(), error })?;
    read(BufReader::with_capacity(1 << 16, file), profile).map_err(|error| FileError::Parse { path: shown(), error })
}

/// One profile file on its own.
pub fn read_profile(path: &Path) -> Result<Profile, FileError> {
    let mut profile = Profile::default();
    read_file(path, &mut profile)?;
    Ok(profile)
}

/// Detects the format of `input` (gzipped or not) and reads it into `profile`.
pub fn read(mut input: impl BufRead, profile: &mut Profile) -> Result<Format, ParseError> {
    if input.fill_buf()?.starts_with(&[0x1f, 0x8b]) {
        let inner = BufReader::with_capacity(1 << 16, flate2::bufread::MultiGzDecoder::new(input));
        return read_plain(inner, profile).map_err(gzip_context);
    }
    read_plain(input, profile)
}

fn gzip_context(mut e: ParseError) -> ParseError {
    if e.message.starts_with("could not read the profile") {
        e.message = format!("{} (the file starts like gzip; is it truncated?)", e.message);
    }
    e
}

fn read_plain(mut input: impl BufRead, profile: &mut Profile) -> Result<Format, ParseError> {
    let head = input.fill_buf()?;
    let Some(first) = head.iter().position(|b| !b.is_ascii_whitespace()) else {
        return read_text(input, profile);
    };
    let start = &head[first..head.len().min(first + 4096)];
    if start[0] == b'{' || start[0] == b'[' {
        return json::read(input, profile);
    }
    if start.iter().any(|&b| b < 0x09 || (0x0e..0x20).contains(&b) && b != 0x1b) {
        pprof::read(input, profile).map_err(binary_context)?;
        return Ok(Format::Pprof);
    }
    read_text(input, profile)
}

fn binary_context(mut e: ParseError) -> ParseError {
    e.message = format!("{} (the file is binary, so it was read as pprof protobuf)", e.message);
    e
}

fn read_text(mut input: impl BufRead, profile: &mut Profile) -> Result<Format, ParseError> {
    let mut head = Vec::new();
    let first = loop {
        let start = head.len();
        if input.read_until(b'\n', &mut head)? == 0 {
            return Err(ParseError::at(
                0,
                "the profile is empty; expected folded stacks, `perf script` text, pprof, .cpuprofile or speedscope JSON",
            ));
        }
        let line = String::from_utf8_lossy(&head[start..]).trim().to_string();
        if !line.is_empty() && !line.starts_with('#') {
            break line;
        }
    };
    let whole = Cursor::new(head).chain(input);
    let last = first.rsplit([' ', '\t']).next().unwrap_or("");
    if first.contains(' ') && last.parse::<u64>().is_ok() || first.contains(';') {
        folded::read(whole, profile)?;
        Ok(Format::Folded)
    } else {
        perf::read(whole, profile)?;
        Ok(Format::PerfScript)
    }
}
