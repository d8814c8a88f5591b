//! `cargo xtask bench light`: what a first visit costs. The release API
//! serves the release build of the SPA (dev mode, demo data); signed in as
//! the demo owner, `/billing`'s index.html and every asset it references
//! are fetched with `Accept-Encoding: br, gzip` and the bytes on the wire
//! counted, beside the same files uncompressed; then Lighthouse (mobile
//! defaults) scores `/sign-in` and `/billing`, best of two runs each.

use crate::bench_reads::{self, OWNER};
use crate::server::{free_port, Server};
use crate::util::{self, fail, note, output_line, step, Failure};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Lighthouse's version: 13.x needs Node 22.
const LIGHTHOUSE_VERSION: &str = "12.2.3";
/// Chromium's flags for Lighthouse here (TOOLCHAIN.md), as root in a container.
const CHROME_FLAGS: &str = "--headless=new --no-sandbox --disable-gpu \
    --disable-background-networking --disable-component-update --disable-sync --no-first-run";

/// The issue's figures from before (release build, issue 12).
const BEFORE_WIRE_KB: f64 = 1886.0;
const BEFORE_SCORE: u32 = 71;
const BEFORE_LCP_S: f64 = 11.0;
/// The goals (issue 12).
const GOAL_WIRE_KB: f64 = 150.0;
const GOAL_SCORE: u32 = 95;
const GOAL_LCP_S: f64 = 2.5;

/// Builds nothing: `api` is the release API binary, `dist/` the release SPA.
pub fn light(root: &Path, api: &Path) -> Result<(), Failure> {
    step("Preparing the first-visit benchmark (release API serving dist/, dev mode)");
    let lighthouse = lighthouse_bin(root)?;
    let scratch = root.join("target/bench-light");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch)
        .map_err(|e| Failure(format!("creating {}: {e}", scratch.display())))?;
    let db = format!("sqlite://{}", scratch.join("billing.db").display());
    let addr = format!("127.0.0.1:{}", free_port()?);
    let dist = root.join("dist").display().to_string();
    let _api = Server::start(
        api,
        root,
        &[
            ("BILLING_MODE", "dev"),
            ("BILLING_ADDR", &addr),
            ("BILLING_DATABASE_URL", &db),
            ("BILLING_DIST", &dist),
            ("RUST_LOG", "warn"),
        ],
        &addr,
    )?;
    let cookie = bench_reads::sign_in(&addr)?;
    note(&format!("signed in as {OWNER}; http://{addr}/billing"));

    wire_bytes(&addr, &cookie)?;
    scores(&lighthouse, &addr, &cookie, &scratch)
}

/// One fetched file: its path, bytes on the wire, encoding, raw bytes.
struct Fetched {
    path: String,
    wire: usize,
    encoding: String,
    raw: usize,
}

fn wire_bytes(addr: &str, cookie: &str) -> Result<(), Failure> {
    step("First visit to /billing, signed in: bytes on the wire (Accept-Encoding: br, gzip)");
    let index = get(addr, "/billing", cookie, false)?;
    let html = String::from_utf8_lossy(&index.body).into_owned();
    let mut paths = vec!["/billing".to_string()];
    for asset in referenced_assets(&html) {
        if !paths.contains(&asset) {
            paths.push(asset);
        }
    }
    let mut fetched = Vec::new();
    for path in &paths {
        let wire = get(addr, path, cookie, true)?;
        let raw = if path == "/billing" {
            index.clone()
        } else {
            get(addr, path, cookie, false)?
        };
        fetched.push(Fetched {
            path: path.clone(),
            wire: wire.body.len(),
            encoding: wire.encoding.unwrap_or_else(|| "identity".into()),
            raw: raw.body.len(),
        });
    }
    println!(
        "    {:<44} {:>10} {:>10}  encoding",
        "file", "wire KB", "raw KB"
    );
    for f in &fetched {
        println!(
            "    {:<44} {:>10.1} {:>10.1}  {}",
            f.path,
            kb(f.wire),
            kb(f.raw),
            f.encoding
        );
    }
    let wire: usize = fetched.iter().map(|f| f.wire).sum();
    let raw: usize = fetched.iter().map(|f| f.raw).sum();
    println!(
        "    {:<44} {:>10.1} {:>10.1}",
        format!("total ({} files)", fetched.len()),
        kb(wire),
        kb(raw)
    );
    note(&format!(
        "goal: at most {GOAL_WIRE_KB:.0} KB on the wire; before (issue 12): \
         {BEFORE_WIRE_KB:.0} KB, all uncompressed; this run uncompressed: {:.1} KB",
        kb(raw)
    ));
    Ok(())
}

