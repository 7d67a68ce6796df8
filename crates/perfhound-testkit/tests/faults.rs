//! Latency and fault injection: delay accuracy, fixed delay, stall windows, `/close`, `/reset`, `reset_every`.

mod common;

use std::io::{ErrorKind, Read};
use std::time::Duration;

use common::{arrival, collect, connect, exchange, get, get_request, h1_over, h2_over, server_time, tcp, try_request};
use perfhound_testkit::{ServerConfig, Stall, TestServer};

fn ms(v: u64) -> Duration {
    Duration::from_millis(v)
}

/// Server-side timings of `samples` requests, sorted ascending.
async fn timings(server: &TestServer, path: &str, samples: usize) -> Vec<Duration> {
    let authority = server.addr().to_string();
    let mut sender = h1_over(tcp(server.addr()).await).await;
    let mut times = Vec::new();
    for _ in 0..samples {
        let started = std::time::Instant::now();
        let (parts, _) = collect(sender.send_request(get_request(&authority, path)).await.unwrap()).await;
        assert_eq!(parts.status, 200);
        let took = server_time(&parts.headers);
        assert!(started.elapsed() >= took, "the client cannot see the response before the server sent it");
        times.push(took);
    }
    times.sort();
    times
}

// How late a delayed response leaves depends on how busy the machine is, so these tests
// assert what the server guarantees whatever the load: never early.

#[tokio::test]
async fn delay_is_never_early() {
    let server = TestServer::start(ServerConfig::default());
    let times = timings(&server, "/delay/20", 15).await;
    assert!(times[0] >= ms(20), "never early: {times:?}");
    assert_eq!(server.stats().path("/delay/20"), 15);
}

#[tokio::test]
async fn fixed_delay_is_added_to_every_response() {
    let server = TestServer::start(ServerConfig { fixed_delay: Some(ms(30)), ..ServerConfig::default() });
    let root = timings(&server, "/", 7).await;
    assert!(root[0] >= ms(30), "fixed 30 ms: {root:?}");
    let delayed = timings(&server, "/delay/20", 7).await;
    assert!(delayed[0] >= ms(50), "30 ms + 20 ms: {delayed:?}");
}

/// Requests run back to back over one h2 connection with different delays, so their ready times fall both
/// inside and outside the 100 ms windows of a 200 ms period. The server reports each one's arrival and total
/// time. A response ready inside a window is never answered before the window ends. Requests go on until
/// responses ready inside and outside windows were both seen (bounded), whatever the machine's speed.
#[tokio::test]
async fn stall_holds_responses_until_the_window_ends() {
    let stall = Stall { period: ms(200), length: ms(100), offset: ms(0) };
    let server = TestServer::start(ServerConfig { stall: Some(stall), ..ServerConfig::default() });
    let authority = server.addr().to_string();
    let mut sender = h2_over(tcp(server.addr()).await).await;
    let (mut held, mut free, mut sent) = (0u64, 0u64, 0u64);
    let delays = [30u64, 0, 45, 0, 30, 30, 0, 45, 30, 0, 30, 45, 30, 0, 45, 30];
    for (i, delay) in delays.into_iter().cycle().enumerate().take(400) {
        if held >= 2 && free >= 2 {
            break;
        }
        sent += 1;
        let path = format!("/delay/{delay}");
        let (parts, _) = collect(sender.send_request(get_request(&authority, &path)).await.unwrap()).await;
        let (arrived, took) = (arrival(&parts.headers), server_time(&parts.headers));
        let (ready, done) = (arrived + ms(delay), arrived + took);
        assert!(done >= ready, "request {i} answered before its delay");
        match stall.window_end(ready) {
            Some(end) if end >= ready + ms(2) => {
                held += 1;
                assert!(done >= end, "request {i}: ready {ready:?} in a window ending {end:?}, answered at {done:?}");
            }
            None if !stall.is_stalled(ready + ms(10)) => free += 1,
            _ => {}
        }
    }
    assert!(held >= 2 && free >= 2, "held {held}, free {free} of {sent}");
    let stalled = server.stats().stalled_responses;
    assert!(stalled <= sent, "the server counted {stalled} held responses of {sent}");
}

#[test]
fn close_route_closes_the_connection_after_the_response() {
    let server = TestServer::start(ServerConfig::default());
    let mut stream = connect(server.addr());
    let first = exchange(&mut stream, "GET / HTTP/1.1\r\nHost: t\r\n\r\n").expect("keep-alive request");
    assert_eq!(first.text(), "hello");
    let closing = exchange(&mut stream, "GET /close HTTP/1.1\r\nHost: t\r\n\r\n").expect("close request");
    assert_eq!((closing.status, closing.header("connection")), (200, Some("close")));
    let mut rest = Vec::new();
    assert_eq!(stream.read_to_end(&mut rest).expect("clean EOF"), 0, "server closed the connection");
    let stats = server.stats();
    assert_eq!((stats.connections_accepted, stats.connections_closed_by_server), (1, 1));
    assert_eq!(stats.connections_reset, 0);
}

#[test]
fn reset_route_aborts_the_connection_without_a_response() {
    let server = TestServer::start(ServerConfig::default());
    let mut stream = connect(server.addr());
    let raw = "GET /reset HTTP/1.1\r\nHost: t\r\n\r\n";
    let mut received = Vec::new();
    let outcome =
        std::io::Write::write_all(&mut stream, raw.as_bytes()).and_then(|()| stream.read_to_end(&mut received));
    match outcome {
        Err(err) => assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err}"),
        Ok(n) => assert_eq!(n, 0, "EOF without a response"),
    }
    assert!(received.is_empty(), "no response bytes: {:?}", String::from_utf8_lossy(&received));
    let stats = server.stats();
    assert_eq!((stats.connections_reset, stats.path("/reset")), (1, 1));
    assert_eq!(get(server.addr(), "/").text(), "hello", "the server keeps serving");
}

#[test]
fn reset_every_resets_exactly_every_nth_request() {
    let server = TestServer::start(ServerConfig { reset_every: Some(4), ..ServerConfig::default() });
    // Sequential requests on fresh connections: request k is the server's k-th request.
    let failed: Vec<usize> =
        (1..=20).filter(|_| try_request(server.addr(), "GET", "/json", &[], "").is_err()).collect();
    assert_eq!(failed, vec![4, 8, 12, 16, 20], "25% of requests are reset");
    let stats = server.stats();
    assert_eq!((stats.requests_total, stats.connections_reset, stats.connections_accepted), (20, 5, 20));
    assert_eq!(stats.path("/json"), 20);
}

#[tokio::test]
async fn reset_over_h2_aborts_every_stream_of_the_connection() {
    let server = TestServer::start(ServerConfig::default());
    let authority = server.addr().to_string();
    let mut sender = h2_over(tcp(server.addr()).await).await;
    let (ok, _) = collect(sender.send_request(get_request(&authority, "/")).await.unwrap()).await;
    assert_eq!(ok.status, 200);
    let slow = sender.send_request(get_request(&authority, "/delay/5000"));
    let reset = sender.send_request(get_request(&authority, "/reset"));
    let (slow, reset) = tokio::join!(slow, reset);
    assert!(reset.is_err(), "the /reset stream fails");
    assert!(slow.is_err(), "other streams on the connection fail too");
    assert_eq!(server.stats().connections_reset, 1);
    assert!(server.stats().http2_requests >= 2, "the first request and /reset arrived over h2");
}
