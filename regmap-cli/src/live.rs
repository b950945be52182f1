//! `read`, `write`, `modify`, `dump`, `watch` and `list`: a device's registers
//! by name, from a register map or a design file, over any window the runtime
//! opens.

use regmap_codegen::ir;
use regmap_runtime::desc::{Access, BlockDesc, EnumValueDesc, FieldDesc, RegisterDesc};
use regmap_runtime::live::{DumpEntry, Live, LiveError, Reading, resolve};
use regmap_runtime::uio::UioInfo;
use regmap_runtime::{DevMem, FileWindow, MappedWindow, PciDevice, SysRoot, Uio};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Where the registers are: one of the windows, or (for a design file) found
/// from the instance's base address.
#[derive(clap::Args, Debug, Clone)]
pub struct WindowArgs {
    /// A plain file holding the registers from its first byte (tests, offline dumps).
    #[arg(long, value_name = "PATH", group = "window")]
    file: Option<PathBuf>,
    /// A UIO device, by name (`axi_dma_0`) or number (`uio3`).
    #[arg(long, value_name = "NAME", group = "window")]
    uio: Option<String>,
    /// The UIO map holding the registers.
    #[arg(long = "map", value_name = "N", default_value_t = 0, requires = "uio")]
    uio_map: usize,
    /// Physical base address, mapped through /dev/mem (root; you vouch that
    /// device registers live there). Without BASE, a design instance's base
    /// address as its design file gives it.
    #[arg(long, value_name = "BASE", value_parser = parse_u64, group = "window", num_args = 0..=1)]
    devmem: Option<Option<u64>>,
    /// A PCI function (`0000:01:00.0` or `01:00.0`); its BAR is mapped through sysfs.
    #[arg(long, value_name = "BDF", group = "window", requires = "bar")]
    pci: Option<String>,
    /// The BAR of `--pci` holding the registers.
    #[arg(long, value_name = "N", requires = "pci")]
    bar: Option<usize>,
    /// Print JSON (one document; `watch`: one object per line).
    #[arg(long)]
    pub json: bool,
    /// Root of the sysfs and /dev trees (a fake tree in tests).
    #[arg(long, hide = true, value_name = "DIR")]
    sysroot: Option<PathBuf>,
}

impl WindowArgs {
    fn root(&self) -> SysRoot {
        root(self.sysroot.as_deref())
    }
}

/// Options of `list`.
#[derive(clap::Args, Debug, Clone)]
pub struct ListArgs {
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// Root of the sysfs and /dev trees (a fake tree in tests).
    #[arg(long, hide = true, value_name = "DIR")]
    sysroot: Option<PathBuf>,
}

fn root(base: Option<&Path>) -> SysRoot {
    base.map(SysRoot::under).unwrap_or_default()
}

fn parse_u64(s: &str) -> Result<u64, String> {
    regmap_runtime::live::parse_number(s).ok_or_else(|| format!("`{s}` is not a number"))
}

/// A command's failure: the message, printed as `error: ...`.
pub type Failure = String;

/// A loaded map: its blocks as descriptions, and the design's instances.
struct Loaded {
    blocks: Vec<&'static BlockDesc>,
    instances: Vec<(String, usize, u64)>,
}

/// The block a path starts in, the rest of the path, and the instance's base.
struct Located<'p> {
    block: &'static BlockDesc,
    rest: &'p str,
    instance: Option<(String, u64)>,
}

fn load(map: &Path) -> Result<Loaded, Failure> {
    let design = if regmap_codegen::import::is_design_file(map) {
        crate::load_design(map).ok_or_else(|| format!("`{}` does not load", map.display()))?
    } else {
        let (design, report) = regmap_codegen::check_yaml_file(map);
        match design {
            Some(d) if !report.has_errors() => d,
            _ => {
                eprint!("{}", report.render(crate::color()));
                return Err(format!("`{}` does not load", map.display()));
            }
        }
    };
    let blocks: Vec<&'static BlockDesc> = design.blocks.iter().map(describe).collect();
    let instances = design
        .instances
        .iter()
        .filter_map(|i| {
            let idx = blocks.iter().position(|b| b.name == i.block.value)?;
            Some((i.name.value.clone(), idx, i.base.value))
        })
        .collect();
    Ok(Loaded { blocks, instances })
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_owned().into_boxed_str())
}