fn kb(bytes: usize) -> f64 {
    bytes as f64 / 1024.0
}

/// The same-origin files index.html makes the browser fetch: stylesheets,
/// the icon, preloads, scripts, and the glue and wasm boot.js is told of.
pub fn referenced_assets(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href", "src", "data-js", "data-wasm"] {
        let needle = format!(" {attr}=\"");
        for piece in html.split(&needle).skip(1) {
            let Some(value) = piece.split('"').next() else {
                continue;
            };
            if value.starts_with('/') && !value.starts_with("//") && !out.iter().any(|v| v == value)
            {
                out.push(value.to_string());
            }
        }
    }
    out
}

/// A 200 response: its `Content-Encoding` and its body as sent.
#[derive(Clone)]
struct Got {
    encoding: Option<String>,
    body: Vec<u8>,
}

/// `GET path` on a fresh connection, with or without asking for br/gzip;
/// fails unless it answers 200.
fn get(addr: &str, path: &str, cookie: &str, compressed: bool) -> Result<Got, Failure> {
    let failed = |e: std::io::Error| Failure(format!("GET {path}: {e}"));
    let mut stream = TcpStream::connect(addr).map_err(failed)?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .map_err(failed)?;
    let encoding = if compressed {
        "Accept-Encoding: br, gzip\r\n"
    } else {
        ""
    };
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\n{encoding}Connection: close\r\n\r\n"
    )
    .map_err(failed)?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).map_err(failed)?;
    parse_response(&response).ok_or_else(|| Failure(format!("GET {path}: no 200 response")))
}

/// Reads a whole HTTP/1.1 response with a `Content-Length` (the file
/// server's kind); `None` unless it is a 200.
fn parse_response(response: &[u8]) -> Option<Got> {
    let end = response.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&response[..end]).ok()?;
    let mut lines = head.split("\r\n");
    if lines.next()?.split_whitespace().nth(1)? != "200" {
        return None;
    }
    let mut encoding = None;
    for line in lines {
        if let Some((name, value)) = line.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-encoding") {
                encoding = Some(value.trim().to_string());
            }
            if name.trim().eq_ignore_ascii_case("transfer-encoding") {
                // Chunk headers would be counted as body: not expected here.
                return None;
            }
        }
    }
    Some(Got {
        encoding,
        body: response[end + 4..].to_vec(),
    })
}

/// Lighthouse from `xtask/lighthouse/node_modules`, installed with `npm ci`
/// when missing or of another version.
fn lighthouse_bin(root: &Path) -> Result<PathBuf, Failure> {
    let dir = root.join("xtask/lighthouse");
    let bin = dir.join("node_modules/.bin/lighthouse");
    let version = bin
        .to_str()
        .and_then(|b| output_line(b, &["--version"]))
        .unwrap_or_default();
    if version.trim() == LIGHTHOUSE_VERSION {
        note(&format!("lighthouse {LIGHTHOUSE_VERSION}: installed"));
        return Ok(bin);
    }
    if output_line("npm", &["--version"]).is_none() {
        return fail("npm is missing: install Node.js 20 with npm");
    }
    note(&format!(
        "lighthouse {LIGHTHOUSE_VERSION}: installing with npm ci in xtask/lighthouse"
    ));
    util::run(
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir),
    )?;
    Ok(bin)
}

/// One Lighthouse run's figures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    /// Performance, 0 to 100.
    pub performance: u32,
    /// Largest Contentful Paint, seconds (simulated).
    pub lcp_s: f64,
}

