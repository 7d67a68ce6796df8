//! A headless Chromium (Debian's `chromium`) driven over the DevTools protocol through
//! `--remote-debugging-pipe`: commands go to the browser's fd 3 and replies come back on
//! its fd 4, NUL-separated JSON — the real protocol, without a WebSocket client.
//!
//! Waiting happens inside the page: [`Browser::eval`] awaits a promise the page resolves
//! when its condition holds (bounded by the page's own timeout), never a sleep here.
#![allow(dead_code)]

use serde_json::{json, Value};
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::os::fd::{FromRawFd, RawFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};

pub struct Browser {
    child: Child,
    to: File,
    from: BufReader<File>,
    next_id: u64,
    session: Option<String>,
    /// Console messages, exceptions and log entries (CSP violations) seen so far.
    pub events: Vec<Value>,
    _profile: tempfile::TempDir,
}

fn pipe() -> (RawFd, RawFd) {
    let mut fds = [0; 2];
    assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0, "pipe2");
    (fds[0], fds[1])
}

impl Browser {
    pub fn launch() -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let (browser_reads, we_write) = pipe();
        let (we_read, browser_writes) = pipe();
        let mut cmd = Command::new("/usr/bin/chromium");
        cmd.args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--remote-debugging-pipe"])
            .args(["--disable-background-networking", "--disable-component-update", "--disable-sync"])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        unsafe {
            cmd.pre_exec(move || {
                // Move both ends above 4 first (a pipe end may itself be 3 or 4), then
                // place them; dup2 leaves close-on-exec off on 3 and 4.
                let r = libc::fcntl(browser_reads, libc::F_DUPFD, 10);
                let w = libc::fcntl(browser_writes, libc::F_DUPFD, 10);
                if r < 0 || w < 0 || libc::dup2(r, 3) < 0 || libc::dup2(w, 4) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().expect("chromium could not start: run ./test.sh (it installs Debian's `chromium`)");
        unsafe {
            libc::close(browser_reads);
            libc::close(browser_writes);
        }
        let to = unsafe { File::from_raw_fd(we_write) };
        let from = BufReader::new(unsafe { File::from_raw_fd(we_read) });
        Browser { child, to, from, next_id: 0, session: None, events: Vec::new(), _profile: profile }
    }

    /// Sends one command (to the attached page when `page`) and returns its result.
    fn send(&mut self, method: &str, params: Value, page: bool) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if page {
            msg["sessionId"] = json!(self.session.clone().expect("a page is open"));
        }
        let mut bytes = serde_json::to_vec(&msg).unwrap();
        bytes.push(0);
        self.to.write_all(&bytes).unwrap();
        loop {
            let mut buf = Vec::new();
            let n = self.from.read_until(0, &mut buf).unwrap();
            assert!(n > 0, "chromium closed the DevTools pipe");
            buf.pop();
            let reply: Value = serde_json::from_slice(&buf).unwrap();
            if reply["id"] == json!(id) {
                assert!(reply.get("error").is_none(), "{method}: {}", reply["error"]);
                return reply["result"].clone();
            }
            let event = reply["method"].as_str().unwrap_or("");
            if matches!(event, "Runtime.consoleAPICalled" | "Runtime.exceptionThrown" | "Log.entryAdded") {
                self.events.push(reply);
            }
        }
    }

    /// Opens `url` in a new page (console and log events recorded from the start) and
    /// waits for its load.
    pub fn open(&mut self, url: &str) {
        let target = self.send("Target.createTarget", json!({"url": "about:blank"}), false);
        let attached =
            self.send("Target.attachToTarget", json!({"targetId": target["targetId"], "flatten": true}), false);
        self.session = Some(attached["sessionId"].as_str().unwrap().to_string());
        self.send("Runtime.enable", json!({}), true);
        self.send("Log.enable", json!({}), true);
        self.send("Page.enable", json!({}), true);
        self.send("Page.navigate", json!({"url": url}), true);
        self.wait_for("document.readyState === 'complete' && location.href !== 'about:blank'");
    }

    /// Evaluates `expression` in the page (awaiting a promise) and returns its value.
    pub fn eval(&mut self, expression: &str) -> Value {
        let r = self.send(
            "Runtime.evaluate",
            json!({"expression": expression, "awaitPromise": true, "returnByValue": true}),
            true,
        );
        assert!(r.get("exceptionDetails").is_none(), "{expression}: {}", r["exceptionDetails"]);
        r["result"]["value"].clone()
    }

    /// Resolves once `condition` holds in the page (checked every 50 ms by the page,
    /// failing after 30 s).
    pub fn wait_for(&mut self, condition: &str) {
        let js = format!(
            "new Promise((ok, fail) => {{ const t0 = Date.now(); const f = () => {{ \
               try {{ if ({condition}) return ok(true); }} catch (e) {{}} \
               if (Date.now() - t0 > 30000) return fail(new Error('timed out waiting for: ' + {cond:?})); \
               setTimeout(f, 50); }}; f(); }})",
            cond = condition
        );
        self.eval(&js);
    }

    /// A real left click at page coordinates (CSS pixels of the viewport), as a user's
    /// mouse gives it: pressed then released, so the page's hit testing picks the target.
    pub fn click(&mut self, x: f64, y: f64) {
        for kind in ["mousePressed", "mouseReleased"] {
            let params = json!({"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1});
            self.send("Input.dispatchMouseEvent", params, true);
        }
    }

    /// Clicks the centre of the element `element_js` (a JS expression giving an Element),
    /// scrolled into view first.
    pub fn click_element(&mut self, element_js: &str) {
        let at = self.eval(&format!(
            "(() => {{ const e = {element_js}; e.scrollIntoView({{block: 'center', inline: 'center'}}); \
               const r = e.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; }})()"
        ));
        let (x, y) = (at[0].as_f64().expect("an element"), at[1].as_f64().expect("an element"));
        self.click(x, y);
    }

    /// Problems the page reported: console errors, uncaught exceptions, CSP violations.
    pub fn problems(&self) -> Vec<&Value> {
        self.events
            .iter()
            .filter(|e| match e["method"].as_str() {
                Some("Runtime.exceptionThrown") => true,
                Some("Runtime.consoleAPICalled") => e["params"]["type"] == "error",
                Some("Log.entryAdded") => e["params"]["entry"]["level"] == "error",
                _ => false,
            })
            .collect()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
