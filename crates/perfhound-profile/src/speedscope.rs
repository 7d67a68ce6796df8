//! speedscope JSON (`py-spy record --format speedscope`, speedscope's own exports):
//! `shared.frames` and `profiles`, each *sampled* (`samples` as frame-index stacks, root
//! first, with parallel `weights`) or *evented* (`O`pen/`C`lose events over time).
//!
//! Stacks are interned as they stream by: `samples` and `weights` are kept as runs of
//! equal values, so memory follows distinct stacks and changes of weight, not samples.
//! Time units become nanoseconds; `none` weights are sample counts.

use crate::error::ParseError;
use crate::profile::{Profile, Unit};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::collections::HashMap;
use std::fmt;

#[derive(Deserialize)]
pub struct SsFrame {
    name: String,
    #[serde(default)]
    file: Option<String>,
    #[serde(default)]
    line: Option<f64>,
}

/// One profile, its stacks (speedscope frame indices, root first) already weighed.
#[derive(Default)]
pub struct SsProfile {
    unit: String,
    stacks: Vec<Box<[u32]>>,
    weights: Vec<f64>,
}

/// Adds every profile of the file to `profile`.
pub fn add(profiles: &[SsProfile], frames: &[SsFrame], profile: &mut Profile) -> Result<(), ParseError> {
    let mut ids: Vec<Option<u32>> = vec![None; frames.len()];
    let mut stack = Vec::new();
    for (n, p) in profiles.iter().enumerate() {
        let (unit, scale) = unit(&p.unit).ok_or_else(|| {
            ParseError::at(0, format!("profiles[{n}] has unit `{}`; expected none, nanoseconds, microseconds, milliseconds, seconds or bytes", crate::error::excerpt(&p.unit)))
        })?;
        profile.set_unit(unit)?;
        for (s, &w) in p.stacks.iter().zip(&p.weights) {
            stack.clear();
            for &f in s.iter() {
                let Some(frame) = frames.get(f as usize) else {
                    return Err(ParseError::at(
                        0,
                        format!("profiles[{n}] refers to frame {f}, but shared.frames has {} entries", frames.len()),
                    ));
                };
                let id = *ids[f as usize].get_or_insert_with(|| intern(frame, profile));
                stack.push(id);
            }
            profile.add(&stack, (w * scale).round().max(0.0) as u64);
        }
    }
    Ok(())
}

fn intern(frame: &SsFrame, profile: &mut Profile) -> u32 {
    let line = frame.line.filter(|l| *l >= 1.0 && *l <= f64::from(u32::MAX)).map(|l| l as u32);
    profile.intern_parts(&frame.name, frame.file.as_deref(), line)
}

fn unit(name: &str) -> Option<(Unit, f64)> {
    Some(match name {
        "none" | "" => (Unit::Samples, 1.0),
        "nanoseconds" => (Unit::Nanoseconds, 1.0),
        "microseconds" => (Unit::Nanoseconds, 1e3),
        "milliseconds" => (Unit::Nanoseconds, 1e6),
        "seconds" => (Unit::Nanoseconds, 1e9),
        "bytes" => (Unit::Bytes, 1.0),
        _ => return None,
    })
}

/// Distinct stacks of one profile with their summed weight.
#[derive(Default)]
struct Stacks {
    ids: HashMap<Box<[u32]>, u32>,
    weights: Vec<f64>,
}

impl Stacks {
    fn id(&mut self, stack: &[u32]) -> u32 {
        if let Some(&id) = self.ids.get(stack) {
            return id;
        }
        let id = self.weights.len() as u32;
        self.ids.insert(stack.into(), id);
        self.weights.push(0.0);
        id
    }

    fn into_profile(self, unit: String) -> SsProfile {
        let mut stacks = vec![Box::default(); self.weights.len()];
        for (s, id) in self.ids {
            stacks[id as usize] = s;
        }
        SsProfile { unit, stacks, weights: self.weights }
    }
}

/// The `profiles` array.
pub struct SsProfiles(pub Vec<SsProfile>);

impl<'de> Deserialize<'de> for SsProfiles {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = SsProfiles;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of speedscope profiles")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<SsProfiles, A::Error> {
                let mut out = Vec::new();
                while let Some(p) = seq.next_element::<OneProfile>()? {
                    out.push(p.0);
                }
                Ok(SsProfiles(out))
            }
        }
        d.deserialize_seq(V)
    }
}

