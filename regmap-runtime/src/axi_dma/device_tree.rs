//! The AXI DMA's configuration as the device tree gives it, the way Linux's
//! `xilinx_dma` driver reads it (`Documentation/devicetree/bindings/dma/xilinx/
//! xilinx_dma.txt`): the node's `xlnx,addrwidth`, `xlnx,sg-length-width` and
//! `xlnx,include-sg`, and one child per channel (`xlnx,axi-dma-mm2s-channel`,
//! `xlnx,axi-dma-s2mm-channel`) with `xlnx,include-dre` and `xlnx,datawidth`.
//!
//! Where the tree is silent the reading is the one that asks the least of
//! the IP, never one that could send the engine outside a buffer.

use super::config::{AxiDmaConfig, Channel};
use super::error::AxiDmaError;
use std::path::{Path, PathBuf};

/// The length width the tree's silence stands for: Vivado's default, so a
/// longer transfer is refused by name instead of cut short by the IP.
const DEFAULT_LENGTH_WIDTH: u32 = 14;

/// Parts of compatibles naming IPs with AXI-DMA-like channel nodes whose
/// registers differ.
const OTHER_IPS: &[&str] = &["mcdma", "cdma", "vdma"];

/// The memory-mapped data width (bytes) when the tree does not give it: the
/// widest, so an IP without DRE is never handed a buffer it cannot start on.
const UNKNOWN_DATA_WIDTH: u32 = 128;

impl AxiDmaConfig {
    /// Reads the configuration from the AXI DMA's device-tree node in sysfs
    /// (such as `/sys/class/uio/uio0/device/of_node`).
    ///
    /// - `addr_width`: `xlnx,addrwidth`, else 32 (as Linux reads it).
    /// - `length_width`: `xlnx,sg-length-width`, else 14 (Vivado's default).
    /// - `sg`: whether the node has `xlnx,include-sg` (older trees lack it;
    ///   [`AxiDma::from_uio`](super::AxiDma::from_uio) asks DMASR instead).
    /// - `mm2s`, `s2mm`: whether the node has that channel's child.
    /// - `dre`: whether every present channel has `xlnx,include-dre` and a
    ///   stream no wider than 64 bits (Linux ignores DRE on wider streams).
    /// - `data_width`: the widest of the present channels' memory-mapped
    ///   widths in bits on the node (`xlnx,m-axi-mm2s-data-width` as trees
    ///   with every IP parameter write it, or `xlnx,mm2s-data-width`; likewise
    ///   S2MM); where one is missing, 128 bytes, since the channels'
    ///   `xlnx,datawidth` is the stream's width and cannot say it.
    ///
    /// Cells may be 8, 16 or 32 bits wide. A node whose `compatible` names
    /// an MCDMA, CDMA or VDMA is refused: their channel nodes look alike but
    /// their registers are not PG021's.
    pub fn from_device_tree(node: &Path) -> Result<Self, AxiDmaError> {
        let bad = |path: PathBuf, reason: String| AxiDmaError::DeviceTree { path, reason };
        if !node.is_dir() {
            return Err(bad(node.to_owned(), "no such device-tree node".to_owned()));
        }
        // A `generic-uio` override replaces the IP's own compatible, so its
        // absence proves nothing; but one naming a sibling IP whose channel
        // nodes look like these (MCDMA, CDMA, VDMA) is not a PG021 register map.
        if let Ok(compatible) = std::fs::read(node.join("compatible")) {
            let other = compatible
                .split(|&b| b == 0)
                .filter_map(|c| std::str::from_utf8(c).ok())
                .find(|c| OTHER_IPS.iter().any(|ip| c.contains(ip)));
            if let Some(other) = other {
                return Err(bad(
                    node.join("compatible"),
                    format!(
                        "the node is `{other}`, not an AXI DMA (PG021): its registers are not the ones this driver programs"
                    ),
                ));
            }
        }
        let mut config = AxiDmaConfig {
            length_width: u32_prop(node, "xlnx,sg-length-width")?.unwrap_or(DEFAULT_LENGTH_WIDTH),
            addr_width: u32_prop(node, "xlnx,addrwidth")?.unwrap_or(32),
            data_width: UNKNOWN_DATA_WIDTH,
            dre: true,
            sg: node.join("xlnx,include-sg").exists(),
            mm2s: false,
            s2mm: false,
        };
        let mut mm_width = 0;
        for channel in Channel::BOTH {
            let Some(child) = channel_node(node, channel)? else {
                continue;
            };
            match channel {
                Channel::Mm2s => config.mm2s = true,
                Channel::S2mm => config.s2mm = true,
            }
            let stream_bits = u32_prop(&child, "xlnx,datawidth")?;
            let dre = child.join("xlnx,include-dre").exists();
            config.dre &= dre && stream_bits.is_some_and(|b| b <= 64);
            // Written as `C_M_AXI_*_DATA_WIDTH` by trees with every IP
            // parameter, or by the driver-configuration script's name.
            let params = match channel {
                Channel::Mm2s => ["xlnx,m-axi-mm2s-data-width", "xlnx,mm2s-data-width"],
                Channel::S2mm => ["xlnx,m-axi-s2mm-data-width", "xlnx,s2mm-data-width"],
            };
            let mut bits = None;
            for param in params {
                bits = bits.or(u32_prop(node, param)?);
            }
            match bits {
                Some(bits) => mm_width = mm_width.max(bits / 8),
                None => mm_width = u32::MAX,
            }
        }
        if !config.mm2s && !config.s2mm {
            return Err(bad(
                node.to_owned(),
                "the node has no `xlnx,axi-dma-mm2s-channel` or `xlnx,axi-dma-s2mm-channel` child: it is not an AXI DMA node as Vivado's device-tree generator writes it".to_owned(),
            ));
        }
        if mm_width != u32::MAX {
            config.data_width = mm_width;
        }
        config
            .validate()
            .map_err(|e| bad(node.to_owned(), e.to_string()))?;
        Ok(config)
    }
}

