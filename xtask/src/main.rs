//! Project automation, run as `cargo xtask <command>`.
//!
//! `cargo xtask vm-test` runs the real-kernel tests: it boots a Debian kernel in QEMU
//! with QEMU's `edu` PCI device bound to `uio_pci_generic` and runs the guest test
//! crates' `#[test]`s inside it. Its exit status is the guest tests' result.
//!
//! Steps, one module each: [`debian`] installs QEMU on the host and fetches packages,
//! [`guest_os`] unpacks the guest kernel, modules and busybox, [`guest_tests`] builds
//! the static test executables, [`initramfs`] packs them with the guest `/init`,
//! [`qemu`] boots and watches the console, and [`console`] reads the results off it.

mod console;
mod debian;
mod error;
mod guest_os;
mod guest_tests;
mod initramfs;
mod qemu;

use clap::{Parser, Subcommand};
use console::{Outcome, Report};
use error::{Context, Result, bail, output};
use initramfs::Initramfs;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

/// The guest's `/init`.
const GUEST_INIT: &str = include_str!("../guest/init");

#[derive(Parser)]
#[command(about = "regmap project automation")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run the guest tests inside a Debian kernel in QEMU, against the emulated `edu` device.
    VmTest(VmTest),
}

#[derive(clap::Args)]
struct VmTest {
    /// Crates whose tests run in the guest.
    #[arg(short, long = "package", default_value = "regmap-vm-tests")]
    packages: Vec<String>,
    /// Build the guest tests without optimisation.
    #[arg(long)]
    debug: bool,
    /// Seconds from QEMU's start until the guest's /init must report in.
    #[arg(long, default_value_t = 60)]
    boot_timeout: u64,
    /// Seconds the whole VM run may take.
    #[arg(long, default_value_t = 300)]
    timeout: u64,
    /// Debian kernel package to boot (default: the one `linux-image-amd64` names).
    #[arg(long)]
    kernel_package: Option<String>,
    /// Fail instead of installing missing host packages with apt.
    #[arg(long)]
    no_install: bool,
    /// Arguments for every guest test executable (a test name filter, say).
    #[arg(last = true)]
    test_args: Vec<String>,
}

fn main() -> ExitCode {
    let Cmd::VmTest(args) = Cli::parse().command;
    match vm_test(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("vm-test: error: {e}");
            ExitCode::from(2)
        }
    }
}

fn vm_test(args: &VmTest) -> Result<ExitCode> {
    if let Some(a) = args
        .test_args
        .iter()
        .find(|a| a.is_empty() || a.contains(char::is_whitespace))
    {
        bail!("guest test argument {a:?} cannot pass through the kernel command line (no spaces)");
    }
    let start = Instant::now();
    let step = |what: &str| eprintln!("vm-test: {what} ({:.1}s)", start.elapsed().as_secs_f64());
    let cache = target_dir()?.join("vm-test");
    fs::create_dir_all(&cache).context(|| format!("creating {}", cache.display()))?;

    debian::ensure_tools(&cache, !args.no_install)?;
    let qemu_version = output(Command::new("qemu-system-x86_64").arg("--version"))?;
    step(&format!(
        "host tools ready: {}",
        qemu_version.lines().next().unwrap_or("qemu (no version)")
    ));
    let os = guest_os::prepare(&cache, args.kernel_package.as_deref())?;
    step(&format!("guest kernel {} ready", os.release));
    let tests = guest_tests::build(&args.packages, !args.debug)?;
    let cli = guest_tests::build_cli(!args.debug)?;
    step(&format!(
        "{} guest test executables and regmap-cli built",
        tests.len()
    ));
    let initrd = cache.join("initramfs.cpio");
    write_initramfs(&initrd, &os, &tests, &cli)?;
    step("initramfs written");

    let log = cache.join("console.log");
    let vm = qemu::Vm {
        kernel: &os.kernel,
        initrd: &initrd,
        init_args: &args.test_args,
        log: &log,
        boot_timeout: Duration::from_secs(args.boot_timeout),
        timeout: Duration::from_secs(args.timeout),
    };
    let mut report = Report::default();
    let run = vm.run(&mut report, |line| println!("{line}"))?;

    println!();
    println!(
        "vm-test: guest kernel {}",
        report.kernel.as_deref().unwrap_or("(never reported)")
    );
    for b in &report.binaries {
        for (name, outcome) in &b.tests {
            let word = match outcome {
                Outcome::Ok => "ok",
                Outcome::Failed => "FAILED",
                Outcome::Ignored => "ignored",
            };
            println!("vm-test:   {word:7} {}::{name}", b.name);
        }
    }
    let failure = match run.ending {
        qemu::Ending::BootTimeout => Some(format!(
            "killed QEMU: the guest did not reach /init within {}s",
            args.boot_timeout
        )),
        qemu::Ending::Timeout => Some(format!(
            "killed QEMU: the guest run exceeded {}s",
            args.timeout
        )),
        qemu::Ending::Exited(status) => report.failure().map(|f| format!("{f} (QEMU {status})")),
    };
    let t = report.totals();
    let booted = run
        .booted_after
        .map_or("never".to_string(), |d| format!("{:.1}s", d.as_secs_f64()));
    println!(
        "vm-test: guest /init after {booted}, VM ran {:.1}s, whole run {:.1}s",
        run.total.as_secs_f64(),
        start.elapsed().as_secs_f64()
    );
    println!("vm-test: {} passed, {} failed", t.passed, t.failed);
    match failure {
        None => Ok(ExitCode::SUCCESS),
        Some(why) => {
            println!("vm-test: FAILED: {why}");
            println!("vm-test: console log kept at {}", log.display());
            Ok(ExitCode::FAILURE)
        }
    }
}