fn access(a: ir::Access) -> Access {
    match a {
        ir::Access::ReadWrite => Access::ReadWrite,
        ir::Access::ReadOnly => Access::ReadOnly,
        ir::Access::WriteOnly => Access::WriteOnly,
        ir::Access::OneToClear => Access::OneToClear,
        ir::Access::OneToSet => Access::OneToSet,
        ir::Access::OneToToggle => Access::OneToToggle,
        ir::Access::ZeroToClear => Access::ZeroToClear,
        ir::Access::ZeroToSet => Access::ZeroToSet,
        ir::Access::ReadToClear => Access::ReadToClear,
        ir::Access::ReadToSet => Access::ReadToSet,
    }
}

/// The runtime description of a checked block, as the generator would emit
/// it. Leaked: the process lives for one command.
fn describe(block: &ir::Block) -> &'static BlockDesc {
    let mut registers = Vec::new();
    expand(block, &block.items, "", 0, &mut registers);
    registers.sort_by_key(|r: &RegisterDesc| r.offset);
    Box::leak(Box::new(BlockDesc {
        name: leak(&block.name.value),
        size: usize::try_from(block.size.value).unwrap_or(usize::MAX),
        registers: Box::leak(registers.into_boxed_slice()),
        description: leak(first_line(block.description.as_deref())),
    }))
}

fn first_line(d: Option<&str>) -> &str {
    d.and_then(|d| d.lines().next()).unwrap_or("").trim()
}

fn fields(block: &ir::Block, r: &ir::Register) -> &'static [FieldDesc] {
    if r.fields.is_empty() {
        let f = FieldDesc::new(
            leak(&r.name.value),
            0,
            r.width.value.bits(),
            access(r.access.value),
            &[],
            leak(first_line(r.description.as_deref())),
        );
        return Box::leak(Box::new([f]));
    }
    let mut out: Vec<FieldDesc> = r
        .fields
        .iter()
        .map(|f| {
            let e = match &f.enumeration {
                None => None,
                Some(ir::EnumRef::Inline(e)) => Some(e),
                Some(ir::EnumRef::Named(n)) => block.enums.iter().find(|e| e.name.value == n.value),
            };
            let values: &'static [EnumValueDesc] = match e {
                None => &[],
                Some(e) => Box::leak(
                    e.variants
                        .iter()
                        .map(|v| EnumValueDesc {
                            name: leak(&v.name.value),
                            value: v.value.value,
                        })
                        .collect::<Vec<_>>()
                        .into_boxed_slice(),
                ),
            };
            FieldDesc::new(
                leak(&f.name.value),
                f.lsb,
                f.width(),
                access(f.access.value),
                values,
                leak(first_line(f.description.as_deref())),
            )
        })
        .collect();
    out.sort_by_key(|f| f.lsb);
    Box::leak(out.into_boxed_slice())
}

fn expand(
    block: &ir::Block,
    items: &[ir::Item],
    prefix: &str,
    base: u64,
    out: &mut Vec<RegisterDesc>,
) {
    for item in items {
        let (offset, array) = match item {
            ir::Item::Register(r) => (r.offset.value, r.array.as_ref()),
            ir::Item::Cluster(c) => (c.offset.value, c.array.as_ref()),
        };
        let name = &item.name().value;
        let elements: Vec<(String, u64)> = match array {
            None => vec![(format!("{prefix}{name}"), base + offset)],
            Some(a) => (0..a.count.value)
                .map(|i| {
                    (
                        format!("{prefix}{name}[{i}]"),
                        base + offset + i * a.stride.value,
                    )
                })
                .collect(),
        };
        match item {
            ir::Item::Register(r) => {
                let fields = fields(block, r);
                let description = leak(first_line(r.description.as_deref()));
                for (full, at) in elements {
                    out.push(RegisterDesc {
                        name: leak(&full),
                        offset: usize::try_from(at).unwrap_or(usize::MAX),
                        width: r.width.value.bytes() as usize,
                        reset: r.reset.value,
                        fields,
                        description,
                    });
                }
            }
            ir::Item::Cluster(c) => {
                for (full, at) in elements {
                    expand(block, &c.items, &format!("{full}."), at, out);
                }
            }
        }
    }
}

