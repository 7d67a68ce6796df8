//! What a runtime finding says was issued (a query on some tables, a call to a URL path,
//! a cache command, a nested loop), what kind of I/O a call site performs, and whether a
//! site is the one the finding names.

use crate::ctx::Ctx;
use perfhound_model::Finding;

/// What the finding says was issued.
#[derive(Debug)]
pub(super) enum Want {
    Db { tables: Vec<String> },
    Http { path: Option<String> },
    Cache { command: String },
    NestedLoop,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Db,
    Http,
    Cache,
    /// An attribute read inside a loop (a lazy-loaded relationship candidate).
    Attr,
    NestedLoop,
}

/// Runtime rules this locator understands: code → (what, needs a loop, several sites).
pub(super) fn rule_shape(code: &str) -> Option<(u8, bool, bool)> {
    Some(match code {
        "PH-TRACE001" | "PH-TRACE009" => (b'd', true, false),
        "PH-TRACE008" => (b'd', false, true),
        "PH-TRACE004" => (b'd', false, true),
        "PH-TRACE006" => (b'd', false, false),
        "PH-TRACE002" => (b'h', true, false),
        // A repeated group or a fan-out: of queries or of calls, as the evidence says.
        "PH-TRACE003" | "PH-TRACE014" => (b'?', true, false),
        "PH-TRACE005" => (b'h', false, true),
        "PH-TRACE007" | "PH-TRACE012" => (b'h', false, false),
        "PH-TRACE016" => (b'c', true, false),
        "PH-TRACE017" => (b'n', false, false),
        _ => return None,
    })
}

/// The kind of I/O a call performs, by its shape.
/// `client` says the receiver is bound to an HTTP client object.
pub(super) fn classify(name: &str, recv: &str, client: bool, ctx: &Ctx, c: &crate::rules::call::Call) -> Option<Kind> {
    let last = recv.rsplit(['.', '(', ')']).find(|s| !s.is_empty()).unwrap_or("");
    if c.receiver.is_none() && matches!(name, "fetch" | "axios" | "urlopen") {
        return Some(Kind::Http);
    }
    if recv.contains("cache") || recv.contains("redis") || matches!(last, "r" | "rds" | "kv") {
        return Some(Kind::Cache);
    }
    // SQLAlchemy `session.add(Event(...))`: the INSERT it causes runs at the next flush.
    if matches!(name, "add" | "add_all" | "merge" | "delete" | "bulk_save_objects") && last.ends_with("session") {
        return Some(Kind::Db);
    }
    if crate::rules::db::classify(ctx, c).is_some()
        || matches!(
            name,
            "execute" | "executemany" | "query" | "scalars" | "scalar" | "fetch" | "fetchrow" | "fetchval" | "raw"
        )
    {
        return Some(Kind::Db);
    }
    let http_recv = client
        || ["requests", "httpx", "client", "http", "session", "axios", "got", "fetch"].iter().any(|w| recv.contains(w));
    let http_method = matches!(name, "get" | "post" | "put" | "patch" | "delete" | "head" | "request" | "send");
    if http_recv && http_method {
        return Some(Kind::Http);
    }
    None
}

pub(super) fn want(what: u8, f: &Finding) -> Option<Want> {
    let q = f.evidence.query.clone().unwrap_or_default();
    Some(match what {
        b'?' => {
            // `tables: order_items` names the repeated statements' tables; `calls: GET
            // http://…` the repeated calls.
            let note = |p: &str| f.evidence.notes.iter().find_map(|n| n.strip_prefix(p).map(str::to_string));
            let noted: Vec<String> =
                note("tables: ").map(|t| t.split(", ").map(|t| t.to_ascii_lowercase()).collect()).unwrap_or_default();
            let tables = if tables(&q).is_empty() { noted } else { tables(&q) };
            if !tables.is_empty() {
                return Some(Want::Db { tables });
            }
            let calls = note("calls: ").unwrap_or_default();
            let url = [q.as_str(), calls.as_str()].into_iter().find(|t| t.contains("://"))?;
            Want::Http { path: Some(url_path(url)?) }
        }
        b'd' => Want::Db { tables: tables(&q) },
        b'h' => Want::Http { path: url_path(&q) },
        b'c' => {
            let mut words = q.split_whitespace();
            let first = words.next().unwrap_or("");
            let cmd = if first.eq_ignore_ascii_case("redis") { words.next().unwrap_or("") } else { first };
            Want::Cache { command: cmd.to_ascii_lowercase() }
        }
        _ => Want::NestedLoop,
    })
}

