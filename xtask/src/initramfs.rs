//! The guest's root file system: a newc cpio archive the kernel unpacks into RAM.
//!
//! Uncompressed on purpose: the guest runs under TCG, where decompressing costs
//! more than reading the few extra megabytes.

use crate::error::{Context, Result};
use cpio::newc::{Builder, ModeFileType};
use std::io::Write;

/// Writes an initramfs entry by entry; `finish` adds the trailer.
pub struct Initramfs<W: Write> {
    out: Option<W>,
    next_ino: u32,
}

impl<W: Write> Initramfs<W> {
    /// Starts an archive on `out`.
    pub fn new(out: W) -> Self {
        Self {
            out: Some(out),
            next_ino: 1,
        }
    }

    /// Metadata shared by every entry: owned by root, a fresh inode number.
    fn builder(&mut self, path: &str, file_type: ModeFileType, perm: u32) -> Builder {
        let ino = self.next_ino;
        self.next_ino += 1;
        Builder::new(path.trim_start_matches('/'))
            .ino(ino)
            .uid(0)
            .gid(0)
            .mode(perm)
            .set_mode_file_type(file_type)
    }

    fn put(&mut self, path: &str, builder: Builder, data: &[u8]) -> Result<()> {
        let size = u32::try_from(data.len())
            .context(|| format!("{path} is too large for a cpio archive"))?;
        let out = self.out.take().expect("archive already finished");
        let mut w = builder.write(out, size);
        w.write_all(data).context(|| format!("writing {path}"))?;
        self.out = Some(w.finish().context(|| format!("writing {path}"))?);
        Ok(())
    }

    /// A directory.
    pub fn dir(&mut self, path: &str, perm: u32) -> Result<()> {
        let b = self.builder(path, ModeFileType::Directory, perm).nlink(2);
        self.put(path, b, &[])
    }

    /// A regular file.
    pub fn file(&mut self, path: &str, perm: u32, data: &[u8]) -> Result<()> {
        let b = self.builder(path, ModeFileType::Regular, perm);
        self.put(path, b, data)
    }

    /// A symbolic link to `target`.
    pub fn symlink(&mut self, path: &str, target: &str) -> Result<()> {
        let b = self.builder(path, ModeFileType::Symlink, 0o777);
        self.put(path, b, target.as_bytes())
    }

    /// A character device node.
    pub fn char_device(&mut self, path: &str, perm: u32, major: u32, minor: u32) -> Result<()> {
        let b = self
            .builder(path, ModeFileType::Char, perm)
            .rdev_major(major)
            .rdev_minor(minor);
        self.put(path, b, &[])
    }

    /// Writes the trailer and returns the output.
    pub fn finish(mut self) -> Result<W> {
        let out = self.out.take().expect("archive already finished");
        cpio::newc::trailer(out).context(|| "writing the cpio trailer".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn entries_read_back_with_type_mode_and_contents() {
        let mut a = Initramfs::new(Vec::new());
        a.dir("/bin", 0o755).unwrap();
        a.file("/init", 0o755, b"#!/bin/sh\n").unwrap();
        a.symlink("/bin/sh", "busybox").unwrap();
        a.char_device("/dev/console", 0o600, 5, 1).unwrap();
        let bytes = a.finish().unwrap();

        let mut seen = Vec::new();
        let mut rest: &[u8] = &bytes;
        loop {
            let mut r = cpio::newc::Reader::new(rest).unwrap();
            if r.entry().is_trailer() {
                break;
            }
            let e = r.entry();
            let head = (
                e.name().to_string(),
                e.mode(),
                e.rdev_major(),
                e.rdev_minor(),
            );
            let mut data = Vec::new();
            r.read_to_end(&mut data).unwrap();
            seen.push((head, data));
            rest = r.finish().unwrap();
        }
        assert_eq!(
            seen,
            vec![
                (("bin".into(), 0o040755, 0, 0), vec![]),
                (("init".into(), 0o100755, 0, 0), b"#!/bin/sh\n".to_vec()),
                (("bin/sh".into(), 0o120777, 0, 0), b"busybox".to_vec()),
                (("dev/console".into(), 0o020600, 5, 1), vec![]),
            ]
        );
    }
}
