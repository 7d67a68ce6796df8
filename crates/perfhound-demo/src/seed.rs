//! The demo database: schema and deterministic seed data.
//!
//! A shop: 2,000 users, 20,000 products, 300,000 orders over the two years before
//! [`REFERENCE_DAY`] (every user has at least 120; ids grow with `created_at`, as
//! auto-increment ids do) and about 1.5 million order items (1 to 9 per order). The
//! generator is a ChaCha8 stream with a fixed seed, so every seeded file holds the same
//! rows. Everything is written in one transaction with prepared statements; secondary
//! indexes are built after the rows are in (one sort each instead of random inserts).
//! `PRAGMA user_version` is set in that transaction, so a file whose version matches is
//! complete and is reused as is.
//!
//! The planted missing index (`order_items.product_id`) is not part of the schema: it is
//! created or dropped per mode when the service starts (see [`crate::db::prepare_mode`]).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rusqlite::{params, Connection};

/// Bumped whenever the schema or the generated data change: older files are re-seeded.
pub const SCHEMA_VERSION: i64 = 5;

pub const USERS: u32 = 2_000;
pub const PRODUCTS: u32 = 20_000;
pub const ORDERS: u32 = 300_000;
/// Orders every user gets before the rest are spread at random.
pub const MIN_ORDERS_PER_USER: u32 = 120;
/// The generator's fixed seed ("phound").
const SEED: u64 = 0x7068_6f75_6e64;

/// Orders span the [`HISTORY_DAYS`] days before this day (days since 1970-01-01): 2026-01-01.
pub const REFERENCE_DAY: i64 = 20_454;
/// Two years of orders (about 410 a day).
pub const HISTORY_DAYS: i64 = 730;

pub const CATEGORIES: [&str; 8] = ["books", "electronics", "garden", "grocery", "home", "outdoors", "sports", "toys"];

pub const STATUSES: [(&str, u32); 6] =
    [("delivered", 55), ("shipped", 15), ("paid", 12), ("placed", 8), ("cancelled", 6), ("refunded", 4)];

/// Coupon codes with their discount in percent.
pub const COUPONS: [(&str, u32); 6] =
    [("WELCOME10", 10), ("SPRING15", 15), ("SUMMER20", 20), ("FALL10", 10), ("BLACKFRIDAY30", 30), ("VIP25", 25)];

const FIRST: [&str; 24] = [
    "olivia", "liam", "emma", "noah", "ava", "oliver", "sophia", "elijah", "isabella", "james", "mia", "lucas",
    "amelia", "mateo", "harper", "levi", "evelyn", "ethan", "aria", "kai", "chloe", "leo", "nora", "ezra",
];
const LAST: [&str; 20] = [
    "smith", "johnson", "garcia", "brown", "martin", "lee", "walker", "hall", "young", "king", "wright", "lopez",
    "hill", "scott", "green", "adams", "baker", "nelson", "carter", "mitchell",
];
const DOMAINS: [&str; 5] = ["example.com", "mail.example", "shop.example", "inbox.example", "post.example"];
const COUNTRIES: [&str; 8] = ["US", "DE", "FR", "GB", "ES", "IT", "NL", "CA"];
const ADJECTIVES: [&str; 16] = [
    "Classic",
    "Compact",
    "Deluxe",
    "Eco",
    "Ergonomic",
    "Handmade",
    "Heavy-Duty",
    "Lightweight",
    "Modern",
    "Portable",
    "Premium",
    "Rustic",
    "Smart",
    "Solar",
    "Vintage",
    "Wireless",
];
const NOUNS: [&str; 16] = [
    "Backpack",
    "Blender",
    "Bottle",
    "Chair",
    "Desk Lamp",
    "Drone",
    "Headphones",
    "Kettle",
    "Lantern",
    "Mug",
    "Notebook",
    "Planter",
    "Puzzle",
    "Speaker",
    "Tent",
    "Watch",
];
const STREETS: [&str; 10] =
    ["Maple St", "Oak Ave", "Pine Rd", "Cedar Ln", "Elm St", "Birch Way", "Lake Dr", "Hill Rd", "Park Ave", "Main St"];