pub(super) fn describe(w: &Want) -> String {
    match w {
        Want::Db { tables } if !tables.is_empty() => format!("query on {}", tables.join(", ")),
        Want::Db { .. } => "query".into(),
        Want::Http { path: Some(p) } => format!("HTTP call to {p}"),
        Want::Http { .. } => "HTTP call".into(),
        Want::Cache { command } => format!("cache {} command", command.to_ascii_uppercase()),
        Want::NestedLoop => "nested loop".into(),
    }
}

pub(super) fn matches(w: &Want, kind: Kind, text: &str) -> bool {
    match (w, kind) {
        (Want::Db { tables }, Kind::Db) => tables.is_empty() || tables.iter().any(|t| mentions_table(text, t)),
        (Want::Db { tables }, Kind::Attr) => {
            tables.iter().any(|t| *t == text || t.ends_with(&format!("_{}", text)) || *t == format!("{}s", text))
        }
        (Want::Http { path }, Kind::Http) => path.as_ref().is_none_or(|p| text.contains(&p.to_ascii_lowercase())),
        (Want::Cache { command }, Kind::Cache) => text.split(['(', ' ', '.']).any(|w| w == command),
        (Want::NestedLoop, Kind::NestedLoop) => true,
        _ => false,
    }
}

/// `orders` in `select id from orders`, or its model `Order`/`OrderItem` (`order_items`).
fn mentions_table(text: &str, table: &str) -> bool {
    let words: Vec<&str> =
        text.split(|c: char| !c.is_ascii_alphanumeric() && c != '_').filter(|w| !w.is_empty()).collect();
    let singular = table.strip_suffix('s').unwrap_or(table);
    let model = singular.replace('_', "");
    words.iter().any(|w| *w == table || *w == singular || *w == model)
}

/// Tables after FROM / JOIN / INTO / UPDATE, lower-cased, schema and quotes removed.
pub fn tables(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let words: Vec<&str> = sql.split_whitespace().collect();
    for pair in words.windows(2) {
        if matches!(pair[0].to_ascii_uppercase().as_str(), "FROM" | "JOIN" | "INTO" | "UPDATE") {
            let t = pair[1].trim_matches(|c: char| c == '"' || c == '`' || c == '(' || c == ',' || c == ';');
            let t = t.rsplit('.').next().unwrap_or(t).to_ascii_lowercase();
            if !t.is_empty() && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !out.contains(&t) {
                out.push(t);
            }
        }
    }
    out
}

/// The literal start of a URL template's path: `GET http://h:1/delay/{ms}` → `/delay/`.
fn url_path(q: &str) -> Option<String> {
    let url = q.split_whitespace().find(|w| w.contains("://") || w.starts_with('/'))?;
    let path = match url.split_once("://") {
        Some((_, rest)) => &rest[rest.find('/')?..],
        None => url,
    };
    let path = path.split('?').next().unwrap_or(path);
    let literal = path.split('{').next().unwrap_or(path);
    (literal.len() > 1).then(|| literal.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tables_and_paths() {
        assert_eq!(tables("SELECT a FROM order_items JOIN \"public\".orders o"), vec!["order_items", "orders"]);
        assert_eq!(tables("INSERT INTO events (kind) VALUES ($1)"), vec!["events"]);
        assert_eq!(url_path("GET http://127.0.0.1:5/delay/{ms}?svc={}"), Some("/delay/".into()));
        assert_eq!(url_path("GET /x"), Some("/x".into()));
        assert!(mentions_table("s.scalars(recent) select(order)", "orders"));
        assert!(mentions_table("select(orderitem)", "order_items"));
        assert!(!mentions_table("select(customer)", "orders"));
    }
}
