//! JSON profiles: Chrome/Node `.cpuprofile` and speedscope files, told apart by their keys
//! and read in one streaming pass: sample arrays are counted as they are parsed, never
//! held, so memory follows the number of distinct stacks.

use crate::cpuprofile::{CpuNode, NodeCounts};
use crate::detect::Format;
use crate::error::ParseError;
use crate::profile::Profile;
use crate::speedscope::{SsFrame, SsProfile, SsProfiles};
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;
use std::io::Read;

/// Everything either format may carry at its top level.
#[derive(Default)]
struct Document {
    nodes: Option<Vec<CpuNode>>,
    samples: Option<NodeCounts>,
    frames: Option<Vec<SsFrame>>,
    profiles: Option<Vec<SsProfile>>,
}

/// Reads a `.cpuprofile` or speedscope document from `input` into `profile`.
pub fn read(input: impl Read, profile: &mut Profile) -> Result<Format, ParseError> {
    let mut de = serde_json::Deserializer::from_reader(input);
    let doc = Document::deserialize(&mut de).and_then(|d| de.end().map(|_| d)).map_err(json_error)?;
    match doc {
        Document { nodes: Some(nodes), samples, .. } => {
            crate::cpuprofile::add(&nodes, samples.as_ref(), profile)?;
            Ok(Format::Cpuprofile)
        }
        Document { profiles: Some(profiles), frames, .. } => {
            crate::speedscope::add(&profiles, frames.as_deref().unwrap_or_default(), profile)?;
            Ok(Format::Speedscope)
        }
        _ => Err(ParseError::at(
            1,
            "a JSON object with neither `nodes` (a Chrome/Node .cpuprofile) nor `profiles` \
             (a speedscope file); expected one of those",
        )),
    }
}

fn json_error(e: serde_json::Error) -> ParseError {
    let text = e.to_string();
    let what = text.rfind(" at line ").map_or(text.as_str(), |i| &text[..i]);
    let message =
        format!("{}; expected a Chrome/Node .cpuprofile or a speedscope JSON file", crate::frame::clean(what));
    ParseError::at_column(e.line() as u64, e.column() as u64, message)
}

impl<'de> Deserialize<'de> for Document {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(DocumentVisitor)
    }
}

struct DocumentVisitor;

impl<'de> Visitor<'de> for DocumentVisitor {
    type Value = Document;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object (a .cpuprofile or a speedscope file)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Document, A::Error> {
        let mut doc = Document::default();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match key.as_ref() {
                "nodes" => doc.nodes = Some(map.next_value()?),
                "samples" => doc.samples = Some(map.next_value()?),
                "shared" => doc.frames = Some(map.next_value::<Shared>()?.frames),
                "profiles" => doc.profiles = Some(map.next_value::<SsProfiles>()?.0),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(doc)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<Document, A::Error> {
        Err(de::Error::custom(
            "a JSON array (Chrome trace events?): perfhound reads the .cpuprofile that DevTools' \
             JavaScript profiler or `node --cpu-prof` saves",
        ))
    }
}

#[derive(Deserialize)]
struct Shared {
    #[serde(default)]
    frames: Vec<SsFrame>,
}
