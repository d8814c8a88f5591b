//! A throwaway PostgreSQL cluster on a free loopback port, for the tests and
//! for `cargo xtask run --postgres`: Debian's `postgresql` is installed when
//! its binaries are missing, the server runs as the `postgres` user when this
//! runs as root (`initdb` refuses root), and the cluster is stopped and its
//! directory removed when the value is dropped.

use crate::util::{self, fail, Failure};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A running cluster that only this process uses.
pub struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    as_postgres: bool,
}

impl Cluster {
    /// Initialises a cluster in a fresh directory under `parent` and starts
    /// it on a free port of 127.0.0.1, with one database `billing`.
    pub fn start(parent: &Path) -> Result<Cluster, Failure> {
        let bin = binaries()?;
        let as_postgres = is_root();
        std::fs::create_dir_all(parent)
            .map_err(|e| Failure(format!("creating {}: {e}", parent.display())))?;
        let dir = parent.join(format!("pg-{}", std::process::id()));
        Self::stop_leftovers(&bin, parent, as_postgres);
        if dir.exists() {
            std::fs::remove_dir_all(&dir)
                .map_err(|e| Failure(format!("clearing {}: {e}", dir.display())))?;
        }
        std::fs::create_dir_all(&dir)
            .map_err(|e| Failure(format!("creating {}: {e}", dir.display())))?;
        if as_postgres {
            // The server's user must own its directory and reach it.
            util::run(Command::new("chown").arg("postgres:").arg(&dir))?;
            let _ = Command::new("chmod").arg("o+x").arg(parent).status();
        }
        let port = free_port()?;
        let cluster = Cluster {
            bin,
            dir,
            port,
            as_postgres,
        };
        util::step(&format!(
            "Starting a throwaway PostgreSQL cluster on 127.0.0.1:{port}"
        ));
        cluster.tool(
            "initdb",
            &[
                "-D",
                &cluster.dir_str(),
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8",
            ],
        )?;
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=400",
            cluster.dir_str()
        );
        let log = cluster.dir.join("log").display().to_string();
        cluster.tool(
            "pg_ctl",
            &[
                "-D",
                &cluster.dir_str(),
                "-l",
                &log,
                "-w",
                "-o",
                &options,
                "start",
            ],
        )?;
        cluster.tool(
            "createdb",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &port.to_string(),
                "-U",
                "postgres",
                "billing",
            ],
        )?;
        Ok(cluster)
    }

    /// Stops and removes clusters an interrupted run left under `parent`
    /// (Ctrl-C ends this process before it can drop them).
    fn stop_leftovers(bin: &Path, parent: &Path, as_postgres: bool) {
        let Ok(entries) = std::fs::read_dir(parent) else {
            return;
        };
        for dir in entries.flatten().map(|e| e.path()) {
            let named = dir
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("pg-"));
            if !named {
                continue;
            }
            let old = Cluster {
                bin: bin.to_path_buf(),
                dir,
                port: 0,
                as_postgres,
            };
            drop(old);
        }
    }

    /// The URL of database `db` on this cluster.
    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }

    fn dir_str(&self) -> String {
        self.dir.display().to_string()
    }

    /// Runs one of the server's programs, as `postgres` when we are root.
    fn tool(&self, name: &str, args: &[&str]) -> Result<(), Failure> {
        let program = self.bin.join(name);
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&program);
            c
        } else {
            Command::new(&program)
        };
        cmd.args(args).stdout(Stdio::null());
        util::run(&mut cmd)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.tool("pg_ctl", &["-D", &self.dir_str(), "-m", "fast", "stop"]);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The directory of `initdb` and `pg_ctl`, installing Debian's package when
/// no version is there.
fn binaries() -> Result<PathBuf, Failure> {
    if let Some(found) = installed() {
        return Ok(found);
    }
    util::step("Installing PostgreSQL (Debian's postgresql package)");
    if !is_root() {
        return fail(
            "PostgreSQL is not installed and this is not root: run `apt-get install -y postgresql` as root",
        );
    }
    util::run(Command::new("apt-get").arg("update").stdout(Stdio::null()))?;
    util::run(
        Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends", "postgresql"])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdout(Stdio::null()),
    )?;
    installed().map_or_else(
        || fail("postgresql was installed, but no initdb is under /usr/lib/postgresql"),
        Ok,
    )
}

/// The newest `/usr/lib/postgresql/<version>/bin` that holds `initdb`.
fn installed() -> Option<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin)
}

fn is_root() -> bool {
    util::output_line("id", &["-u"]).as_deref() == Some("0")
}

/// A port nobody listens on now.
fn free_port() -> Result<u16, Failure> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| Failure(format!("finding a free port: {e}")))
}
