//! Builds the guest test executables: `cargo test --no-run`, statically linked so they
//! run in an initramfs that has no C library.

use crate::error::{Context, Result, bail, show};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The guest's target: always given explicitly, so that `RUSTFLAGS` reach only the
/// test crates and not the build scripts and proc macros, which run on the host.
pub const TARGET: &str = "x86_64-unknown-linux-gnu";

/// One test executable: the name of its test target and its path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestBinary {
    /// Name of the test target (`edu` for `tests/edu.rs`, the crate name for unit tests).
    pub name: String,
    /// The executable.
    pub path: PathBuf,
}

/// Builds every test target of `packages` and returns their executables.
pub fn build(packages: &[String], release: bool) -> Result<Vec<TestBinary>> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut rustflags = std::env::var("RUSTFLAGS").unwrap_or_default();
    rustflags.push_str(" -C target-feature=+crt-static");
    let mut cmd = Command::new(cargo);
    cmd.args([
        "test",
        "--no-run",
        "--message-format=json-render-diagnostics",
    ])
    .args(["--target", TARGET])
    .env("RUSTFLAGS", rustflags.trim())
    .stdout(Stdio::piped());
    if release {
        cmd.arg("--release");
    }
    for p in packages {
        cmd.args(["--package", p]);
    }
    let mut child = cmd
        .spawn()
        .context(|| format!("cannot start `{}`", show(&cmd)))?;
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut found = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.context(|| "reading cargo's messages".to_string())?;
        if let Some(bin) = test_binary(&line) {
            found.push(bin);
        }
    }
    let status = child.wait().context(|| "waiting for cargo".to_string())?;
    if !status.success() {
        bail!(
            "building the guest tests failed: `{}` ({status})",
            show(&cmd)
        );
    }
    if found.is_empty() {
        bail!("`{}` built no test executable", show(&cmd));
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(found)
}

/// The test executable a cargo JSON message announces, if it announces one.
fn test_binary(line: &str) -> Option<TestBinary> {
    let msg: serde_json::Value = serde_json::from_str(line).ok()?;
    if msg["reason"] != "compiler-artifact" || msg["profile"]["test"] != true {
        return None;
    }
    Some(TestBinary {
        name: msg["target"]["name"].as_str()?.to_string(),
        path: PathBuf::from(msg["executable"].as_str()?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_test_artifacts_with_an_executable_count() {
        let test = r#"{"reason":"compiler-artifact","target":{"name":"uio"},"profile":{"test":true},"executable":"/t/uio-1f"}"#;
        assert_eq!(
            test_binary(test),
            Some(TestBinary {
                name: "uio".into(),
                path: "/t/uio-1f".into()
            })
        );
        let lib = r#"{"reason":"compiler-artifact","target":{"name":"x"},"profile":{"test":false},"executable":null}"#;
        assert_eq!(test_binary(lib), None);
        let fresh_lib_test = r#"{"reason":"compiler-artifact","target":{"name":"x"},"profile":{"test":true},"executable":null}"#;
        assert_eq!(test_binary(fresh_lib_test), None);
        assert_eq!(
            test_binary(r#"{"reason":"build-finished","success":true}"#),
            None
        );
        assert_eq!(test_binary("not json"), None);
    }
}
