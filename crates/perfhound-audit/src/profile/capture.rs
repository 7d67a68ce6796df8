//! Running a capture next to the load: checked before the load starts, run on its own
//! thread, bounded in time, and turned into a reason plus what to do when it fails.

use super::config::{Method, ProfileSection};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Extra time a profiler gets after its `seconds` to write its output.
const GRACE: Duration = Duration::from_secs(60);

/// Why there is no profile, and what would fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unavailable {
    pub reason: String,
    pub fix: String,
}

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "no CPU profile: {}. {} The audit went on without a profile.", self.reason, self.fix)
    }
}

fn unavailable(reason: impl Into<String>, fix: impl Into<String>) -> Unavailable {
    Unavailable { reason: reason.into(), fix: fix.into() }
}

/// A profile file written by the capture.
#[derive(Clone, Debug)]
pub struct Captured {
    pub path: PathBuf,
    /// `py-spy record … (10 s)`, for the run's sources.
    pub description: String,
}

/// A capture in progress.
pub struct Capture {
    thread: JoinHandle<Result<Captured, Unavailable>>,
}

impl Capture {
    /// Checks that the method can run, then starts it for `seconds`, writing into `dir`.
    pub fn start(section: &ProfileSection, seconds: u64, dir: &Path) -> Result<Capture, Unavailable> {
        if let Some(pid) = section.pid {
            if !Path::new(&format!("/proc/{pid}")).exists() {
                return Err(unavailable(
                    format!("process {pid} is not running"),
                    "Start the service first, or fix audit.profile.pid / pid_file.",
                ));
            }
        }
        let job = Job { section: section.clone(), seconds, dir: dir.to_path_buf() };
        match &section.method {
            Method::Command { template } => {
                let program = job.fill(template).split_whitespace().next().unwrap_or("").to_string();
                if !on_path(&program) {
                    return Err(unavailable(
                        format!("`{program}` is not installed (not found on PATH)"),
                        "Install it (py-spy: `pip install py-spy`; perf: the linux-perf package; async-profiler: its release archive) or change audit.profile.command.",
                    ));
                }
            }
            Method::Perf { .. } => perf_preflight(section.pid.unwrap_or(0))?,
            Method::Pprof { .. } => {}
        }
        let thread = std::thread::Builder::new()
            .name("perfhound-profile".into())
            .spawn(move || job.run())
            .map_err(|e| unavailable(format!("cannot start a thread: {e}"), "Retry."))?;
        Ok(Capture { thread })
    }

    /// Waits for the capture (bounded by its seconds plus a grace period).
    pub fn finish(self) -> Result<Captured, Unavailable> {
        self.thread.join().unwrap_or_else(|_| Err(unavailable("the capture thread failed", "Retry.")))
    }
}

struct Job {
    section: ProfileSection,
    seconds: u64,
    dir: PathBuf,
}

impl Job {
    fn out(&self) -> PathBuf {
        self.dir.join(match self.section.method {
            Method::Pprof { .. } => "profile.pb.gz",
            Method::Perf { .. } => "profile.perf",
            Method::Command { .. } => "profile.out",
        })
    }

    /// The template with `{pid}`, `{seconds}` and `{out}` filled in.
    fn fill(&self, template: &str) -> String {
        template
            .replace("{pid}", &self.section.pid.unwrap_or(0).to_string())
            .replace("{seconds}", &self.seconds.to_string())
            .replace("{out}", &shell_quote(&self.out().display().to_string()))
    }