/// The child node of `channel`, found by its `compatible`.
fn channel_node(node: &Path, channel: Channel) -> Result<Option<PathBuf>, AxiDmaError> {
    let want = match channel {
        Channel::Mm2s => "xlnx,axi-dma-mm2s-channel",
        Channel::S2mm => "xlnx,axi-dma-s2mm-channel",
    };
    let entries = std::fs::read_dir(node).map_err(|e| AxiDmaError::DeviceTree {
        path: node.to_owned(),
        reason: format!("cannot list the node: {e}"),
    })?;
    for entry in entries.flatten() {
        let path = entry.path();
        if !path.is_dir() {
            continue;
        }
        // `compatible` is a list of NUL-terminated strings.
        let Ok(compatible) = std::fs::read(path.join("compatible")) else {
            continue;
        };
        if compatible.split(|&b| b == 0).any(|c| c == want.as_bytes()) {
            return Ok(Some(path));
        }
    }
    Ok(None)
}

/// A one-cell property (a big-endian `u32`, or a `/bits/ 8` or `/bits/ 16`
/// value, which some generated trees use for widths), if the node has it.
fn u32_prop(node: &Path, name: &str) -> Result<Option<u32>, AxiDmaError> {
    let path = node.join(name);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(AxiDmaError::DeviceTree {
                path,
                reason: format!("cannot read the property: {e}"),
            });
        }
    };
    match bytes.as_slice() {
        [b] => Ok(Some(u32::from(*b))),
        [a, b] => Ok(Some(u32::from(u16::from_be_bytes([*a, *b])))),
        [a, b, c, d] => Ok(Some(u32::from_be_bytes([*a, *b, *c, *d]))),
        _ => Err(AxiDmaError::DeviceTree {
            path,
            reason: format!(
                "the property holds {} bytes, not one 8-, 16- or 32-bit value",
                bytes.len()
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes a node as sysfs shows it: a directory per node, a file per
    /// property (cells big-endian, booleans empty).
    struct Node(tempfile::TempDir);

    impl Node {
        fn new() -> Self {
            Node(tempfile::tempdir().unwrap())
        }
        fn prop(&self, at: &str, name: &str, value: &[u8]) -> &Self {
            let dir = self.0.path().join(at);
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join(name), value).unwrap();
            self
        }
        fn cell(&self, at: &str, name: &str, value: u32) -> &Self {
            self.prop(at, name, &value.to_be_bytes())
        }
        fn channel(&self, at: &str, kind: &str, bits: u32, dre: bool) -> &Self {
            self.prop(
                at,
                "compatible",
                format!("xlnx,axi-dma-{kind}-channel\0").as_bytes(),
            );
            self.cell(at, "xlnx,datawidth", bits);
            if dre {
                self.prop(at, "xlnx,include-dre", b"");
            }
            self
        }
        fn read(&self) -> Result<AxiDmaConfig, AxiDmaError> {
            AxiDmaConfig::from_device_tree(self.0.path())
        }
    }

    #[test]
    fn a_generated_node_gives_the_ips_configuration() {
        let n = Node::new();
        n.prop("", "compatible", b"xlnx,axi-dma-7.1\0xlnx,axi-dma-1.00.a\0")
            .cell("", "xlnx,addrwidth", 40)
            .cell("", "xlnx,sg-length-width", 26)
            .prop("", "xlnx,include-sg", b"")
            .cell("", "xlnx,m-axi-mm2s-data-width", 64)
            .cell("", "xlnx,m-axi-s2mm-data-width", 32)
            .channel("dma-channel@40400000", "mm2s", 32, false)
            .channel("dma-channel@40400030", "s2mm", 32, false);
        let c = n.read().unwrap();
        assert_eq!(
            c,
            AxiDmaConfig {
                length_width: 26,
                addr_width: 40,
                data_width: 8,
                dre: false,
                sg: true,
                mm2s: true,
                s2mm: true,
            }
        );
    }

    #[test]
    fn other_spellings_of_widths_are_read() {
        let n = Node::new();
        n.prop("", "compatible", b"generic-uio\0")
            .prop("", "xlnx,addrwidth", &[40])
            .cell("", "xlnx,mm2s-data-width", 64)
            .channel("a", "mm2s", 32, false);
        let c = n.read().unwrap();
        assert_eq!((c.addr_width, c.data_width), (40, 8));
    }

    #[test]
    fn silence_reads_as_the_least_the_ip_can_do() {
        let n = Node::new();
        n.channel("dma-channel@40400030", "s2mm", 32, false);
        let c = n.read().unwrap();
        assert_eq!(c.addr_width, 32);
        assert_eq!(c.length_width, DEFAULT_LENGTH_WIDTH);
        // `xlnx,datawidth` is the stream's width, not the memory side's.
        assert_eq!(c.data_width, UNKNOWN_DATA_WIDTH);
        assert_eq!(c.alignment(), 128);
        assert!(!c.sg && !c.mm2s && c.s2mm);
    }

    #[test]
    fn dre_counts_only_when_every_channel_has_it_on_a_narrow_stream() {
        let both = Node::new();
        both.channel("a", "mm2s", 32, true)
            .channel("b", "s2mm", 64, true);
        assert!(both.read().unwrap().dre);
        let one = Node::new();
        one.channel("a", "mm2s", 32, true)
            .channel("b", "s2mm", 32, false);
        assert!(!one.read().unwrap().dre);
        let wide = Node::new();
        wide.channel("a", "mm2s", 128, true);
        assert!(!wide.read().unwrap().dre);
    }

    #[test]
    fn a_node_without_channels_or_with_bad_cells_is_refused_by_path() {
        let none = Node::new();
        none.cell("", "xlnx,addrwidth", 32);
        let err = none.read().unwrap_err().to_string();
        assert!(err.contains("no `xlnx,axi-dma-mm2s-channel`"), "{err}");

        let odd = Node::new();
        odd.channel("a", "mm2s", 32, false)
            .prop("", "xlnx,addrwidth", &[0, 0, 32]);
        let err = odd.read().unwrap_err().to_string();
        assert!(
            err.contains("xlnx,addrwidth: the property holds 3 bytes"),
            "{err}"
        );

        let mcdma = Node::new();
        mcdma.channel("a", "mm2s", 32, false).prop(
            "",
            "compatible",
            b"xlnx,axi-mcdma-1.1\0xlnx,axi-mcdma-1.00.a\0",
        );
        let err = mcdma.read().unwrap_err().to_string();
        assert!(err.contains("not an AXI DMA (PG021)"), "{err}");

        let wide = Node::new();
        wide.channel("a", "mm2s", 32, false)
            .cell("", "xlnx,addrwidth", 65);
        let err = wide.read().unwrap_err().to_string();
        assert!(err.contains("address width 65"), "{err}");

        let err = AxiDmaConfig::from_device_tree(Path::new("/nonexistent/of_node"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("no such device-tree node"), "{err}");
    }
}
