//! Chrome DevTools / Node `.cpuprofile` JSON (`node --cpu-prof`, DevTools' JavaScript
//! profiler): a call tree of `nodes` (each with a `callFrame` and `children`) and a
//! `samples` array of node ids, one per sample.
//!
//! Each sample weighs 1. `(root)` is dropped from stacks and `(idle)` samples are not CPU
//! time, so they are left out; `(program)` and `(garbage collector)` stay. Line numbers
//! are 0-based in the file and printed 1-based, like the editor shows them.

use crate::error::ParseError;
use crate::profile::{Profile, Unit};
use serde::de::{Deserializer, SeqAccess, Visitor};
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CpuNode {
    id: u64,
    call_frame: CallFrame,
    #[serde(default)]
    children: Vec<u64>,
    #[serde(default)]
    hit_count: u64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CallFrame {
    #[serde(default)]
    function_name: String,
    #[serde(default)]
    url: String,
    #[serde(default = "minus_one")]
    line_number: i64,
}

fn minus_one() -> i64 {
    -1
}

/// Samples per node id, counted while the `samples` array is parsed.
#[derive(Default)]
pub struct NodeCounts(HashMap<u64, u64>);

impl<'de> Deserialize<'de> for NodeCounts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Counter;
        impl<'de> Visitor<'de> for Counter {
            type Value = NodeCounts;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an array of node ids")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<NodeCounts, A::Error> {
                let mut counts = HashMap::new();
                while let Some(id) = seq.next_element::<u64>()? {
                    *counts.entry(id).or_insert(0u64) += 1;
                }
                Ok(NodeCounts(counts))
            }
        }
        d.deserialize_seq(Counter)
    }
}

/// Adds every sampled node's stack, root first, to `profile`. Without a `samples` array
/// (older files) each node's `hitCount` is its weight.
pub fn add(nodes: &[CpuNode], samples: Option<&NodeCounts>, profile: &mut Profile) -> Result<(), ParseError> {
    profile.set_unit(Unit::Samples)?;
    let index: HashMap<u64, usize> = nodes.iter().enumerate().map(|(i, n)| (n.id, i)).collect();
    let mut parent = vec![usize::MAX; nodes.len()];
    for (i, n) in nodes.iter().enumerate() {
        for c in &n.children {
            let Some(&child) = index.get(c) else {
                return Err(missing(*c, "a child"));
            };
            parent[child] = i;
        }
    }
    let weights: Vec<(u64, u64)> = match samples {
        Some(NodeCounts(c)) => c.iter().map(|(&id, &w)| (id, w)).collect(),
        None => nodes.iter().map(|n| (n.id, n.hit_count)).collect(),
    };
    let frames: Vec<Option<u32>> = nodes.iter().map(|n| frame(n, profile)).collect();
    let mut stack = Vec::new();
    for (id, weight) in weights {
        let Some(&leaf) = index.get(&id) else {
            return Err(missing(id, "a sample"));
        };
        if nodes[leaf].call_frame.function_name == "(idle)" {
            continue;
        }
        stack.clear();
        let (mut at, mut steps) = (leaf, 0);
        while at != usize::MAX {
            steps += 1;
            if steps > nodes.len() {
                return Err(ParseError::at(0, "the node tree has a cycle; expected `children` to form a tree"));
            }
            stack.extend(frames[at]);
            at = parent[at];
        }
        stack.reverse();
        profile.add(&stack, weight);
    }
    Ok(())
}

fn missing(id: u64, what: &str) -> ParseError {
    ParseError::at(
        0,
        format!("{what} refers to node {id}, which `nodes` does not define; expected a complete .cpuprofile"),
    )
}

/// The frame of a node, `None` for the synthetic `(root)`.
fn frame(node: &CpuNode, profile: &mut Profile) -> Option<u32> {
    let cf = &node.call_frame;
    if cf.function_name == "(root)" && cf.url.is_empty() {
        return None;
    }
    let file = cf.url.strip_prefix("file://").unwrap_or(&cf.url);
    let line = u32::try_from(cf.line_number + 1).ok().filter(|&l| l > 0 && !file.is_empty());
    Some(profile.intern_parts(&cf.function_name, Some(file), line))
}
