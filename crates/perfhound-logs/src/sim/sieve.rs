//! SIEVE (Zhang et al., NSDI '24): a FIFO queue with one "visited" bit per entry and a
//! hand that moves from the oldest entry toward the newest, evicting the first unvisited
//! one and clearing the bits it passes. Simpler than LRU (no move on hit) and often a
//! better hit ratio on web traces; compared with LRU at the recommended size.

use super::list::{List, NIL};
use super::{Access, Cache};

pub struct Sieve {
    list: List,
    capacity: u64,
    ttl: u32,
    hand: u32,
}

impl Sieve {
    pub fn new(capacity_bytes: u64, ttl_s: u32) -> Sieve {
        Sieve { list: List::new(), capacity: capacity_bytes, ttl: ttl_s, hand: NIL }
    }

    fn evict(&mut self) {
        let mut h = if self.hand == NIL { self.list.tail } else { self.hand };
        while h != NIL && self.list.slots[h as usize].visited {
            self.list.slots[h as usize].visited = false;
            h = self.list.slots[h as usize].newer;
            if h == NIL {
                h = self.list.tail;
            }
        }
        if h == NIL {
            return;
        }
        self.hand = self.list.slots[h as usize].newer;
        self.list.remove(h);
    }
}

impl Cache for Sieve {
    #[inline]
    fn access(&mut self, a: Access) -> bool {
        if let Some(&i) = self.list.index.get(&a.key) {
            if a.t.wrapping_sub(self.list.slots[i as usize].born) < self.ttl {
                self.list.slots[i as usize].visited = true;
                return true;
            }
            if self.hand == i {
                self.hand = self.list.slots[i as usize].newer;
            }
            self.list.remove(i);
        }
        if u64::from(a.size) > self.capacity {
            return false;
        }
        while self.list.used + u64::from(a.size) > self.capacity && self.list.tail != NIL {
            self.evict();
        }
        self.list.push_head(a.key, a.size, a.t);
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_visited_entries_over_one_hit_wonders() {
        let a = |key, t| Access { key, t, size: 10 };
        let mut c = Sieve::new(30, u32::MAX);
        for k in [1, 2, 3] {
            assert!(!c.access(a(k, 0)));
        }
        assert!(c.access(a(1, 0)), "1 is cached and now visited");
        assert!(!c.access(a(4, 0)), "4 evicts 2: the hand skips visited 1");
        assert!(c.access(a(1, 0)) && c.access(a(3, 0)) && !c.access(a(2, 0)));
    }
}
