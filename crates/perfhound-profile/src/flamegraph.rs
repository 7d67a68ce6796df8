//! Flame graphs as one self-contained SVG: frames from the call tree, root at the bottom,
//! labels cut to fit, a `<title>` tooltip per frame, and the script of
//! [`flame_assets`](crate::flame_assets) for zoom and search. [`diff_flamegraph_svg`]
//! draws the *after* profile coloured by how each frame's share changed since *before*.

use crate::flame_assets::{FLAME_SCRIPT, FLAME_STYLE};
use crate::profile::{Profile, Unit};
use crate::tree::Tree;
use std::collections::HashMap;
use std::fmt::Write as _;

/// How to draw a flame graph.
#[derive(Clone, Debug)]
pub struct FlameOptions {
    /// The heading drawn above the graph.
    pub title: String,
    /// Width in pixels.
    pub width: u32,
    /// Frames narrower than this many pixels (and everything above them) are left out.
    pub min_width: f64,
}

impl Default for FlameOptions {
    fn default() -> Self {
        FlameOptions { title: "Flame graph".into(), width: 1200, min_width: 0.1 }
    }
}

const FRAME_H: u64 = 16;
const TOP: u64 = 40;
const BOTTOM: u64 = 30;
const PAD: f64 = 10.0;

/// A flame graph of `profile`: width is share of the weight, colour tells frames apart.
pub fn flamegraph_svg(profile: &Profile, opts: &FlameOptions) -> String {
    let tree = Tree::new(profile);
    let total = tree.nodes[0].total;
    render(profile, &tree, opts, &|node| {
        let name = name(profile, &tree, node);
        let w = tree.nodes[node as usize].total;
        (warm(&name), format!("{} ({})", weight(profile.unit(), w), percent(w, total)))
    })
}

/// A differential flame graph: the shape of `after`, each frame coloured by the change of
/// its share (of all weight) since `before` — red grew, blue shrank, grey unchanged or
/// new-and-small. Shares, not raw weights, so profiles of different lengths compare.
pub fn diff_flamegraph_svg(before: &Profile, after: &Profile, opts: &FlameOptions) -> String {
    let (bt, at) = (Tree::new(before), Tree::new(after));
    let was = aligned_totals(before, &bt, after, &at);
    let (b_total, a_total) = (bt.nodes[0].total.max(1) as f64, at.nodes[0].total.max(1) as f64);
    let change: Vec<f64> =
        at.nodes.iter().zip(&was).map(|(n, &w)| n.total as f64 / a_total - w as f64 / b_total).collect();
    let scale = change.iter().fold(0.0f64, |m, c| m.max(c.abs())).max(0.01);
    render(after, &at, opts, &|node| {
        let c = change[node as usize];
        let before = was[node as usize] as f64 / b_total * 100.0;
        let now = at.nodes[node as usize].total as f64 / a_total * 100.0;
        (diverging(c / scale), format!("before {before:.2} % → after {now:.2} % ({:+.2} pts)", c * 100.0))
    })
}

/// For each node of `at`, the total of the node of `bt` reached by the same path of
/// function names and files (0 when before never took that path).
fn aligned_totals(before: &Profile, bt: &Tree, after: &Profile, at: &Tree) -> Vec<u64> {
    let mut was = vec![0u64; at.nodes.len()];
    let mut todo = vec![(0u32, Some(0u32))];
    while let Some((a, b)) = todo.pop() {
        was[a as usize] = b.map_or(0, |b| bt.nodes[b as usize].total);
        let index: HashMap<(&str, Option<&str>), u32> = b
            .map(|b| bt.nodes[b as usize].children.iter().map(|&c| (key(before, bt, c), c)).collect())
            .unwrap_or_default();
        for &c in &at.nodes[a as usize].children {
            todo.push((c, index.get(&key(after, at, c)).copied()));
        }
    }
    was
}

fn key<'a>(p: &'a Profile, t: &Tree, node: u32) -> (&'a str, Option<&'a str>) {
    let f = p.function(t.nodes[node as usize].func);
    (f.name.as_str(), f.file.as_deref())
}

fn name(p: &Profile, t: &Tree, node: u32) -> String {
    if node == 0 {
        "all".to_string()
    } else {
        p.function(t.nodes[node as usize].func).name.clone()
    }
}

type Paint<'a> = dyn Fn(u32) -> (String, String) + 'a;

