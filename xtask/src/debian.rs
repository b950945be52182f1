//! Debian packages on the host: `qemu-system-x86` is installed (once), everything the
//! guest needs (kernel, busybox) is only downloaded and unpacked under the cache.

use crate::error::{Context, Result, bail, output, run, show};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Host tools the harness runs, with the Debian package that provides each.
const TOOLS: &[(&str, &str)] = &[
    ("qemu-system-x86_64", "qemu-system-x86"),
    ("xz", "xz-utils"),
    ("dpkg-deb", "dpkg"),
    ("tar", "tar"),
];

/// Makes sure every host tool runs, installing the missing ones with apt.
pub fn ensure_tools(cache: &Path, allow_install: bool) -> Result<()> {
    let missing: Vec<&str> = TOOLS
        .iter()
        .filter(|(tool, _)| !runs(tool))
        .map(|&(_, pkg)| pkg)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    if !allow_install {
        bail!(
            "missing host packages: {} (install them, or run without --no-install)",
            missing.join(" ")
        );
    }
    let mut apt = Command::new("apt-get");
    // A qemu from backports already on the machine (qemu-utils, say) Breaks the stable
    // qemu-system-common: installing stable qemu-system-x86 would remove it. Take qemu
    // from backports too then, through a private source list, and never remove anything.
    let backports = if missing.contains(&"qemu-system-x86") {
        installed_from_backports("qemu-*")?
    } else {
        None
    };
    if let Some(suite) = &backports {
        let opts = private_backports_sources(cache, suite)?;
        eprintln!("vm-test: installed qemu packages come from {suite}; taking qemu from there too");
        run(Command::new("apt-get").args(&opts).args(["update", "-qq"]))?;
        apt.args(&opts).args(["-t", suite]);
    } else if !missing.iter().all(|p| apt_knows(p)) {
        run(Command::new("apt-get").args(["update", "-qq"]))?;
    }
    apt.env("DEBIAN_FRONTEND", "noninteractive").args([
        "install",
        "-y",
        "-q",
        "--no-install-recommends",
        "--no-remove",
    ]);
    apt.args(&missing);
    eprintln!("vm-test: installing {}", missing.join(" "));
    run(&mut apt).context(|| "installing host packages (are you root?)".to_string())?;
    for (tool, pkg) in TOOLS {
        if !runs(tool) {
            bail!("`{tool}` still does not run after installing {pkg}");
        }
    }
    Ok(())
}

fn runs(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn apt_knows(pkg: &str) -> bool {
    output(Command::new("apt-cache").args(["policy", pkg]))
        .is_ok_and(|s| s.contains("Candidate:") && !s.contains("Candidate: (none)"))
}

/// The backports suite (`bookworm-backports`) if an installed package matching
/// `pattern` came from it.
fn installed_from_backports(pattern: &str) -> Result<Option<String>> {
    let listing = Command::new("dpkg-query")
        .args([
            "-W",
            "-f=${db:Status-Abbrev} ${Package} ${Version}\n",
            pattern,
        ])
        .output()
        .context(|| "running dpkg-query".to_string())?;
    let from_bpo = String::from_utf8_lossy(&listing.stdout)
        .lines()
        .any(|l| l.starts_with("ii ") && l.contains("~bpo"));
    if !from_bpo {
        return Ok(None);
    }
    let os = fs::read_to_string("/etc/os-release").unwrap_or_default();
    let Some(codename) = os_release_value(&os, "VERSION_CODENAME") else {
        bail!("a qemu package from backports is installed, but /etc/os-release names no codename")
    };
    Ok(Some(format!("{codename}-backports")))
}

fn os_release_value(text: &str, key: &str) -> Option<String> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v.trim_matches('"').to_string())
        .filter(|v| !v.is_empty())
}

