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
    let mut args = vec!["test".to_string(), "--no-run".to_string()];
    for p in packages {
        args.extend(["--package".to_string(), p.clone()]);
    }
    let mut found = cargo_artifacts(&args, release, test_binary)?;
    found.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(found)
}

/// Builds `regmap-cli` for the guest (statically linked, like the tests) and
/// returns the executable: the guest tests run it as a user would.
pub fn build_cli(release: bool) -> Result<PathBuf> {
    let args = ["build", "--package", "regmap-cli", "--bin", "regmap-cli"].map(String::from);
    let mut found = cargo_artifacts(&args, release, |line| bin_artifact(line, "regmap-cli"))?;
    Ok(found.remove(0))
}

/// Runs cargo with `args` for the guest's target and returns what `pick`
/// finds in its JSON messages (at least one).
fn cargo_artifacts<T>(
    args: &[String],
    release: bool,
    pick: impl Fn(&str) -> Option<T>,
) -> Result<Vec<T>> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut rustflags = std::env::var("RUSTFLAGS").unwrap_or_default();
    rustflags.push_str(" -C target-feature=+crt-static");
    let mut cmd = Command::new(cargo);
    cmd.args(args)
        .arg("--message-format=json-render-diagnostics")
        .args(["--target", TARGET])
        .env("RUSTFLAGS", rustflags.trim())
        .stdout(Stdio::piped());
    if release {
        cmd.arg("--release");
    }
    let mut child = cmd
        .spawn()
        .context(|| format!("cannot start `{}`", show(&cmd)))?;
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut found = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.context(|| "reading cargo's messages".to_string())?;
        if let Some(bin) = pick(&line) {
            found.push(bin);
        }
    }
    let status = child.wait().context(|| "waiting for cargo".to_string())?;
    if !status.success() {
        bail!("building for the guest failed: `{}` ({status})", show(&cmd));
    }
    if found.is_empty() {
        bail!("`{}` built no executable", show(&cmd));
    }
    Ok(found)
}

/// The executable of binary target `name` a cargo JSON message announces.
fn bin_artifact(line: &str, name: &str) -> Option<PathBuf> {
    let msg: serde_json::Value = serde_json::from_str(line).ok()?;
    if msg["reason"] != "compiler-artifact" || msg["target"]["name"] != name {
        return None;
    }
    Some(PathBuf::from(msg["executable"].as_str()?))
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
    fn the_cli_executable_is_found_by_target_name() {
        let bin = r#"{"reason":"compiler-artifact","target":{"name":"regmap-cli"},"profile":{"test":false},"executable":"/t/regmap-cli"}"#;
        assert_eq!(
            bin_artifact(bin, "regmap-cli"),
            Some(PathBuf::from("/t/regmap-cli"))
        );
        let lib = r#"{"reason":"compiler-artifact","target":{"name":"regmap_codegen"},"executable":null}"#;
        assert_eq!(bin_artifact(lib, "regmap-cli"), None);
    }

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
