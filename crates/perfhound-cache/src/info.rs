//! `INFO`: the server's counters, typed, and the difference of two snapshots (a window).

use std::collections::BTreeMap;

/// What `INFO` reports that perfhound uses. Counters are since the server started (or
/// `CONFIG RESETSTAT`); [`Stats::window`] turns two snapshots into one window's counts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stats {
    pub version: String,
    pub uptime_s: f64,
    pub keyspace_hits: u64,
    pub keyspace_misses: u64,
    pub evicted_keys: u64,
    pub expired_keys: u64,
    pub total_commands: u64,
    pub ops_per_sec: f64,
    pub used_memory: u64,
    pub used_memory_rss: u64,
    pub fragmentation_ratio: f64,
    pub maxmemory: u64,
    pub maxmemory_policy: String,
    pub connected_clients: u64,
    pub blocked_clients: u64,
    /// Keys and keys with an expiry, over every database.
    pub keys: u64,
    pub keys_with_expiry: u64,
    /// `INFO commandstats` (+ `latencystats`), by command name.
    pub commands: Vec<CommandStat>,
}

/// One command's counters: `cmdstat_get:calls=…,usec=…` and, from Redis 7's latency
/// tracking, `latency_percentiles_usec_get:…,p99=…`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CommandStat {
    /// Upper case, subcommands with a space (`CONFIG GET`).
    pub name: String,
    pub calls: u64,
    pub usec: u64,
    pub p99_usec: Option<f64>,
}

/// Commands perfhound itself sends to read the counters: left out of a window.
const OWN: &[&str] = &["INFO", "PING", "AUTH", "HELLO", "SELECT"];

impl Stats {
    /// Reads the text of `INFO` (any sections); missing fields stay zero.
    pub fn parse(text: &str) -> Stats {
        let map: BTreeMap<&str, &str> =
            text.lines().filter(|l| !l.starts_with('#')).filter_map(|l| l.trim_end().split_once(':')).collect();
        let n = |k: &str| map.get(k).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        let f = |k: &str| map.get(k).and_then(|v| v.parse::<f64>().ok()).filter(|x| x.is_finite()).unwrap_or(0.0);
        let (keys, keys_with_expiry) = keyspace(&map);
        Stats {
            version: map.get("redis_version").unwrap_or(&"").to_string(),
            uptime_s: f("uptime_in_seconds"),
            keyspace_hits: n("keyspace_hits"),
            keyspace_misses: n("keyspace_misses"),
            evicted_keys: n("evicted_keys"),
            expired_keys: n("expired_keys"),
            total_commands: n("total_commands_processed"),
            ops_per_sec: f("instantaneous_ops_per_sec"),
            used_memory: n("used_memory"),
            used_memory_rss: n("used_memory_rss"),
            fragmentation_ratio: f("mem_fragmentation_ratio"),
            maxmemory: n("maxmemory"),
            maxmemory_policy: map.get("maxmemory_policy").unwrap_or(&"").to_string(),
            connected_clients: n("connected_clients"),
            blocked_clients: n("blocked_clients"),
            keys,
            keys_with_expiry,
            commands: commands(&map),
        }
    }

    /// Keyspace lookups (hits + misses).
    pub fn lookups(&self) -> u64 {
        self.keyspace_hits + self.keyspace_misses
    }

    /// hits / lookups, when there were any.
    pub fn hit_ratio(&self) -> Option<f64> {
        (self.lookups() > 0).then(|| self.keyspace_hits as f64 / self.lookups() as f64)
    }

    /// Whether `OBJECT FREQ` works: an LFU eviction policy.
    pub fn lfu(&self) -> bool {
        self.maxmemory_policy.contains("lfu")
    }

    /// The counters of the window from `before` to `self` (gauges are `self`'s). A
    /// restart or `CONFIG RESETSTAT` in between (a counter went down) counts from zero.
    pub fn window(&self, before: &Stats, elapsed_s: f64) -> Stats {
        let reset = self.keyspace_hits < before.keyspace_hits
            || self.keyspace_misses < before.keyspace_misses
            || self.total_commands < before.total_commands;
        let d = |now: u64, then: u64| if reset { now } else { now.saturating_sub(then) };
        let mut w = self.clone();
        w.keyspace_hits = d(self.keyspace_hits, before.keyspace_hits);
        w.keyspace_misses = d(self.keyspace_misses, before.keyspace_misses);
        w.evicted_keys = d(self.evicted_keys, before.evicted_keys);
        w.expired_keys = d(self.expired_keys, before.expired_keys);
        w.total_commands = d(self.total_commands, before.total_commands);
        if elapsed_s > 0.0 {
            w.ops_per_sec = w.total_commands as f64 / elapsed_s;
        }
        w.uptime_s = elapsed_s;
        w.commands = self
            .commands
            .iter()
            .filter(|c| !OWN.contains(&c.name.as_str()))
            .filter_map(|c| {
                let then = before.commands.iter().find(|b| b.name == c.name);
                let (calls, usec) = then.map_or((c.calls, c.usec), |b| (d(c.calls, b.calls), d(c.usec, b.usec)));
                // Percentiles are since start: they cannot be subtracted.
                (calls > 0).then(|| CommandStat { name: c.name.clone(), calls, usec, p99_usec: None })
            })
            .collect();
        w
    }
}

