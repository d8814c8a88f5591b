//! What the SPA's wasm is made of: each function's code size in the wasm
//! cargo links (before wasm-bindgen and wasm-opt, so its `name` section
//! still names every function), summed by the crate that defines it, and
//! the biggest functions. Where bytes go is measured, not guessed (issue 12):
//! the shares hold for the optimised file too, which is smaller throughout.

use crate::util::{note, Failure};
use std::collections::HashMap;
use std::path::Path;

/// One function of the code section: its name (demangled) and body size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    pub name: String,
    pub size: usize,
}

/// The functions of a wasm module with their names, and its data size.
#[derive(Debug, Default)]
pub struct Profile {
    pub functions: Vec<Function>,
    pub data: usize,
}

/// Prints the crates' shares and the biggest functions of `wasm`.
pub fn print(wasm: &Path) -> Result<(), Failure> {
    let bytes =
        std::fs::read(wasm).map_err(|e| Failure(format!("reading {}: {e}", wasm.display())))?;
    let profile = read(&bytes).ok_or_else(|| {
        Failure(format!(
            "{} is not a wasm module this reader understands",
            wasm.display()
        ))
    })?;
    let code: usize = profile.functions.iter().map(|f| f.size).sum();
    note(&format!(
        "the linked wasm (names kept, before wasm-opt): {} functions, {:.1} KB of code, {:.1} KB of data",
        profile.functions.len(),
        code as f64 / 1024.0,
        profile.data as f64 / 1024.0
    ));
    println!("  {:>9}  {:>6}  crate", "code KB", "share");
    for (krate, size) in by_crate(&profile.functions).into_iter().take(12) {
        println!(
            "  {:>9.1}  {:>5.1}%  {krate}",
            size as f64 / 1024.0,
            100.0 * size as f64 / code.max(1) as f64
        );
    }
    let mut biggest = profile.functions.clone();
    biggest.sort_by_key(|f| std::cmp::Reverse(f.size));
    println!("  {:>9}  biggest functions", "code KB");
    for f in biggest.iter().take(10) {
        let name: String = f.name.chars().take(110).collect();
        println!("  {:>9.1}  {name}", f.size as f64 / 1024.0);
    }
    Ok(())
}

/// Code size by crate, largest first. A function belongs to the crate its
/// path starts with; a trait method (`<T as Trait>::f`) to the crate of
/// its type `T`, where most of its code comes from, or to the trait's
/// crate when `T` is a type parameter.
pub fn by_crate(functions: &[Function]) -> Vec<(String, usize)> {
    let mut sizes: HashMap<String, usize> = HashMap::new();
    for f in functions {
        *sizes.entry(crate_of(&f.name)).or_default() += f.size;
    }
    let mut sizes: Vec<_> = sizes.into_iter().collect();
    sizes.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    sizes
}

fn crate_of(name: &str) -> String {
    let path = name.trim_start_matches(['<', '&', '*', '_']);
    let path = path.strip_prefix("mut ").unwrap_or(path);
    let end = path
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(path.len());
    match &path[..end] {
        "" => "(other)".into(),
        // A type parameter, a closure or a vtable shim of no crate.
        krate if krate.len() == 1 && krate.chars().all(|c| c.is_ascii_uppercase()) => {
            match name.split_once(" as ") {
                Some((_, tr)) => crate_of(tr),
                None => "(other)".into(),
            }
        }
        krate => krate.into(),
    }
}

/// Reads the code section's function sizes and the `name` section's
/// function names; `None` if `bytes` is not a wasm module.
pub fn read(bytes: &[u8]) -> Option<Profile> {
    if bytes.get(..4)? != b"\0asm" {
        return None;
    }
    let mut at = 8;
    let mut imported = 0usize;
    let mut sizes = Vec::new();
    let mut names: HashMap<usize, String> = HashMap::new();
    let mut data = 0;
    while at < bytes.len() {
        let id = *bytes.get(at)?;
        at += 1;
        let len = leb(bytes, &mut at)? as usize;
        let section = bytes.get(at..at + len)?;
        at += len;
        match id {
            0 => read_names(section, &mut names)?,
            2 => imported = imported_functions(section)?,
            10 => {
                let mut p = 0;
                for _ in 0..leb(section, &mut p)? {
                    let size = leb(section, &mut p)? as usize;
                    sizes.push(size);
                    p += size;
                }
            }
            11 => data = len,
            _ => {}
        }
    }
    let functions = sizes
        .into_iter()
        .enumerate()
        .map(|(i, size)| Function {
            name: names
                .remove(&(imported + i))
                .map(|n| format!("{:#}", rustc_demangle::demangle(&n)))
                .unwrap_or_else(|| format!("function {}", imported + i)),
            size,
        })
        .collect();
    Some(Profile { functions, data })
}

