//! `cargo xtask bench renewals --accounts N [--postgres] [--instances K]
//! [--concurrency C]`: renewals at scale, printed.
//!
//! Seeds N accounts whose renewal is due now (`billing-api bench seed`),
//! starts K scheduler passes at once on the same database (`billing-api
//! run-due`, K processes; PostgreSQL only for K > 1, since one process owns
//! an embedded SQLite database), times them from start to all done, counts
//! in the database that every account was renewed exactly once (`billing-api
//! bench check`), and measures, in the same run, how many single-row commits
//! per second the same database accepts (`billing-api bench insert-rate`):
//! the limit per-row work is held against. Figures only; the run fails only
//! if a renewal did not happen exactly once.

use crate::postgres::Cluster;
use crate::util::{self, fail, note, step, Failure};
use std::process::{Command, Output, Stdio};
use std::time::Instant;

/// Single-row commits for the insert rate: enough for a steady figure.
const MAX_PROBE_ROWS: usize = 20_000;

struct Options {
    accounts: usize,
    postgres: bool,
    instances: usize,
    /// Groups of accounts at a time per pass; `None` leaves it to the
    /// scheduler's own default for the store.
    concurrency: Option<usize>,
}

fn options(args: &[String]) -> Result<Options, Failure> {
    let given = |name: &str| -> Result<Option<usize>, Failure> {
        match args.iter().position(|a| a == name) {
            None => Ok(None),
            Some(i) => args
                .get(i + 1)
                .and_then(|v| v.parse().ok())
                .filter(|n| *n > 0)
                .map_or_else(
                    || fail(format!("{name} needs a positive number")),
                    |n| Ok(Some(n)),
                ),
        }
    };
    let number = |name: &str, default: usize| Ok(given(name)?.unwrap_or(default));
    let postgres = args.iter().any(|a| a == "--postgres");
    let options = Options {
        accounts: number("--accounts", 10_000)?,
        postgres,
        instances: number("--instances", 1)?,
        concurrency: given("--concurrency")?,
    };
    if options.instances > 1 && !postgres {
        return fail(
            "--instances above 1 needs --postgres: an embedded SQLite database belongs to one process",
        );
    }
    Ok(options)
}

/// Runs the benchmark.
pub fn run(args: &[String]) -> Result<(), Failure> {
    let o = options(args)?;
    let root = util::root();
    // The release build, as it would be deployed.
    let (bin, _) = crate::server::build_release(&root)?;
    let scratch = root.join("target/bench-renewals");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).map_err(|e| Failure(e.to_string()))?;
    // Kept until the end: the cluster stops when dropped.
    let cluster = if o.postgres {
        Some(Cluster::start(&scratch)?)
    } else {
        None
    };
    let db = match &cluster {
        // Each instance's pool holds its concurrency's account locks and
        // as many connections again for their queries (the default pool
        // is large enough for the scheduler's default).
        Some(c) => match o.concurrency {
            Some(groups) => format!("{}?max_connections={}", c.url("billing"), 2 * groups + 4),
            None => c.url("billing"),
        },
        None => format!("sqlite://{}", scratch.join("billing.db").display()),
    };
    let engine = if o.postgres { "PostgreSQL" } else { "SQLite" };
    let api = |args: &[String]| {
        let mut cmd = Command::new(&bin);
        cmd.args(args)
            .current_dir(&root)
            .env("BILLING_MODE", "dev")
            .env("BILLING_SEED_DEMO", "0")
            .env("BILLING_DATABASE_URL", &db)
            .env("RUST_LOG", "warn,sqlx=error")
            .stdout(Stdio::piped());
        cmd
    };

    step(&format!(
        "Seeding {} accounts due for renewal ({engine})",
        o.accounts
    ));
    let seeded = output(api(&strings(&["bench", "seed", &o.accounts.to_string()])))?;
    let period_end = seeded
        .rsplit("periods ending at ")
        .next()
        .and_then(|t| t.trim().parse::<i64>().ok())
        .ok_or_else(|| Failure(format!("unexpected seed output: {seeded}")))?;

    step(&format!(
        "Renewing: {} scheduler pass{} at once",
        o.instances,
        if o.instances == 1 { "" } else { "es" },
    ));
    let mut pass_args = vec!["run-due".to_string()];
    if let Some(groups) = o.concurrency {
        pass_args.extend(["--concurrency".to_string(), groups.to_string()]);
    }
    let started = Instant::now();
    let passes = (0..o.instances)
        .map(|_| {
            api(&pass_args)
                .spawn()
                .map_err(|e| Failure(format!("starting {}: {e}", bin.display())))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut outputs = Vec::new();
    for child in passes {
        outputs.push(
            child
                .wait_with_output()
                .map_err(|e| Failure(e.to_string()))?,
        );
    }
    let seconds = started.elapsed().as_secs_f64();
    for out in &outputs {
        show(out);
        if !out.status.success() {
            return fail(format!("a scheduler pass failed ({})", out.status));
        }
    }
    // What each pass ran with, as it says: `…, G groups at a time`.
    let groups = String::from_utf8_lossy(&outputs[0].stdout)
        .rsplit(", ")
        .next()
        .and_then(|t| t.split_whitespace().next())
        .and_then(|g| g.parse::<usize>().ok())
        .ok_or_else(|| Failure("a scheduler pass did not say how many groups it ran".into()))?;

    step("Counting in the database: each account renewed exactly once?");
    let check = output(api(&strings(&["bench", "check", &period_end.to_string()])))?;
    let once = check.contains("exactly once: yes");

    step("The raw insert rate of the same database");
    let rows = o.accounts.min(MAX_PROBE_ROWS);
    let writers = o.instances * groups;
    let at_once = insert_rate(&api, rows, writers)?;
    let one_by_one = insert_rate(&api, rows, 1)?;

    step(&format!("Renewals at scale ({engine})"));
    note(&format!(
        "renewals: {} accounts renewed in {seconds:.2} s ({:.0} per second), {} instance{}, {} groups of accounts at a time each",
        o.accounts,
        o.accounts as f64 / seconds,
        o.instances,
        if o.instances == 1 { "" } else { "s" },
        groups
    ));
    note(&format!(
        "limit:    {at_once:.0} single-row commits per second, {writers} at a time ({one_by_one:.0} per second one at a time)"
    ));
    note(&format!(
        "check:    every account renewed exactly once: {}",
        if once { "yes" } else { "NO" }
    ));
    if once {
        Ok(())
    } else {
        fail("some account was not renewed exactly once; see the counts above")
    }
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| a.to_string()).collect()
}

/// Runs a command to completion, shows and returns what it printed.
fn output(mut cmd: Command) -> Result<String, Failure> {
    let out = cmd
        .output()
        .map_err(|e| Failure(format!("starting {cmd:?}: {e}")))?;
    show(&out);
    if !out.status.success() {
        return fail(format!("{cmd:?} failed ({})", out.status));
    }
    Ok(String::from_utf8_lossy(&out.stdout).to_string())
}

fn show(out: &Output) {
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        note(line);
    }
}

/// Single-row commits per second, `writers` at a time.
fn insert_rate(
    api: &dyn Fn(&[String]) -> Command,
    rows: usize,
    writers: usize,
) -> Result<f64, Failure> {
    let text = output(api(&strings(&[
        "bench",
        "insert-rate",
        &rows.to_string(),
        "--concurrency",
        &writers.to_string(),
    ])))?;
    text.rsplit('(')
        .next()
        .and_then(|t| t.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| Failure(format!("unexpected insert-rate output: {text}")))
}