struct OneProfile(SsProfile);

impl<'de> Deserialize<'de> for OneProfile {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(ProfileVisitor)
    }
}

struct ProfileVisitor;

impl<'de> Visitor<'de> for ProfileVisitor {
    type Value = OneProfile;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a speedscope profile object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OneProfile, A::Error> {
        let (mut stacks, mut unit) = (Stacks::default(), String::from("none"));
        let (mut samples, mut weights): (Option<Runs<u32>>, Option<Runs<f64>>) = (None, None);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "unit" => unit = map.next_value()?,
                "samples" => samples = Some(map.next_value_seed(SamplesSeed(&mut stacks))?),
                "weights" => weights = Some(map.next_value()?),
                "events" => map.next_value_seed(EventsSeed(&mut stacks))?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        match (samples, weights) {
            (Some(s), Some(w)) => zip(s, w, &mut stacks).map_err(de::Error::custom)?,
            (Some(_), None) => return Err(de::Error::custom("a sampled profile without `weights`")),
            _ => {}
        }
        Ok(OneProfile(stacks.into_profile(unit)))
    }
}

/// Runs of equal values: `[a, a, a, b]` is `[(a, 3), (b, 1)]`.
#[derive(Default)]
struct Runs<T>(Vec<(T, u64)>);

impl<T: PartialEq + Copy> Runs<T> {
    fn push(&mut self, v: T) {
        match self.0.last_mut() {
            Some((last, n)) if *last == v => *n += 1,
            _ => self.0.push((v, 1)),
        }
    }

    fn len(&self) -> u64 {
        self.0.iter().map(|r| r.1).sum()
    }
}

impl<'de> Deserialize<'de> for Runs<f64> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Runs<f64>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of numbers (weights)")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Runs<f64>, A::Error> {
                let mut runs = Runs::default();
                while let Some(w) = seq.next_element::<f64>()? {
                    runs.push(w);
                }
                Ok(runs)
            }
        }
        d.deserialize_seq(V)
    }
}

fn zip(samples: Runs<u32>, weights: Runs<f64>, stacks: &mut Stacks) -> Result<(), String> {
    if samples.len() != weights.len() {
        return Err(format!("{} samples but {} weights; expected one weight per sample", samples.len(), weights.len()));
    }
    let mut w = weights.0.into_iter();
    let mut cur = w.next().unwrap_or((0.0, 0));
    for (id, mut n) in samples.0 {
        while n > 0 {
            let take = n.min(cur.1);
            stacks.weights[id as usize] += cur.0 * take as f64;
            (n, cur.1) = (n - take, cur.1 - take);
            if cur.1 == 0 {
                cur = w.next().unwrap_or((0.0, 0));
            }
        }
    }
    Ok(())
}

struct SamplesSeed<'a>(&'a mut Stacks);

impl<'de> DeserializeSeed<'de> for SamplesSeed<'_> {
    type Value = Runs<u32>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Runs<u32>, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for SamplesSeed<'_> {
    type Value = Runs<u32>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of stacks (arrays of frame indices)")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Runs<u32>, A::Error> {
        let mut runs = Runs::default();
        while let Some(stack) = seq.next_element::<Vec<u32>>()? {
            runs.push(self.0.id(&stack));
        }
        Ok(runs)
    }
}

#[derive(Deserialize)]
struct Event {
    #[serde(rename = "type")]
    kind: String,
    at: f64,
    frame: u32,
}

struct EventsSeed<'a>(&'a mut Stacks);

impl<'de> DeserializeSeed<'de> for EventsSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for EventsSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of events {\"type\": \"O\" or \"C\", \"at\", \"frame\"}")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let (mut open, mut last) = (Vec::new(), f64::NAN);
        while let Some(e) = seq.next_element::<Event>()? {
            if !open.is_empty() && e.at > last {
                let id = self.0.id(&open);
                self.0.weights[id as usize] += e.at - last;
            }
            last = e.at;
            match e.kind.as_str() {
                "O" => open.push(e.frame),
                "C" if open.last() == Some(&e.frame) => {
                    open.pop();
                }
                "C" => {
                    return Err(de::Error::custom(format!(
                        "closes frame {} but the innermost open frame is {:?}; expected events to nest",
                        e.frame,
                        open.last()
                    )))
                }
                _ => return Err(de::Error::custom("an event type other than \"O\" or \"C\"")),
            }
        }
        Ok(())
    }
}