impl Loaded {
    /// Splits `path` into the block (or instance) it names and the rest.
    fn locate<'p>(&self, path: &'p str) -> Result<Located<'p>, Failure> {
        if !self.instances.is_empty() {
            let (head, rest) = path.split_once('.').unwrap_or((path, ""));
            return match self
                .instances
                .iter()
                .find(|(n, _, _)| n.eq_ignore_ascii_case(head))
            {
                Some((name, idx, base)) => Ok(Located {
                    block: self.blocks[*idx],
                    rest,
                    instance: Some((name.clone(), *base)),
                }),
                None => {
                    let names: Vec<&str> = self.instances.iter().map(|i| i.0.as_str()).collect();
                    Err(format!(
                        "the design has no instance `{head}`; it has {}",
                        names.join(", ")
                    ))
                }
            };
        }
        if let [block] = self.blocks[..] {
            // The block's name may lead the path, as an instance's would.
            let rest = match path.split_once('.') {
                Some((head, rest))
                    if head.eq_ignore_ascii_case(block.name) && resolve(block, path).is_err() =>
                {
                    rest
                }
                _ => path,
            };
            return Ok(Located {
                block,
                rest,
                instance: None,
            });
        }
        let (head, rest) = path.split_once('.').unwrap_or((path, ""));
        match self
            .blocks
            .iter()
            .find(|b| b.name.eq_ignore_ascii_case(head))
        {
            Some(block) => Ok(Located {
                block,
                rest,
                instance: None,
            }),
            None => Err(format!(
                "the map has several blocks; start the path with one of {}",
                self.blocks
                    .iter()
                    .map(|b| b.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }
}

const UIO_HINT: &str = "hint: a device-tree node gets a UIO device with `compatible = \"generic-uio\"` \
and uio_pdrv_genirq told to take it (kernel command line `uio_pdrv_genirq.of_id=generic-uio`, or \
`modprobe uio_pdrv_genirq of_id=generic-uio`); a PCI function gets one when bound to uio_pci_generic \
(`modprobe uio_pci_generic; echo VVVV DDDD > /sys/bus/pci/drivers/uio_pci_generic/new_id`). \
`regmap-cli list` shows what exists.";

const PCI_HINT: &str = "hint: `lspci -D` shows the functions' addresses; `regmap-cli list` shows them with their BARs.";

const UDMABUF_HINT: &str = "hint: u-dma-buf devices appear once the module is loaded (`modprobe u-dma-buf udmabuf0=1048576`, or a device-tree node with `compatible = \"ikwzm,u-dma-buf\"`).";

/// Opens the window the arguments name, for `block` (and its instance).
fn open(args: &WindowArgs, at: &Located<'_>) -> Result<MappedWindow, Failure> {
    let root = args.root();
    let size = at.block.size;
    if let Some(path) = &args.file {
        return FileWindow::open(path, size).map_err(|e| e.to_string());
    }
    if let Some(name) = &args.uio {
        return open_uio(&root, name, args.uio_map);
    }
    if let Some(base) = args.devmem {
        let base = match (base, &at.instance) {
            (Some(base), _) => base,
            (None, Some((_, base))) => *base,
            (None, None) => {
                return Err(
                    "--devmem without BASE maps a design instance at its design file's address; for a block map give the base, such as --devmem 0x43c00000".into(),
                );
            }
        };
        return devmem(&root, base, size);
    }
    if let Some(bdf) = &args.pci {
        let bdf = if bdf.matches(':').count() == 1 {
            format!("0000:{bdf}")
        } else {
            bdf.clone()
        };
        let dev = PciDevice::open_in(&root, &bdf).map_err(|e| format!("{e}\n{PCI_HINT}"))?;
        return dev
            .map_bar(args.bar.unwrap_or(0))
            .map_err(|e| e.to_string());
    }
    let Some((name, base)) = &at.instance else {
        return Err(
            "no window: give --file PATH, --uio NAME, --devmem BASE or --pci BDF --bar N".into(),
        );
    };
    // A design instance: the UIO device named like it or mapping its base.
    // Never /dev/mem unasked: that is the user's word that registers live at
    // the design file's address, which `--devmem` gives.
    let all = regmap_runtime::uio::list(&root).map_err(|e| e.to_string())?;
    let found = all
        .iter()
        .find(|u| u.name.eq_ignore_ascii_case(name))
        .or_else(|| {
            all.iter().find(|u| {
                u.maps
                    .iter()
                    .any(|m| m.addr + m.offset == *base || m.addr == *base)
            })
        });
    if let Some(u) = found {
        let map = u
            .maps
            .iter()
            .position(|m| m.addr + m.offset == *base || m.addr == *base)
            .unwrap_or(0);
        return open_uio(&root, &format!("uio{}", u.number), map);
    }
    Err(format!(
        "no UIO device is named `{name}` or maps {base:#x} (UIO devices: {})\n{UIO_HINT}\nhint: `--devmem` maps {base:#x} through /dev/mem instead (root; by passing it you vouch that the design file's address holds the block's registers)",
        if all.is_empty() {
            "none".to_string()
        } else {
            all.iter()
                .map(UioInfo::label)
                .collect::<Vec<_>>()
                .join(", ")
        }
    ))
}

fn open_uio(root: &SysRoot, name: &str, map: usize) -> Result<MappedWindow, Failure> {
    let by_number = name.strip_prefix("uio").and_then(|n| n.parse::<u32>().ok());
    let uio = match Uio::open_by_name_in(root, name) {
        Ok(u) => Ok(u),
        Err(e) => match by_number {
            Some(n) => Uio::open_in(root, n),
            None => Err(e),
        },
    }
    .map_err(|e| format!("{e}\n{UIO_HINT}"))?;
    uio.map(map).map_err(|e| e.to_string())
}

fn devmem(root: &SysRoot, base: u64, size: usize) -> Result<MappedWindow, Failure> {
    // SAFETY: the user named this physical range (`--devmem`, or a design
    // file placing the instance there) as the block's device registers; the
    // flag's help says so. The CLI hands out no references into it.
    unsafe { DevMem::map_in(root, base, size) }.map_err(|e| e.to_string())
}

/// One located path with its window open.
struct Session<'p> {
    at: Located<'p>,
    window: MappedWindow,
}

fn session<'p>(map: &Path, path: &'p str, args: &WindowArgs) -> Result<Session<'p>, Failure> {
    let loaded = load(map)?;
    let at = loaded.locate(path)?;
    let window = open(args, &at)?;
    Ok(Session { at, window })
}

