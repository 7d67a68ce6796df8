//! One file, parsed once, walked once: every rule that applies to the file's language is
//! called on the node kinds it asked for, through a table indexed by kind id.

use crate::ctx::{Ctx, Hit};
use crate::lang::Lang;
use crate::rules::{ScanRule, RULES};
use crate::syntax::{self, Node, Parsers, Tree, PY_KINDS};

/// Why a file was not scanned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseFailure {
    /// 1-based line of the first syntax error.
    pub line: usize,
}

/// The parsers and a rule table per language; one per worker thread.
pub struct Analyzer {
    parsers: Parsers,
    tables: Vec<(Lang, Vec<Vec<&'static ScanRule>>)>,
}

impl Default for Analyzer {
    fn default() -> Self {
        Self::new()
    }
}

impl Analyzer {
    pub fn new() -> Analyzer {
        let tables = Lang::ALL.iter().map(|&lang| (lang, table(lang))).collect();
        Analyzer { parsers: Parsers::default(), tables }
    }

    /// Every hit of every applicable rule in `text`, or where the file stops parsing.
    pub fn analyze(&mut self, lang: Lang, text: &str) -> Result<Vec<Hit>, ParseFailure> {
        let tree = syntax::parse(&mut self.parsers, lang, text).map_err(|e| ParseFailure { line: e.line })?;
        let (_, table) = self.tables.iter().find(|(l, _)| *l == lang).expect("every Lang has a table");
        let mut hits = Vec::new();
        walk(&tree, text, lang, table, &mut hits);
        Ok(hits)
    }
}

/// kind id → the rules that inspect that kind, for one language.
fn table(lang: Lang) -> Vec<Vec<&'static ScanRule>> {
    let names: Vec<Option<&'static str>> = match lang {
        Lang::Python => PY_KINDS.iter().map(|k| Some(*k)).collect(),
        _ => match lang.grammar() {
            Some(grammar) => (0..grammar.node_kind_count()).map(|id| grammar.node_kind_for_id(id as u16)).collect(),
            None => Vec::new(),
        },
    };
    let rules: Vec<&'static ScanRule> = RULES.iter().copied().filter(|r| r.families.contains(&lang.family())).collect();
    names
        .iter()
        .map(|kind| rules.iter().copied().filter(|r| kind.is_some_and(|k| r.kinds.contains(&k))).collect())
        .collect()
}

/// The walk: the arena in document order, keeping the ancestor stack for the rules.
fn walk(tree: &Tree, text: &str, lang: Lang, table: &[Vec<&'static ScanRule>], hits: &mut Vec<Hit>) {
    let mut stack: Vec<Node> = Vec::with_capacity(64);
    for node in tree.nodes() {
        let parent = node.parent();
        while stack.last().is_some_and(|top| Some(*top) != parent) {
            stack.pop();
        }
        if let Some(rules) = table.get(usize::from(node.kind_id())).filter(|r| !r.is_empty()) {
            let mut ctx = Ctx { text, lang, stack: &stack, hits };
            for rule in rules {
                (rule.check)(&mut ctx, node);
            }
        }
        stack.push(node);
    }
}
