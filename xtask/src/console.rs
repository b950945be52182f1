//! Reads the guest's serial console: the `/init` markers and libtest's output.
//!
//! The guest `/init` prints one marker per step (`REGMAP-VM: kernel …`, `run NAME`,
//! `exit NAME STATUS`, `done STATUS`); between `run` and `exit`, the test executable
//! prints libtest's usual `test NAME ... ok` lines and its `test result:` summary.

/// What the guest reported.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// `uname -r` and `uname -v` of the guest kernel.
    pub kernel: Option<String>,
    /// Each test executable in the order run.
    pub binaries: Vec<BinaryRun>,
    /// The overall status `/init` computed, once it got that far.
    pub done: Option<i32>,
    /// Setup failures `/init` reported (a module that did not load, say).
    pub errors: Vec<String>,
}

/// One test executable's run in the guest.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct BinaryRun {
    /// Test target name.
    pub name: String,
    /// Each test by name, in the order run.
    pub tests: Vec<(String, Outcome)>,
    /// libtest's own `test result:` counts, if it got that far.
    pub counts: Option<Counts>,
    /// The executable's exit status, if it exited.
    pub exit: Option<i32>,
}

/// A test's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Passed.
    Ok,
    /// Failed.
    Failed,
    /// Not run.
    Ignored,
}

/// libtest's summary counts.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Tests that passed.
    pub passed: u32,
    /// Tests that failed.
    pub failed: u32,
    /// Tests not run.
    pub ignored: u32,
}

const MARKER: &str = "REGMAP-VM: ";

impl Report {
    /// True once `/init` has printed its kernel line: the guest reached userspace.
    pub fn booted(&self) -> bool {
        self.kernel.is_some()
    }

    /// Takes one console line (without its line ending).
    pub fn feed(&mut self, line: &str) {
        let line = line.trim_end_matches('\r');
        if let Some(rest) = line.strip_prefix(MARKER) {
            self.marker(rest);
        } else if let Some(run) = self.binaries.last_mut().filter(|b| b.exit.is_none()) {
            if let Some(test) = parse_test_line(line) {
                run.tests.push(test);
            } else if let Some(counts) = parse_result_line(line) {
                run.counts = Some(counts);
            }
        }
    }

    fn marker(&mut self, rest: &str) {
        let (word, args) = rest.split_once(' ').unwrap_or((rest, ""));
        match word {
            "kernel" => self.kernel = Some(args.to_string()),
            "run" => self.binaries.push(BinaryRun {
                name: args.to_string(),
                ..BinaryRun::default()
            }),
            "exit" => {
                if let Some((name, status)) = args.rsplit_once(' ')
                    && let Some(run) = self.binaries.iter_mut().rev().find(|b| b.name == name)
                {
                    run.exit = status.parse().ok().or(Some(-1));
                }
            }
            "done" => self.done = Some(args.trim().parse().unwrap_or(-1)),
            "error" => self.errors.push(args.to_string()),
            _ => {}
        }
    }

    /// Sum of libtest's counts over every executable.
    pub fn totals(&self) -> Counts {
        self.binaries
            .iter()
            .filter_map(|b| b.counts)
            .fold(Counts::default(), |a, c| Counts {
                passed: a.passed + c.passed,
                failed: a.failed + c.failed,
                ignored: a.ignored + c.ignored,
            })
    }

    /// Why the run does not count as a pass, or `None` when it does: every executable
    /// ran to its summary and exited 0, at least one test passed, none failed.
    pub fn failure(&self) -> Option<String> {
        if !self.booted() {
            return Some("the guest never reached its /init".into());
        }
        if let Some(e) = self.errors.first() {
            return Some(format!("guest setup failed: {e}"));
        }
        if let Some(b) = self.binaries.iter().find(|b| b.exit != Some(0)) {
            return Some(match b.exit {
                Some(s) => format!("test executable `{}` exited with status {s}", b.name),
                None => format!("test executable `{}` never finished", b.name),
            });
        }
        if let Some(b) = self.binaries.iter().find(|b| b.counts.is_none()) {
            return Some(format!("`{}` printed no test summary", b.name));
        }
        match self.done {
            None => return Some("the guest /init did not finish".into()),
            Some(0) => {}
            Some(s) => return Some(format!("the guest /init reported status {s}")),
        }
        let t = self.totals();
        if t.failed > 0 {
            return Some(format!("{} guest tests failed", t.failed));
        }
        if t.passed == 0 {
            return Some("no guest test ran".into());
        }
        None
    }
}

