//! Boots the guest in QEMU, streams its serial console and enforces the deadlines.

use crate::console::Report;
use crate::error::{Context, Result, show};
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// Kernel command line. `quiet` keeps the console to our own output; `panic=-1` with
/// QEMU's `-no-reboot` turns a guest panic into a QEMU exit; `hugepages=4` gives four
/// 2 MiB hugetlb pages for DMA buffers; `memmap=4M$0x8000000` reserves 4 MiB of RAM at
/// 128 MiB that the kernel leaves alone and `/dev/mem` may map. All of the guest's RAM
/// stays below 256 MiB, inside edu's default 28-bit DMA mask. `intel_iommu=on` turns
/// the emulated IOMMU on for the VFIO-bound edu; `iommu=pt` leaves every device a host
/// driver owns (the UIO-bound edu) on identity mappings, so its DMA still reaches
/// physical addresses.
pub const KERNEL_ARGS: &str =
    "console=ttyS0 quiet panic=-1 hugepages=4 memmap=4M$0x8000000 intel_iommu=on iommu=pt";

/// Guest RAM: see [`KERNEL_ARGS`] for why it must not exceed 256 MiB.
pub const MEMORY: &str = "256M";

/// How the VM is run.
pub struct Vm<'a> {
    /// Kernel image (ELF vmlinux or bzImage).
    pub kernel: &'a Path,
    /// The initramfs.
    pub initrd: &'a Path,
    /// Arguments handed to the guest's `/init` (after `--` on the kernel command line).
    pub init_args: &'a [String],
    /// Where the console is logged.
    pub log: &'a Path,
    /// Limit from start until `/init` reports in.
    pub boot_timeout: Duration,
    /// Limit for the whole run.
    pub timeout: Duration,
}

/// How the VM run went.
#[derive(Debug)]
pub struct Outcome {
    /// How it ended.
    pub ending: Ending,
    /// Time from QEMU's start until `/init` reported in.
    pub booted_after: Option<Duration>,
    /// Time from QEMU's start until it exited or was killed.
    pub total: Duration,
}

/// How the VM ended.
#[derive(Debug)]
pub enum Ending {
    /// QEMU exited by itself (the guest powered off or crashed).
    Exited(ExitStatus),
    /// Killed: the guest had not reached `/init` within the boot timeout.
    BootTimeout,
    /// Killed: the whole run took longer than the timeout.
    Timeout,
}

enum Line {
    Console(String),
    Qemu(String),
}