/// apt options for a private copy of the machine's Debian sources plus `suite`, with
/// their own lists: `/etc/apt` and the machine's lists stay untouched.
fn private_backports_sources(cache: &Path, suite: &str) -> Result<Vec<String>> {
    let dir = cache.join("apt-backports");
    let parts = dir.join("sources.list.d");
    for d in [
        &parts,
        &dir.join("lists/partial"),
        &dir.join("archives/partial"),
    ] {
        fs::create_dir_all(d).context(|| format!("creating {}", d.display()))?;
    }
    let deb822 = Path::new("/etc/apt/sources.list.d/debian.sources");
    let mirror = if deb822.exists() {
        let text =
            fs::read_to_string(deb822).context(|| format!("reading {}", deb822.display()))?;
        fs::write(parts.join("debian.sources"), &text)
            .context(|| "copying debian.sources".to_string())?;
        first_debian_mirror_deb822(&text)
    } else {
        let text = fs::read_to_string("/etc/apt/sources.list").unwrap_or_default();
        let debian: String = text
            .lines()
            .filter(|l| l.starts_with("deb ") && l.contains("/debian"))
            .map(|l| format!("{l}\n"))
            .collect();
        fs::write(parts.join("debian.list"), &debian)
            .context(|| "copying sources.list".to_string())?;
        first_debian_mirror_one_line(&debian)
    };
    let mirror = mirror.unwrap_or_else(|| "http://deb.debian.org/debian".to_string());
    let list = dir.join("backports.list");
    fs::write(&list, format!("deb {mirror} {suite} main\n"))
        .context(|| format!("writing {}", list.display()))?;
    let p = |p: &Path| p.display().to_string();
    Ok(vec![
        "-o".into(),
        format!("Dir::Etc::sourcelist={}", p(&list)),
        "-o".into(),
        format!("Dir::Etc::sourceparts={}", p(&parts)),
        "-o".into(),
        format!("Dir::State::lists={}", p(&dir.join("lists"))),
        "-o".into(),
        format!("Dir::Cache::archives={}", p(&dir.join("archives"))),
        // The binary caches would otherwise be rebuilt from our lists for everyone.
        "-o".into(),
        "Dir::Cache::pkgcache=".into(),
        "-o".into(),
        "Dir::Cache::srcpkgcache=".into(),
        "-o".into(),
        "APT::Sandbox::User=root".into(),
    ])
}

/// The first archive (not security) mirror in a deb822 sources file.
fn first_debian_mirror_deb822(text: &str) -> Option<String> {
    text.split("\n\n").find_map(|stanza| {
        let field = |name: &str| {
            stanza
                .lines()
                .find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_string()))
        };
        let uri = field("URIs:")?;
        (!uri.contains("security")).then(|| uri.split_whitespace().next().unwrap_or("").to_string())
    })
}

fn first_debian_mirror_one_line(text: &str) -> Option<String> {
    text.lines()
        .filter(|l| !l.contains("security"))
        .find_map(|l| l.split_whitespace().find(|w| w.contains("://")))
        .map(str::to_string)
}

/// The package `meta` (a metapackage such as `linux-image-amd64`) currently depends on.
pub fn resolve_dependency(meta: &str, prefix: &str) -> Result<String> {
    let text = output(Command::new("apt-cache").args(["depends", meta]))?;
    match parse_first_dependency(&text, prefix) {
        Some(p) => Ok(p),
        None => {
            bail!(
                "`apt-cache depends {meta}` names no `{prefix}*` package: run `apt-get update`, \
                 or name the kernel package with --kernel-package (on a distribution without {meta})"
            )
        }
    }
}

fn parse_first_dependency(text: &str, prefix: &str) -> Option<String> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("Depends:"))
        .map(str::trim)
        .find(|p| p.starts_with(prefix))
        .map(str::to_string)
}