fn scores(lighthouse: &Path, addr: &str, cookie: &str, scratch: &Path) -> Result<(), Failure> {
    crate::setup::chromium()?;
    step("Lighthouse 12.2.3, mobile defaults (simulated slow 4G, 4x CPU), best of two");
    for (page, signed_in) in [("/sign-in", false), ("/billing", true)] {
        let mut runs = Vec::new();
        for run in 1..=2 {
            let report = scratch.join(format!("lighthouse{}-{run}.json", page.replace('/', "-")));
            let headers = format!("{{\"Cookie\":\"{cookie}\"}}");
            let mut cmd = Command::new(lighthouse);
            cmd.arg(format!("http://{addr}{page}"))
                .args([
                    "--only-categories=performance",
                    "--output=json",
                    "--quiet",
                    &format!("--chrome-flags={CHROME_FLAGS}"),
                ])
                .arg(format!("--output-path={}", report.display()))
                .env("CHROME_PATH", "/usr/bin/chromium")
                .stdout(Stdio::null());
            if signed_in {
                cmd.arg(format!("--extra-headers={headers}"));
            }
            util::run(&mut cmd)?;
            let json = std::fs::read_to_string(&report)
                .map_err(|e| Failure(format!("reading {}: {e}", report.display())))?;
            let score = read_report(&json)
                .ok_or_else(|| Failure(format!("{} has no performance score", report.display())))?;
            runs.push(score);
        }
        let best = runs
            .iter()
            .copied()
            .max_by(|a, b| {
                a.performance
                    .cmp(&b.performance)
                    .then(b.lcp_s.total_cmp(&a.lcp_s))
            })
            .unwrap_or(runs[0]);
        println!(
            "    {page:<10} performance {:>3}  LCP {:>5.1} s   (runs: {})",
            best.performance,
            best.lcp_s,
            runs.iter()
                .map(|r| format!("{} / {:.1} s", r.performance, r.lcp_s))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    note(&format!(
        "goal: performance at least {GOAL_SCORE}, LCP at most {GOAL_LCP_S:.1} s; \
         before (issue 12): {BEFORE_SCORE} and {BEFORE_LCP_S:.1} s on both pages"
    ));
    Ok(())
}

/// The performance score and LCP of a Lighthouse JSON report.
pub fn read_report(json: &str) -> Option<Score> {
    let report: serde_json::Value = serde_json::from_str(json).ok()?;
    let score = report["categories"]["performance"]["score"].as_f64()?;
    let lcp = report["audits"]["largest-contentful-paint"]["numericValue"].as_f64()?;
    Some(Score {
        performance: (score * 100.0).round() as u32,
        lcp_s: lcp / 1000.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_assets_a_page_fetches_are_read_from_its_html() {
        let html = r#"<link rel="icon" href="/favicon-1.svg" integrity="x"/>
<link rel="stylesheet" href="/main-2.css"/>
<script type="module" src="/boot.js" data-js="/app-3.js" data-wasm="/app-3_bg.wasm"></script>
<link rel="modulepreload" href="/app-3.js"><a href="https://example.test/x">x</a>"#;
        assert_eq!(
            referenced_assets(html),
            [
                "/favicon-1.svg",
                "/main-2.css",
                "/app-3.js",
                "/boot.js",
                "/app-3_bg.wasm"
            ]
        );
    }

    #[test]
    fn a_response_body_is_counted_as_sent() {
        let got = parse_response(
            b"HTTP/1.1 200 OK\r\ncontent-encoding: br\r\ncontent-length: 3\r\n\r\nabc",
        )
        .expect("a 200");
        assert_eq!(got.encoding.as_deref(), Some("br"));
        assert_eq!(got.body, b"abc");
        assert!(parse_response(b"HTTP/1.1 404 Not Found\r\n\r\n").is_none());
    }

    #[test]
    fn lighthouse_reports_are_read() {
        let json = r#"{"categories":{"performance":{"score":0.71}},
            "audits":{"largest-contentful-paint":{"numericValue":11012.5}}}"#;
        assert_eq!(
            read_report(json),
            Some(Score {
                performance: 71,
                lcp_s: 11.0125
            })
        );
        assert_eq!(read_report("{}"), None);
    }
}
