//! Precompressing the built SPA: a brotli (`.br`) and a gzip (`.gz`) file
//! beside each text or wasm asset in `dist/`, so the API's file server
//! sends them with `Content-Encoding` and never compresses per request.

use crate::util::{note, Failure};
use std::io::Write;
use std::path::Path;

/// The extensions worth compressing (images such as PNG are already).
const COMPRESSIBLE: [&str; 6] = ["html", "js", "wasm", "css", "svg", "json"];

/// Writes `NAME.br` and `NAME.gz` beside every compressible file of `dist`.
/// Returns the raw and brotli sizes in bytes.
pub fn precompress(dist: &Path) -> Result<(u64, u64), Failure> {
    let entries =
        std::fs::read_dir(dist).map_err(|e| Failure(format!("reading {}: {e}", dist.display())))?;
    let (mut raw, mut br) = (0, 0);
    for path in entries.flatten().map(|e| e.path()) {
        let compressible = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| COMPRESSIBLE.contains(&e));
        if !path.is_file() || !compressible {
            continue;
        }
        let bytes = std::fs::read(&path)
            .map_err(|e| Failure(format!("reading {}: {e}", path.display())))?;
        let brotli = brotli_of(&bytes)?;
        let gzip = gzip_of(&bytes)?;
        write(&path, "br", &brotli)?;
        write(&path, "gz", &gzip)?;
        raw += bytes.len() as u64;
        br += brotli.len() as u64;
    }
    note(&format!(
        "precompressed dist/: {:.1} KB raw, {:.1} KB brotli",
        raw as f64 / 1024.0,
        br as f64 / 1024.0
    ));
    Ok((raw, br))
}

fn brotli_of(bytes: &[u8]) -> Result<Vec<u8>, Failure> {
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 64 * 1024, 11, 22);
        w.write_all(bytes)
            .map_err(|e| Failure(format!("brotli: {e}")))?;
    }
    Ok(out)
}

fn gzip_of(bytes: &[u8]) -> Result<Vec<u8>, Failure> {
    let mut w = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    w.write_all(bytes)
        .map_err(|e| Failure(format!("gzip: {e}")))?;
    w.finish().map_err(|e| Failure(format!("gzip: {e}")))
}

fn write(path: &Path, ext: &str, bytes: &[u8]) -> Result<(), Failure> {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(ext);
    std::fs::write(&name, bytes).map_err(|e| Failure(format!("writing {name:?}: {e}")))
}
