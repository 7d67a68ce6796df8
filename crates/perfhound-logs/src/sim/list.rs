//! The slab-backed doubly linked list both simulated caches keep their entries in, and
//! their index (keys are already well-mixed 64-bit hashes: `perfhound_sql::hash`).

use perfhound_sql::hash::KeyMap;

pub const NIL: u32 = u32::MAX;

pub type Index = KeyMap<u32>;

/// One cached object.
#[derive(Clone, Copy, Debug)]
pub struct Slot {
    pub key: u64,
    pub size: u32,
    /// When it was stored (seconds), for the TTL.
    pub born: u32,
    pub visited: bool,
    /// Toward the most recently inserted end.
    pub newer: u32,
    pub older: u32,
}

/// Entries from newest (`head`) to oldest (`tail`), with byte accounting.
#[derive(Default)]
pub struct List {
    pub slots: Vec<Slot>,
    free: Vec<u32>,
    pub head: u32,
    pub tail: u32,
    pub used: u64,
    pub index: Index,
}

impl List {
    pub fn new() -> List {
        List { head: NIL, tail: NIL, ..List::default() }
    }

    /// Stores a new entry at the head; returns its slot.
    pub fn push_head(&mut self, key: u64, size: u32, born: u32) -> u32 {
        let slot = Slot { key, size, born, visited: false, newer: NIL, older: self.head };
        let i = match self.free.pop() {
            Some(i) => {
                self.slots[i as usize] = slot;
                i
            }
            None => {
                self.slots.push(slot);
                (self.slots.len() - 1) as u32
            }
        };
        self.link_head(i);
        self.used += u64::from(size);
        self.index.insert(key, i);
        i
    }

    fn link_head(&mut self, i: u32) {
        let old_head = self.head;
        let s = &mut self.slots[i as usize];
        s.newer = NIL;
        s.older = old_head;
        if old_head != NIL {
            self.slots[old_head as usize].newer = i;
        } else {
            self.tail = i;
        }
        self.head = i;
    }

    fn unlink(&mut self, i: u32) {
        let Slot { newer, older, .. } = self.slots[i as usize];
        if newer != NIL {
            self.slots[newer as usize].older = older;
        } else {
            self.head = older;
        }
        if older != NIL {
            self.slots[older as usize].newer = newer;
        } else {
            self.tail = newer;
        }
    }

    /// Moves an entry to the head (an LRU hit).
    pub fn touch(&mut self, i: u32) {
        if self.head != i {
            self.unlink(i);
            self.link_head(i);
        }
    }

    /// Removes an entry.
    pub fn remove(&mut self, i: u32) {
        self.unlink(i);
        let s = self.slots[i as usize];
        self.used -= u64::from(s.size);
        self.index.remove(&s.key);
        self.free.push(i);
    }
}
