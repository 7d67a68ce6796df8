//! The team backend on a real PostgreSQL (testkit feature `postgres`): the same schema,
//! concurrent writers, the newer-version refusal.

mod common;

use perfhound_model::Metric;
use perfhound_store::{Filter, Location, Meta, Store};
use perfhound_testkit::pg;

fn database(name: &str) -> String {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(pg::server().database(name, false)).0
}

#[test]
fn postgres_store_saves_lists_and_serves_series() {
    let loc = Location::Postgres(database("store_basic"));
    let meta =
        Meta { command: "audit".into(), git_branch: "main".into(), git_commit: "abc".into(), ..Default::default() };
    let first = common::run_with_finding("pg-1", 10_000);
    perfhound_store::save(&loc, &first, &meta).unwrap();
    perfhound_store::save(&loc, &common::run("pg-2", 20_000, 300), &meta).unwrap();
    let mut store = Store::open(&loc).unwrap();
    assert_eq!(store.run("pg-1").unwrap(), first);
    let rows = store.list(&Filter { branch: Some("main".into()), ..Default::default() }).unwrap();
    assert_eq!(rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["pg-1", "pg-2"]);
    assert_eq!(rows[0].findings, 1);
    let series = store.series("GET /api/orders", Metric::P95, &Filter::default()).unwrap();
    assert_eq!(series.len(), 2);
    assert!(series[1].value > series[0].value * 1.5, "{series:?}");
}

#[test]
fn postgres_store_takes_concurrent_writers() {
    let loc = Location::Postgres(database("store_concurrent"));
    std::thread::scope(|s| {
        for w in 0..4 {
            let loc = loc.clone();
            s.spawn(move || {
                let meta = Meta { git_branch: format!("w{w}"), ..Default::default() };
                for i in 0..10 {
                    perfhound_store::save(&loc, &common::run(&format!("w{w}-{i}"), 1000, 100), &meta).unwrap();
                }
            });
        }
    });
    let rows = Store::open(&loc).unwrap().list(&Filter::default()).unwrap();
    assert_eq!(rows.len(), 40);
}

#[test]
fn a_newer_postgres_store_is_refused() {
    let url = database("store_newer");
    let loc = Location::Postgres(url.clone());
    Store::open(&loc).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(conn);
        client.batch_execute("UPDATE store_meta SET value = '999' WHERE key = 'schema_version'").await.unwrap();
    });
    let err = Store::open(&loc).err().unwrap().to_string();
    assert!(err.contains("store schema 999") && err.contains("upgrade perfhound"), "{err}");
}

#[test]
fn postgres_store_records_and_lists_learned_fixes() {
    use perfhound_store::compare::{compare, Config};
    let loc = Location::Postgres(database("store_learned"));
    let before = common::run_with_finding("before", 185_000);
    let after = common::run("after", 12_000, 500);
    let fixes = perfhound_store::learned::fixes(&before, &after, &compare(&before, &after, &Config::default()));
    let mut store = Store::open(&loc).unwrap();
    store.record_learned(&fixes).unwrap();
    store.record_learned(&fixes).unwrap();
    assert_eq!(store.learned(None).unwrap(), fixes);
    assert_eq!(store.learned(Some("PH-TEST001")).unwrap().len(), 1);
    assert!(store.learned(Some("PH-NONE")).unwrap().is_empty());
    assert_eq!(store.latest_on_branch("main", "").unwrap(), None);
}

/// Whether the store's open session to `db` is encrypted, by the server's own account.
fn store_session_encrypted(db: &str) -> bool {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let admin = pg::admin(&pg::server().url("postgres")).await;
        let sql = "SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) \
                   WHERE a.datname = $1 AND a.application_name = 'perfhound'";
        let rows = admin.query(sql, &[&db]).await.unwrap();
        assert_eq!(rows.len(), 1, "exactly the store's session is connected to {db}");
        rows[0].get(0)
    })
}

#[test]
fn postgres_store_speaks_tls_like_libpq() {
    let plain = database("store_tls");
    let certs = pg::server().certs.as_ref().expect("the harness server has ssl = on");
    let (ca, wrong) = (certs.ca.display().to_string(), certs.wrong_ca.display().to_string());
    let with = |query: &str| Location::Postgres(format!("{plain}?{query}"));
    let localhost = |query: &str| Location::Postgres(format!("{}?{query}", plain.replace("127.0.0.1", "localhost")));
    let meta = Meta { git_branch: "main".into(), ..Default::default() };

    for (loc, encrypted) in [
        (with("sslmode=disable"), false),
        (with("sslmode=require"), true),
        (localhost(&format!("sslmode=verify-full&sslrootcert={ca}")), true),
        (with(&format!("sslmode=verify-ca&sslrootcert={ca}")), true),
    ] {
        let store = Store::open(&loc).unwrap();
        assert_eq!(store_session_encrypted("store_tls"), encrypted, "{loc:?}");
        drop(store);
    }
    perfhound_store::save(&with("sslmode=require"), &common::run("tls-1", 1000, 100), &meta).unwrap();
    let rows = Store::open(&localhost(&format!("sslmode=verify-full&sslrootcert={ca}")))
        .unwrap()
        .list(&Filter::default())
        .unwrap();
    assert_eq!(rows.len(), 1);

    let err = Store::open(&with(&format!("sslmode=verify-full&sslrootcert={wrong}"))).err().unwrap().to_string();
    assert!(
        err.contains("UnknownIssuer") && err.contains(&format!("not issued by a CA in sslrootcert={wrong}")),
        "{err}"
    );
    let err = Store::open(&with("sslmode=verify-full&sslrootcert=/nonexistent/ca.pem")).err().unwrap().to_string();
    assert!(err.contains("cannot read sslrootcert /nonexistent/ca.pem"), "{err}");
    let err = Store::open(&with("sslmode=bogus")).err().unwrap().to_string();
    assert!(err.contains("invalid sslmode \"bogus\""), "{err}");
}
