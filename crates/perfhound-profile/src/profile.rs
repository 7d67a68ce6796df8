//! The in-memory profile: interned frames and one weight per distinct stack.
//!
//! Frames are interned by their raw text, so a million samples of one stack cost one
//! entry. A frame also points to its *function* (name + file), which is what hotspots
//! rank: py-spy writes the current line into every frame, and `f (a.py:10)` and
//! `f (a.py:12)` are one function.

use crate::error::ParseError;
use crate::frame::{clean, Frame};
use serde::Serialize;
use std::collections::HashMap;

/// A fast non-cryptographic hasher: keys are frame texts and stacks from a local file.
type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// What a stack's weight counts. Files of different units cannot be merged.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// Samples (folded stacks, `perf script`, `.cpuprofile`, pprof sample counts).
    #[default]
    Samples,
    /// CPU or wall time (pprof `nanoseconds`, speedscope time units).
    Nanoseconds,
    /// Allocated bytes (pprof and speedscope memory profiles).
    Bytes,
}

impl Unit {
    /// The plural noun for weights of this unit, as printed after a number.
    pub fn noun(self) -> &'static str {
        match self {
            Unit::Samples => "samples",
            Unit::Nanoseconds => "ns",
            Unit::Bytes => "bytes",
        }
    }
}

/// A function: the frames that share a name and a file.
#[derive(Clone, Debug)]
pub struct Function {
    pub name: String,
    pub file: Option<String>,
    /// The smallest line any of its frames carried (closest to the definition).
    pub line: Option<u32>,
}

/// Stacks (root first) with their summed weight (samples, or the profiler's period).
#[derive(Default, Debug)]
pub struct Profile {
    frame_ids: Map<Box<str>, u32>,
    located_ids: Map<(String, Option<String>, Option<u32>), u32>,
    frame_func: Vec<u32>,
    func_ids: Map<(String, Option<String>), u32>,
    functions: Vec<Function>,
    stacks: Map<Box<[u32]>, u64>,
    total: u64,
    unit: Option<Unit>,
}

impl Profile {
    /// The id of a frame given as the profiler wrote it, interning it on first sight.
    pub fn intern(&mut self, text: &str) -> u32 {
        if let Some(&id) = self.frame_ids.get(text) {
            return id;
        }
        let func = self.function_of(Frame::parse(text));
        let id = self.frame_func.len() as u32;
        self.frame_func.push(func);
        self.frame_ids.insert(text.into(), id);
        id
    }

    /// The id of a frame a structured format gave as parts (pprof, `.cpuprofile`,
    /// speedscope). Control characters are replaced as in [`Frame::parse`].
    pub fn intern_parts(&mut self, name: &str, file: Option<&str>, line: Option<u32>) -> u32 {
        let key = (name.to_string(), file.filter(|f| !f.is_empty()).map(str::to_string), line);
        if let Some(&id) = self.located_ids.get(&key) {
            return id;
        }
        let name = if name.trim().is_empty() { "(anonymous)".to_string() } else { clean(name.trim()) };
        let frame = Frame { name, file: key.1.as_deref().map(clean), line };
        let func = self.function_of(frame);
        let id = self.frame_func.len() as u32;
        self.frame_func.push(func);
        self.located_ids.insert(key, id);
        id
    }

    /// Declares the unit of the weights about to be added; a file whose unit differs
    /// from the files already read is refused (shares of samples and of bytes do not add).
    pub fn set_unit(&mut self, unit: Unit) -> Result<(), ParseError> {
        match self.unit {
            Some(u) if u != unit && self.total > 0 => Err(ParseError::at(
                0,
                format!(
                    "its weights are {} but the profiles before it count {}; profile them separately",
                    unit.noun(),
                    u.noun()
                ),
            )),
            _ => {
                self.unit = Some(unit);
                Ok(())
            }
        }
    }

    /// What the weights count.
    pub fn unit(&self) -> Unit {
        self.unit.unwrap_or_default()
    }

    fn function_of(&mut self, frame: Frame) -> u32 {
        let key = (frame.name, frame.file);
        if let Some(&id) = self.func_ids.get(&key) {
            let f = &mut self.functions[id as usize];
            f.line = min_line(f.line, frame.line);
            return id;
        }
        let id = self.functions.len() as u32;
        let (name, file) = key.clone();
        self.functions.push(Function { name, file, line: frame.line });
        self.func_ids.insert(key, id);
        id
    }

    /// Adds `weight` to a stack of frame ids, root first. Empty stacks are ignored.
    pub fn add(&mut self, stack: &[u32], weight: u64) {
        if stack.is_empty() || weight == 0 {
            return;
        }
        self.total = self.total.saturating_add(weight);
        match self.stacks.get_mut(stack) {
            Some(w) => *w = w.saturating_add(weight),
            None => {
                self.stacks.insert(stack.into(), weight);
            }
        }
    }

    /// Every distinct stack (root first) with its weight, as function ids.
    pub fn stacks(&self) -> impl Iterator<Item = (impl Iterator<Item = u32> + '_, u64)> + '_ {
        self.stacks.iter().map(|(s, &w)| (s.iter().map(|&f| self.frame_func[f as usize]), w))
    }

    pub fn function(&self, id: u32) -> &Function {
        &self.functions[id as usize]
    }

    pub fn function_count(&self) -> usize {
        self.functions.len()
    }

    pub fn stack_count(&self) -> usize {
        self.stacks.len()
    }

    /// The summed weight of every stack.
    pub fn total(&self) -> u64 {
        self.total
    }
}

fn min_line(a: Option<u32>, b: Option<u32>) -> Option<u32> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_stacks_share_one_entry() {
        let mut p = Profile::default();
        let (a, b) = (p.intern("main"), p.intern("work (w.py:3)"));
        p.add(&[a, b], 2);
        p.add(&[a, b], 3);
        assert_eq!((p.stack_count(), p.total()), (1, 5));
    }

    #[test]
    fn lines_of_one_function_merge() {
        let mut p = Profile::default();
        p.intern("work (w.py:12)");
        p.intern("work (w.py:10)");
        assert_eq!(p.function_count(), 1);
        assert_eq!(p.function(0).line, Some(10));
    }
}
