//! pprof protobuf profiles (Go's `net/http/pprof`, pprof-rs, async-profiler, Pyroscope
//! exports), gzip already removed (as a stream) by [`crate::detect`].
//!
//! The profile is read as a stream, one top-level field at a time, so memory grows with
//! the number of distinct stacks and symbols, never with the file: the format allows the
//! tables (strings, functions, locations, mappings, sample types) after the samples, so
//! samples are summed by their list of location ids while reading ([`Samples`]) and
//! resolved to frames at the end. Inlined frames of one location become separate frames,
//! caller first.

use crate::error::ParseError;
use crate::profile::{Profile, Unit};
use crate::wire::{bytes, int, push_varints, Reader, Stream, Value};
use std::collections::HashMap;
use std::io::{BufReader, Read};

/// A location: mapping id, address, and its lines leaf first as (function id, line).
type Location = (u64, u64, Vec<(u64, u64)>);

/// A field's (number, offset) and value.
type Field<'a> = ((u64, u64), Value<'a>);

#[derive(Default)]
struct Tables {
    strings: Vec<Box<[u8]>>,
    /// function id → (name, file, start line) as string-table indices and a line.
    functions: HashMap<u64, (u64, u64, u64)>,
    /// location id → (mapping id, address, lines leaf first as (function id, line)).
    locations: HashMap<u64, Location>,
    mappings: HashMap<u64, u64>,
    sample_types: Vec<(u64, u64)>,
    default_type: u64,
}

/// Samples summed by their location ids (leaf first, as pprof lists them): for each
/// distinct stack, the offset of its first sample and its summed values (negative
/// values count as 0).
#[derive(Default)]
struct Samples {
    stacks: HashMap<Box<[u64]>, (u64, Vec<u64>), foldhash::fast::RandomState>,
    ids: Vec<u64>,
    values: Vec<u64>,
}

impl Samples {
    fn add(&mut self, value: Value<'_>, at: u64) -> Result<(), ParseError> {
        self.ids.clear();
        self.values.clear();
        let mut s = bytes(value, at, "a sample")?;
        while let Some(((n, _), v)) = next(&mut s)? {
            match n {
                1 => push_varints(v, &mut self.ids)?,
                2 => push_varints(v, &mut self.values)?,
                _ => {}
            }
        }
        if !self.stacks.contains_key(&self.ids[..]) {
            self.stacks.insert(self.ids.as_slice().into(), (at, Vec::new()));
        }
        let Some((_, sums)) = self.stacks.get_mut(&self.ids[..]) else {
            return Ok(());
        };
        if sums.len() < self.values.len() {
            sums.resize(self.values.len(), 0);
        }
        for (sum, &v) in sums.iter_mut().zip(&self.values) {
            *sum = sum.saturating_add((v as i64).max(0) as u64);
        }
        Ok(())
    }
}

/// Reads a (decompressed) pprof profile from `input` into `profile`.
pub fn read(input: impl Read, profile: &mut Profile) -> Result<(), ParseError> {
    let mut stream = Stream::new(BufReader::with_capacity(1 << 16, input));
    let (mut t, mut samples, mut any) = (Tables::default(), Samples::default(), false);
    while let Some((number, at, value)) = stream.field()? {
        any = true;
        match number {
            1 => t.sample_types.push(pair(value, at)?),
            2 => samples.add(value, at)?,
            3 => {
                let (id, file) = mapping(value, at)?;
                t.mappings.insert(id, file);
            }
            4 => location(value, at, &mut t)?,
            5 => function(value, at, &mut t)?,
            6 => match value {
                Value::Bytes(b, _) => t.strings.push(b.into()),
                _ => return Err(ParseError::at_byte(at, "a string table entry that is not a string")),
            },
            14 => t.default_type = int(value),
            _ => {}
        }
    }
    if t.strings.first().is_some_and(|s| !s.is_empty()) || t.strings.is_empty() && any {
        return Err(ParseError::at_byte(
            0,
            "no string table starting with \"\"; expected a pprof profile (perftools.profiles.Profile protobuf)",
        ));
    }
    resolve(&t, samples, profile)
}

/// Adds the summed samples to `profile`, in the order of their first sample.
fn resolve(t: &Tables, samples: Samples, profile: &mut Profile) -> Result<(), ParseError> {
    let (index, unit, scale) = value_index(t);
    profile.set_unit(unit)?;
    let mut stacks: Vec<_> = samples.stacks.into_iter().collect();
    stacks.sort_unstable_by_key(|(_, (at, _))| *at);
    let (mut frames, mut stack) = (HashMap::<u64, Vec<u32>>::new(), Vec::new());
    for (ids, (at, sums)) in stacks {
        stack.clear();
        for id in ids.iter().rev() {
            if !frames.contains_key(id) {
                let f = location_frames(t, *id, profile).map_err(|m| ParseError::at_byte(at, m))?;
                frames.insert(*id, f);
            }
            stack.extend_from_slice(&frames[id]);
        }
        profile.add(&stack, sums.get(index).map_or(0, |&w| w.saturating_mul(scale)));
    }
    Ok(())
}

