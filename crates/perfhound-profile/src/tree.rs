//! The call tree of a profile: stacks merged from the root, one node per distinct path of
//! functions, children in name order (as flame graphs draw them).

use crate::profile::Profile;
use std::collections::HashMap;

/// One node: a function reached by one path from the root, and the weight of every
/// stack through it.
#[derive(Clone, Debug)]
pub struct Node {
    /// Function id in the profile; `u32::MAX` for the synthetic root.
    pub func: u32,
    pub total: u64,
    /// Children, by index into [`Tree::nodes`].
    pub children: Vec<u32>,
}

/// Node 0 is the synthetic root holding the whole profile.
#[derive(Clone, Debug)]
pub struct Tree {
    pub nodes: Vec<Node>,
}

impl Tree {
    /// Merges every stack of `profile` into a tree.
    pub fn new(profile: &Profile) -> Tree {
        let mut nodes = vec![Node { func: u32::MAX, total: 0, children: Vec::new() }];
        let mut index: HashMap<(u32, u32), u32> = HashMap::new();
        for (stack, weight) in profile.stacks() {
            let mut at = 0u32;
            nodes[0].total += weight;
            for func in stack {
                let next = nodes.len() as u32;
                let child = *index.entry((at, func)).or_insert(next);
                if child == next {
                    nodes.push(Node { func, total: 0, children: Vec::new() });
                    nodes[at as usize].children.push(child);
                }
                nodes[child as usize].total += weight;
                at = child;
            }
        }
        let funcs: Vec<u32> = nodes.iter().map(|n| n.func).collect();
        for n in &mut nodes {
            n.children.sort_by(|&a, &b| {
                let (fa, fb) = (profile.function(funcs[a as usize]), profile.function(funcs[b as usize]));
                fa.name.cmp(&fb.name).then_with(|| fa.file.cmp(&fb.file))
            });
        }
        Tree { nodes }
    }

    /// The weight a node spends in itself: its total minus its children's.
    pub fn self_weight(&self, node: u32) -> u64 {
        let n = &self.nodes[node as usize];
        let children: u64 = n.children.iter().map(|&c| self.nodes[c as usize].total).sum();
        n.total.saturating_sub(children)
    }
}
