//! perfhound's own syntax tree: one arena of nodes per file, the same for every language,
//! that the rules, [`Ctx`](crate::ctx::Ctx) and the locator read.
//!
//! Why: the rules are written once for Python and JavaScript, against node kinds and field
//! names (`call`/`function`/`arguments`, `for_statement`/`left`/`right`/`body`…), while each
//! language uses the fastest real parser available. Python is parsed by ruff's parser
//! (`python.rs`, ~10× faster than the tree-sitter grammar) and lowered into this tree with
//! the vocabulary of tree-sitter-python; JavaScript, TypeScript and TSX are parsed by their
//! tree-sitter grammars and copied node for node (`js.rs`). The API mirrors the part of
//! tree-sitter's `Node` the rules use, so a rule reads both languages the same way.
//!
//! Nodes are stored in document pre-order: a node's id is larger than its ancestors' and
//! smaller than its following siblings', which makes the single walk in `analyze.rs` a
//! plain loop over the arena.

mod js;
mod python;

use crate::lang::Lang;
pub use python::PY_KINDS;

/// "no node" in the arena's links.
const NONE: u32 = u32::MAX;

/// A row/column position (0-based; the column counts bytes), as tree-sitter reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Point {
    pub row: usize,
    pub column: usize,
}

#[derive(Clone, Copy, Debug)]
struct Data {
    kind: &'static str,
    field: &'static str,
    kind_id: u16,
    named: bool,
    parent: u32,
    first_child: u32,
    next_sibling: u32,
    start: u32,
    end: u32,
}

/// A parsed file.
#[derive(Clone, Debug)]
pub struct Tree {
    nodes: Vec<Data>,
    /// Byte offset of the start of every line.
    lines: Vec<u32>,
}

/// Why a text did not parse: the 1-based line of the first syntax error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub line: usize,
}

/// Parses `text` with the language's parser; a tree-sitter parser per JS language is kept
/// by the caller in `parsers` (one set per worker thread).
pub fn parse(parsers: &mut js::Parsers, lang: Lang, text: &str) -> Result<Tree, SyntaxError> {
    match lang {
        Lang::Python => python::parse(text),
        _ => parsers.parse(lang, text),
    }
}

pub use js::Parsers;

impl Tree {
    pub fn root_node(&self) -> Node<'_> {
        Node { tree: self, id: 0 }
    }

    /// A cursor at the root (for walks written against tree-sitter's cursor API).
    pub fn walk(&self) -> TreeCursor<'_> {
        TreeCursor { node: self.root_node() }
    }

    /// Every node in document pre-order.
    pub fn nodes(&self) -> impl Iterator<Item = Node<'_>> {
        (0..self.nodes.len() as u32).map(move |id| Node { tree: self, id })
    }

    fn point(&self, byte: u32) -> Point {
        let row = self.lines.partition_point(|&s| s <= byte).saturating_sub(1);
        Point { row, column: (byte - self.lines.get(row).copied().unwrap_or(0)) as usize }
    }
}

/// Line starts of a text (the first is 0).
fn line_starts(text: &str) -> Vec<u32> {
    let mut lines = vec![0];
    lines.extend(memchr_newlines(text.as_bytes()));
    lines
}

fn memchr_newlines(b: &[u8]) -> impl Iterator<Item = u32> + '_ {
    b.iter().enumerate().filter(|(_, &c)| c == b'\n').map(|(i, _)| i as u32 + 1)
}

/// Builds a tree in pre-order: `open` a node, add its children, `close` it.
struct Builder {
    nodes: Vec<Data>,
    open: Vec<u32>,
    /// The last child of every node so far (parallel to `nodes`).
    last: Vec<u32>,
}

impl Builder {
    fn new(capacity: usize) -> Builder {
        Builder {
            nodes: Vec::with_capacity(capacity),
            open: Vec::with_capacity(64),
            last: Vec::with_capacity(capacity),
        }
    }

    fn open(&mut self, kind: &'static str, kind_id: u16, named: bool, field: &'static str, start: u32) {
        let id = self.nodes.len() as u32;
        let parent = self.open.last().copied().unwrap_or(NONE);
        if parent != NONE {
            let prev = self.last[parent as usize];
            if prev == NONE {
                self.nodes[parent as usize].first_child = id;
            } else {
                self.nodes[prev as usize].next_sibling = id;
            }
            self.last[parent as usize] = id;
        }
        let d = Data { kind, field, kind_id, named, parent, first_child: NONE, next_sibling: NONE, start, end: start };
        self.nodes.push(d);
        self.last.push(NONE);
        self.open.push(id);
    }

    fn close(&mut self, end: u32) {
        if let Some(id) = self.open.pop() {
            let d = &mut self.nodes[id as usize];
            d.end = end.max(d.start);
        }
    }

    fn finish(self, text: &str) -> Tree {
        Tree { nodes: self.nodes, lines: line_starts(text) }
    }
}

/// A node of a [`Tree`]; cheap to copy.
#[derive(Clone, Copy)]
pub struct Node<'t> {
    tree: &'t Tree,
    id: u32,
}