fn render(profile: &Profile, tree: &Tree, opts: &FlameOptions, paint: &Paint<'_>) -> String {
    let total = tree.nodes[0].total.max(1);
    let width = f64::from(opts.width.max(200));
    let per = (width - 2.0 * PAD) / total as f64;
    let frames = layout(tree, (opts.min_width / per).ceil() as u64);
    let depth = frames.iter().map(|f| f.2).max().unwrap_or(0) + 1;
    let height = TOP + depth * FRAME_H + BOTTOM;
    let mut out = String::with_capacity(frames.len() * 200 + 8192);
    header(&mut out, opts, width, height, total, profile.unit());
    for &(node, x, d) in &frames {
        let w = tree.nodes[node as usize].total;
        let (fill, info) = paint(node);
        let name = name(profile, tree, node);
        let at = (node != 0)
            .then(|| profile.function(tree.nodes[node as usize].func))
            .and_then(|f| f.file.as_ref().map(|file| f.line.map_or(file.clone(), |l| format!("{file}:{l}"))));
        let title = match at {
            Some(at) => format!("{name}\n{at}\n{info}"),
            None => format!("{name}\n{info}"),
        };
        let (px, pw) = (PAD + x as f64 * per, w as f64 * per);
        let y = height - BOTTOM - (d + 1) * FRAME_H;
        let _ = writeln!(
            out,
            "<g class=\"f\" data-x=\"{x}\" data-w=\"{w}\" data-d=\"{d}\"><title>{}</title><rect x=\"{px:.2}\" y=\"{y}\" width=\"{pw:.2}\" height=\"{}\" rx=\"2\" fill=\"{fill}\"/><text x=\"{:.2}\" y=\"{}\">{}</text></g>",
            esc(&title),
            FRAME_H - 1,
            px + 3.0,
            y + 11,
            esc(&label(&name, pw))
        );
    }
    let _ = write!(out, "</g>\n<script><![CDATA[{FLAME_SCRIPT}]]></script>\n</svg>\n");
    out
}

fn header(out: &mut String, opts: &FlameOptions, width: f64, height: u64, total: u64, unit: Unit) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"ph-flame\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" data-width=\"{width}\" data-total=\"{total}\" data-unit=\"{}\" \
         font-family=\"Verdana,DejaVu Sans,sans-serif\" font-size=\"12\" role=\"img\" aria-label=\"{}\">\n\
         <style>{FLAME_STYLE}</style>\n<rect width=\"100%\" height=\"100%\" fill=\"#f8f8f8\"/>\n\
         <text x=\"{}\" y=\"24\" text-anchor=\"middle\" font-size=\"17\">{}</text>\n\
         <text class=\"btn reset\" x=\"{PAD}\" y=\"24\" display=\"none\">Reset zoom</text>\n\
         <text class=\"btn search\" x=\"{}\" y=\"24\" text-anchor=\"end\" display=\"none\">Search</text>\n\
         <text class=\"details\" x=\"{PAD}\" y=\"{}\"> </text>\n\
         <text class=\"matched\" x=\"{}\" y=\"{}\" text-anchor=\"end\"></text>\n<g class=\"frames\">\n",
        unit.noun(),
        esc(&opts.title),
        width / 2.0,
        esc(&opts.title),
        width - PAD,
        height - 10,
        width - PAD,
        height - 10,
    );
}

/// Frames to draw as (node, x in weight units, depth), skipping those under `min_weight`.
fn layout(tree: &Tree, min_weight: u64) -> Vec<(u32, u64, u64)> {
    let mut out = Vec::new();
    let mut todo = vec![(0u32, 0u64, 0u64)];
    while let Some((node, x, d)) = todo.pop() {
        out.push((node, x, d));
        let mut cx = x;
        for &c in &tree.nodes[node as usize].children {
            let w = tree.nodes[c as usize].total;
            if w >= min_weight.max(1) {
                todo.push((c, cx, d + 1));
            }
            cx += w;
        }
    }
    out
}

/// The label that fits `width` pixels (7 px per character at 12 px), as the script cuts it.
fn label(name: &str, width: f64) -> String {
    let fit = ((width - 6.0) / 7.0).floor();
    if fit < 3.0 {
        return String::new();
    }
    let fit = fit as usize;
    if name.chars().count() <= fit {
        name.to_string()
    } else {
        name.chars().take(fit - 2).collect::<String>() + ".."
    }
}

/// A warm colour derived from the name, stable across runs (FNV-1a).
fn warm(name: &str) -> String {
    let h = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    let v = |shift: u32| ((h >> shift) & 0xff) as f64 / 255.0;
    format!("rgb({},{},{})", 205 + (50.0 * v(8)) as u8, (230.0 * v(16)) as u8, (55.0 * v(24)) as u8)
}

/// Grey at 0, towards red at +1 and blue at -1.
fn diverging(t: f64) -> String {
    let t = t.clamp(-1.0, 1.0);
    let mix = |from: f64, to: f64| (from + (to - from) * t.abs()).round() as u8;
    let (r, g, b) = if t >= 0.0 { (225.0, 60.0, 50.0) } else { (50.0, 100.0, 225.0) };
    format!("rgb({},{},{})", mix(220.0, r), mix(220.0, g), mix(220.0, b))
}

fn percent(w: u64, total: u64) -> String {
    format!("{:.2} %", w as f64 * 100.0 / total.max(1) as f64)
}

/// A weight in its unit: `123 samples`, `45.6 ms`, `7.8 MB`.
pub fn weight(unit: Unit, w: u64) -> String {
    match unit {
        Unit::Samples => format!("{w} samples"),
        Unit::Nanoseconds => format!("{:.1} ms", w as f64 / 1e6),
        Unit::Bytes => format!("{:.1} MB", w as f64 / 1e6),
    }
}

/// Escapes text for SVG/XML content and attributes.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}
