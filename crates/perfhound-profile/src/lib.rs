//! CPU profiles for perfhound: where the CPU goes.
//!
//! Profilers write stacks in many formats; this crate reads them into one [`Profile`]
//! (interned frames, and a weight per distinct stack) and ranks functions by self and
//! total time ([`hotspots`]). Memory grows with the number of distinct frames and stacks,
//! never with the size of the file: every format is read as a stream (text line by line,
//! JSON by serde visitors, pprof field by field, gzip as it decompresses).
//!
//! Formats: folded/collapsed stacks ([`folded`]: py-spy `--format raw`, inferno,
//! async-profiler collapsed), Linux `perf script` text ([`perf`]), pprof protobuf
//! ([`pprof`]), Chrome/Node `.cpuprofile` and speedscope JSON ([`json`]). [`read`]
//! detects which one a file holds; [`to_model`] turns a profile into a run.
//! Bad input becomes a [`ParseError`] naming the line or byte and what was expected;
//! nothing here panics on input.

pub mod cpuprofile;
pub mod detect;
pub mod diff;
pub mod error;
pub mod flame_assets;
pub mod flamegraph;
pub mod folded;
pub mod frame;
pub mod hotspots;
pub mod json;
pub mod perf;
pub mod pprof;
pub mod profile;
pub mod rules;
pub mod speedscope;
pub mod to_model;
pub mod tree;
mod wire;

pub use detect::{read, read_file, read_profile, Format};
pub use diff::{movers, Mover};
pub use error::{FileError, ParseError, Position};
pub use flame_assets::{FLAME_SCRIPT, FLAME_SCRIPT_SHA256, FLAME_STYLE, FLAME_STYLE_SHA256};
pub use flamegraph::{diff_flamegraph_svg, flamegraph_svg, FlameOptions};
pub use frame::Frame;
pub use hotspots::{hotspots, Hotspot};
pub use profile::{Function, Profile, Unit};
pub use rules::{findings, rules};
