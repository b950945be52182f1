//! Small readers for sysfs attribute files and directories.

use super::error::DmaError;
use std::path::Path;

/// A sysfs attribute, trimmed.
pub(crate) fn read_attr(path: &Path) -> Result<String, DmaError> {
    std::fs::read_to_string(path)
        .map(|s| s.trim().to_string())
        .map_err(|e| DmaError::io("read", path, e))
}

/// A number as sysfs prints it: `0x`-prefixed hexadecimal or decimal.
pub(crate) fn read_number(path: &Path) -> Result<u64, DmaError> {
    let text = read_attr(path)?;
    crate::sysroot::parse_sysfs_u64(&text).ok_or_else(|| DmaError::BadAttribute {
        path: path.to_path_buf(),
        content: text,
        expected: "a number (0x-prefixed hexadecimal or decimal)",
    })
}

/// Names of the entries of a directory, sorted; empty if it cannot be read.
pub(crate) fn list_dir(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg_attr(miri, ignore)] // sysfs attribute files on disk
    fn numbers_in_both_notations_and_a_clear_error_otherwise() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a");
        std::fs::write(&p, "0x000000003c000000\n").unwrap();
        assert_eq!(read_number(&p).unwrap(), 0x3c00_0000);
        std::fs::write(&p, "1048576\n").unwrap();
        assert_eq!(read_number(&p).unwrap(), 1 << 20);
        std::fs::write(&p, "lots\n").unwrap();
        let err = read_number(&p).unwrap_err();
        assert!(
            err.to_string().ends_with(
                "holds \"lots\", expected a number (0x-prefixed hexadecimal or decimal)"
            ),
            "{err}"
        );
        let err = read_number(&dir.path().join("missing")).unwrap_err();
        assert!(matches!(err, DmaError::Io { op: "read", .. }));
    }
}