fn err(e: LiveError) -> Failure {
    e.to_string()
}

fn reading_json(r: &Reading) -> Value {
    let reg = r.register;
    json!({
        "register": reg.name,
        "offset": reg.offset,
        "width": reg.width,
        "value": r.value,
        "fields": r.fields.iter().map(|f| json!({
            "name": f.desc.name,
            "lsb": f.desc.lsb,
            "width": f.desc.width,
            "access": f.desc.access.short_name(),
            "value": f.value,
            "enum": f.name,
            "pending": f.pending,
        })).collect::<Vec<_>>(),
    })
}

fn print_json(v: &Value) {
    println!("{v}");
}

/// `read MAP PATH`.
pub fn read(map: &Path, path: &str, side_effects: bool, args: &WindowArgs) -> Result<(), Failure> {
    let s = session(map, path, args)?;
    let live = Live::new(s.at.block, &s.window);
    let target = live.resolve(s.at.rest).map_err(err)?;
    let reading = live
        .read_register(target.register, side_effects)
        .map_err(err)?;
    match target.field {
        Some(f) => {
            let fv = reading
                .fields
                .iter()
                .find(|v| v.desc.name == f.name)
                .ok_or_else(|| {
                    format!(
                        "field `{}` of `{}` is write-only",
                        f.name, target.register.name
                    )
                })?;
            if args.json {
                let mut v = reading_json(&reading);
                v["field"] = json!({
                    "name": f.name, "value": fv.value, "enum": fv.name, "pending": fv.pending,
                });
                print_json(&v);
            } else {
                let mut line = format!("{}.{} = {:#x}", target.register.name, f.name, fv.value);
                if let Some(n) = fv.name {
                    line += &format!(" ({n})");
                }
                if fv.pending {
                    line += " pending";
                }
                println!("{line}");
            }
        }
        None if args.json => print_json(&reading_json(&reading)),
        None => println!("{reading}"),
    }
    Ok(())
}

