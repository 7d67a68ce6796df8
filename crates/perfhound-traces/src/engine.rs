//! The analysis engine: complete traces in, measurements and findings out.
//!
//! [`Engine`] is pure (no I/O): the file pipeline ([`analyze_inputs`]) and the live
//! receiver both feed it traces from an [`Assembler`] and ask it for a model `Run`.

use crate::aggregate::Aggregator;
use crate::assemble::{Assembler, AssemblerConfig};
use crate::classify::Classifier;
use crate::config::Config;
use crate::describe;
use crate::detect::{self, Occurrence};
use crate::ingest::{self, Format, ReadReport, Sink};
use crate::measure::Measure;
use crate::span::{Span, TraceId};
use crate::trace::{Node, Trace};
use perfhound_model::Finding;
use std::sync::Arc;

/// Counters about the input, for warnings and `/metrics`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    pub spans: u64,
    pub traces: u64,
    pub invalid_spans: u64,
    /// Traces of the analyzing tool's own requests (see [`Origin::OwnProbe`]), left out.
    pub own_traces: u64,
}

/// Where a trace came from, as its trace id tells (see [`TraceNamer`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Not recognized: the root request keeps its route as its name.
    Unknown,
    /// A request of the load, named by it.
    Request(Arc<str>),
    /// A request perfhound made outside the load (a probe): not the service's traffic, so
    /// the trace is left out of measurements and findings.
    OwnProbe,
}

/// Tells a trace's origin from its trace id (e.g. the load request that sent it).
pub type TraceNamer = Box<dyn Fn(&TraceId) -> Origin + Send + Sync>;

pub struct Engine {
    pub cfg: Config,
    namer: Option<TraceNamer>,
    classifier: Classifier,
    pub measure: Measure,
    pub aggregator: Aggregator,
    pub counters: Counters,
    scratch: Vec<Occurrence>,
    /// The last trace's node vector, reused for the next one.
    spare_nodes: Vec<Node>,
}

/// Node vectors larger than this (a huge trace) are freed rather than kept for reuse.
const MAX_SPARE_NODES: usize = 4096;

impl Engine {
    pub fn new(cfg: Config) -> Engine {
        Engine {
            cfg,
            namer: None,
            classifier: Classifier::default(),
            measure: Measure::default(),
            aggregator: Aggregator::default(),
            counters: Counters::default(),
            scratch: Vec::new(),
            spare_nodes: Vec::new(),
        }
    }

    /// From now on, traces that `namer` recognizes have their root request named by it
    /// instead of by its route: findings and endpoint measurements then carry, say, the
    /// load generator's request names. Nested requests (other services) keep their routes.
    /// Traces it calls [`Origin::OwnProbe`] are counted and left out.
    pub fn set_namer(&mut self, namer: TraceNamer) {
        self.namer = Some(namer);
    }

    /// Analyzes one complete trace.
    pub fn analyze(&mut self, spans: Vec<Span>) {
        if spans.is_empty() {
            return;
        }
        self.counters.traces += 1;
        self.counters.spans += spans.len() as u64;
        let mut trace = Trace::build_in(spans, &mut self.classifier, std::mem::take(&mut self.spare_nodes));
        match self.namer.as_ref().map_or(Origin::Unknown, |namer| namer(&trace.id)) {
            Origin::Unknown => {}
            Origin::Request(name) => trace.rename_root_entries(&name),
            Origin::OwnProbe => {
                self.counters.own_traces += 1;
                return;
            }
        }
        self.measure.observe(&trace);
        self.scratch.clear();
        detect::detect_all(&trace, &self.cfg, &mut self.scratch);
        for o in &self.scratch {
            self.aggregator.add(o, self.cfg.max_examples);
        }
        if trace.nodes.capacity() <= MAX_SPARE_NODES {
            self.spare_nodes = trace.nodes;
            self.spare_nodes.clear();
        }
    }

    /// All reportable findings, ranked by impact.
    pub fn findings(&self) -> Vec<Finding> {
        self.aggregator
            .ranked(&self.measure, &self.cfg)
            .into_iter()
            .map(|g| describe::finding(g, &self.measure, &self.cfg))
            .collect()
    }

    /// Findings that became reportable since the last call.
    pub fn take_new_findings(&mut self) -> Vec<Finding> {
        self.aggregator.take_new(&self.measure, &self.cfg)
    }
}

/// An [`Assembler`] feeding an [`Engine`]; ticks are spans read (deterministic for files).
pub struct FileSink<'a> {
    pub assembler: &'a mut Assembler,
    pub engine: &'a mut Engine,
    pub tick: u64,
}

impl Sink for FileSink<'_> {
    fn span(&mut self, span: Span) {
        self.tick += 1;
        let engine = &mut *self.engine;
        self.assembler.push(span, self.tick, &mut |t| engine.analyze(t));
    }
    fn invalid(&mut self, _reason: &'static str) {
        self.engine.counters.invalid_spans += 1;
    }
}

/// One named input.
pub struct Input<'r> {
    pub name: String,
    pub reader: Box<dyn std::io::Read + 'r>,
}

/// Reads every input (format auto-detected unless given) and analyzes all traces.
pub fn analyze_inputs(
    engine: &mut Engine,
    inputs: Vec<Input<'_>>,
    format: Option<Format>,
) -> (Vec<ReadReport>, Assembler) {
    let mut assembler = Assembler::new(AssemblerConfig::FILE);
    let mut reports = Vec::new();
    let mut tick = 0;
    for input in inputs {
        let mut sink = FileSink { assembler: &mut assembler, engine, tick };
        reports.push(ingest::read(&input.name, input.reader, format, &mut sink));
        tick = sink.tick;
    }
    assembler.flush_all(&mut |t| engine.analyze(t));
    (reports, assembler)
}
