//! Generates a large, realistic trace file for `bench/traces.sh`.
//!
//! Four services (frontend, inventory, pricing, shipping; pricing uses the new semantic
//! conventions), a dozen routes, and the usual mix: session lookups in Redis, user and
//! product queries with inlined literals, N+1 loops, serial calls to other services (with
//! their server spans and queries: distributed traces), row-at-a-time writes, clean
//! requests. Deterministic (xorshift PRNG).
//!
//! ```text
//! cargo run --release -p perfhound-traces --example gen_traces -- SPANS otlp OUT.jsonl
//! cargo run --release -p perfhound-traces --example gen_traces -- SPANS jaeger OUT_PREFIX MAX_MB
//! ```
//! `otlp` writes OTLP/JSON lines (Collector file exporter style, ~50 traces per line);
//! `jaeger` writes `OUT_PREFIX-000.json`, … each at most MAX_MB (perf-sentinel reads at
//! most 100 MiB per file).

use std::fmt::Write as _;
use std::io::Write as _;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

#[derive(Clone)]
struct GSpan {
    span: u64,
    parent: u64,
    service: usize,
    name: String,
    kind: u8,
    start_us: u64,
    dur_us: u64,
    attrs: Vec<(&'static str, String)>,
}

const SERVICES: [&str; 4] = ["frontend", "inventory", "pricing", "shipping"];

/// A span to add (its id is assigned by [`Gen::add`]).
fn sp(
    parent: u64,
    service: usize,
    name: &str,
    kind: u8,
    start_us: u64,
    dur_us: u64,
    attrs: Vec<(&'static str, String)>,
) -> GSpan {
    GSpan { span: 0, parent, service, name: name.to_string(), kind, start_us, dur_us, attrs }
}

struct Gen {
    rng: Rng,
    next_span: u64,
    spans: Vec<GSpan>,
}

impl Gen {
    fn add(&mut self, mut s: GSpan) -> u64 {
        self.next_span += 1;
        s.span = self.next_span;
        self.spans.push(s);
        self.next_span
    }

    fn db(&mut self, parent: u64, service: usize, sql: String, start: u64, dur: u64) -> u64 {
        let new = service == 2;
        let attrs = if new {
            vec![("db.system.name", "postgresql".to_string()), ("db.query.text", sql)]
        } else {
            vec![("db.system", "postgresql".to_string()), ("db.statement", sql)]
        };
        self.add(sp(parent, service, "postgresql", 3, start, dur, attrs))
    }

    /// A downstream service handling one call: server span + one or two queries.
    fn downstream(&mut self, parent: u64, service: usize, path: &str, start: u64, dur: u64) {
        let id = self.rng.below(100_000);
        let route = format!("GET /{path}/{{id}}");
        let server = self.add(sp(
            parent,
            service,
            &route,
            2,
            start + 200,
            dur - 400,
            vec![
                ("http.method", "GET".into()),
                ("http.route", format!("/{path}/{{id}}")),
                ("http.status_code", "200".into()),
            ],
        ));
        let q = self.rng.below(2) + 1;
        for i in 0..q {
            self.db(
                server,
                service,
                format!("SELECT * FROM {path} WHERE id = {} AND region = 'eu'", id + i),
                start + 400 + i * 1500,
                1200,
            );
        }
    }

    fn trace(&mut self, t0: u64) {
        let kind = self.rng.below(100);
        let user = self.rng.below(50_000);
        let (route, total) = match kind {
            0..=24 => ("/api/orders/{id}", 60_000),
            25..=44 => ("/api/checkout", 120_000),
            45..=54 => ("/api/import", 80_000),
            _ => (["/api/products/{id}", "/api/users/{id}", "/api/search", "/api/cart"][(kind % 4) as usize], 20_000),
        };
        let first = self.spans.len();
        let root = self.add(sp(
            0,
            0,
            &format!("GET {route}"),
            2,
            t0,
            total,
            vec![("http.method", "GET".into()), ("http.route", route.into()), ("http.status_code", "200".into())],
        ));
        self.add(sp(
            root,
            0,
            "GET",
            3,
            t0 + 100,
            300,
            vec![("db.system", "redis".into()), ("db.statement", format!("GET session:{user}"))],
        ));
        self.db(root, 0, format!("SELECT id, name, email FROM users WHERE id = {user}"), t0 + 500, 1500);
        let mut t = t0 + 2_100;
        match kind {
            0..=24 => {
                let n = 5 + self.rng.below(15);
                for i in 0..n {
                    self.db(root, 0, format!("SELECT * FROM order_items WHERE order_id = {}", user * 10 + i), t, 4_000);
                    t += 4_200;
                }
            }
            25..=44 => {
                for (svc, path) in [(1, "inventory"), (2, "prices"), (3, "shipments")] {
                    let call = self.add(sp(
                        root,
                        0,
                        "GET",
                        3,
                        t,
                        25_000,
                        vec![
                            ("http.method", "GET".into()),
                            ("http.url", format!("http://{}:8080/{path}/{}", SERVICES[svc], user)),
                            ("net.peer.name", SERVICES[svc].into()),
                        ],
                    ));
                    self.downstream(call, svc, path, t, 25_000);
                    t += 25_100;
                }
            }
            45..=54 => {
                let n = 5 + self.rng.below(10);
                for i in 0..n {
                    self.db(
                        root,
                        0,
                        format!("INSERT INTO events (user_id, kind, seq) VALUES ({user}, 'import', {i})"),
                        t,
                        1_500,
                    );
                    self.db(root, 0, "COMMIT".into(), t + 1_550, 400);
                    t += 2_000;
                }
            }
            _ => {
                self.db(
                    root,
                    0,
                    format!("SELECT * FROM products WHERE category_id = {} ORDER BY rank LIMIT 20", user % 40),
                    t,
                    3_000,
                );
                self.add(sp(root, 0, "render", 1, t + 3_100, 4_000, Vec::new()));
                t += 7_200;
            }
        }
        // The request ends after its last child.
        let end = t.max(t0 + total) + 300;
        self.spans[first].dur_us = end - t0;
    }
}

fn esc(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn otlp_line(trace_ids: &[(u128, Vec<GSpan>)], out: &mut String) {
    out.clear();
    out.push_str("{\"resourceSpans\":[");
    for (si, svc) in SERVICES.iter().enumerate() {
        if si > 0 {
            out.push(',');
        }
        let _ = write!(out, "{{\"resource\":{{\"attributes\":[{{\"key\":\"service.name\",\"value\":{{\"stringValue\":\"{svc}\"}}}}]}},\"scopeSpans\":[{{\"scope\":{{\"name\":\"gen\"}},\"spans\":[");
        let mut first = true;
        for (tid, spans) in trace_ids {
            for s in spans.iter().filter(|s| s.service == si) {
                if !first {
                    out.push(',');
                }
                first = false;
                let parent = if s.parent == 0 { String::new() } else { format!("{:016x}", s.parent) };
                let start = s.start_us * 1000;
                let _ = write!(
                    out,
                    "{{\"traceId\":\"{tid:032x}\",\"spanId\":\"{:016x}\",\"parentSpanId\":\"{parent}\",\"name\":\"{}\",\"kind\":{},\"startTimeUnixNano\":\"{start}\",\"endTimeUnixNano\":\"{}\",\"attributes\":[",
                    s.span,
                    esc(&s.name),
                    s.kind,
                    start + s.dur_us * 1000
                );
                for (i, (k, v)) in s.attrs.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    let _ = write!(out, "{{\"key\":\"{k}\",\"value\":{{\"stringValue\":\"{}\"}}}}", esc(v));
                }
                out.push_str("],\"status\":{}}");
            }
        }
        out.push_str("]}]}");
    }
    out.push_str("]}\n");
}

fn jaeger_trace(tid: u128, spans: &[GSpan], out: &mut String) {
    let _ = write!(out, "{{\"traceID\":\"{tid:032x}\",\"spans\":[");
    for (i, s) in spans.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let refs = if s.parent == 0 {
            String::new()
        } else {
            format!("{{\"refType\":\"CHILD_OF\",\"traceID\":\"{tid:032x}\",\"spanID\":\"{:016x}\"}}", s.parent)
        };
        let kind = match s.kind {
            2 => "server",
            3 => "client",
            _ => "internal",
        };
        let _ = write!(
            out,
            "{{\"traceID\":\"{tid:032x}\",\"spanID\":\"{:016x}\",\"operationName\":\"{}\",\"references\":[{refs}],\"startTime\":{},\"duration\":{},\"tags\":[{{\"key\":\"span.kind\",\"type\":\"string\",\"value\":\"{kind}\"}}",
            s.span,
            esc(&s.name),
            s.start_us,
            s.dur_us
        );
        for (k, v) in &s.attrs {
            let _ = write!(out, ",{{\"key\":\"{k}\",\"type\":\"string\",\"value\":\"{}\"}}", esc(v));
        }
        let _ = write!(out, "],\"processID\":\"p{}\"}}", s.service);
    }
    out.push_str("],\"processes\":{");
    for (i, svc) in SERVICES.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "\"p{i}\":{{\"serviceName\":\"{svc}\",\"tags\":[]}}");
    }
    out.push_str("}}");
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: gen_traces SPANS otlp|jaeger OUT [MAX_MB]");
        std::process::exit(2);
    }
    let total: u64 = args[1].parse().expect("SPANS is a number");
    let jaeger = args[2] == "jaeger";
    let max_bytes: usize = args.get(4).and_then(|m| m.parse::<usize>().ok()).unwrap_or(90) << 20;
    let mut g = Gen { rng: Rng(0x9E37_79B9_7F4A_7C15), next_span: 0, spans: Vec::new() };
    let mut written = 0u64;
    let mut batch: Vec<(u128, Vec<GSpan>)> = Vec::new();
    let mut buf = String::new();
    let mut file_no = 0;
    let open = |n: usize| -> std::io::Result<std::io::BufWriter<std::fs::File>> {
        let path = if jaeger { format!("{}-{n:03}.json", args[3]) } else { args[3].clone() };
        Ok(std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?))
    };
    let mut w = open(0)?;
    let mut file_bytes = 0usize;
    if jaeger {
        w.write_all(b"{\"data\":[")?;
    }
    let mut t0 = 1_700_000_000_000_000u64;
    let mut trace_no = 0u128;
    while written < total {
        g.spans.clear();
        g.trace(t0);
        t0 += 5_000;
        trace_no += 1;
        let tid = trace_no.wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835) | 1;
        written += g.spans.len() as u64;
        if jaeger {
            buf.clear();
            jaeger_trace(tid, &g.spans, &mut buf);
            if file_bytes > 0 && file_bytes + buf.len() + 2 > max_bytes {
                w.write_all(b"]}\n")?;
                w.flush()?;
                file_no += 1;
                w = open(file_no)?;
                w.write_all(b"{\"data\":[")?;
                file_bytes = 0;
            }
            if file_bytes > 0 {
                w.write_all(b",")?;
            }
            w.write_all(buf.as_bytes())?;
            file_bytes += buf.len() + 1;
        } else {
            batch.push((tid, g.spans.clone()));
            if batch.len() == 50 || written >= total {
                otlp_line(&batch, &mut buf);
                w.write_all(buf.as_bytes())?;
                batch.clear();
            }
        }
    }
    if jaeger {
        w.write_all(b"]}\n")?;
    }
    w.flush()?;
    eprintln!("{written} spans in {trace_no} traces");
    Ok(())
}
