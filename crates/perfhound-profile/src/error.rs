//! The one error type of profile parsing: where in the input, and what was expected.

use std::fmt;

/// A profile that could not be read: the 1-based line (0 when the failure is not tied to
/// one, e.g. an I/O error) and a sentence saying what was expected there.
#[derive(Debug, thiserror::Error)]
pub struct ParseError {
    pub line: u64,
    pub message: String,
}

impl ParseError {
    pub fn at(line: u64, message: impl Into<String>) -> Self {
        ParseError { line, message: message.into() }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.message)
        } else {
            write!(f, "line {}: {}", self.line, self.message)
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