const CITIES: [&str; 10] = [
    "Springfield",
    "Riverton",
    "Fairview",
    "Georgetown",
    "Salem",
    "Madison",
    "Clinton",
    "Franklin",
    "Ashland",
    "Dover",
];

pub const SCHEMA: &str = "
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    country TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE products (
    id INTEGER PRIMARY KEY,
    sku TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    price_cents INTEGER NOT NULL,
    stock INTEGER NOT NULL,
    description TEXT NOT NULL
);
CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    customer_email TEXT NOT NULL,
    status TEXT NOT NULL,
    coupon_code TEXT,
    total_cents INTEGER NOT NULL,
    shipping_address TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE order_items (
    id INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL REFERENCES orders(id),
    product_id INTEGER NOT NULL REFERENCES products(id),
    quantity INTEGER NOT NULL,
    unit_price_cents INTEGER NOT NULL
);
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    product_id INTEGER,
    occurred_at TEXT NOT NULL
);
";

/// Built after the rows are in.
pub const INDEXES: &str = "
CREATE INDEX idx_products_category ON products(category);
CREATE INDEX idx_orders_user_created ON orders(user_id, created_at);
CREATE INDEX idx_orders_created ON orders(created_at);
CREATE INDEX idx_order_items_order ON order_items(order_id);
";

/// Row counts of a seeded database.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RowCounts {
    pub users: u64,
    pub products: u64,
    pub orders: u64,
    pub order_items: u64,
}

impl RowCounts {
    pub fn total(&self) -> u64 {
        self.users + self.products + self.orders + self.order_items
    }

    pub fn read(conn: &Connection) -> rusqlite::Result<RowCounts> {
        let count = |t: &str| conn.query_row(&format!("SELECT COUNT(*) FROM {t}"), [], |r| r.get::<_, i64>(0));
        Ok(RowCounts {
            users: count("users")? as u64,
            products: count("products")? as u64,
            orders: count("orders")? as u64,
            order_items: count("order_items")? as u64,
        })
    }
}

/// `YYYY-MM-DD HH:MM:SS` for seconds since the Unix epoch (UTC).
pub fn timestamp(secs: i64) -> String {
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Howard Hinnant's `civil_from_days`: proleptic Gregorian date of a day number.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn pick<'a, R: Rng>(rng: &mut R, items: &[&'a str]) -> &'a str {
    items[rng.random_range(0..items.len())]
}

fn weighted<'a, R: Rng>(rng: &mut R, items: &[(&'a str, u32)]) -> &'a str {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut x = rng.random_range(0..total);
    for (item, w) in items {
        if x < *w {
            return item;
        }
        x -= w;
    }
    items[0].0
}

/// The email of user `id` (deterministic: the scenario and tests can name users).
pub fn user_email(id: u32) -> String {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED ^ u64::from(id).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let first = pick(&mut rng, &FIRST);
    let last = pick(&mut rng, &LAST);
    let domain = pick(&mut rng, &DOMAINS);
    format!("{first}.{last}{id}@{domain}")
}