/// `test NAME ... ok` (also `FAILED`, `ignored`, `ignored, REASON`).
fn parse_test_line(line: &str) -> Option<(String, Outcome)> {
    let rest = line.strip_prefix("test ")?;
    let (name, result) = rest.split_once(" ... ")?;
    let outcome = match result.trim() {
        "ok" => Outcome::Ok,
        "FAILED" => Outcome::Failed,
        r if r.starts_with("ignored") => Outcome::Ignored,
        _ => return None,
    };
    Some((name.to_string(), outcome))
}

/// `test result: ok. 3 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; …`
fn parse_result_line(line: &str) -> Option<Counts> {
    let rest = line.strip_prefix("test result: ")?;
    let (_, counts) = rest.split_once(". ")?;
    let mut c = Counts::default();
    for part in counts.split(';') {
        let mut words = part.split_whitespace();
        let (Some(n), Some(what)) = (words.next(), words.next()) else {
            continue;
        };
        let Ok(n) = n.parse() else { continue };
        match what {
            "passed" => c.passed = n,
            "failed" => c.failed = n,
            "ignored" => c.ignored = n,
            _ => {}
        }
    }
    Some(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(text: &str) -> Report {
        let mut r = Report::default();
        for l in text.lines() {
            r.feed(l);
        }
        r
    }

    const PASSING: &str = "\
[    0.000000] Linux version 6.1.0 (quiet boot noise)\r
REGMAP-VM: kernel 6.1.0-56-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2\r
REGMAP-VM: run uio\r
\r
running 2 tests\r
test discovery_by_name ... ok\r
test irq_timeout ... ok\r
\r
test result: ok. 2 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.20s\r
\r
REGMAP-VM: exit uio 0\r
REGMAP-VM: done 0\r
";

    #[test]
    fn passing_run_is_parsed_and_passes() {
        let r = feed(PASSING);
        assert_eq!(
            r.kernel.as_deref(),
            Some("6.1.0-56-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2")
        );
        assert_eq!(r.binaries.len(), 1);
        assert_eq!(
            r.binaries[0].tests,
            vec![
                ("discovery_by_name".to_string(), Outcome::Ok),
                ("irq_timeout".to_string(), Outcome::Ok)
            ]
        );
        assert_eq!(r.totals().passed, 2);
        assert_eq!(r.failure(), None);
    }

    #[test]
    fn failed_test_fails_the_run() {
        let text = PASSING
            .replace("irq_timeout ... ok", "irq_timeout ... FAILED")
            .replace("ok. 2 passed; 0 failed", "FAILED. 1 passed; 1 failed")
            .replace("exit uio 0", "exit uio 101")
            .replace("done 0", "done 1");
        let r = feed(&text);
        assert_eq!(
            r.binaries[0].tests[1],
            ("irq_timeout".into(), Outcome::Failed)
        );
        assert_eq!(r.totals().failed, 1);
        assert_eq!(
            r.failure().as_deref(),
            Some("test executable `uio` exited with status 101")
        );
    }

    #[test]
    fn a_crash_mid_test_is_a_failure() {
        let cut = &PASSING[..PASSING.find("test irq_timeout").unwrap()];
        let r = feed(cut);
        assert_eq!(
            r.failure().as_deref(),
            Some("test executable `uio` never finished")
        );
        assert_eq!(
            feed("Kernel panic - not syncing\n").failure().as_deref(),
            Some("the guest never reached its /init")
        );
    }

    #[test]
    fn zero_tests_is_not_a_pass() {
        let text = PASSING
            .replace("test discovery_by_name ... ok\r\n", "")
            .replace("test irq_timeout ... ok\r\n", "")
            .replace("ok. 2 passed", "ok. 0 passed");
        assert_eq!(feed(&text).failure().as_deref(), Some("no guest test ran"));
    }

    #[test]
    fn ignored_with_reason_and_setup_errors() {
        assert_eq!(
            parse_test_line("test a::b ... ignored, needs edu"),
            Some(("a::b".into(), Outcome::Ignored))
        );
        assert_eq!(parse_test_line("test a ... running"), None);
        let r = feed(&PASSING.replace(
            "REGMAP-VM: run uio",
            "REGMAP-VM: error insmod uio_pci_generic failed\r\nREGMAP-VM: run uio",
        ));
        assert_eq!(
            r.failure().as_deref(),
            Some("guest setup failed: insmod uio_pci_generic failed")
        );
    }
}