impl Vm<'_> {
    fn command(&self) -> Command {
        let mut append = KERNEL_ARGS.to_string();
        if !self.init_args.is_empty() {
            append.push_str(" -- ");
            append.push_str(&self.init_args.join(" "));
        }
        let mut cmd = Command::new("qemu-system-x86_64");
        // TCG: a nested KVM backend cannot run a stock distribution kernel, and TCG
        // boots this small guest in seconds anyway.
        cmd.args(["-machine", "q35", "-accel", "tcg", "-cpu", "max"])
            .args(["-m", MEMORY, "-smp", "1"])
            .args([
                "-nodefaults",
                "-no-user-config",
                "-display",
                "none",
                "-no-reboot",
            ])
            .args([
                "-chardev",
                "stdio,id=console,signal=off",
                "-serial",
                "chardev:console",
            ])
            .arg("-kernel")
            .arg(self.kernel)
            .arg("-initrd")
            .arg(self.initrd)
            .args(["-append", &append])
            // The IOMMU comes first: devices created before it would not sit behind it.
            .args(["-device", "intel-iommu"])
            // Two edu devices: the first (lower address) for UIO, the second for VFIO
            // (the guest's /init binds them).
            .args(["-device", "edu"])
            .args(["-device", "edu"])
            .args(["-object", "memory-backend-ram,id=ivshmem,size=1M"])
            .args(["-device", "ivshmem-plain,memdev=ivshmem"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    /// Boots, feeds every console line to `report` and `echo`, and returns how it ended.
    pub fn run(&self, report: &mut Report, echo: impl FnMut(&str)) -> Result<Outcome> {
        self.watch(self.command(), report, echo)
    }

    /// Runs `cmd` as the VM: its stdout is the console, its stderr QEMU's own
    /// messages; enforces the deadlines.
    fn watch(
        &self,
        mut cmd: Command,
        report: &mut Report,
        mut echo: impl FnMut(&str),
    ) -> Result<Outcome> {
        let mut log =
            File::create(self.log).context(|| format!("creating {}", self.log.display()))?;
        writeln!(log, "$ {}", show(&cmd)).context(|| "writing the console log".to_string())?;
        let start = Instant::now();
        let mut child = cmd
            .spawn()
            .context(|| format!("cannot start `{}`", show(&cmd)))?;
        let (tx, rx) = mpsc::channel();
        let out = child.stdout.take().expect("stdout is piped");
        let err = child.stderr.take().expect("stderr is piped");
        let tx2 = tx.clone();
        let readers = [
            thread::spawn(move || forward(out, &tx, Line::Console)),
            thread::spawn(move || forward(err, &tx2, Line::Qemu)),
        ];
        let mut booted_after = None;
        let ending = loop {
            let (limit, deadline) = if report.booted() {
                (self.timeout, Ending::Timeout)
            } else {
                (self.boot_timeout.min(self.timeout), Ending::BootTimeout)
            };
            let left = limit.saturating_sub(start.elapsed());
            match rx.recv_timeout(left) {
                Ok(Line::Console(l)) => {
                    writeln!(log, "{l}").context(|| "writing the console log".to_string())?;
                    echo(&l);
                    report.feed(&l);
                    if booted_after.is_none() && report.booted() {
                        booted_after = Some(start.elapsed());
                    }
                }
                Ok(Line::Qemu(l)) => {
                    writeln!(log, "qemu: {l}").context(|| "writing the console log".to_string())?;
                    echo(&format!("qemu: {l}"));
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    // Our own child, by handle: nothing else is touched.
                    let _ = child.kill();
                    break deadline;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    break Ending::Exited(child.wait().context(|| "waiting for qemu".to_string())?);
                }
            }
        };
        let _ = child.wait();
        let total = start.elapsed();
        if matches!(ending, Ending::Exited(_)) {
            for r in readers {
                let _ = r.join();
            }
        }
        // After a kill, a reader may still be blocked on a pipe some leftover
        // process holds open; it is left to end with that pipe.
        Ok(Outcome {
            ending,
            booted_after,
            total,
        })
    }
}

/// Sends each line of `input` (lossily decoded, line ending removed) until EOF.
fn forward(input: impl Read, tx: &mpsc::Sender<Line>, wrap: fn(String) -> Line) {
    let mut input = BufReader::new(input);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match input.read_until(b'\n', &mut buf) {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                let text = String::from_utf8_lossy(&buf);
                let line = text.trim_end_matches(['\n', '\r']).to_string();
                if tx.send(wrap(line)).is_err() {
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vm<'a>(log: &'a Path, args: &'a [String], boot: u64, total: u64) -> Vm<'a> {
        Vm {
            kernel: Path::new("/boot/vmlinux"),
            initrd: Path::new("/tmp/initramfs.cpio"),
            init_args: args,
            log,
            boot_timeout: Duration::from_millis(boot),
            timeout: Duration::from_millis(total),
        }
    }

    fn shell(script: &str) -> Command {
        let mut c = Command::new("sh");
        c.args(["-c", script])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    }

    #[test]
    fn command_line_has_the_devices_the_reserved_memory_and_the_init_args() {
        let args = ["--exact".to_string(), "maps::map0".to_string()];
        let log = Path::new("/dev/null");
        let cmd = vm(log, &args, 1, 1).command();
        let argv: Vec<String> = cmd.get_args().map(|a| a.to_string_lossy().into()).collect();
        let after = |flag: &str| -> Vec<&str> {
            argv.windows(2)
                .filter(|w| w[0] == flag)
                .map(|w| w[1].as_str())
                .collect()
        };
        assert_eq!(
            after("-append"),
            [
                "console=ttyS0 quiet panic=-1 hugepages=4 memmap=4M$0x8000000 intel_iommu=on iommu=pt -- --exact maps::map0"
            ]
        );
        // The IOMMU before the devices it translates for; one edu for UIO, one for VFIO.
        assert_eq!(
            after("-device"),
            ["intel-iommu", "edu", "edu", "ivshmem-plain,memdev=ivshmem"]
        );
        assert_eq!(after("-accel"), ["tcg"]);
        assert_eq!(after("-m"), [MEMORY]);
        assert!(argv.iter().any(|a| a == "-no-reboot"));
    }

    #[test]
    fn a_guest_that_never_reaches_init_is_killed_at_the_boot_timeout() {
        let dir = std::env::temp_dir().join(format!("xtask-qemu-{}-boot", std::process::id()));
        let mut report = Report::default();
        let start = std::time::Instant::now();
        let out = vm(&dir, &[], 300, 20_000)
            .watch(shell("echo booting; exec sleep 30"), &mut report, |_| {})
            .unwrap();
        assert!(
            matches!(out.ending, Ending::BootTimeout),
            "{:?}",
            out.ending
        );
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "killed, not waited for"
        );
        assert_eq!(out.booted_after, None);
        let log = std::fs::read_to_string(&dir).unwrap();
        assert!(log.contains("booting"), "{log}");
        let _ = std::fs::remove_file(&dir);
    }

    #[test]
    fn a_guest_that_hangs_after_boot_is_killed_at_the_run_timeout() {
        let dir = std::env::temp_dir().join(format!("xtask-qemu-{}-run", std::process::id()));
        let mut report = Report::default();
        let mut lines = Vec::new();
        let start = std::time::Instant::now();
        let out = vm(&dir, &[], 5_000, 500)
            .watch(
                shell("echo 'REGMAP-VM: kernel 6.1 test'; echo oops >&2; exec sleep 30"),
                &mut report,
                |l| lines.push(l.to_string()),
            )
            .unwrap();
        assert!(matches!(out.ending, Ending::Timeout), "{:?}", out.ending);
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "killed, not waited for"
        );
        assert!(out.booted_after.is_some());
        assert_eq!(report.kernel.as_deref(), Some("6.1 test"));
        assert!(lines.contains(&"qemu: oops".to_string()), "{lines:?}");
        let _ = std::fs::remove_file(&dir);
    }

    #[test]
    fn a_guest_that_powers_off_ends_with_its_exit_status() {
        let dir = std::env::temp_dir().join(format!("xtask-qemu-{}-off", std::process::id()));
        let mut report = Report::default();
        let out = vm(&dir, &[], 5_000, 5_000)
            .watch(
                shell("echo 'REGMAP-VM: kernel k'; echo 'REGMAP-VM: done 0'"),
                &mut report,
                |_| {},
            )
            .unwrap();
        assert!(
            matches!(out.ending, Ending::Exited(s) if s.success()),
            "{:?}",
            out.ending
        );
        assert_eq!(report.done, Some(0));
        let _ = std::fs::remove_file(&dir);
    }
}
