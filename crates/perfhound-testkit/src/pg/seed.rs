//! Realistic seed data, generated server-side with generate_series over the wire protocol.

use tokio_postgres::Client;

/// `users` (10k rows) and `orders` (`rows` rows, ~10k users, 5 statuses, two years of
/// `created_at`, a shipping address so that rows have a realistic width), analyzed.
pub async fn shop(c: &Client, rows: i64) {
    c.batch_execute(
        "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name text NOT NULL, active boolean NOT NULL);
         INSERT INTO users SELECT i, 'user' || i || '@example.com', 'User ' || i, i % 10 <> 0
           FROM generate_series(1, 10000) i;
         CREATE TABLE orders (
           id bigserial PRIMARY KEY,
           user_id bigint NOT NULL,
           status text NOT NULL,
           total_cents integer NOT NULL,
           created_at timestamptz NOT NULL,
           deleted_at timestamptz,
           shipping_address text NOT NULL
         );",
    )
    .await
    .unwrap_or_else(|e| panic!("create shop schema: {}", super::pg_error(&e)));
    c.execute(
        "INSERT INTO orders (user_id, status, total_cents, created_at, deleted_at, shipping_address)
         SELECT 1 + (i * 7919) % 10000,
                (ARRAY['pending', 'paid', 'shipped', 'delivered', 'cancelled'])[1 + i % 5],
                (i * 37) % 50000,
                timestamptz '2024-01-01' + (i % 730) * interval '1 day' + (i % 86400) * interval '1 second',
                CASE WHEN i % 50 = 0 THEN timestamptz '2025-01-01' END,
                i || ' Long Street, Apartment ' || (i % 300) || ', Springfield, 12345, Country of Examples'
           FROM generate_series(1, $1::bigint) i",
        &[&rows],
    )
    .await
    .unwrap_or_else(|e| panic!("seed orders: {}", super::pg_error(&e)));
    for sql in ["VACUUM ANALYZE users", "VACUUM ANALYZE orders"] {
        c.batch_execute(sql).await.unwrap_or_else(|e| panic!("{sql}: {}", super::pg_error(&e)));
    }
}

/// Runs `sql` `times` times with parameters produced by `params(i)` (extended protocol,
/// so pg_stat_statements records the `$n` form).
pub async fn repeat<F>(c: &Client, sql: &str, times: usize, params: F)
where
    F: Fn(usize) -> Vec<Box<dyn tokio_postgres::types::ToSql + Sync + Send>>,
{
    let stmt = c.prepare(sql).await.unwrap_or_else(|e| panic!("prepare {sql}: {}", super::pg_error(&e)));
    for i in 0..times {
        let p = params(i);
        let refs: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> =
            p.iter().map(|b| b.as_ref() as &(dyn tokio_postgres::types::ToSql + Sync)).collect();
        c.query(&stmt, &refs).await.unwrap_or_else(|e| panic!("run {sql}: {}", super::pg_error(&e)));
    }
}
