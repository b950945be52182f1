//! The guest's operating system from Debian packages: the kernel image, the UIO and
//! VFIO modules and a static busybox, downloaded and unpacked under the cache, never
//! installed.

use crate::debian;
use crate::error::{Context, Result, bail};
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Kernel modules the guest loads, in load order, relative to `lib/modules/<release>/kernel`.
pub const MODULES: &[&str] = &[
    "drivers/uio/uio.ko",
    "drivers/uio/uio_pci_generic.ko",
    "virt/lib/irqbypass.ko",
    "drivers/vfio/vfio.ko",
    "drivers/vfio/vfio_iommu_type1.ko",
    "drivers/vfio/vfio_virqfd.ko",
    "drivers/vfio/pci/vfio-pci-core.ko",
    "drivers/vfio/pci/vfio-pci.ko",
];

/// What is unpacked from the kernel package: the image and the directories of [`MODULES`].
const KERNEL_PATTERNS: &[&str] = &[
    "./boot/vmlinuz-*",
    "./lib/modules/*/kernel/drivers/uio/*",
    "./lib/modules/*/kernel/drivers/vfio/*",
    "./lib/modules/*/kernel/virt/lib/*",
];

/// What the initramfs and the boot need from the host.
#[derive(Debug)]
pub struct GuestOs {
    /// The kernel to boot: an uncompressed ELF vmlinux when it could be extracted
    /// (QEMU boots it through the PVH entry, skipping the slow in-guest decompression),
    /// else the bzImage.
    pub kernel: PathBuf,
    /// The kernel's release string (`uname -r`).
    pub release: String,
    /// Each module of [`MODULES`], uncompressed: (file name, contents).
    pub modules: Vec<(String, Vec<u8>)>,
    /// A statically linked busybox.
    pub busybox: PathBuf,
}

/// Downloads (once) and unpacks (once) the kernel and busybox packages.
///
/// `kernel_package` overrides the package the `linux-image-amd64` metapackage names.
pub fn prepare(cache: &Path, kernel_package: Option<&str>) -> Result<GuestOs> {
    let debs = cache.join("debs");
    let (kpkg, kdeb) = fetch_with_refresh(&debs, || match kernel_package {
        Some(p) => Ok(p.to_string()),
        None => debian::resolve_dependency("linux-image-amd64", "linux-image-"),
    })?;
    let kdir = cache.join(&kpkg);
    // A cache unpacked before a module was added to MODULES is unpacked again.
    let complete = || -> Result<bool> {
        let mods = kdir
            .join("lib/modules")
            .join(single_entry(&kdir.join("lib/modules"))?);
        Ok(MODULES.iter().all(|m| {
            let k = mods.join("kernel").join(m);
            ["", ".xz", ".zst"]
                .iter()
                .any(|ext| PathBuf::from(format!("{}{ext}", k.display())).exists())
        }))
    };
    if !kdir.exists() || !complete().unwrap_or(false) {
        if kdir.exists() {
            fs::remove_dir_all(&kdir).context(|| format!("removing {}", kdir.display()))?;
        }
        eprintln!("vm-test: unpacking {}", kdeb.display());
        debian::unpack(&kdeb, &kdir, KERNEL_PATTERNS)?;
    }
    let release = single_entry(&kdir.join("lib/modules"))?;
    let vmlinuz = kdir.join("boot").join(format!("vmlinuz-{release}"));
    let vmlinux = kdir.join("vmlinux");
    if !vmlinux.exists() {
        let image = fs::read(&vmlinuz).context(|| format!("reading {}", vmlinuz.display()))?;
        if let Some(elf) = extract_vmlinux(&image)? {
            write_atomically(&vmlinux, &elf)?;
        }
    }
    let kernel = if vmlinux.exists() { vmlinux } else { vmlinuz };

    let mod_dir = kdir.join("lib/modules").join(&release).join("kernel");
    let modules = MODULES
        .iter()
        .map(|m| load_module(&mod_dir, m))
        .collect::<Result<Vec<_>>>()?;

    let (_, bdeb) = fetch_with_refresh(&debs, || Ok("busybox-static".to_string()))?;
    let bdir = cache.join("busybox-static");
    if !bdir.exists() {
        debian::unpack(&bdeb, &bdir, &["./bin/busybox"])?;
    }
    Ok(GuestOs {
        kernel,
        release,
        modules,
        busybox: bdir.join("bin/busybox"),
    })
}

/// Resolves and downloads a package; when that fails (stale package lists name a
/// version the archive no longer has), runs `apt-get update` once and tries again.
fn fetch_with_refresh(
    debs: &Path,
    resolve: impl Fn() -> Result<String>,
) -> Result<(String, PathBuf)> {
    let first = resolve().and_then(|p| debian::download(&p, debs).map(|d| (p, d)));
    match first {
        Ok(found) => Ok(found),
        Err(e) => {
            eprintln!("vm-test: {e}; refreshing the package lists and retrying");
            crate::error::run(Command::new("apt-get").args(["update", "-qq"]))?;
            let p = resolve()?;
            let d = debian::download(&p, debs)?;
            Ok((p, d))
        }
    }
}

