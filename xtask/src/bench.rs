//! `cargo xtask bench [reads|light] [--postgres]`: the SPA's size, a first
//! visit's bytes on the wire and Lighthouse scores, and the API's response
//! times, printed. Figures only; nothing here passes or fails on a
//! number.

use crate::bench_light;
use crate::bench_reads::{self, Options};
use crate::load::Conn;
use crate::server::{free_port, Server};
use crate::setup;
use crate::util::{self, fail, step, Failure};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

const USAGE: &str = "usage: cargo xtask bench [reads|light] [--postgres] [--seconds N] [--connections N] [--rounds N]";

/// `cargo xtask bench ARGS`: with no subcommand, everything (the SPA's size,
/// the overview under load, single-request latencies, a first visit's
/// bytes on the wire and Lighthouse scores); `reads` measures the overview
/// under load only, `light` the first visit only.
pub fn bench(args: &[String]) -> Result<(), Failure> {
    let mut options = Options::default();
    let mut subcommand = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut number = |what: &str| -> Result<u64, Failure> {
            args.next()
                .and_then(|n| n.parse().ok())
                .filter(|n| *n > 0)
                .ok_or_else(|| Failure(format!("{what} takes a positive number\n{USAGE}")))
        };
        match arg.as_str() {
            "--postgres" => options.postgres = true,
            "--seconds" => options.seconds = number("--seconds")?,
            "--connections" => options.connections = number("--connections")? as usize,
            "--rounds" => options.rounds = number("--rounds")? as u32,
            "reads" if subcommand.is_none() => subcommand = Some("reads"),
            "light" if subcommand.is_none() => subcommand = Some("light"),
            other => return fail(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    let root = util::root();
    if subcommand == Some("reads") {
        return bench_reads::reads(&root, options);
    }
    setup::spa_tools(&root)?;
    setup::build_spa(&root, false)?;
    spa_size(&root)?;
    if subcommand == Some("light") {
        let (bin, _) = crate::server::build_release(&root)?;
        return bench_light::light(&root, &bin);
    }
    bench_reads::reads(&root, options)?;
    let (bin, _) = crate::server::build_release(&root)?;
    api_latency(&root, &bin)?;
    bench_light::light(&root, &bin)
}

fn spa_size(root: &Path) -> Result<(), Failure> {
    step("SPA size (dist/, release, wasm-opt -Oz)");
    let dist = root.join("dist");
    let entries = std::fs::read_dir(&dist).map_err(|e| Failure(format!("reading dist/: {e}")))?;
    let mut files: Vec<_> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        // The precompressed copies are shown as the wire bytes below.
        .filter(|p| !matches!(p.extension().and_then(|e| e.to_str()), Some("br" | "gz")))
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
    // Trunk's cargo build leaves the linked wasm, names kept, in target/.
    let linked = root.join("target/wasm32-unknown-unknown/release/billing-portal.wasm");
    if linked.exists() {
        crate::wasm_profile::print(&linked)
    } else {
        util::note(&format!("{} is missing: no size profile", linked.display()));
        Ok(())
    }
}

fn api_latency(root: &Path, bin: &Path) -> Result<(), Failure> {
    step("API response times (release, test mode, one keep-alive connection, 500 requests each)");
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
    let mut conn = Conn::open(&addr).map_err(|e| Failure(e.to_string()))?;
    let fail = || Failure("the API did not answer as expected during the benchmark".into());
    let account = conn
        .request("POST", "/api/test/accounts", "", "")
        .ok_or_else(fail)?
        .body;
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
    let signed_in = conn
        .request("POST", "/api/session", "", &body)
        .ok_or_else(fail)?;
    let sign_in = started.elapsed();
    if signed_in.status != 200 {
        return Err(fail());
    }
    let cookie = signed_in
        .header("set-cookie")
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
            let status = conn
                .request("GET", path, &cookie, "")
                .ok_or_else(fail)?
                .status;
            times.push(t.elapsed());
            if status != 200 {
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
