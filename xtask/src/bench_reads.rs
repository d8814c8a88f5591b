//! `cargo xtask bench reads [--postgres]`: the signed-in overview
//! (`GET /api/billing/overview`) under load, beside bare axum's `hello` on
//! the same machine in the same run. Both are release builds; the two
//! cores are shared by the load generator and the server, so the ratio
//! between the two figures is what compares across machines and runs.

use crate::load::{self, Conn, Figures, Generator};
use crate::postgres::Cluster;
use crate::server::{build_release, free_port, Server};
use crate::util::{note, step, Failure};
use std::path::Path;
use std::time::Duration;

/// What to run.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// On a throwaway PostgreSQL cluster instead of a SQLite file.
    pub postgres: bool,
    /// Concurrent keep-alive connections.
    pub connections: usize,
    /// Seconds of each measured load.
    pub seconds: u64,
    /// How many times the pair (baseline, overview) is measured; with more
    /// than one, the medians are printed last.
    pub rounds: u32,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            postgres: false,
            connections: 64,
            seconds: 6,
            rounds: 3,
        }
    }
}

/// The demo account's owner (seeded in dev mode).
pub const OWNER: &str = "owner@acme.test";
const DEMO_PASSWORD: &str = "billing-demo";
const OVERVIEW: &str = "/api/billing/overview";

/// One round's figures: bare axum, the overview, and the one-trip baseline
/// when it was measured.
type Round = (Figures, Figures, Option<Figures>);

/// Builds, starts both servers, signs in and measures.
pub fn reads(root: &Path, options: Options) -> Result<(), Failure> {
    let (api, hello) = build_release(root)?;
    step("Preparing the reads benchmark");
    let generator = Generator::find();
    let scratch = root.join("target/bench-reads");
    let _ = std::fs::remove_dir_all(scratch.join("sqlite"));
    std::fs::create_dir_all(scratch.join("sqlite"))
        .map_err(|e| Failure(format!("creating {}: {e}", scratch.display())))?;
    // Kept until the servers stop: the cluster is stopped when dropped.
    let cluster = if options.postgres {
        Some(Cluster::start(&scratch.join("postgres"))?)
    } else {
        None
    };
    let (engine, db) = match &cluster {
        Some(c) => ("PostgreSQL", c.url("billing")),
        None => (
            "SQLite",
            format!("sqlite://{}", scratch.join("sqlite/billing.db").display()),
        ),
    };

    let hello_addr = format!("127.0.0.1:{}", free_port()?);
    // On PostgreSQL the baseline also answers `/db` after one `SELECT 1`
    // on the same database: the ceiling of one trip per request.
    let mut hello_env = vec![("BENCH_HELLO_ADDR", hello_addr.as_str())];
    if cluster.is_some() {
        hello_env.push(("BENCH_HELLO_DATABASE_URL", db.as_str()));
    }
    let _hello = Server::start_probing(&hello, root, &hello_env, &hello_addr, "/")?;
    let api_addr = format!("127.0.0.1:{}", free_port()?);
    let _api = Server::start(
        &api,
        root,
        &[
            ("BILLING_MODE", "dev"),
            ("BILLING_ADDR", &api_addr),
            ("BILLING_DATABASE_URL", &db),
            ("RUST_LOG", "warn"),
        ],
        &api_addr,
    )?;
    let cookie = sign_in(&api_addr)?;
    note(&format!(
        "{engine}, dev mode with the demo data, signed in as {OWNER}"
    ));
    note(&format!(
        "load: {}",
        generator.describe(options.connections, options.seconds)
    ));

    let hello_url = format!("http://{hello_addr}/");
    let trip_url = cluster.is_some().then(|| format!("http://{hello_addr}/db"));
    let overview_url = format!("http://{api_addr}{OVERVIEW}");
    let cookie_header = [format!("Cookie: {cookie}")];
    let measure = |url: &str, headers: &[String], seconds: u64| -> Result<Figures, Failure> {
        let figures = load::run(generator, url, headers, options.connections, seconds)?;
        if figures.errors > 0 {
            return Err(Failure(format!(
                "{url}: {} failed requests under load ({})",
                figures.errors, figures.error_report
            )));
        }
        Ok(figures)
    };
    // Warm both up: connections, caches, the pool, the CPU's clocks.
    measure(&hello_url, &[], 2)?;
    measure(&overview_url, &cookie_header, 2)?;
    if let Some(url) = &trip_url {
        measure(url, &[], 2)?;
    }

    step(&format!(
        "Signed-in overview vs bare axum ({engine}, {} connections)",
        options.connections
    ));
    let mut rounds = Vec::new();
    for round in 1..=options.rounds {
        let base = measure(&hello_url, &[], options.seconds)?;
        let overview = measure(&overview_url, &cookie_header, options.seconds)?;
        let trip = match &trip_url {
            Some(url) => Some(measure(url, &[], options.seconds)?),
            None => None,
        };
        if options.rounds > 1 {
            note(&format!("round {round} of {}", options.rounds));
        }
        note(&format!("bare axum  GET /       {}", base.summary()));
        if let Some(trip) = &trip {
            note(&format!(
                "one trip   GET /db     {} \u{2014} {:.0}% of bare axum (axum and one SELECT 1)",
                trip.summary(),
                100.0 * trip.requests_per_sec / base.requests_per_sec
            ));
        }
        note(&format!(
            "overview   GET {OVERVIEW}  {}",
            overview.summary()
        ));
        println!("    {}", compared(&overview, &base));
        rounds.push((base, overview, trip));
    }
    if rounds.len() > 1 {
        let median = |f: &dyn Fn(&Round) -> f64| -> f64 {
            let mut values: Vec<f64> = rounds.iter().map(f).collect();
            values.sort_by(f64::total_cmp);
            values[values.len() / 2]
        };
        let secs = |d: Duration| d.as_secs_f64();
        let figures = |rps: f64, p50: f64, p99: f64| Figures {
            requests_per_sec: rps,
            p50: Duration::from_secs_f64(p50),
            p99: Duration::from_secs_f64(p99),
            errors: 0,
            error_report: String::new(),
        };
        let base = figures(
            median(&|r| r.0.requests_per_sec),
            median(&|r| secs(r.0.p50)),
            median(&|r| secs(r.0.p99)),
        );
        let overview = figures(
            median(&|r| r.1.requests_per_sec),
            median(&|r| secs(r.1.p50)),
            median(&|r| secs(r.1.p99)),
        );
        let ratio = median(&|r| r.1.requests_per_sec / r.0.requests_per_sec);
        note(&format!(
            "median of {} rounds (the ratio is the median of the rounds' ratios):",
            rounds.len()
        ));
        println!(
            "    overview: {} \u{2014} {:.0}% of bare axum ({} req/s, p99 {})",
            overview.summary(),
            100.0 * ratio,
            load::thousands(base.requests_per_sec),
            load::millis(base.p99)
        );
        if trip_url.is_some() {
            let trip = |r: &Round| r.2.as_ref().map_or(0.0, |t| t.requests_per_sec);
            println!(
                "    one trip: {} req/s \u{2014} {:.0}% of bare axum: the most a read that goes to the database once can reach here",
                load::thousands(median(&trip)),
                100.0 * median(&|r| trip(r) / r.0.requests_per_sec)
            );
        }
    }
    Ok(())
}

