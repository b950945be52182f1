//! One driver per device: the runtime's exclusive lock on the UIO device file.

use regmap_runtime::{DeviceError, Uio};
use regmap_vm_tests::open_edu;
use std::ffi::{CStr, CString};

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn a_second_open_is_refused_until_the_first_is_dropped() {
    let first = open_edu();
    let n = first.info().number;
    match Uio::open(n) {
        Err(DeviceError::Busy { path }) => assert_eq!(path, first.info().dev_path),
        other => panic!("expected Busy, got {other:?}"),
    }
    drop(first);
    Uio::open(n).expect("free again once the first opener is gone");
}

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn a_mapped_window_keeps_the_device_locked() {
    let uio = open_edu();
    let n = uio.info().number;
    let window = uio.map(0).unwrap();
    drop(uio);
    assert!(matches!(Uio::open(n), Err(DeviceError::Busy { .. })));
    drop(window);
    Uio::open(n).expect("free once the window is gone too");
}

/// Tries an exclusive non-blocking flock on `path` (raw system calls only, as
/// after a fork in a multi-threaded process): 1 if it got the lock, 0 if another
/// holder refused it, 2 if the open failed. The descriptor stays open.
fn try_lock(path: &CStr) -> u8 {
    // SAFETY: a NUL-terminated path.
    let fd = unsafe { libc::open(path.as_ptr(), libc::O_RDWR) };
    if fd < 0 {
        return 2;
    }
    // SAFETY: flock on the descriptor just opened.
    u8::from(unsafe { libc::flock(fd, libc::LOCK_EX | libc::LOCK_NB) } == 0)
}

/// A child process that tries to lock `path`, reports the outcome (see
/// [`try_lock`]) on a pipe, and, if it got the lock, holds it until the parent
/// drops the returned [`Locker`].
struct Locker {
    pid: libc::pid_t,
    report: libc::c_int,
    go: libc::c_int,
}

impl Locker {
    fn spawn(path: &CStr) -> Self {
        let mut report = [0; 2];
        let mut go = [0; 2];
        // SAFETY: two valid 2-element arrays for pipe() to fill.
        assert_eq!(unsafe { libc::pipe(report.as_mut_ptr()) }, 0);
        // SAFETY: as above.
        assert_eq!(unsafe { libc::pipe(go.as_mut_ptr()) }, 0);
        // SAFETY: the child below makes only system calls and ends with _exit.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0, "fork failed");
        if pid == 0 {
            // SAFETY: system calls on our own descriptors and a local byte; the
            // child never returns into the test harness.
            unsafe {
                libc::close(report[0]);
                libc::close(go[1]);
                let got = try_lock(path);
                libc::write(report[1], (&got as *const u8).cast(), 1);
                if got == 1 {
                    let mut b = 0u8;
                    // Returns (EOF) when the parent closes its end.
                    libc::read(go[0], (&mut b as *mut u8).cast(), 1);
                }
                libc::_exit(0);
            }
        }
        // SAFETY: the child's ends, not needed here.
        unsafe {
            libc::close(report[1]);
            libc::close(go[0]);
        }
        Self {
            pid,
            report: report[0],
            go: go[1],
        }
    }

    /// The child's outcome, once it has one.
    fn outcome(&self) -> u8 {
        let mut b = 0u8;
        // SAFETY: reads at most one byte into a local from our pipe end.
        let n = unsafe { libc::read(self.report, (&mut b as *mut u8).cast(), 1) };
        assert_eq!(n, 1, "the child reported nothing");
        b
    }
}

impl Drop for Locker {
    fn drop(&mut self) {
        let mut status = 0;
        // SAFETY: closing our pipe ends releases the child; then we reap our own child.
        unsafe {
            libc::close(self.go);
            libc::close(self.report);
            libc::waitpid(self.pid, &mut status, 0);
        }
    }
}

#[test]
#[ignore = "needs the QEMU edu device: run `cargo xtask vm-test`"]
fn another_process_and_this_one_exclude_each_other() {
    let uio = open_edu();
    let n = uio.info().number;
    let path = CString::new(uio.info().dev_path.as_os_str().as_encoded_bytes()).unwrap();

    // This process holds the device: another process's lock attempt is refused.
    let other = Locker::spawn(&path);
    assert_eq!(
        other.outcome(),
        0,
        "the other process got the lock this one holds"
    );
    drop(other);
    drop(uio);

    // Another process holds it (any flock user, not only this runtime): refused here.
    let other = Locker::spawn(&path);
    assert_eq!(other.outcome(), 1, "the other process got the free lock");
    assert!(matches!(Uio::open(n), Err(DeviceError::Busy { .. })));
    drop(other);
    Uio::open(n).expect("free once the other process is gone");
}
