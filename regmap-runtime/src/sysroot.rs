//! [`SysRoot`]: where sysfs and device files live, so tests can use a fake tree.

use crate::error::DeviceError;
use std::path::{Path, PathBuf};

/// The roots under which the runtime looks for sysfs attributes and device
/// files: `/sys` and `/dev` on a real system, a temporary directory in tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SysRoot {
    /// The sysfs root (`/sys`).
    pub sys: PathBuf,
    /// The device-file root (`/dev`).
    pub dev: PathBuf,
}

impl Default for SysRoot {
    fn default() -> Self {
        Self {
            sys: PathBuf::from("/sys"),
            dev: PathBuf::from("/dev"),
        }
    }
}

impl SysRoot {
    /// Roots at `<base>/sys` and `<base>/dev`.
    pub fn under(base: impl AsRef<Path>) -> Self {
        let base = base.as_ref();
        Self {
            sys: base.join("sys"),
            dev: base.join("dev"),
        }
    }
}

/// Reads a sysfs attribute, trimmed.
pub(crate) fn read_attr(path: &Path) -> Result<String, DeviceError> {
    std::fs::read_to_string(path)
        .map(|s| s.trim().to_string())
        .map_err(|e| DeviceError::io("read", path, e))
}

/// A number as sysfs prints it: `0x`-prefixed hexadecimal or decimal.
pub(crate) fn parse_sysfs_u64(text: &str) -> Option<u64> {
    let t = text.trim();
    match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => t.parse().ok(),
    }
}

/// Parses a number as sysfs prints it: `0x`-prefixed hexadecimal or decimal.
pub(crate) fn parse_num(path: &Path, text: &str) -> Result<u64, DeviceError> {
    let t = text.trim();
    parse_sysfs_u64(t).ok_or_else(|| DeviceError::Parse {
        path: path.to_path_buf(),
        content: t.to_string(),
        expected: "a number (0x-prefixed hexadecimal or decimal)",
    })
}

/// Reads a sysfs attribute holding a number.
pub(crate) fn read_num(path: &Path) -> Result<u64, DeviceError> {
    let text = read_attr(path)?;
    parse_num(path, &text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_parse_as_sysfs_prints_them() {
        let p = Path::new("attr");
        assert_eq!(parse_num(p, "0x00000000fea00000\n").unwrap(), 0xfea0_0000);
        assert_eq!(parse_num(p, "4096").unwrap(), 4096);
        let err = parse_num(p, "0xzz").unwrap_err();
        assert!(matches!(err, DeviceError::Parse { ref content, .. } if content == "0xzz"));
    }
}
