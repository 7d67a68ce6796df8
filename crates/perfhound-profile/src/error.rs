//! The one error type of profile parsing: where in the input, and what was expected.

use std::fmt;

/// Where in a profile something went wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Position {
    /// Not tied to one place (an I/O error, an empty file).
    Nowhere,
    /// A 1-based line of a text format, with the 1-based column when known (JSON).
    Line(u64, Option<u64>),
    /// A byte offset into a binary format (pprof), after decompression.
    Byte(u64),
}

/// A profile that could not be read: where, and a sentence saying what was expected there.
#[derive(Debug, thiserror::Error)]
pub struct ParseError {
    pub position: Position,
    pub message: String,
}

impl ParseError {
    /// An error at a 1-based line; 0 means not tied to a line.
    pub fn at(line: u64, message: impl Into<String>) -> Self {
        let position = if line == 0 { Position::Nowhere } else { Position::Line(line, None) };
        ParseError { position, message: message.into() }
    }

    /// An error at a byte offset of a binary format.
    pub fn at_byte(offset: u64, message: impl Into<String>) -> Self {
        ParseError { position: Position::Byte(offset), message: message.into() }
    }

    /// An error at a line and column (JSON).
    pub fn at_column(line: u64, column: u64, message: impl Into<String>) -> Self {
        let position = if line == 0 { Position::Nowhere } else { Position::Line(line, Some(column)) };
        ParseError { position, message: message.into() }
    }

    /// The 1-based line, or 0 when the error is not tied to one.
    pub fn line(&self) -> u64 {
        match self.position {
            Position::Line(l, _) => l,
            _ => 0,
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Position::Nowhere => write!(f, "{}", self.message),
            Position::Line(l, None) => write!(f, "line {l}: {}", self.message),
            Position::Line(l, Some(c)) => write!(f, "line {l}, column {c}: {}", self.message),
            Position::Byte(b) => write!(f, "byte {b}: {}", self.message),
        }
    }
}

impl From<std::io::Error> for ParseError {
    fn from(e: std::io::Error) -> Self {
        ParseError::at(0, format!("could not read the profile: {e}"))
    }
}

/// Input text quoted in an error: at most 40 characters, control characters replaced.
pub(crate) fn excerpt(s: &str) -> String {
    let cut: String = crate::frame::clean(&s.chars().take(40).collect::<String>());
    if s.chars().count() > 40 {
        format!("{cut}…")
    } else {
        cut
    }
}

/// A profile file that could not be opened or read, with its path.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("cannot open {path}: {error}")]
    Open { path: String, error: std::io::Error },
    #[error("{path} is not a profile perfhound reads: {error}")]
    Parse { path: String, error: ParseError },
}