/// Downloads `pkg`'s .deb into `dir` (reused when already there) without installing it.
pub fn download(pkg: &str, dir: &Path) -> Result<PathBuf> {
    if let Some(deb) = cached_deb(pkg, dir)? {
        return Ok(deb);
    }
    fs::create_dir_all(dir).context(|| format!("creating {}", dir.display()))?;
    let mut cmd = Command::new("apt-get");
    cmd.current_dir(dir)
        .args(["-q", "-o", "APT::Sandbox::User=root", "download", pkg]);
    eprintln!("vm-test: {}", show(&cmd));
    run(&mut cmd)?;
    match cached_deb(pkg, dir)? {
        Some(deb) => Ok(deb),
        None => bail!(
            "apt-get download {pkg} left no {pkg}_*.deb in {}",
            dir.display()
        ),
    }
}

fn cached_deb(pkg: &str, dir: &Path) -> Result<Option<PathBuf>> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(None);
    };
    let prefix = format!("{pkg}_");
    for e in entries {
        let e = e.context(|| format!("listing {}", dir.display()))?;
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with(&prefix) && name.ends_with(".deb") {
            return Ok(Some(e.path()));
        }
    }
    Ok(None)
}

/// Unpacks the members of `deb` matching `patterns` (tar wildcards such as
/// `./boot/*`) into `dest`, atomically: `dest` exists only once everything is there.
pub fn unpack(deb: &Path, dest: &Path, patterns: &[&str]) -> Result<()> {
    let tmp = crate::error::partial(dest);
    if tmp.exists() {
        fs::remove_dir_all(&tmp).context(|| format!("removing {}", tmp.display()))?;
    }
    fs::create_dir_all(&tmp).context(|| format!("creating {}", tmp.display()))?;
    let mut dpkg = Command::new("dpkg-deb")
        .arg("--fsys-tarfile")
        .arg(deb)
        .stdout(Stdio::piped())
        .spawn()
        .context(|| "starting dpkg-deb".to_string())?;
    let tar_in = dpkg.stdout.take().expect("stdout is piped");
    let mut tar = Command::new("tar");
    tar.arg("-x")
        .arg("-C")
        .arg(&tmp)
        .arg("--wildcards")
        .args(patterns)
        .stdin(tar_in);
    let tar_result = run(&mut tar);
    let dpkg_status = dpkg.wait().context(|| "waiting for dpkg-deb".to_string())?;
    tar_result?;
    if !dpkg_status.success() {
        bail!(
            "dpkg-deb --fsys-tarfile {} failed ({dpkg_status})",
            deb.display()
        );
    }
    fs::rename(&tmp, dest).context(|| format!("renaming into {}", dest.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependency_of_the_kernel_metapackage() {
        let text = "linux-image-amd64\n  Depends: linux-image-6.1.0-56-amd64\n  Depends: other\n";
        assert_eq!(
            parse_first_dependency(text, "linux-image-").as_deref(),
            Some("linux-image-6.1.0-56-amd64")
        );
        assert_eq!(parse_first_dependency(text, "busybox"), None);
    }

    #[test]
    fn archive_mirror_skips_security() {
        let deb822 = "Types: deb\nURIs: http://sec.example/debian-security\nSuites: bookworm-security\n\n\
                      Types: deb\nURIs: http://mirror.example/debian\nSuites: bookworm\n";
        assert_eq!(
            first_debian_mirror_deb822(deb822).as_deref(),
            Some("http://mirror.example/debian")
        );
        let one_line = "deb http://sec.example/debian-security bookworm-security main\n\
                        deb [arch=amd64] http://mirror.example/debian bookworm main\n";
        assert_eq!(
            first_debian_mirror_one_line(one_line).as_deref(),
            Some("http://mirror.example/debian")
        );
    }

    #[test]
    fn codename_from_os_release() {
        let os = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nVERSION_CODENAME=bookworm\n";
        assert_eq!(
            os_release_value(os, "VERSION_CODENAME").as_deref(),
            Some("bookworm")
        );
        assert_eq!(
            os_release_value("VERSION_CODENAME=\n", "VERSION_CODENAME"),
            None
        );
    }
}