    fn run(&self) -> Result<Captured, Unavailable> {
        let out = self.out();
        let description = match &self.section.method {
            Method::Pprof { url } => {
                self.pprof(url, &out)?;
                format!("pprof {url} ({} s)", self.seconds)
            }
            Method::Command { template } => {
                let command = self.fill(template);
                run_shell(&command, self.seconds, None)?;
                format!("{} ({} s)", command.replace(&shell_quote(&out.display().to_string()), "{out}"), self.seconds)
            }
            Method::Perf { frequency } => {
                self.perf(*frequency, &out)?;
                format!(
                    "perf record -F {frequency} --call-graph dwarf -p {} ({} s)",
                    self.section.pid.unwrap_or(0),
                    self.seconds
                )
            }
        };
        match std::fs::metadata(&out) {
            Ok(m) if m.len() > 0 => Ok(Captured { path: out, description }),
            _ => Err(unavailable(
                format!("the profiler wrote nothing to {}", out.display()),
                "Make sure the command writes its profile to {out}, and that the service was busy during the load.",
            )),
        }
    }

    fn pprof(&self, url: &str, out: &Path) -> Result<(), Unavailable> {
        let sep = if url.contains('?') { '&' } else { '?' };
        let full = format!("{url}{sep}seconds={}", self.seconds);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| unavailable(format!("cannot start a runtime: {e}"), "Retry."))?;
        let connector = perfhound_load::client::Connector::new(false, false, Duration::from_secs(5), false);
        let timeout = Duration::from_secs(self.seconds) + GRACE;
        let fix = "Is the service's pprof handler (Go net/http/pprof, pprof-rs) listening at that URL, on a loopback address?";
        let (status, body) = rt
            .block_on(perfhound_load::client::fetch(&connector, &full, timeout))
            .map_err(|e| unavailable(format!("GET {full} failed: {}", e.message), fix))?;
        if !status.is_success() {
            return Err(unavailable(format!("GET {full} answered {status}"), fix));
        }
        std::fs::write(out, &body)
            .map_err(|e| unavailable(format!("cannot write {}: {e}", out.display()), "Check the output directory."))
    }

    fn perf(&self, frequency: u32, out: &Path) -> Result<(), Unavailable> {
        let data = self.dir.join("perf.data");
        let pid = self.section.pid.unwrap_or(0);
        let record = format!(
            "perf record -F {frequency} --call-graph dwarf -p {pid} -o {} -- sleep {}",
            shell_quote(&data.display().to_string()),
            self.seconds
        );
        run_shell(&record, self.seconds, None)?;
        // Inlined frames are resolved with addr2line per frame by default: minutes on a large
        // binary with debug info. The symbol of each frame is enough for a flame graph.
        let script = format!("perf script --no-inline -i {}", shell_quote(&data.display().to_string()));
        let result = run_shell(&script, 0, Some(out));
        let _ = std::fs::remove_file(&data);
        result
    }
}

/// Runs `sh -c command`, killing it after `seconds` + [`GRACE`]; stdout goes to `stdout`
/// when given. A failure carries the profiler's last stderr line and advice.
fn run_shell(command: &str, seconds: u64, stdout: Option<&Path>) -> Result<(), Unavailable> {
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(command).stdin(Stdio::null()).stderr(Stdio::piped());
    match stdout {
        Some(path) => cmd.stdout(std::fs::File::create(path).map_err(|e| {
            unavailable(format!("cannot write {}: {e}", path.display()), "Check the output directory.")
        })?),
        None => cmd.stdout(Stdio::null()),
    };
    let mut child =
        cmd.spawn().map_err(|e| unavailable(format!("cannot run `sh -c {command}`: {e}"), "Check the command."))?;
    let mut stderr = child.stderr.take();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(s) = stderr.as_mut() {
            let _ = s.take(64 * 1024).read_to_string(&mut text);
        }
        text
    });
    let deadline = Instant::now() + Duration::from_secs(seconds) + GRACE;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    let err = reader.join().unwrap_or_default();
    match status {
        Some(s) if s.success() => Ok(()),
        Some(s) => Err(failed(command, &format!("exited with {s}"), &err)),
        None => Err(failed(command, &format!("was still running {} s after its {seconds} s", GRACE.as_secs()), &err)),
    }
}

