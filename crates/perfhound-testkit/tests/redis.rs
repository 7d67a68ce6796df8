//! The redis-server harness: a real server per call, isolated, ready when returned, gone on
//! drop, and a taken port reported as such (not raced).

use perfhound_testkit::redis::{RedisServer, StartError};

#[test]
fn servers_are_isolated_ready_and_removed_on_drop() {
    let a = RedisServer::start();
    let b = RedisServer::start();
    assert_ne!(a.port(), b.port());
    assert_eq!(a.command(&["SET", "k", "from-a"]), "+OK");
    assert_eq!(b.command(&["EXISTS", "k"]), ":0", "b does not see a's keys");
    assert_eq!(a.command(&["GET", "k"]), "$6");
    let (port, dir) = (a.port(), a.dir().to_path_buf());
    assert!(dir.exists());
    drop(a);
    assert!(!dir.exists(), "directory removed");
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "server stopped");
}

#[test]
fn a_taken_port_is_detected() {
    let holder = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = holder.local_addr().unwrap().port();
    match RedisServer::start_on(port) {
        Err(StartError::PortTaken) => {}
        Err(StartError::Failed(why)) => panic!("expected PortTaken, got: {why}"),
        Ok(_) => panic!("started on a port another socket holds"),
    }
}
