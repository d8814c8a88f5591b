//! `cargo xtask bench`: the SPA's size and the API's response times, printed.
//! Figures only; nothing here passes or fails on a number.

use crate::server::{free_port, Server};
use crate::setup;
use crate::util::{self, step, Failure};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Builds everything, then measures.
pub fn bench() -> Result<(), Failure> {
    let root = util::root();
    setup::spa_tools(&root)?;
    setup::build_spa(&root, false)?;
    spa_size(&root)?;
    let bin = crate::server::build_api(&root)?;
    api_latency(&root, &bin)
}

fn spa_size(root: &Path) -> Result<(), Failure> {
    step("SPA size (dist/, release, wasm-opt -Oz)");
    let dist = root.join("dist");
    let entries = std::fs::read_dir(&dist).map_err(|e| Failure(format!("reading dist/: {e}")))?;
    let mut files: Vec<_> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    for path in files {
        let raw = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        let gz = Command::new("gzip")
            .args(["-9", "-c"])
            .arg(&path)
            .output()
            .map(|o| o.stdout.len() as u64)
            .unwrap_or(0);
        println!(
            "    {:<40} {:>9.1} KB  {:>9.1} KB gzip",
            path.file_name().unwrap_or_default().to_string_lossy(),
            raw as f64 / 1024.0,
            gz as f64 / 1024.0
        );
    }
    Ok(())
}

/// One keep-alive connection; returns the status line and body.
struct Conn {
    stream: TcpStream,
    addr: String,
}

impl Conn {
    fn request(
        &mut self,
        method: &str,
        path: &str,
        cookie: &str,
        body: &str,
    ) -> Option<(String, String, Vec<String>)> {
        let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\n", self.addr);
        if !cookie.is_empty() {
            req.push_str(&format!("Cookie: {cookie}\r\n"));
        }
        if !body.is_empty() {
            req.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            ));
        } else if method != "GET" {
            req.push_str("Content-Length: 0\r\n");
        }
        req.push_str("\r\n");
        req.push_str(body);
        self.stream.write_all(req.as_bytes()).ok()?;
        // Read headers, then exactly Content-Length bytes.
        let mut buf = Vec::new();
        let mut byte = [0u8; 1];
        while !buf.ends_with(b"\r\n\r\n") {
            self.stream.read_exact(&mut byte).ok()?;
            buf.push(byte[0]);
        }
        let head = String::from_utf8_lossy(&buf).to_string();
        let headers: Vec<String> = head.lines().map(str::to_string).collect();
        let len = headers
            .iter()
            .find_map(|h| {
                h.to_ascii_lowercase()
                    .strip_prefix("content-length:")
                    .map(|v| v.trim().parse::<usize>().unwrap_or(0))
            })
            .unwrap_or(0);
        let mut body = vec![0u8; len];
        self.stream.read_exact(&mut body).ok()?;
        Some((
            headers[0].clone(),
            String::from_utf8_lossy(&body).to_string(),
            headers,
        ))
    }
}

fn api_latency(root: &Path, bin: &Path) -> Result<(), Failure> {
    step("API response times (test mode, one keep-alive connection, 500 requests each)");
    let addr = format!("127.0.0.1:{}", free_port()?);
    let scratch = root.join("target/bench");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).map_err(|e| Failure(e.to_string()))?;
    let db = format!("sqlite://{}", scratch.join("billing.db").display());
    let _server = Server::start(
        bin,
        root,
        &[
            ("BILLING_MODE", "test"),
            ("BILLING_ADDR", &addr),
            ("BILLING_DATABASE_URL", &db),
            ("RUST_LOG", "warn"),
        ],
        &addr,
    )?;
    let stream = TcpStream::connect(&addr).map_err(|e| Failure(e.to_string()))?;
    stream.set_read_timeout(Some(Duration::from_secs(10))).ok();
    let mut conn = Conn {
        stream,
        addr: addr.clone(),
    };
    let fail = || Failure("the API did not answer as expected during the benchmark".into());
    let (_, account, _) = conn
        .request("POST", "/api/test/accounts", "", "")
        .ok_or_else(fail)?;
    let field = |json: &str, key: &str, nth: usize| -> Option<String> {
        json.split(&format!("\"{key}\":\""))
            .nth(nth)
            .and_then(|s| s.split('"').next())
            .map(str::to_string)
    };
    let email = field(&account, "email", 1).ok_or_else(fail)?;
    let password = field(&account, "password", 1).ok_or_else(fail)?;
    let body = format!("{{\"email\":\"{email}\",\"password\":\"{password}\"}}");
    let started = Instant::now();
    let (status, _, headers) = conn
        .request("POST", "/api/session", "", &body)
        .ok_or_else(fail)?;
    let sign_in = started.elapsed();
    if !status.contains("200") {
        return Err(fail());
    }
    let cookie = headers
        .iter()
        .find_map(|h| {
            h.strip_prefix("set-cookie: ")
                .or_else(|| h.strip_prefix("Set-Cookie: "))
        })
        .and_then(|c| c.split(';').next())
        .ok_or_else(fail)?
        .to_string();
    println!(
        "    POST /api/session (argon2 verify)         {:>8.2} ms",
        sign_in.as_secs_f64() * 1e3
    );
    for path in ["/api/health", "/api/session", "/api/billing/overview"] {
        let mut times = Vec::with_capacity(500);
        for _ in 0..500 {
            let t = Instant::now();
            let (status, _, _) = conn.request("GET", path, &cookie, "").ok_or_else(fail)?;
            times.push(t.elapsed());
            if !status.contains("200") {
                return Err(Failure(format!("{path} answered {status}")));
            }
        }
        times.sort();
        let pct =
            |p: usize| times[(times.len() * p / 100).min(times.len() - 1)].as_secs_f64() * 1e3;
        println!(
            "    GET {path:<38} p50 {:>6.2} ms  p95 {:>6.2} ms  p99 {:>6.2} ms",
            pct(50),
            pct(95),
            pct(99)
        );
    }
    Ok(())
}
