//! Duration fields of scenario files, read with the one duration grammar
//! ([`perfhound_model::duration`]) and located errors.
//!
//! Bare numbers are ambiguous (k6 means milliseconds in some places, Artillery seconds), so
//! they are only accepted where a file format documents them (Artillery: seconds); elsewhere
//! the error asks for a unit.

use super::error::ScenarioError;
use super::locate::Source;
use perfhound_yaml::Node;
use serde_saphyr::Spanned;
use std::time::Duration;

pub(crate) use perfhound_model::duration::{parse as parse_duration, show, Bare};

/// Reads a duration field, with a located error that shows the accepted forms.
pub(crate) fn node_duration(src: &Source, node: &Spanned<Node>, bare: Bare) -> Result<Duration, ScenarioError> {
    let hint = match bare {
        Bare::Reject => "write a duration with a unit, e.g. `500ms`, `30s`, `1m` or `1h30m`",
        Bare::Seconds => "write seconds (`60`) or a duration with a unit (`500ms`, `1m`)",
        Bare::Millis => "write milliseconds (`200`) or a duration with a unit (`500ms`, `1s`)",
    };
    let text = match &node.value {
        Node::Str(s) => s.clone(),
        Node::Int(_) | Node::UInt(_) | Node::Float(_) => node.value.scalar_text().unwrap_or_default(),
        other => return Err(src.error(&node.referenced, format!("expected a duration, found {}", other.kind()), hint)),
    };
    parse_duration(&text, bare).map_err(|why| src.error(&node.referenced, format!("bad duration: {why}"), hint))
}

/// Like [`node_duration`], but the duration must be longer than zero.
pub(crate) fn positive_duration(src: &Source, node: &Spanned<Node>, bare: Bare) -> Result<Duration, ScenarioError> {
    let d = node_duration(src, node, bare)?;
    if d.is_zero() {
        return Err(src.error(&node.referenced, "duration must be longer than 0", "e.g. `30s`"));
    }
    Ok(d)
}
