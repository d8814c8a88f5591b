//! `cargo xtask run | test | bench`: sets up whatever this machine is missing,
//! builds the SPA and the API, and serves or tests them.
//!
//! Tools go where every clone on the machine shares them (`~/.cargo/bin` for
//! Trunk and wasm-bindgen-cli, the system for Chromium), each checked by
//! version first, so a second run costs seconds.

mod bench;
mod bench_light;
mod bench_reads;
mod bench_renewals;
mod compress;
mod load;
mod postgres;
mod server;
mod setup;
mod util;
mod wasm_profile;

use std::process::ExitCode;
use util::{fail, Failure};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  run [--postgres]
          set up what is missing, build the SPA, and serve the portal with
          demo data on an embedded SQLite database (http://127.0.0.1:8080);
          with --postgres, on a local PostgreSQL cluster it starts and stops
  test [--no-e2e | --e2e-only]
          set up what is missing, then run fmt, clippy (server and wasm32),
          the domain, API, store and SPA tests on SQLite, the store and API
          tests again on a throwaway PostgreSQL cluster, a release build of
          the SPA, and the Playwright journeys against the API in test mode
          (--e2e-only: only the release SPA and the journeys)
  bench [reads|light] [--postgres] [--seconds N] [--connections N] [--rounds N]
          build the SPA and the API (release), then print the SPA's size,
          the signed-in overview under load (64 connections, wrk) beside a
          bare axum hello in the same run, single-request latencies, and a
          signed-in first visit to /billing: bytes on the wire per file and
          in total, and Lighthouse 12.2.3's mobile performance score and LCP
          of /sign-in and /billing (installed in xtask/lighthouse by npm ci);
          `reads` measures the overview under load only, `light` the first
          visit only; --postgres runs the API on a throwaway PostgreSQL
          cluster instead of SQLite
  bench renewals --accounts N [--postgres] [--instances K] [--concurrency C]
          seed N accounts due for renewal (SQLite, or a throwaway PostgreSQL
          cluster), run K scheduler passes at once (K > 1 needs --postgres),
          print the renewal rate beside the database's raw insert rate, and
          check that every account was renewed exactly once
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("test") => test(&args[1..]),
        Some("bench") if args.get(1).map(String::as_str) == Some("renewals") => {
            bench_renewals::run(&args[2..])
        }
        Some("bench") => bench::bench(&args[1..]),
        Some("-h" | "--help" | "help") => {
            print!("{USAGE}");
            Ok(())
        }
        _ => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(message)) => {
            eprintln!("\nxtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// `cargo xtask run [--postgres]`.
fn run(args: &[String]) -> Result<(), Failure> {
    let root = util::root();
    setup::spa_tools(&root)?;
    setup::build_spa(&root, false)?;
    let bin = server::build_api(&root)?;
    let addr = std::env::var("BILLING_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".into());
    // Kept until the server stops: the cluster is stopped when dropped.
    let cluster = if args.iter().any(|a| a == "--postgres") {
        Some(postgres::Cluster::start(&root.join("target/postgres"))?)
    } else {
        None
    };
    let db = match &cluster {
        Some(c) => c.url("billing"),
        None => std::env::var("BILLING_DATABASE_URL")
            .unwrap_or_else(|_| format!("sqlite://{}", root.join("data/billing.db").display())),
    };
    util::step("Starting the portal (dev mode, demo data)");
    let mut server = server::Server::start(
        &bin,
        &root,
        &[
            ("BILLING_MODE", "dev"),
            ("BILLING_ADDR", &addr),
            ("BILLING_DATABASE_URL", &db),
            ("BILLING_DIST", &root.join("dist").display().to_string()),
        ],
        &addr,
    )?;
    println!(
        "\n  The billing portal is running at http://{addr}/\n\n  \
         Demo sign-ins (password for all: billing-demo):\n    \
         owner@acme.test     Owner of Acme Inc. (Business, monthly, 9 of 12 seats)\n    \
         admin@acme.test     Admin\n    \
         billing@acme.test   Member with billing access (read)\n    \
         member@acme.test    Member without billing access\n    \
         owner@globex.test   Owner of another account, Globex Ltd.\n\n  \
         Press Ctrl-C to stop.\n"
    );
    let status = server.wait()?;
    if status.success() {
        Ok(())
    } else {
        fail(format!("the API server stopped: {status}"))
    }
}

/// `cargo xtask test [--no-e2e | --e2e-only]`.
fn test(args: &[String]) -> Result<(), Failure> {
    let e2e = !args.iter().any(|a| a == "--no-e2e");
    let root = util::root();
    setup::spa_tools(&root)?;
    if e2e {
        setup::chromium()?;
    }
    if args.iter().any(|a| a == "--e2e-only") {
        return journeys(&root);
    }

    util::step("Checking formatting (cargo fmt)");
    util::cargo(&root, &["fmt", "--all", "--", "--check"])?;

    util::step("Linting the server crates (clippy, -D warnings)");
    util::cargo(
        &root,
        &[
            "clippy",
            "--workspace",
            "--exclude",
            "billing-portal",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    )?;

    util::step("Linting the SPA and the domain for wasm32 (clippy, -D warnings)");
    util::cargo(
        &root,
        &[
            "clippy",
            "-p",
            "billing-portal",
            "-p",
            "billing-domain",
            "--target",
            "wasm32-unknown-unknown",
            "--",
            "-D",
            "warnings",
        ],
    )?;

    util::step("Running the domain, API, store, SPA and xtask tests (SQLite)");
    util::cargo(
        &root,
        &[
            "test",
            "-p",
            "xtask",
            "-p",
            "billing-domain",
            "-p",
            "billing-api",
            "-p",
            "billing-portal",
        ],
    )?;

    {
        let cluster = postgres::Cluster::start(&root.join("target/postgres-test"))?;
        util::step("Running the store and API tests again on PostgreSQL");
        util::run(
            std::process::Command::new(util::cargo_bin())
                .args([
                    "test",
                    "-p",
                    "billing-api",
                    "--test",
                    "store",
                    "--test",
                    "api",
                ])
                .env("TEST_DATABASE_URL", cluster.url("postgres"))
                // Half the model-based cases: the money rules are the
                // services', run in full on SQLite above; here the cases
                // check the engine, at twice SQLite's cost per case.
                .env("MODEL_CASES", "1000")
                .current_dir(&root),
        )?;
    }

    if e2e {
        journeys(&root)?;
    } else {
        util::step("Building the SPA in release mode");
        setup::build_spa(&root, true)?;
    }
    println!("\nxtask: every check passed");
    Ok(())
}

/// Builds the SPA (release) and the API, and runs the Playwright journeys.
fn journeys(root: &std::path::Path) -> Result<(), Failure> {
    util::step("Building the SPA in release mode");
    setup::build_spa(root, true)?;
    let bin = server::build_api(root)?;
    server::playwright(root, &bin)
}
