//! One file, parsed once, walked once: every rule that applies to the file's language is
//! called on the node kinds it asked for, through a table indexed by tree-sitter kind id.

use crate::ctx::{Ctx, Hit};
use crate::lang::Lang;
use crate::rules::{ScanRule, RULES};
use tree_sitter::{Node, Parser, Tree};

/// Why a file was not scanned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseFailure {
    /// 1-based line of the first syntax error.
    pub line: usize,
}

/// A parser and a rule table per language; one per worker thread.
pub struct Analyzer {
    langs: Vec<(Lang, Parser, Vec<Vec<&'static ScanRule>>)>,
}

impl Default for Analyzer {
    fn default() -> Self {
        Self::new()
    }
}

impl Analyzer {
    pub fn new() -> Analyzer {
        let langs = Lang::ALL
            .iter()
            .map(|&lang| {
                let grammar = lang.grammar();
                let mut parser = Parser::new();
                parser.set_language(&grammar).expect("bundled grammar matches the tree-sitter ABI");
                (lang, parser, table(lang, &grammar))
            })
            .collect();
        Analyzer { langs }
    }

    /// Every hit of every applicable rule in `text`, or where the file stops parsing.
    pub fn analyze(&mut self, lang: Lang, text: &str) -> Result<Vec<Hit>, ParseFailure> {
        let (_, parser, table) = self.langs.iter_mut().find(|(l, ..)| *l == lang).expect("every Lang has a parser");
        let tree = parser.parse(text, None).ok_or(ParseFailure { line: 1 })?;
        if tree.root_node().has_error() {
            return Err(ParseFailure { line: first_error_line(&tree) });
        }
        let mut hits = Vec::new();
        walk(&tree, text, lang, table, &mut hits);
        Ok(hits)
    }
}

/// kind id → the rules that inspect that kind, for one language.
fn table(lang: Lang, grammar: &tree_sitter::Language) -> Vec<Vec<&'static ScanRule>> {
    let count = grammar.node_kind_count();
    let mut t = vec![Vec::new(); count];
    for (id, slot) in t.iter_mut().enumerate() {
        let Some(kind) = grammar.node_kind_for_id(id as u16) else { continue };
        for rule in RULES.iter().copied().filter(|r| r.families.contains(&lang.family())) {
            if rule.kinds.contains(&kind) {
                slot.push(rule);
            }
        }
    }
    t
}

/// The walk: a cursor over the whole tree keeping the ancestor stack for the rules.
fn walk(tree: &Tree, text: &str, lang: Lang, table: &[Vec<&'static ScanRule>], hits: &mut Vec<Hit>) {
    let mut cursor = tree.walk();
    let mut stack: Vec<Node> = Vec::with_capacity(64);
    loop {
        let node = cursor.node();
        if let Some(rules) = table.get(usize::from(node.kind_id())).filter(|r| !r.is_empty()) {
            let mut ctx = Ctx { text, lang, stack: &stack, hits };
            for rule in rules {
                (rule.check)(&mut ctx, node);
            }
        }
        if cursor.goto_first_child() {
            stack.push(node);
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return;
            }
            stack.pop();
        }
    }
}

/// The line of the first ERROR or MISSING node, descending only into subtrees with errors.
fn first_error_line(tree: &Tree) -> usize {
    let mut node = tree.root_node();
    'down: loop {
        if node.is_error() || node.is_missing() {
            return node.start_position().row + 1;
        }
        let mut c = node.walk();
        for child in node.children(&mut c) {
            if child.has_error() {
                node = child;
                continue 'down;
            }
        }
        return node.start_position().row + 1;
    }
}
