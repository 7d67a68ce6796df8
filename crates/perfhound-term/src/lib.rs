//! The one terminal printer every perfhound command writes human text through.
//!
//! Four engines (load, traces, db, sqlite), the audit and the report renderers all print
//! numbers and findings for people. Before this crate each had its own byte formatter,
//! truncation and finding line, so the same size printed as `1.5KB`, `1.5 KB` or `1 kB`
//! depending on the command. Here lives the single set:
//!
//! - [`clean`]: [`clean::clean`] strips control characters and ANSI escape sequences from
//!   text that came from input (span names, SQL, URLs, headers, file names) — a trace
//!   file must not be able to rewrite the user's terminal. [`clean::one_line`] and
//!   [`clean::clip`] also fold line breaks and truncate for table cells.
//! - [`human`]: bytes, durations, rates and percentages as people read them.
//! - [`finding`]: the one-line form of a finding, `[warning] PH-DB001 name: title`.
//! - [`print`]/[`eprint`]: write a whole rendered text to stdout/stderr through
//!   [`clean::clean`], so nothing an input carries reaches the terminal raw, whichever
//!   field it came through.
//!
//! Why a crate and not a module of `perfhound-model`: the model is serde types only and
//! stays that way; formatting for terminals is presentation. Engines and the report crate
//! may depend on this crate (it depends on the model only), so no engine depends on
//! another to print.

pub mod clean;
pub mod finding;
pub mod human;
pub mod sparkline;

pub use clean::{clean, clip, one_line};
pub use finding::{finding_line, findings_block};
pub use sparkline::sparkline;

/// Writes rendered human text to stdout with control characters stripped (`\n`, `\t`
/// kept). Uses `print!`, so a closed pipe ends the program through the binary's
/// broken-pipe handler as before.
pub fn print(text: &str) {
    std::print!("{}", clean(text));
}

/// Like [`print`], to stderr (notes, warnings, errors).
pub fn eprint(text: &str) {
    std::eprint!("{}", clean(text));
}