/// The `name` custom section's function names (subsection 1), by index.
fn read_names(section: &[u8], names: &mut HashMap<usize, String>) -> Option<()> {
    let mut p = 0;
    let len = leb(section, &mut p)? as usize;
    if section.get(p..p + len)? != b"name" {
        return Some(());
    }
    p += len;
    while p < section.len() {
        let sub = *section.get(p)?;
        p += 1;
        let len = leb(section, &mut p)? as usize;
        let body = section.get(p..p + len)?;
        p += len;
        if sub == 1 {
            let mut q = 0;
            for _ in 0..leb(body, &mut q)? {
                let index = leb(body, &mut q)? as usize;
                let n = leb(body, &mut q)? as usize;
                let name = String::from_utf8_lossy(body.get(q..q + n)?).into_owned();
                q += n;
                names.insert(index, name);
            }
        }
    }
    Some(())
}

/// How many of the imports are functions: they come first in the index
/// space the names refer to.
fn imported_functions(section: &[u8]) -> Option<usize> {
    let mut p = 0;
    let mut functions = 0;
    for _ in 0..leb(section, &mut p)? {
        for _ in 0..2 {
            let n = leb(section, &mut p)? as usize;
            p += n;
        }
        let kind = *section.get(p)?;
        p += 1;
        match kind {
            0 => {
                leb(section, &mut p)?;
                functions += 1;
            }
            1 => {
                p += 1; // the table's element type
                limits(section, &mut p)?;
            }
            2 => limits(section, &mut p)?,
            3 => p += 2, // a global's type and mutability
            4 => {
                p += 1; // a tag's attribute
                leb(section, &mut p)?;
            }
            _ => return None,
        }
    }
    Some(functions)
}

fn limits(bytes: &[u8], p: &mut usize) -> Option<()> {
    let flags = *bytes.get(*p)?;
    *p += 1;
    leb(bytes, p)?;
    if flags & 1 == 1 {
        leb(bytes, p)?;
    }
    Some(())
}

/// An unsigned LEB128 number at `p`, which moves past it.
fn leb(bytes: &[u8], p: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    let mut shift = 0;
    loop {
        let byte = *bytes.get(*p)?;
        *p += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return Some(value);
        }
        shift += 7;
        if shift > 63 {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(id: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![id, body.len() as u8];
        out.extend_from_slice(body);
        out
    }

    /// A module importing one function and defining two of 3 and 5 bytes,
    /// named by mangled Rust paths.
    fn module() -> Vec<u8> {
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        // One import: "m"."f", a function of type 0.
        wasm.extend(section(2, &[1, 1, b'm', 1, b'f', 0, 0]));
        wasm.extend(section(10, &[2, 3, 0, 0x41, 0x0b, 5, 0, 1, 1, 1, 0x0b]));
        wasm.extend(section(11, &[0, 0, 0, 0]));
        let first = b"_ZN5serde2de4next17h0123456789abcdefE";
        let second = b"_ZN14billing_portal4main17h0123456789abcdefE";
        let mut names = vec![2];
        names.extend([1, first.len() as u8]);
        names.extend_from_slice(first);
        names.extend([2, second.len() as u8]);
        names.extend_from_slice(second);
        let mut custom = vec![4];
        custom.extend_from_slice(b"name");
        custom.extend([1, names.len() as u8]);
        custom.extend(names);
        wasm.extend(section(0, &custom));
        wasm
    }

    #[test]
    fn functions_are_sized_and_named_past_the_imports() {
        let profile = read(&module()).expect("a wasm module");
        assert_eq!(
            profile.functions,
            vec![
                Function {
                    name: "serde::de::next".into(),
                    size: 3
                },
                Function {
                    name: "billing_portal::main".into(),
                    size: 5
                },
            ]
        );
        assert_eq!(profile.data, 4);
        assert!(read(b"not wasm").is_none());
    }

    #[test]
    fn code_is_summed_by_the_crate_of_the_path_or_of_the_implementing_type() {
        let f = |name: &str, size| Function {
            name: name.into(),
            size,
        };
        let functions = [
            f("serde_json::de::from_str", 10),
            f(
                "<serde_json::de::Deserializer<R> as serde::Deserializer>::any",
                5,
            ),
            f("<T as tachys::view::any_view::IntoAny>::into_any", 7),
            f("tachys::html::element::build", 1),
            f("core::fmt::write", 2),
        ];
        assert_eq!(
            by_crate(&functions),
            vec![
                ("serde_json".to_string(), 15),
                ("tachys".to_string(), 8),
                ("core".to_string(), 2),
            ]
        );
    }
}