/// `write MAP PATH VALUE|FIELD=VALUE...` and `modify MAP PATH FIELD=VALUE...`.
pub fn write(
    map: &Path,
    path: &str,
    values: &[String],
    modify: bool,
    args: &WindowArgs,
) -> Result<(), Failure> {
    let s = session(map, path, args)?;
    let live = Live::new(s.at.block, &s.window);
    let target = live.resolve(s.at.rest).map_err(err)?;
    let reg = target.register;
    let pairs: Vec<(&str, &str)> = values
        .iter()
        .filter_map(|v| v.split_once('='))
        .map(|(f, v)| (f.trim(), v.trim()))
        .collect();
    let raw: Vec<&String> = values.iter().filter(|v| !v.contains('=')).collect();
    let reg_path = reg.name;
    let written = match (target.field, raw.as_slice(), pairs.is_empty()) {
        // `REG.FIELD VALUE`: that field alone.
        (Some(f), [v], true) => {
            let one = [(f.name, v.as_str())];
            if modify {
                live.modify(reg_path, &one)
            } else {
                live.write(reg_path, &one)
            }
        }
        (None, [v], true) if !modify => {
            let value = regmap_runtime::live::parse_number(v)
                .ok_or_else(|| format!("`{v}` is not a number (for a field, write FIELD=VALUE)"))?;
            live.write_raw(reg_path, value)
        }
        (None, [], false) => {
            if modify {
                live.modify(reg_path, &pairs)
            } else {
                live.write(reg_path, &pairs)
            }
        }
        _ => {
            return Err(if modify {
                format!("`modify {path}` takes FIELD=VALUE pairs (or REG.FIELD VALUE)")
            } else {
                format!(
                    "`write {path}` takes one raw VALUE or FIELD=VALUE pairs (or REG.FIELD VALUE)"
                )
            });
        }
    }
    .map_err(err)?;
    if args.json {
        print_json(&json!({"register": reg.name, "offset": reg.offset, "written": written}));
    } else {
        println!(
            "{} @ {:#06x} <- {:#0w$x}",
            reg.name,
            reg.offset,
            written,
            w = reg.width * 2 + 2
        );
    }
    Ok(())
}

/// `dump MAP [INSTANCE]`.
pub fn dump(
    map: &Path,
    instance: Option<&str>,
    side_effects: bool,
    args: &WindowArgs,
) -> Result<(), Failure> {
    let loaded = load(map)?;
    let prefix = match instance {
        Some(i) => i.to_string(),
        None if loaded.instances.len() == 1 => loaded.instances[0].0.clone(),
        None if loaded.instances.is_empty() && loaded.blocks.len() == 1 => String::new(),
        None => return Err("name the instance (or block) to dump".into()),
    };
    // A located empty path: the block (instance) alone.
    let at = if prefix.is_empty() {
        Located {
            block: loaded.blocks[0],
            rest: "",
            instance: None,
        }
    } else {
        loaded.locate(&prefix)?
    };
    let window = open(args, &at)?;
    let live = Live::new(at.block, &window);
    let entries = live.dump(side_effects).map_err(err)?;
    if args.json {
        let regs: Vec<Value> = entries
            .iter()
            .map(|e| match e {
                DumpEntry::Read(r) => reading_json(r),
                DumpEntry::Skipped { register, reason } => json!({
                    "register": register.name, "offset": register.offset,
                    "width": register.width, "skipped": reason,
                }),
            })
            .collect();
        print_json(&json!({"block": at.block.name, "registers": regs}));
        return Ok(());
    }
    for e in &entries {
        match e {
            DumpEntry::Read(r) => println!("{r}"),
            DumpEntry::Skipped { register, reason } => println!(
                "{} @ {:#06x} not read ({reason}{})",
                register.name,
                register.offset,
                if *reason == "write-only" {
                    ""
                } else {
                    "; --side-effects reads it"
                }
            ),
        }
    }
    Ok(())
}

