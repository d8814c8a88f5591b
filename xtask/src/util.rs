//! Small helpers: progress lines, running commands, the repository root.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A step that failed, with a sentence saying what to do.
#[derive(Debug)]
pub struct Failure(pub String);

/// Fails with `message`.
pub fn fail<T>(message: impl Into<String>) -> Result<T, Failure> {
    Err(Failure(message.into()))
}

/// The workspace root (the parent of this crate's directory).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives inside the workspace")
        .to_path_buf()
}

/// Prints a progress heading.
pub fn step(what: &str) {
    println!("\n==> {what}");
}

/// Prints a progress detail.
pub fn note(what: &str) {
    println!("    {what}");
}

/// Runs a command to completion with inherited output; fails if it fails.
pub fn run(cmd: &mut Command) -> Result<(), Failure> {
    let shown = format!("{cmd:?}");
    let status = cmd
        .status()
        .map_err(|e| Failure(format!("could not start {shown}: {e}")))?;
    if status.success() {
        Ok(())
    } else {
        fail(format!("{shown} failed ({status})"))
    }
}

/// Runs `cargo ARGS` in `dir`.
pub fn cargo(dir: &Path, args: &[&str]) -> Result<(), Failure> {
    run(Command::new(cargo_bin()).args(args).current_dir(dir))
}

/// The cargo that runs this xtask.
pub fn cargo_bin() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// The first line a command prints on stdout, if it runs and succeeds.
pub fn output_line(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8(out.stdout)
        .ok()?
        .lines()
        .next()
        .map(str::to_string)
}

/// `PATH` with `dir` in front.
pub fn path_with(dir: &Path) -> String {
    let old = std::env::var("PATH").unwrap_or_default();
    format!("{}:{old}", dir.display())
}

/// The newest modification time of any file under `paths` (recursively).
pub fn newest_mtime(paths: &[PathBuf]) -> Option<std::time::SystemTime> {
    let mut newest = None;
    let mut stack: Vec<PathBuf> = paths.to_vec();
    while let Some(p) = stack.pop() {
        let Ok(meta) = std::fs::metadata(&p) else {
            continue;
        };
        if meta.is_dir() {
            if let Ok(entries) = std::fs::read_dir(&p) {
                stack.extend(entries.flatten().map(|e| e.path()));
            }
        } else if let Ok(m) = meta.modified() {
            newest = Some(newest.map_or(m, |n: std::time::SystemTime| n.max(m)));
        }
    }
    newest
}