fn failed(command: &str, what: &str, stderr: &str) -> Unavailable {
    let program = command.split_whitespace().next().unwrap_or("the profiler");
    let last = stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
    let last = perfhound_term::clean(last).chars().take(300).collect::<String>();
    let lower = stderr.to_ascii_lowercase();
    let fix = if lower.contains("perf_event_paranoid") {
        "Allow perf: `sudo sysctl kernel.perf_event_paranoid=1` (or run the audit as root)."
    } else if lower.contains("permission") || lower.contains("ptrace") || lower.contains("operation not permitted") {
        "The profiler needs permission to attach: run it as the service's user with `kernel.yama.ptrace_scope=0`, or as root / with CAP_SYS_PTRACE (containers: `--cap-add SYS_PTRACE`)."
    } else {
        "Run the command by hand to see why."
    };
    let detail = if last.is_empty() { String::new() } else { format!(": {last}") };
    unavailable(format!("`{program}` {what}{detail}"), fix)
}

/// `perf` is installed and permitted for `pid`.
fn perf_preflight(pid: u32) -> Result<(), Unavailable> {
    if !on_path("perf") {
        return Err(unavailable(
            "`perf` is not installed",
            "Install Linux perf (Debian: `apt install linux-perf`; Ubuntu: `linux-tools-$(uname -r)`), or use `command:` with another profiler.",
        ));
    }
    let paranoid =
        std::fs::read_to_string("/proc/sys/kernel/perf_event_paranoid").ok().and_then(|s| s.trim().parse::<i32>().ok());
    let root = uid_of("/proc/self/status") == Some(0);
    match paranoid {
        Some(level) if level > 2 && !root => Err(unavailable(
            format!("kernel.perf_event_paranoid is {level}: perf is off for non-root users"),
            "Allow it: `sudo sysctl kernel.perf_event_paranoid=2` (own processes, user space) or 1, or run the audit as root.",
        )),
        _ if !root && uid_of(&format!("/proc/{pid}/status")) != uid_of("/proc/self/status") => Err(unavailable(
            format!("process {pid} belongs to another user"),
            "Run the audit as the service's user, or as root.",
        )),
        _ => Ok(()),
    }
}

/// The real uid in a `/proc/*/status` file.
fn uid_of(status: &str) -> Option<u32> {
    let text = std::fs::read_to_string(status).ok()?;
    text.lines().find_map(|l| l.strip_prefix("Uid:"))?.split_whitespace().next()?.parse().ok()
}

/// A program name is runnable: a path to a file, or found in `PATH`.
fn on_path(program: &str) -> bool {
    if program.is_empty() {
        return false;
    }
    if program.contains('/') {
        return Path::new(program).is_file();
    }
    std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
}

/// Single-quotes `s` for `sh`.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_and_the_output_quoted() {
        let section =
            ProfileSection { method: Method::Command { template: String::new() }, pid: Some(42), seconds: Some(3) };
        let job = Job { section, seconds: 3, dir: PathBuf::from("/tmp/a b") };
        assert_eq!(
            job.fill("py-spy record --pid {pid} -d {seconds} -o {out}"),
            "py-spy record --pid 42 -d 3 -o '/tmp/a b/profile.out'"
        );
    }

    #[test]
    fn a_missing_program_and_a_failing_one_say_why() {
        let section = ProfileSection {
            method: Method::Command { template: "no-such-profiler-xyz {out}".into() },
            pid: None,
            seconds: Some(1),
        };
        let err = Capture::start(&section, 1, Path::new("/tmp")).err().unwrap();
        assert!(err.reason.contains("`no-such-profiler-xyz` is not installed"), "{err}");
        let err = run_shell("echo 'Operation not permitted' >&2; exit 3", 1, None).unwrap_err();
        assert!(err.reason.contains("exited with exit status: 3: Operation not permitted"), "{err}");
        assert!(err.fix.contains("CAP_SYS_PTRACE"), "{err}");
    }
}