impl std::fmt::Debug for Node<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{}..{}", self.kind(), self.start_byte(), self.end_byte())
    }
}

impl PartialEq for Node<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id && std::ptr::eq(self.tree, other.tree)
    }
}

impl<'t> Node<'t> {
    fn data(&self) -> &'t Data {
        &self.tree.nodes[self.id as usize]
    }

    fn at(&self, id: u32) -> Option<Node<'t>> {
        (id != NONE).then_some(Node { tree: self.tree, id })
    }

    /// The node's index in its tree (unique per tree).
    pub fn id(&self) -> usize {
        self.id as usize
    }

    pub fn kind(&self) -> &'static str {
        self.data().kind
    }

    /// The language-specific kind number (tree-sitter's for JS, [`PY_KINDS`]' index for Python).
    pub fn kind_id(&self) -> u16 {
        self.data().kind_id
    }

    /// False for punctuation and keywords (`(`, `async`, `in`, `+=`).
    pub fn is_named(&self) -> bool {
        self.data().named
    }

    pub fn start_byte(&self) -> usize {
        self.data().start as usize
    }

    pub fn end_byte(&self) -> usize {
        self.data().end as usize
    }

    pub fn start_position(&self) -> Point {
        self.tree.point(self.data().start)
    }

    pub fn end_position(&self) -> Point {
        self.tree.point(self.data().end)
    }

    /// The node's text in `source`.
    pub fn utf8_text<'s>(&self, source: &'s [u8]) -> Result<&'s str, std::str::Utf8Error> {
        std::str::from_utf8(source.get(self.start_byte()..self.end_byte()).unwrap_or_default())
    }

    pub fn parent(&self) -> Option<Node<'t>> {
        self.at(self.data().parent)
    }

    /// A cursor on this node (children are read with [`Node::children`]).
    pub fn walk(&self) -> TreeCursor<'t> {
        TreeCursor { node: *self }
    }

    /// Every child, punctuation included. The cursor argument mirrors tree-sitter's API.
    pub fn children(&self, _cursor: &mut TreeCursor<'t>) -> Children<'t> {
        Children { tree: self.tree, next: self.data().first_child }
    }

    /// The named children.
    pub fn named_children(&self, cursor: &mut TreeCursor<'t>) -> impl Iterator<Item = Node<'t>> + 't {
        self.children(cursor).filter(|n| n.is_named())
    }

    pub fn named_child(&self, i: usize) -> Option<Node<'t>> {
        self.children(&mut self.walk()).filter(|n| n.is_named()).nth(i)
    }

    pub fn named_child_count(&self) -> usize {
        self.children(&mut self.walk()).filter(|n| n.is_named()).count()
    }

    /// The first child in the field `name` (`function`, `arguments`, `left`, `body`…).
    pub fn child_by_field_name(&self, name: &str) -> Option<Node<'t>> {
        self.children(&mut self.walk()).find(|n| n.data().field == name)
    }

    /// Every child in the field `name` (`decorator`s, `argument`s…).
    pub fn children_by_field_name(
        &self,
        name: &'static str,
        cursor: &mut TreeCursor<'t>,
    ) -> impl Iterator<Item = Node<'t>> + 't {
        self.children(cursor).filter(move |n| n.data().field == name)
    }

    pub fn next_named_sibling(&self) -> Option<Node<'t>> {
        let mut next = self.at(self.data().next_sibling);
        while let Some(n) = next.filter(|n| !n.is_named()) {
            next = n.at(n.data().next_sibling);
        }
        next
    }

    /// The smallest node that spans `start..end`.
    pub fn descendant_for_byte_range(&self, start: usize, end: usize) -> Option<Node<'t>> {
        let mut node = *self;
        if node.start_byte() > start || node.end_byte() < end {
            return None;
        }
        'down: loop {
            for ch in node.children(&mut node.walk()) {
                if ch.start_byte() <= start && ch.end_byte() >= end {
                    node = ch;
                    continue 'down;
                }
            }
            return Some(node);
        }
    }
}

/// The children of a node, in order.
pub struct Children<'t> {
    tree: &'t Tree,
    next: u32,
}

impl<'t> Iterator for Children<'t> {
    type Item = Node<'t>;
    fn next(&mut self) -> Option<Node<'t>> {
        let node = (self.next != NONE).then_some(Node { tree: self.tree, id: self.next })?;
        self.next = node.data().next_sibling;
        Some(node)
    }
}

/// A position in a tree that moves to children, siblings and parents.
pub struct TreeCursor<'t> {
    node: Node<'t>,
}

impl<'t> TreeCursor<'t> {
    pub fn node(&self) -> Node<'t> {
        self.node
    }

    pub fn goto_first_child(&mut self) -> bool {
        self.step(self.node.data().first_child)
    }

    pub fn goto_next_sibling(&mut self) -> bool {
        self.step(self.node.data().next_sibling)
    }

    pub fn goto_parent(&mut self) -> bool {
        self.step(self.node.data().parent)
    }

    fn step(&mut self, id: u32) -> bool {
        match self.node.at(id) {
            Some(n) => {
                self.node = n;
                true
            }
            None => false,
        }
    }
}
