//! The receiver's own Prometheus metrics (`GET /metrics`, OpenMetrics text).

use prometheus_client::encoding::text::{encode, encode_eof, encode_registry};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

/// Counters and gauges, registered once.
pub struct Metrics {
    registry: Registry,
    pub payloads: Family<Vec<(String, String)>, Counter>,
    pub bytes_received: Counter,
    pub spans_received: Counter,
    pub traces_analyzed: Counter,
    pub findings: Counter,
    pub traces_in_flight: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("perfhound");
        let payloads = Family::<Vec<(String, String)>, Counter>::default();
        let bytes_received = Counter::default();
        let spans_received = Counter::default();
        let traces_analyzed = Counter::default();
        let findings = Counter::default();
        let traces_in_flight = Gauge::default();
        registry.register("otlp_payloads", "OTLP export requests by outcome", payloads.clone());
        registry.register(
            "otlp_received_bytes",
            "Bytes of OTLP request bodies received (as sent)",
            bytes_received.clone(),
        );
        registry.register("spans_received", "Spans decoded from OTLP requests", spans_received.clone());
        registry.register("traces_analyzed", "Complete traces run through the detectors", traces_analyzed.clone());
        registry.register("findings", "Distinct findings reported so far", findings.clone());
        registry.register(
            "traces_in_flight",
            "Traces buffered while waiting for their spans",
            traces_in_flight.clone(),
        );
        Metrics { registry, payloads, bytes_received, spans_received, traces_analyzed, findings, traces_in_flight }
    }
}

impl Metrics {
    /// Counts one OTLP request with its outcome (`accepted`, `bad_request`, `too_large`, …).
    pub fn payload(&self, outcome: &str) {
        self.payloads.get_or_create(&vec![("outcome".to_string(), outcome.to_string())]).inc();
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }

    /// These metrics followed by `more`'s (e.g. the last run's key numbers), one document.
    pub fn render_with(&self, more: &Registry) -> String {
        let mut out = String::new();
        let _ = encode_registry(&mut out, &self.registry);
        let _ = encode_registry(&mut out, more);
        let _ = encode_eof(&mut out);
        out
    }
}