/// The next field with its (number, offset).
fn next<'a>(r: &mut Reader<'a>) -> Result<Option<Field<'a>>, ParseError> {
    let at = r.offset();
    Ok(r.field()?.map(|(n, v)| ((n, at), v)))
}

fn pair(value: Value<'_>, at: u64) -> Result<(u64, u64), ParseError> {
    let mut r = bytes(value, at, "a sample type")?;
    let (mut a, mut b) = (0, 0);
    while let Some(((n, _), v)) = next(&mut r)? {
        match n {
            1 => a = int(v),
            2 => b = int(v),
            _ => {}
        }
    }
    Ok((a, b))
}

fn mapping(value: Value<'_>, at: u64) -> Result<(u64, u64), ParseError> {
    let mut r = bytes(value, at, "a mapping")?;
    let (mut id, mut file) = (0, 0);
    while let Some(((n, _), v)) = next(&mut r)? {
        match n {
            1 => id = int(v),
            5 => file = int(v),
            _ => {}
        }
    }
    Ok((id, file))
}

fn location(value: Value<'_>, at: u64, t: &mut Tables) -> Result<(), ParseError> {
    let mut r = bytes(value, at, "a location")?;
    let (mut id, mut mapping, mut address, mut lines) = (0, 0, 0, Vec::new());
    while let Some(((n, at), v)) = next(&mut r)? {
        match n {
            1 => id = int(v),
            2 => mapping = int(v),
            3 => address = int(v),
            4 => lines.push(pair(v, at)?),
            _ => {}
        }
    }
    t.locations.insert(id, (mapping, address, lines));
    Ok(())
}

fn function(value: Value<'_>, at: u64, t: &mut Tables) -> Result<(), ParseError> {
    let mut r = bytes(value, at, "a function")?;
    let (mut id, mut name, mut file, mut start) = (0, 0, 0, 0);
    while let Some(((n, _), v)) = next(&mut r)? {
        match n {
            1 => id = int(v),
            2 => name = int(v),
            4 => file = int(v),
            5 => start = int(v),
            _ => {}
        }
    }
    t.functions.insert(id, (name, file, start));
    Ok(())
}

/// Which value of each sample to read, its unit and the factor to nanoseconds: the
/// sample count when there is one (`samples`/`count`), else the default type, else the last.
fn value_index(t: &Tables) -> (usize, Unit, u64) {
    let s = |i: u64| String::from_utf8_lossy(t.strings.get(i as usize).map_or(&[][..], |b| &b[..])).into_owned();
    let types: Vec<(String, String)> = t.sample_types.iter().map(|&(a, b)| (s(a), s(b))).collect();
    let default = (t.default_type != 0).then(|| s(t.default_type));
    let index = types
        .iter()
        .position(|(ty, unit)| ty == "samples" && unit == "count")
        .or_else(|| types.iter().position(|(ty, _)| Some(ty) == default.as_ref()))
        .unwrap_or(types.len().saturating_sub(1));
    let (unit, scale) = match types.get(index).map(|(_, u)| u.as_str()) {
        Some("nanoseconds") => (Unit::Nanoseconds, 1),
        Some("microseconds") => (Unit::Nanoseconds, 1_000),
        Some("milliseconds") => (Unit::Nanoseconds, 1_000_000),
        Some("seconds") => (Unit::Nanoseconds, 1_000_000_000),
        Some("bytes") => (Unit::Bytes, 1),
        _ => (Unit::Samples, 1),
    };
    (index, unit, scale)
}

/// The frames of one location, caller first (pprof lists inlined frames leaf first).
fn location_frames(t: &Tables, id: u64, profile: &mut Profile) -> Result<Vec<u32>, String> {
    let Some((mapping, address, lines)) = t.locations.get(&id) else {
        return Err(format!("a sample refers to location {id}, which the profile does not define"));
    };
    let text = |i: u64| t.strings.get(i as usize).map(|b| String::from_utf8_lossy(&b[..]));
    if lines.is_empty() {
        let binary = t.mappings.get(mapping).and_then(|&f| text(f)).unwrap_or_default();
        let base = binary.rsplit('/').next().unwrap_or("");
        let name = if base.is_empty() { format!("0x{address:x}") } else { format!("[{base}]") };
        return Ok(vec![profile.intern_parts(&name, None, None)]);
    }
    let mut out = Vec::with_capacity(lines.len());
    for &(function, line) in lines.iter().rev() {
        let (name, file, start) = t.functions.get(&function).copied().unwrap_or((0, 0, 0));
        let name = text(name).unwrap_or_default();
        let file = text(file).unwrap_or_default();
        let line = if start > 0 { start } else { line };
        let line = u32::try_from(line).ok().filter(|&l| l > 0);
        out.push(profile.intern_parts(&name, Some(&file), line));
    }
    Ok(out)
}