/// The workspace's target directory (honours `CARGO_TARGET_DIR` and cargo config).
fn target_dir() -> Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let meta =
        output(Command::new(cargo).args(["metadata", "--no-deps", "--format-version", "1"]))?;
    let meta: serde_json::Value =
        serde_json::from_str(&meta).context(|| "parsing `cargo metadata`".to_string())?;
    match meta["target_directory"].as_str() {
        Some(dir) => Ok(PathBuf::from(dir)),
        None => bail!("`cargo metadata` names no target directory"),
    }
}

/// Packs busybox, the modules, `/init`, the test executables and
/// `/bin/regmap-cli` (which the guest tests of the command line run).
fn write_initramfs(
    path: &Path,
    os: &guest_os::GuestOs,
    tests: &[guest_tests::TestBinary],
    cli: &Path,
) -> Result<()> {
    let file = File::create(path).context(|| format!("creating {}", path.display()))?;
    let mut a = Initramfs::new(BufWriter::new(file));
    for d in [
        "/bin",
        "/dev",
        "/proc",
        "/sys",
        "/tmp",
        "/lib",
        "/lib/modules",
        "/tests",
    ] {
        a.dir(d, 0o755)?;
    }
    // The kernel opens /dev/console for /init before devtmpfs is mounted.
    a.char_device("/dev/console", 0o600, 5, 1)?;
    a.symlink("/sbin", "bin")?;
    a.file("/init", 0o755, GUEST_INIT.as_bytes())?;

    let busybox = fs::read(&os.busybox).context(|| format!("reading {}", os.busybox.display()))?;
    a.file("/bin/busybox", 0o755, &busybox)?;
    let applets = output(Command::new(&os.busybox).arg("--list"))?;
    for applet in applets
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && *l != "busybox")
    {
        a.symlink(&format!("/bin/{applet}"), "busybox")?;
    }
    let cli = fs::read(cli).context(|| format!("reading {}", cli.display()))?;
    a.file("/bin/regmap-cli", 0o755, &cli)?;
    for (name, data) in &os.modules {
        a.file(&format!("/lib/modules/{name}"), 0o644, data)?;
    }
    let mut used = std::collections::BTreeSet::new();
    for t in tests {
        let mut name = t.name.clone();
        while !used.insert(name.clone()) {
            name.push('_');
        }
        let data = fs::read(&t.path).context(|| format!("reading {}", t.path.display()))?;
        a.file(&format!("/tests/{name}"), 0o755, &data)?;
    }
    a.finish()?
        .flush()
        .context(|| format!("writing {}", path.display()))
}
