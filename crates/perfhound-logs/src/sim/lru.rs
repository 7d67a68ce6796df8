//! An exact LRU cache with a byte capacity and a TTL, as Redis cache-aside with
//! `maxmemory-policy allkeys-lru` and `SET … EX ttl` approximates it.

use super::list::{List, NIL};
use super::{Access, Cache};

pub struct Lru {
    list: List,
    capacity: u64,
    ttl: u32,
}

impl Lru {
    pub fn new(capacity_bytes: u64, ttl_s: u32) -> Lru {
        Lru { list: List::new(), capacity: capacity_bytes, ttl: ttl_s }
    }
}

impl Cache for Lru {
    #[inline]
    fn access(&mut self, a: Access) -> bool {
        if let Some(&i) = self.list.index.get(&a.key) {
            if a.t.wrapping_sub(self.list.slots[i as usize].born) < self.ttl {
                self.list.touch(i);
                return true;
            }
            self.list.remove(i);
        }
        if u64::from(a.size) > self.capacity {
            return false;
        }
        self.list.push_head(a.key, a.size, a.t);
        while self.list.used > self.capacity && self.list.tail != NIL {
            self.list.remove(self.list.tail);
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(key: u64, t: u32) -> Access {
        Access { key, t, size: 10 }
    }

    #[test]
    fn evicts_least_recently_used_and_expires() {
        let mut c = Lru::new(20, 100);
        assert!(!c.access(a(1, 0)));
        assert!(!c.access(a(2, 0)));
        assert!(c.access(a(1, 1)), "1 is cached");
        assert!(!c.access(a(3, 1)), "3 evicts 2, the least recently used");
        assert!(c.access(a(1, 2)));
        assert!(!c.access(a(2, 2)), "2 was evicted");
        assert!(!c.access(a(1, 150)), "1 expired after its TTL");
        assert!(c.access(a(1, 151)), "and was stored again");
        assert!(!Lru::new(5, 100).access(a(9, 0)) && !Lru::new(5, 100).access(a(9, 0)), "larger than the cache");
    }
}