/// `overview: 9,800 req/s, p50 4.1 ms, p99 8.7 ms — 27% of bare axum (36,000 req/s, p99 2.1 ms)`.
fn compared(overview: &Figures, base: &Figures) -> String {
    format!(
        "overview: {} \u{2014} {:.0}% of bare axum ({} req/s, p99 {})",
        overview.summary(),
        100.0 * overview.requests_per_sec / base.requests_per_sec,
        load::thousands(base.requests_per_sec),
        load::millis(base.p99)
    )
}

/// Signs in as the demo owner and checks the overview answers; the cookie.
pub fn sign_in(addr: &str) -> Result<String, Failure> {
    let mut conn =
        Conn::open(addr).map_err(|e| Failure(format!("connecting to the API at {addr}: {e}")))?;
    let body = format!("{{\"email\":\"{OWNER}\",\"password\":\"{DEMO_PASSWORD}\"}}");
    let signed_in = conn
        .request("POST", "/api/session", "", &body)
        .ok_or_else(|| Failure("the API did not answer the sign-in".into()))?;
    if signed_in.status != 200 {
        return Err(Failure(format!(
            "signing in as {OWNER} answered {}: {}",
            signed_in.status, signed_in.body
        )));
    }
    let cookie = signed_in
        .header("set-cookie")
        .and_then(|c| c.split(';').next())
        .ok_or_else(|| Failure("the sign-in set no cookie".into()))?
        .to_string();
    let overview = conn
        .request("GET", OVERVIEW, &cookie, "")
        .ok_or_else(|| Failure("the API did not answer the overview".into()))?;
    if overview.status != 200 {
        return Err(Failure(format!(
            "{OVERVIEW} answered {}: {}",
            overview.status, overview.body
        )));
    }
    Ok(cookie)
}
