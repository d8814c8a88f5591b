//! Building and running the API server, and the Playwright journeys against it.

use crate::util::{self, fail, note, step, Failure};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus};
use std::time::{Duration, Instant};

/// Builds the API binary (debug profile: quick to build; password hashing is
/// optimised even there) and returns its path.
pub fn build_api(root: &Path) -> Result<PathBuf, Failure> {
    step("Building the API");
    util::cargo(
        root,
        &["build", "-p", "billing-api", "--bin", "billing-api"],
    )?;
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root.join("target"));
    Ok(target.join("debug/billing-api"))
}

/// Builds the API binary and the bare axum baseline (`bench-hello`) with
/// the release profile, as they would be deployed, and returns their paths.
pub fn build_release(root: &Path) -> Result<(PathBuf, PathBuf), Failure> {
    step("Building the API and the bare axum baseline (release)");
    util::cargo(
        root,
        &[
            "build",
            "--release",
            "-p",
            "billing-api",
            "--bin",
            "billing-api",
            "--example",
            "bench-hello",
        ],
    )?;
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root.join("target"));
    Ok((
        target.join("release/billing-api"),
        target.join("release/examples/bench-hello"),
    ))
}

/// A running server, stopped when dropped.
pub struct Server {
    child: Child,
}

impl Server {
    /// Starts `bin` with `env` and waits until `addr` answers `/api/health`.
    pub fn start(
        bin: &Path,
        root: &Path,
        env: &[(&str, &str)],
        addr: &str,
    ) -> Result<Server, Failure> {
        Self::start_probing(bin, root, env, addr, "/api/health")
    }

    /// Starts `bin` with `env` and waits until `addr` answers `probe` with 200.
    pub fn start_probing(
        bin: &Path,
        root: &Path,
        env: &[(&str, &str)],
        addr: &str,
        probe: &str,
    ) -> Result<Server, Failure> {
        let mut cmd = Command::new(bin);
        cmd.current_dir(root);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd
            .spawn()
            .map_err(|e| Failure(format!("starting {}: {e}", bin.display())))?;
        let mut server = Server { child };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = server.child.try_wait().ok().flatten() {
                return fail(format!(
                    "{} exited at start-up ({status}); see its log above",
                    bin.display()
                ));
            }
            if http_get(addr, probe).is_some_and(|r| r.starts_with("HTTP/1.1 200")) {
                return Ok(server);
            }
            if Instant::now() > deadline {
                return fail(format!(
                    "{} did not answer on {addr} within 60 s",
                    bin.display()
                ));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Waits for the server to exit.
    pub fn wait(&mut self) -> Result<ExitStatus, Failure> {
        self.child
            .wait()
            .map_err(|e| Failure(format!("waiting for the server: {e}")))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A minimal HTTP/1.1 GET (no dependencies); the raw response, if any.
pub fn http_get(addr: &str, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    Some(response)
}

/// A free loopback port.
pub fn free_port() -> Result<u16, Failure> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| Failure(format!("finding a free port: {e}")))
}

/// Runs the Playwright journeys against the API in test mode on a temporary
/// database, serving the release build of the SPA.
pub fn playwright(root: &Path, bin: &Path) -> Result<(), Failure> {
    step("Running the Playwright journeys (Chromium, API in test mode)");
    let port = free_port()?;
    let addr = format!("127.0.0.1:{port}");
    let scratch = root.join("target/e2e");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch)
        .map_err(|e| Failure(format!("creating {}: {e}", scratch.display())))?;
    let db = format!("sqlite://{}", scratch.join("billing.db").display());
    let dist = root.join("dist").display().to_string();
    let _server = Server::start(
        bin,
        root,
        &[
            ("BILLING_MODE", "test"),
            ("BILLING_ADDR", &addr),
            ("BILLING_DATABASE_URL", &db),
            ("BILLING_DIST", &dist),
            ("RUST_LOG", "warn"),
        ],
        &addr,
    )?;
    note(&format!("API and SPA on http://{addr}/"));
    let dir = root.join("end2end");
    util::run(
        Command::new(dir.join("node_modules/.bin/playwright"))
            .arg("test")
            .env("BASE_URL", format!("http://{addr}"))
            .current_dir(&dir),
    )
}
