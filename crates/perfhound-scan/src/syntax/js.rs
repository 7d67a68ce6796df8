//! JavaScript, TypeScript and TSX: parsed by their tree-sitter grammars and copied node
//! for node (kinds, field names, punctuation) into perfhound's tree.

use super::{Builder, SyntaxError, Tree};
use crate::lang::Lang;
use tree_sitter::Parser;

/// One tree-sitter parser per JavaScript-family language, created on first use.
#[derive(Default)]
pub struct Parsers {
    parsers: Vec<(Lang, Parser)>,
}

impl Parsers {
    pub(super) fn parse(&mut self, lang: Lang, text: &str) -> Result<Tree, SyntaxError> {
        let parser = match self.parsers.iter().position(|(l, _)| *l == lang) {
            Some(i) => &mut self.parsers[i].1,
            None => {
                let grammar = lang.grammar().ok_or(SyntaxError { line: 1 })?;
                let mut p = Parser::new();
                p.set_language(&grammar).expect("bundled grammar matches the tree-sitter ABI");
                self.parsers.push((lang, p));
                &mut self.parsers.last_mut().expect("just pushed").1
            }
        };
        let tree = parser.parse(text, None).ok_or(SyntaxError { line: 1 })?;
        if tree.root_node().has_error() {
            return Err(SyntaxError { line: first_error_line(&tree) });
        }
        Ok(copy(&tree, text))
    }
}

/// The tree-sitter tree as a perfhound tree.
fn copy(tree: &tree_sitter::Tree, text: &str) -> Tree {
    let mut b = Builder::new(text.len() / 4);
    let mut cursor = tree.walk();
    loop {
        let node = cursor.node();
        let field = cursor.field_name().unwrap_or("");
        b.open(node.kind(), node.kind_id(), node.is_named(), field, node.start_byte() as u32);
        if cursor.goto_first_child() {
            continue;
        }
        b.close(node.end_byte() as u32);
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return b.finish(text);
            }
            b.close(cursor.node().end_byte() as u32);
        }
    }
}

/// The line of the first ERROR or MISSING node, descending only into subtrees with errors.
fn first_error_line(tree: &tree_sitter::Tree) -> usize {
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