/// Writes schema and data into an empty database, in one transaction.
pub fn seed(conn: &mut Connection) -> rusqlite::Result<RowCounts> {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let tx = conn.transaction()?;
    tx.execute_batch(SCHEMA)?;
    let start_secs = (REFERENCE_DAY - HISTORY_DAYS) * 86_400;
    let history = HISTORY_DAYS * 86_400;
    {
        let mut st = tx.prepare("INSERT INTO users (id, email, name, country, created_at) VALUES (?, ?, ?, ?, ?)")?;
        for id in 1..=USERS {
            let email = user_email(id);
            let (first, rest) = email.split_once('.').unwrap_or((&email, ""));
            let last: String = rest.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
            let name = format!("{} {}", capitalize(first), capitalize(&last));
            let created = start_secs - rng.random_range(0..history);
            st.execute(params![id, email, name, pick(&mut rng, &COUNTRIES), timestamp(created)])?;
        }
    }
    let mut prices = Vec::with_capacity(PRODUCTS as usize + 1);
    prices.push(0);
    {
        let mut st = tx.prepare(
            "INSERT INTO products (id, sku, name, category, price_cents, stock, description) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )?;
        for id in 1..=PRODUCTS {
            let category = pick(&mut rng, &CATEGORIES);
            let (adj, noun) = (pick(&mut rng, &ADJECTIVES), pick(&mut rng, &NOUNS));
            let price: i64 = rng.random_range(299..49_999);
            prices.push(price);
            let stock: i64 = if rng.random_ratio(1, 20) { 0 } else { rng.random_range(1..500) };
            let description = format!(
                "{adj} {} for {category} lovers. Model {id:05}, ships in {} days, {}-year warranty, rated {}.{} of 5.",
                noun.to_lowercase(),
                rng.random_range(1..7),
                rng.random_range(1..4),
                rng.random_range(3..5),
                rng.random_range(0..10),
            );
            let sku = format!("{}-{id:06}", &category[..3].to_uppercase());
            st.execute(params![id, sku, format!("{adj} {noun} {id}"), category, price, stock, description])?;
        }
    }
    // Every user gets MIN_ORDERS_PER_USER orders, the rest go to random users; ids follow time.
    let mut owners: Vec<u32> = (0..USERS * MIN_ORDERS_PER_USER).map(|i| i % USERS + 1).collect();
    owners.extend((owners.len() as u32..ORDERS).map(|_| rng.random_range(1..=USERS)));
    for i in (1..owners.len()).rev() {
        owners.swap(i, rng.random_range(0..=i));
    }
    let mut times: Vec<i64> = (0..ORDERS).map(|_| start_secs + rng.random_range(0..history)).collect();
    times.sort_unstable();
    let emails: Vec<String> = (0..=USERS).map(user_email).collect();
    {
        let mut order_st = tx.prepare(
            "INSERT INTO orders (id, user_id, customer_email, status, coupon_code, total_cents, shipping_address, \
             created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )?;
        let mut item_st = tx.prepare(
            "INSERT INTO order_items (order_id, product_id, quantity, unit_price_cents) VALUES (?, ?, ?, ?)",
        )?;
        let mut items: Vec<(u32, i64, i64)> = Vec::with_capacity(5);
        for (i, (&user, &created)) in owners.iter().zip(&times).enumerate() {
            let order_id = i as i64 + 1;
            let n_items = rng.random_range(1..=9);
            items.clear();
            for _ in 0..n_items {
                // Popular products first: a quadratic skew towards low ids.
                let u: f64 = rng.random();
                let product = ((u * u * f64::from(PRODUCTS)) as u32 + 1).min(PRODUCTS);
                let qty: i64 = [1, 1, 1, 2, 2, 3][rng.random_range(0..6)];
                items.push((product, qty, prices[product as usize]));
            }
            let mut total: i64 = items.iter().map(|(_, q, p)| q * p).sum();
            let coupon = rng.random_ratio(3, 20).then(|| COUPONS[rng.random_range(0..COUPONS.len())]);
            if let Some((_, pct)) = coupon {
                total -= total * i64::from(pct) / 100;
            }
            let address = format!(
                "{} {}, {} {:05}",
                rng.random_range(1..9999),
                pick(&mut rng, &STREETS),
                pick(&mut rng, &CITIES),
                rng.random_range(1000..99_999)
            );
            order_st.execute(params![
                order_id,
                user,
                emails[user as usize],
                weighted(&mut rng, &STATUSES),
                coupon.map(|(c, _)| c),
                total,
                address,
                timestamp(created)
            ])?;
            for (product, qty, price) in &items {
                item_st.execute(params![order_id, product, qty, price])?;
            }
        }
    }
    tx.execute_batch(INDEXES)?;
    tx.execute_batch("ANALYZE")?;
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    let counts = RowCounts::read(&tx)?;
    tx.commit()?;
    Ok(counts)
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or_else(String::new, |f| f.to_ascii_uppercase().to_string() + c.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(timestamp(0), "1970-01-01 00:00:00");
        assert_eq!(timestamp(REFERENCE_DAY * 86_400), "2026-01-01 00:00:00");
        assert_eq!(timestamp(951_782_400 + 3661), "2000-02-29 01:01:01");
    }

    #[test]
    fn emails_are_stable_and_distinct() {
        assert_eq!(user_email(7), user_email(7));
        assert_ne!(user_email(7), user_email(8));
        assert!(user_email(42).contains("42@"), "{}", user_email(42));
    }
}