/// `watch MAP PATH... --interval MS [--count N]`.
pub fn watch(
    map: &Path,
    paths: &[String],
    interval: Duration,
    count: Option<u64>,
    side_effects: bool,
    args: &WindowArgs,
) -> Result<(), Failure> {
    let loaded = load(map)?;
    let first = paths.first().map(String::as_str).unwrap_or("");
    let only_instance = match &loaded.instances[..] {
        [(name, _, _)] => Some(name.clone()),
        _ => None,
    };
    let at = if paths.is_empty() {
        match (&only_instance, &loaded.blocks[..]) {
            (Some(name), _) => loaded.locate(name)?,
            (None, [block]) if loaded.instances.is_empty() => Located {
                block,
                rest: "",
                instance: None,
            },
            _ => return Err("name the registers to watch".into()),
        }
    } else {
        loaded.locate(first)?
    };
    let window = open(args, &at)?;
    let live = Live::new(at.block, &window);
    let mut regs: Vec<&'static RegisterDesc> = Vec::new();
    let whole = |regs: &mut Vec<&'static RegisterDesc>| {
        regs.extend(
            at.block
                .registers
                .iter()
                .filter(|r| regmap_runtime::live::check_readable(r, side_effects).is_ok()),
        );
    };
    if paths.is_empty() {
        whole(&mut regs);
    }
    for p in paths {
        let here = loaded.locate(p)?;
        if here.block.name != at.block.name || here.instance != at.instance {
            return Err(format!("`{p}` is not in the same block as `{first}`"));
        }
        if here.rest.is_empty() {
            whole(&mut regs);
            continue;
        }
        let r = live.resolve(here.rest).map_err(err)?.register;
        regmap_runtime::live::check_readable(r, side_effects).map_err(err)?;
        regs.push(r);
    }
    let start = Instant::now();
    let mut last: Vec<Option<u64>> = vec![None; regs.len()];
    let mut sample = 0u64;
    loop {
        let t = start.elapsed().as_secs_f64();
        for (r, old) in regs.iter().zip(last.iter_mut()) {
            let reading = live.read_register(r, side_effects).map_err(err)?;
            if *old == Some(reading.value) {
                continue;
            }
            if args.json {
                let mut v = reading_json(&reading);
                v["t"] = json!(t);
                v["sample"] = json!(sample);
                print_json(&v);
            } else {
                print_change(t, r, *old, &reading);
            }
            *old = Some(reading.value);
        }
        sample += 1;
        if count.is_some_and(|c| sample >= c) {
            return Ok(());
        }
        std::thread::sleep(interval);
    }
}

fn print_change(t: f64, r: &RegisterDesc, old: Option<u64>, now: &Reading) {
    let mut line = format!("[{t:8.3}s] {} = {:#x}", r.name, now.value);
    if let Some(old) = old {
        let before = Reading::decode(now.register, old);
        let changed: Vec<String> = now
            .fields
            .iter()
            .zip(&before.fields)
            .filter(|(n, b)| n.value != b.value)
            .map(|(n, b)| {
                let show = |v: &regmap_runtime::live::FieldValue| match v.name {
                    Some(name) => name.to_string(),
                    None => format!("{:#x}", v.value),
                };
                format!("{}: {} -> {}", n.desc.name, show(b), show(n))
            })
            .collect();
        line += &format!(" (was {old:#x}; {})", changed.join(", "));
    }
    println!("{line}");
    use std::io::Write;
    // A watcher piped into another tool wants each change as it happens.
    let _ = std::io::stdout().flush();
}

