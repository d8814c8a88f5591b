//! Installing what a fresh machine lacks, and building the SPA.
//!
//! Every check is by version, so a second run installs nothing.

use crate::util::{self, fail, note, output_line, step, Failure};
use std::path::Path;
use std::process::Command;

/// Trunk's version: 0.22 needs a newer rustc than this machine's.
const TRUNK_VERSION: &str = "0.21.14";
const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Everything the SPA build needs: the wasm target, Trunk, wasm-bindgen-cli
/// at exactly Cargo.lock's version, and the npm packages (wasm-opt 132 and
/// Playwright).
pub fn spa_tools(root: &Path) -> Result<(), Failure> {
    step("Checking the tools");
    wasm_target()?;
    cargo_tool("trunk", "trunk", TRUNK_VERSION, true)?;
    let bindgen = wasm_bindgen_version(root)?;
    // Without --locked: the CLI's own lockfile pins a crate the registry lacks.
    cargo_tool("wasm-bindgen", "wasm-bindgen-cli", &bindgen, false)?;
    npm_packages(root)?;
    Ok(())
}

fn wasm_target() -> Result<(), Failure> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .any(|l| l.trim() == WASM_TARGET)
        })
        .unwrap_or(false);
    if installed {
        note(&format!("{WASM_TARGET}: installed"));
        return Ok(());
    }
    note(&format!("{WASM_TARGET}: installing (seconds)"));
    util::run(Command::new("rustup").args(["target", "add", WASM_TARGET]))
}

/// Installs `krate` at `version` with `cargo install` unless `bin --version`
/// already reports it.
fn cargo_tool(bin: &str, krate: &str, version: &str, locked: bool) -> Result<(), Failure> {
    let have = output_line(bin, &["--version"]);
    if have
        .as_deref()
        .is_some_and(|line| line.split_whitespace().nth(1) == Some(version))
    {
        note(&format!("{bin} {version}: installed"));
        return Ok(());
    }
    note(&format!(
        "{bin} {version}: installing with cargo install (takes 5-20 minutes, once per machine){}",
        have.map(|h| format!("; found `{h}`")).unwrap_or_default()
    ));
    let mut cmd = Command::new(util::cargo_bin());
    cmd.args(["install", krate, "--version", version, "--force"]);
    if locked {
        cmd.arg("--locked");
    }
    util::run(&mut cmd)
}

/// The `wasm-bindgen` version Cargo.lock pins.
pub fn wasm_bindgen_version(root: &Path) -> Result<String, Failure> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock"))
        .map_err(|e| Failure(format!("reading Cargo.lock: {e}")))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = "))
            {
                return Ok(v.trim_matches('"').to_string());
            }
        }
    }
    fail("Cargo.lock does not pin wasm-bindgen")
}

/// `npm ci` in end2end/ unless node_modules matches package-lock.json.
fn npm_packages(root: &Path) -> Result<(), Failure> {
    let dir = root.join("end2end");
    let lock = dir.join("package-lock.json");
    let installed = dir.join("node_modules/.package-lock.json");
    let fresh = match (std::fs::metadata(&lock), std::fs::metadata(&installed)) {
        (Ok(l), Ok(i)) => match (l.modified(), i.modified()) {
            (Ok(l), Ok(i)) => i >= l && dir.join("node_modules/.bin/wasm-opt").exists(),
            _ => false,
        },
        _ => false,
    };
    if fresh {
        note("npm packages (wasm-opt 132, Playwright): installed");
        return Ok(());
    }
    if output_line("npm", &["--version"]).is_none() {
        return fail("npm is missing: install Node.js 20 with npm");
    }
    note("npm packages (wasm-opt 132, Playwright): installing with npm ci");
    util::run(
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
            .current_dir(&dir),
    )
}

/// Debian's Chromium and ChromeDriver, for the Playwright journeys.
pub fn chromium() -> Result<(), Failure> {
    if Path::new("/usr/bin/chromium").exists() {
        note("chromium: installed");
        return Ok(());
    }
    note("chromium: installing Debian's chromium with apt-get (a minute or two)");
    let sudo = output_line("id", &["-u"]).as_deref() != Some("0");
    let apt = |args: &[&str]| {
        let mut cmd = if sudo {
            let mut c = Command::new("sudo");
            c.arg("apt-get");
            c
        } else {
            Command::new("apt-get")
        };
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        util::run(&mut cmd)
    };
    apt(&["update", "-q"])?;
    apt(&["install", "-y", "-q", "chromium", "chromium-driver"])
}

/// Builds the SPA with Trunk into `dist/` (release, wasm-opt 132), unless it
/// is newer than every source it is built from.
pub fn build_spa(root: &Path, always: bool) -> Result<(), Failure> {
    step("Building the SPA (Trunk, release)");
    let index = root.join("dist/index.html");
    let sources = [
        "src",
        "style",
        "public",
        "index.html",
        "Trunk.toml",
        "Cargo.toml",
        "Cargo.lock",
        ".cargo/config.toml",
        "crates/billing-domain",
    ]
    .map(|p| root.join(p));
    let built = std::fs::metadata(&index).and_then(|m| m.modified()).ok();
    let newest = util::newest_mtime(&sources);
    if !always {
        if let (Some(built), Some(newest)) = (built, newest) {
            if built >= newest {
                note("dist/ is up to date");
                if !root.join("dist/index.html.br").exists() {
                    crate::compress::precompress(&root.join("dist"))?;
                }
                return Ok(());
            }
        }
    }
    let bin = root.join("end2end/node_modules/.bin");
    util::run(
        Command::new("trunk")
            .args(["build", "--release", "--offline"])
            .env("PATH", util::path_with(&bin))
            .env_remove("NO_COLOR")
            .current_dir(root),
    )?;
    if !index.exists() {
        return fail("trunk finished but dist/index.html is missing");
    }
    crate::compress::precompress(&root.join("dist"))?;
    Ok(())
}