fn single_entry(dir: &Path) -> Result<String> {
    let mut names = fs::read_dir(dir)
        .context(|| format!("listing {}", dir.display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect::<Vec<_>>();
    names.sort();
    match names.as_slice() {
        [one] => Ok(one.clone()),
        _ => bail!(
            "expected one kernel release in {}, found {names:?}",
            dir.display()
        ),
    }
}

/// Reads a module, decompressing `.ko.xz` / `.ko.zst` as the package ships it.
fn load_module(dir: &Path, rel: &str) -> Result<(String, Vec<u8>)> {
    let name = Path::new(rel)
        .file_name()
        .expect("module paths have a file name")
        .to_string_lossy()
        .into_owned();
    let plain = dir.join(rel);
    if plain.exists() {
        let data = fs::read(&plain).context(|| format!("reading {}", plain.display()))?;
        return Ok((name, data));
    }
    for (ext, tool) in [("xz", "xz"), ("zst", "zstd")] {
        let packed = dir.join(format!("{rel}.{ext}"));
        if packed.exists() {
            let data = fs::read(&packed).context(|| format!("reading {}", packed.display()))?;
            return Ok((name, filter(tool, &["-dcq"], &data)?));
        }
    }
    bail!(
        "module {rel} is not in the kernel package ({})",
        dir.display()
    )
}

/// The ELF image inside a bzImage: its payload is an XZ stream after the setup code.
fn extract_vmlinux(bzimage: &[u8]) -> Result<Option<Vec<u8>>> {
    const XZ_MAGIC: &[u8] = b"\xfd7zXZ\x00";
    for start in bzimage
        .windows(XZ_MAGIC.len())
        .enumerate()
        .filter(|(_, w)| *w == XZ_MAGIC)
        .map(|(i, _)| i)
    {
        // Anything after the stream (the bzImage trailer) is not ours to decode.
        if let Ok(elf) = filter("xz", &["-dcq", "--single-stream"], &bzimage[start..])
            && elf.starts_with(b"\x7fELF")
        {
            return Ok(Some(elf));
        }
    }
    Ok(None)
}

/// Pipes `input` through `tool args` and returns its output.
fn filter(tool: &str, args: &[&str], input: &[u8]) -> Result<Vec<u8>> {
    let mut child = Command::new(tool)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .context(|| format!("starting {tool}"))?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let out = std::thread::scope(|s| {
        // The tool may stop reading early (single stream); a broken pipe is fine then.
        s.spawn(move || {
            let _ = stdin.write_all(input);
        });
        let mut out = Vec::new();
        stdout.read_to_end(&mut out).map(|_| out)
    })
    .context(|| format!("reading {tool}'s output"))?;
    let status = child.wait().context(|| format!("waiting for {tool}"))?;
    if !status.success() {
        bail!("{tool} {} failed ({status})", args.join(" "));
    }
    Ok(out)
}

fn write_atomically(path: &Path, data: &[u8]) -> Result<()> {
    let tmp = crate::error::partial(path);
    fs::write(&tmp, data).context(|| format!("writing {}", tmp.display()))?;
    fs::rename(&tmp, path).context(|| format!("renaming into {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xz(data: &[u8]) -> Vec<u8> {
        filter("xz", &["-c", "--check=crc32"], data).expect("xz is installed")
    }

    #[test]
    fn vmlinux_is_found_after_a_false_magic_and_before_a_trailer() {
        let elf = [b"\x7fELF".as_slice(), &[7u8; 5000]].concat();
        let image = [
            b"setup code \xfd7zXZ\x00 not a stream ".as_slice(),
            &xz(&elf),
            b"bzImage trailer",
        ]
        .concat();
        assert_eq!(extract_vmlinux(&image).unwrap(), Some(elf));
    }

    #[test]
    fn a_payload_that_is_not_elf_is_not_taken() {
        let image = [b"setup".as_slice(), &xz(b"not an ELF image")].concat();
        assert_eq!(extract_vmlinux(&image).unwrap(), None);
        assert_eq!(extract_vmlinux(b"no payload at all").unwrap(), None);
    }

    #[test]
    fn modules_are_read_plain_or_decompressed() {
        let dir = std::env::temp_dir().join(format!("xtask-modules-{}", std::process::id()));
        fs::create_dir_all(dir.join("drivers/uio")).unwrap();
        fs::write(dir.join("drivers/uio/uio.ko"), b"plain module").unwrap();
        fs::write(
            dir.join("drivers/uio/uio_pci_generic.ko.xz"),
            xz(b"packed module"),
        )
        .unwrap();
        let plain = load_module(&dir, "drivers/uio/uio.ko").unwrap();
        let packed = load_module(&dir, "drivers/uio/uio_pci_generic.ko").unwrap();
        let missing = load_module(&dir, "drivers/uio/none.ko");
        fs::remove_dir_all(&dir).unwrap();
        assert_eq!(plain, ("uio.ko".to_string(), b"plain module".to_vec()));
        assert_eq!(
            packed,
            ("uio_pci_generic.ko".to_string(), b"packed module".to_vec())
        );
        assert!(missing.unwrap_err().0.contains("not in the kernel package"));
    }
}