/// `cmdstat_<name>:calls=…,usec=…` with the p99 of `latency_percentiles_usec_<name>`,
/// most time first.
fn commands(map: &BTreeMap<&str, &str>) -> Vec<CommandStat> {
    let field = |v: &str, name: &str| {
        v.split(',')
            .find_map(|p| p.split_once('=').filter(|(k, _)| *k == name).and_then(|(_, x)| x.parse::<f64>().ok()))
    };
    let mut out: Vec<CommandStat> = map
        .iter()
        .filter_map(|(k, v)| {
            let cmd = k.strip_prefix("cmdstat_")?;
            let p99 = map.get(format!("latency_percentiles_usec_{cmd}").as_str()).and_then(|l| field(l, "p99"));
            Some(CommandStat {
                name: cmd.replace('|', " ").to_ascii_uppercase(),
                calls: field(v, "calls")? as u64,
                usec: field(v, "usec").unwrap_or(0.0) as u64,
                p99_usec: p99,
            })
        })
        .collect();
    out.sort_by(|a, b| b.usec.cmp(&a.usec).then(a.name.cmp(&b.name)));
    out
}

/// `db0:keys=10,expires=2,avg_ttl=0` lines, summed.
fn keyspace(map: &BTreeMap<&str, &str>) -> (u64, u64) {
    let mut total = (0, 0);
    for (k, v) in map {
        if !(k.starts_with("db") && k[2..].bytes().all(|b| b.is_ascii_digit())) {
            continue;
        }
        for part in v.split(',') {
            match part.split_once('=') {
                Some(("keys", n)) => total.0 += n.parse::<u64>().unwrap_or(0),
                Some(("expires", n)) => total.1 += n.parse::<u64>().unwrap_or(0),
                _ => {}
            }
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::Stats;

    const INFO: &str = "# Server\r\nredis_version:7.0.15\r\nuptime_in_seconds:100\r\n# Stats\r\n\
        keyspace_hits:45\r\nkeyspace_misses:55\r\nevicted_keys:3\r\nexpired_keys:7\r\n\
        total_commands_processed:1000\r\ninstantaneous_ops_per_sec:12\r\n# Memory\r\nused_memory:1048576\r\n\
        mem_fragmentation_ratio:1.25\r\nmaxmemory:0\r\nmaxmemory_policy:allkeys-lfu\r\n# Clients\r\n\
        connected_clients:4\r\nblocked_clients:1\r\n# Keyspace\r\ndb0:keys=10,expires=2,avg_ttl=5\r\n\
        db3:keys=5,expires=5,avg_ttl=1\r\n# Commandstats\r\ncmdstat_get:calls=100,usec=250,usec_per_call=2.50\r\n\
        cmdstat_config|get:calls=2,usec=40,usec_per_call=20.00\r\ncmdstat_info:calls=3,usec=300\r\n\
        latency_percentiles_usec_get:p50=2.001,p99=9.023,p99.9=12.1\r\n";

    #[test]
    fn reads_the_counters() {
        let s = Stats::parse(INFO);
        assert_eq!((s.keyspace_hits, s.keyspace_misses, s.evicted_keys), (45, 55, 3));
        assert_eq!(s.hit_ratio(), Some(0.45));
        assert_eq!((s.keys, s.keys_with_expiry, s.blocked_clients), (15, 7, 1));
        assert!(s.lfu() && s.version == "7.0.15" && s.fragmentation_ratio == 1.25);
        let names: Vec<&str> = s.commands.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["INFO", "GET", "CONFIG GET"], "most time first");
        assert_eq!((s.commands[1].calls, s.commands[1].usec, s.commands[1].p99_usec), (100, 250, Some(9.023)));
    }

    #[test]
    fn a_window_is_the_difference_and_survives_a_reset() {
        let before = Stats::parse(INFO);
        let mut after = before.clone();
        after.keyspace_hits += 90;
        after.keyspace_misses += 10;
        after.total_commands += 200;
        after.commands[1].calls += 90;
        after.commands[1].usec += 100;
        after.commands[0].calls += 2;
        let w = after.window(&before, 10.0);
        assert_eq!((w.keyspace_hits, w.keyspace_misses, w.evicted_keys, w.ops_per_sec), (90, 10, 0, 20.0));
        let get = super::CommandStat { name: "GET".into(), calls: 90, usec: 100, p99_usec: None };
        assert_eq!(w.commands, [get], "perfhound's own INFO and idle commands are left out");
        after.keyspace_hits = 5;
        assert_eq!(after.window(&before, 10.0).keyspace_hits, 5);
    }
}