/// `list`: what the board offers.
pub fn list(args: &ListArgs) -> Result<(), Failure> {
    let root = root(args.sysroot.as_deref());
    let uios = regmap_runtime::uio::list(&root).map_err(|e| e.to_string())?;
    let pcis = PciDevice::list_in(&root).map_err(|e| e.to_string())?;
    let udmabufs = regmap_runtime::dma::UdmaBuf::list_in(&root);
    let heaps = regmap_runtime::dma::DmaHeap::list_in(&root);
    let uio_json: Vec<Value> = uios
        .iter()
        .map(|u| {
            json!({
                "device": format!("uio{}", u.number),
                "name": u.name,
                "pci": u.pci_address,
                "interrupt": interrupt(u),
                "maps": u.maps.iter().map(|m| json!({
                    "index": m.index, "name": m.name, "addr": m.addr + m.offset, "size": m.size,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let pci_json: Vec<Value> = pcis
        .iter()
        .map(|d| {
            let bars = d.bars().unwrap_or_default();
            json!({
                "address": d.address(),
                "id": format!("{:04x}:{:04x}", d.vendor_id(), d.device_id()),
                "driver": driver(d.sys_dir()),
                "bars": bars.iter().filter(|b| b.size > 0).map(|b| json!({
                    "index": b.index, "start": b.start, "size": b.size,
                    "memory": b.is_memory(), "prefetchable": b.is_prefetchable(),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let udma_json: Vec<Value> = udmabufs
        .iter()
        // SAFETY: only the device's attributes are read: no buffer is mapped or
        // handed to a device, so a root that lies cannot aim one.
        .map(|n| match unsafe { regmap_runtime::dma::UdmaBuf::open_in(&root, n) } {
            Ok(b) => json!({"name": n, "phys": b.phys_addr(), "size": b.size(), "coherent": b.dma_coherent()}),
            Err(e) => json!({"name": n, "error": e.to_string()}),
        })
        .collect();
    if args.json {
        print_json(&json!({
            "uio": uio_json, "pci": pci_json, "udmabuf": udma_json, "dma_heap": heaps,
        }));
        return Ok(());
    }
    println!("UIO devices:");
    if uios.is_empty() {
        println!("  none\n  {UIO_HINT}");
    }
    for (u, j) in uios.iter().zip(&uio_json) {
        let irq = j["interrupt"]
            .as_str()
            .map_or(String::new(), |i| format!(", interrupt {i}"));
        let pci = u
            .pci_address
            .as_ref()
            .map_or(String::new(), |p| format!(", PCI {p}"));
        println!("  uio{} {}{pci}{irq}", u.number, u.name);
        for m in &u.maps {
            println!(
                "    map{} {:#x} +{:#x}{}",
                m.index,
                m.addr + m.offset,
                m.size,
                m.name.as_ref().map_or(String::new(), |n| format!(" ({n})"))
            );
        }
    }
    println!("PCI functions:");
    if pcis.is_empty() {
        println!("  none");
    }
    for j in &pci_json {
        let driver = j["driver"]
            .as_str()
            .map_or(String::new(), |d| format!(", driver {d}"));
        println!(
            "  {} [{}]{driver}",
            j["address"].as_str().unwrap_or(""),
            j["id"].as_str().unwrap_or("")
        );
        for b in j["bars"].as_array().into_iter().flatten() {
            println!(
                "    BAR{} {:#x} +{:#x}{}",
                b["index"],
                b["start"].as_u64().unwrap_or(0),
                b["size"].as_u64().unwrap_or(0),
                if b["memory"] == true {
                    ""
                } else {
                    " (I/O ports)"
                }
            );
        }
    }
    println!("u-dma-buf devices:");
    if udma_json.is_empty() {
        println!("  none\n  {UDMABUF_HINT}");
    }
    for j in &udma_json {
        match j.get("error") {
            Some(e) => println!(
                "  {} ({})",
                j["name"].as_str().unwrap_or(""),
                e.as_str().unwrap_or("")
            ),
            None => println!(
                "  {} {:#x} +{:#x}{}",
                j["name"].as_str().unwrap_or(""),
                j["phys"].as_u64().unwrap_or(0),
                j["size"].as_u64().unwrap_or(0),
                if j["coherent"] == true {
                    ", coherent"
                } else {
                    ""
                }
            ),
        }
    }
    println!("dma-heaps:");
    if heaps.is_empty() {
        println!("  none");
    }
    for h in &heaps {
        println!("  {h}");
    }
    Ok(())
}

/// The device's interrupt as sysfs tells it: a PCI function's `irq`, or the
/// device-tree `interrupts` cells of a platform device.
fn interrupt(u: &UioInfo) -> Option<String> {
    let dev = u.sys_dir.join("device");
    if let Ok(irq) = std::fs::read_to_string(dev.join("irq")) {
        let irq = irq.trim();
        return (!irq.is_empty() && irq != "0").then(|| irq.to_string());
    }
    let cells = std::fs::read(dev.join("of_node/interrupts")).ok()?;
    let words: Vec<String> = cells
        .chunks_exact(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]).to_string())
        .collect();
    (!words.is_empty()).then(|| format!("<{}>", words.join(" ")))
}

fn driver(dir: &Path) -> Option<String> {
    let link = std::fs::read_link(dir.join("driver")).ok()?;
    Some(link.file_name()?.to_string_lossy().into_owned())
}
