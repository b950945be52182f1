//! Vivado hardware handoff (`.hwh`) importer.
//!
//! A `.hwh` describes a whole block design: every IP instance (`MODULE`),
//! with its parameters and ports, and for Xilinx IP and HLS cores the
//! register and field metadata of each address block. The processing
//! system's `MEMORYMAP` places instances at base addresses.
//!
//! What becomes what:
//! - each `ADDRESSBLOCK` with `REGISTERS` becomes a [`Block`] named after the
//!   IP (`MODTYPE`); instances whose layouts are equal share one block, and a
//!   layout that differs (an AXI GPIO of another `C_GPIO_WIDTH`) gets a block
//!   named `MODTYPE_instance`. Register and field widths are the instance's:
//!   the `.hwh` is written per instance, with parameters already resolved.
//! - each `REGISTER` range of the processing system's memory map becomes an
//!   [`Instance`] at its base address, with its window size, parameters
//!   (`C_*`), and interrupt lines traced through `xlconcat` to an AXI INTC or
//!   the PS interrupt inputs. An instance without register metadata gets an
//!   empty block of its window size, so it can still be bound.
//! - access: `ACCESS` + `MODIFIED_READ_VALUES` (the write side effect despite
//!   its name: `oneToClear` is `w1c`) + `READ_ACTION`; see
//!   `docs/importers.md`.
//!
//! Registers with `IS_ENABLED=false` (absent in this configuration), fields
//! named `RESERVED*` and instances outside the processing system's memory
//! map (a MicroBlaze's) are dropped, each with a note; fields without bits
//! and address blocks without `RANGE`, each with a warning.

use std::collections::{HashMap, HashSet};

use roxmltree::Node;

use super::xml::{child, children};
use super::{ImportedDesign, Instance, Interrupt, Parameter, vendor, xml};
use crate::diag::Diagnostic;
use crate::ir::{Access, Block, Field, Item, Loc, Register, Spanned, Width};
use crate::source::SourceFile;

/// Deepest chain of `xlconcat` cores an interrupt is followed through (a
/// cycle in a malformed file must not loop forever).
const MAX_CONCAT_DEPTH: usize = 16;

/// Most ports visited while tracing one module's interrupts, all its outputs
/// together: a hostile file fanning every net out to many concats (or round
/// a cycle of them) must not take exponential time.
const MAX_TRACE_STEPS: usize = 4096;

/// Interrupt lines one file's instances may list in all: a vendor design has
/// a few dozen, and each line is a line of the design file.
const MAX_INTERRUPT_LINES: usize = 4096;

/// PS cores whose memory map is the one software sees.
const PS_TYPES: &[&str] = &["processing_system7", "zynq_ultra_ps_e", "versal_cips"];

struct Ctx<'f, 'd> {
    file: &'f mut SourceFile,
    diags: &'d mut Vec<Diagnostic>,
}

impl Ctx<'_, '_> {
    fn loc(&mut self, node: Node<'_, '_>) -> Loc {
        xml::loc(self.file, node)
    }

    fn attr_loc(&mut self, node: Node<'_, '_>, name: &str) -> Loc {
        vendor::attr_loc(self.file, node, name)
    }

    fn note(&mut self, code: &'static str, loc: Loc, message: String) {
        self.diags.push(Diagnostic::note(code, loc, message));
    }

    fn warn(&mut self, code: &'static str, loc: Loc, message: String, hint: &str) {
        self.diags.push(
            Diagnostic::warning(code, loc, message)
                .with_label("here")
                .with_hint(hint),
        );
    }

    fn error(&mut self, code: &'static str, loc: Loc, message: String, hint: &str) {
        self.diags.push(
            Diagnostic::error(code, loc, message)
                .with_label("here")
                .with_hint(hint),
        );
    }

    /// An attribute parsed as a number; an error at the attribute when it does not parse.
    fn number_attr(&mut self, node: Node<'_, '_>, name: &str) -> Option<u64> {
        let text = node.attribute(name)?;
        match vendor::parse_int(text) {
            Some(v) => Some(v),
            None => {
                let loc = self.attr_loc(node, name);
                self.error(
                    "bad-number",
                    loc,
                    format!("`{name}` is `{text}`, not a number"),
                    "write a decimal or 0x-prefixed hexadecimal number",
                );
                None
            }
        }
    }
}

/// The `PROPERTY` children of a `REGISTER` or `FIELD`, by `NAME`.
fn properties<'a, 'i>(node: Node<'a, 'i>) -> HashMap<&'a str, Node<'a, 'i>> {
    children(node, "PROPERTY")
        .filter_map(|p| Some((p.attribute("NAME")?, p)))
        .collect()
}

/// Imports the `.hwh` in `file`, pushing errors and notes onto `diags`.
///
/// Returns the design when the file was well-formed enough (parts with
/// errors are left out). Names are as written: [`super::import_str`] makes
/// them usable and checks the result.
pub fn import(file: &mut SourceFile, diags: &mut Vec<Diagnostic>) -> Option<ImportedDesign> {
    let text = file.text().to_owned();
    let doc = xml::parse(file, &text).map_err(|d| diags.push(d)).ok()?;
    let mut ctx = Ctx { file, diags };
    let root = doc.root_element();
    if !root.has_tag_name("EDKSYSTEM") {
        let loc = ctx.loc(root);
        ctx.error(
            "not-hwh",
            loc,
            format!(
                "the root element is `{}`, not `EDKSYSTEM`",
                root.tag_name().name()
            ),
            "import the `.hwh` file that Vivado writes beside the bitstream",
        );
        return None;
    }
    let system = child(root, "SYSTEMINFO");
    let design_name = match system.filter(|s| s.attribute("NAME").is_some()) {
        Some(s) => Spanned::new(
            s.attribute("NAME").unwrap_or_default().to_owned(),
            ctx.attr_loc(s, "NAME"),
        ),
        None => Spanned::new("design".to_owned(), ctx.loc(root)),
    };
    let description = system.map(|s| {
        let attr = |n| s.attribute(n).unwrap_or("?");
        format!(
            "{} {} ({}{}), Vivado {}",
            attr("ARCH"),
            attr("DEVICE"),
            attr("PACKAGE"),
            attr("SPEEDGRADE"),
            root.attribute("VIVADOVERSION").unwrap_or("?")
        )
    });
    let modules: Vec<Node<'_, '_>> = child(root, "MODULES")
        .map(|m| children(m, "MODULE").collect())
        .unwrap_or_default();
    let by_instance: HashMap<&str, Node<'_, '_>> = modules
        .iter()
        .filter_map(|m| Some((m.attribute("INSTANCE")?, *m)))
        .collect();

    let mut blocks: Vec<Block> = Vec::new();
    // Layout (without locations) of each block, to share blocks between instances.
    let mut shapes: Vec<Block> = Vec::new();
    // (instance, address block) -> name of its block.
    let mut block_of: HashMap<(String, String), String> = HashMap::new();
    // Blocks of the layouts in `shapes`, by the same index.
    let mut shape_names: Vec<String> = Vec::new();
    let mut ips_seen: Vec<String> = Vec::new();
    // (IP, window size) -> name of the empty block for IP without metadata.
    let mut empty_blocks: HashMap<(String, u64), String> = HashMap::new();
    // (instance, address block) whose registers could not be read.
    let mut unreadable: HashSet<(String, String)> = HashSet::new();
    for module in &modules {
        let Some(instance) = module.attribute("INSTANCE") else {
            continue;
        };
        let ip = module.attribute("MODTYPE").unwrap_or(instance).to_owned();
        for ab in child(*module, "ADDRESSBLOCKS")
            .into_iter()
            .flat_map(|a| children(a, "ADDRESSBLOCK"))
        {
            let Some(regs) = child(ab, "REGISTERS") else {
                continue;
            };
            let ab_name = ab.attribute("NAME").unwrap_or("").to_owned();
            let Some(mut block) = lower_block(&mut ctx, *module, ab, regs) else {
                unreadable.insert((instance.to_owned(), ab_name));
                continue;
            };
            let shape = vendor::without_locs(&block);
            let name = match shapes.iter().position(|s| *s == shape) {
                Some(i) => shape_names[i].clone(),
                None => {
                    // A second layout of one IP (another configuration) is
                    // named after the first instance that has it.
                    let wanted = if ips_seen.contains(&ip) {
                        format!("{ip}_{instance}")
                    } else {
                        ip.clone()
                    };
                    ips_seen.push(ip.clone());
                    block.name.value = wanted;
                    shapes.push(shape);
                    let name = super::push_block(&mut blocks, block, ctx.diags);
                    shape_names.push(name.clone());
                    name
                }
            };
            block_of.insert((instance.to_owned(), ab_name), name);
        }
    }

    let mut instances: Vec<Instance> = Vec::new();
    let ps = modules
        .iter()
        .find(|m| {
            PS_TYPES.contains(&m.attribute("MODTYPE").unwrap_or(""))
                && child(**m, "MEMORYMAP").is_some()
        })
        .or_else(|| {
            modules.iter().find(|m| {
                m.attribute("IPTYPE") == Some("PROCESSOR") && child(**m, "MEMORYMAP").is_some()
            })
        });
    let Some(ps) = ps else {
        let loc = ctx.loc(root);
        ctx.note(
            "no-instances",
            loc,
            "no processor memory map: register blocks imported without instances".into(),
        );
        return Some(ImportedDesign {
            name: design_name,
            description,
            blocks,
            instances,
        });
    };
    let interrupts = Interrupts::new(&modules);
    // A module behind several address ranges is traced once.
    let mut traced: HashMap<roxmltree::NodeId, Vec<Interrupt>> = HashMap::new();
    let mut interrupt_lines = 0usize;
    let mut told_lines = false;
    // Instances the processing system's memory map names.
    let mut placed: HashSet<&str> = HashSet::new();
    for range in child(*ps, "MEMORYMAP")
        .into_iter()
        .flat_map(|m| children(m, "MEMRANGE"))
    {
        let Some(instance) = range.attribute("INSTANCE") else {
            continue;
        };
        placed.insert(instance);
        let range_loc = ctx.loc(range);
        if range.attribute("MEMTYPE") != Some("REGISTER") {
            ctx.note(
                "dropped",
                range_loc,
                format!("`{instance}` is memory, not registers: not imported as an instance"),
            );
            continue;
        }
        let (Some(base), Some(high)) = (
            ctx.number_attr(range, "BASEVALUE"),
            ctx.number_attr(range, "HIGHVALUE"),
        ) else {
            continue;
        };
        let Some(size) = high.checked_sub(base).and_then(|s| s.checked_add(1)) else {
            let loc = ctx.attr_loc(range, "HIGHVALUE");
            ctx.error(
                "bad-range",
                loc,
                format!("`{instance}` ends (0x{high:x}) before it starts (0x{base:x})"),
                "HIGHVALUE is the last byte of the range",
            );
            continue;
        };
        let module = by_instance.get(instance).copied();
        let key = (
            instance.to_owned(),
            range.attribute("ADDRESSBLOCK").unwrap_or("").to_owned(),
        );
        let block = match block_of.get(&key) {
            Some(name) => name.clone(),
            None => {
                // No register metadata (custom RTL, or IP that ships none):
                // an empty block still gives the instance a typed window.
                let ip = module
                    .and_then(|m| m.attribute("MODTYPE"))
                    .unwrap_or(instance)
                    .to_owned();
                if let Some(name) = empty_blocks.get(&(ip.clone(), size)) {
                    name.clone()
                } else {
                    // Named after the IP; another window size of it (or a
                    // block of its with registers) makes it `IP_2`.
                    let block = Block {
                        name: Spanned::new(ip.clone(), range_loc),
                        description: module.and_then(|m| m.attribute("VLNV")).map(str::to_owned),
                        size: Spanned::new(size, range_loc),
                        items: Vec::new(),
                        enums: Vec::new(),
                        id: None,
                        loc: range_loc,
                    };
                    let name = super::push_block(&mut blocks, block, ctx.diags);
                    // A block whose registers could not be read was warned
                    // about already: "no metadata" would mislead.
                    if !unreadable.contains(&key) {
                        ctx.note(
                            "no-registers",
                            range_loc,
                            format!(
                                "`{instance}` has no register metadata: block `{name}` has no registers"
                            ),
                        );
                    }
                    empty_blocks.insert((ip, size), name.clone());
                    name
                }
            }
        };
        let name_loc = ctx.attr_loc(range, "INSTANCE");
        let base_loc = ctx.attr_loc(range, "BASEVALUE");
        let parameters = module
            .and_then(|m| child(m, "PARAMETERS"))
            .into_iter()
            .flat_map(|p| children(p, "PARAMETER"))
            .filter_map(|p| Some((p.attribute("NAME")?, p.attribute("VALUE")?)))
            .filter(|(n, _)| n.starts_with("C_") && !matches!(*n, "C_BASEADDR" | "C_HIGHADDR"))
            .map(|(n, v)| Parameter {
                name: n.to_owned(),
                value: v.to_owned(),
            })
            .collect();
        instances.push(Instance {
            name: Spanned::new(instance.to_owned(), name_loc),
            block,
            base: Spanned::new(base, base_loc),
            size: Some(size),
            interrupts: module
                .map(|m| {
                    let lines = traced.entry(m.id()).or_insert_with(|| interrupts.of(m));
                    let room = MAX_INTERRUPT_LINES.saturating_sub(interrupt_lines);
                    if lines.len() > room && !told_lines {
                        told_lines = true;
                        ctx.warn(
                            "too-many-interrupts",
                            name_loc,
                            format!(
                                "the design lists more than {MAX_INTERRUPT_LINES} interrupt lines"
                            ),
                            "the rest are left out",
                        );
                    }
                    let kept: Vec<Interrupt> = lines.iter().take(room).cloned().collect();
                    interrupt_lines += kept.len();
                    kept
                })
                .unwrap_or_default(),
            parameters,
            description: module
                .and_then(|m| m.attribute("FULLNAME"))
                .map(str::to_owned),
        });
    }
    // Register blocks of instances the processing system cannot reach (a
    // MicroBlaze's peripherals): the block is imported, the instance not.
    for module in &modules {
        let Some(instance) = module.attribute("INSTANCE") else {
            continue;
        };
        if placed.contains(instance) || !block_of.keys().any(|(i, _)| i == instance) {
            continue;
        }
        let loc = ctx.attr_loc(*module, "INSTANCE");
        ctx.note(
            "dropped",
            loc,
            format!(
                "`{instance}` is not in the memory map of `{}`: its register block is imported, not the instance",
                ps.attribute("INSTANCE").unwrap_or("the processing system")
            ),
        );
    }
    Some(ImportedDesign {
        name: design_name,
        description,
        blocks,
        instances,
    })
}

/// Lowers one `ADDRESSBLOCK` of `module` to a block.
fn lower_block(
    ctx: &mut Ctx<'_, '_>,
    module: Node<'_, '_>,
    ab: Node<'_, '_>,
    regs: Node<'_, '_>,
) -> Option<Block> {
    let loc = ctx.loc(ab);
    let instance = module.attribute("INSTANCE").unwrap_or("");
    if ab.attribute("RANGE").is_none() {
        ctx.diags.push(
            Diagnostic::warning(
                "block-dropped",
                loc,
                format!(
                    "address block `{}` of `{instance}` has no RANGE: its registers are not imported",
                    ab.attribute("NAME").unwrap_or("")
                ),
            )
            .with_label("no RANGE")
            .with_hint("the block's size is its RANGE attribute; its instance gets a block without registers"),
        );
        return None;
    }
    let size = ctx.number_attr(ab, "RANGE")?;
    let mut registers = Vec::new();
    let mut dropped = Dropped::default();
    for reg in children(regs, "REGISTER") {
        if let Some(r) = lower_register(ctx, reg, &mut dropped) {
            registers.push(r);
        }
    }
    if dropped.reserved > 0 {
        ctx.note(
            "dropped",
            loc,
            format!("`{instance}`: {} reserved fields dropped", dropped.reserved),
        );
    }
    if !dropped.disabled.is_empty() {
        ctx.note(
            "dropped",
            loc,
            format!(
                "`{instance}`: registers absent in this configuration (IS_ENABLED=false) dropped: {}",
                dropped.disabled.join(", ")
            ),
        );
    }
    let items: Vec<Item> = vendor::fold_arrays(registers)
        .into_iter()
        .map(Item::Register)
        .collect();
    let name_loc = ctx.attr_loc(module, "MODTYPE");
    Some(Block {
        name: Spanned::new(String::new(), name_loc),
        description: module.attribute("VLNV").map(str::to_owned),
        size: Spanned::new(size, ctx.attr_loc(ab, "RANGE")),
        items,
        enums: Vec::new(),
        id: None,
        loc,
    })
}

/// A `PROPERTY`'s value and the location of that value.
fn prop<'a>(
    ctx: &mut Ctx<'_, '_>,
    props: &HashMap<&str, Node<'a, '_>>,
    name: &str,
) -> Option<(&'a str, Loc)> {
    let p = props.get(name)?;
    let value = p.attribute("VALUE")?;
    Some((value, ctx.attr_loc(*p, "VALUE")))
}

fn prop_number(
    ctx: &mut Ctx<'_, '_>,
    props: &HashMap<&str, Node<'_, '_>>,
    name: &str,
    owner: &str,
) -> Option<(u64, Loc)> {
    let (text, loc) = prop(ctx, props, name)?;
    match vendor::parse_int(text) {
        Some(v) => Some((v, loc)),
        None => {
            ctx.error(
                "bad-number",
                loc,
                format!("{name} of `{owner}` is `{text}`, not a number"),
                "write a decimal or 0x-prefixed hexadecimal number",
            );
            None
        }
    }
}

/// What a block's registers dropped, reported once per block.
#[derive(Default)]
struct Dropped {
    reserved: usize,
    disabled: Vec<String>,
}

fn lower_register(
    ctx: &mut Ctx<'_, '_>,
    reg: Node<'_, '_>,
    dropped: &mut Dropped,
) -> Option<Register> {
    let loc = ctx.loc(reg);
    let raw_name = reg.attribute("NAME").unwrap_or("");
    let name_loc = ctx.attr_loc(reg, "NAME");
    let props = properties(reg);
    if props
        .get("IS_ENABLED")
        .and_then(|p| p.attribute("VALUE"))
        .is_some_and(|v| v.eq_ignore_ascii_case("false"))
    {
        dropped.disabled.push(raw_name.to_owned());
        return None;
    }
    let Some((offset, offset_loc)) = prop_number(ctx, &props, "ADDRESS_OFFSET", raw_name) else {
        if !props.contains_key("ADDRESS_OFFSET") {
            ctx.error(
                "missing-key",
                loc,
                format!("register `{raw_name}` has no ADDRESS_OFFSET"),
                "every REGISTER needs an ADDRESS_OFFSET property",
            );
        }
        return None;
    };
    let (bits, size_loc) = prop_number(ctx, &props, "SIZE", raw_name).unwrap_or((32, loc));
    let width = match bits {
        1..=32 => Width::W32,
        33..=64 => Width::W64,
        _ => {
            ctx.error(
                "bad-width",
                size_loc,
                format!("register `{raw_name}` is {bits} bits wide"),
                "registers are 1 to 64 bits wide",
            );
            return None;
        }
    };
    if bits != 32 && bits != 64 {
        ctx.note(
            "width-from-parameter",
            size_loc,
            format!(
                "register `{raw_name}` has SIZE {bits} (an IP parameter of this instance): imported as a {}-bit register",
                width.bits()
            ),
        );
    }
    let access = match prop(ctx, &props, "ACCESS") {
        Some((text, at)) => match vendor::lower_access(text, None, None) {
            Some(l) => Spanned::new(l.access, at),
            None => {
                bad_access(ctx, at, text);
                return None;
            }
        },
        None => Spanned::new(Access::ReadWrite, loc),
    };
    let reset = match prop_number(ctx, &props, "RESET_VALUE", raw_name) {
        Some((v, at)) => {
            let masked = v & crate::ir::ones(width.bits());
            if masked != v {
                ctx.note(
                    "reset-masked",
                    at,
                    format!(
                        "reset value of `{raw_name}` masked to its {} bits",
                        width.bits()
                    ),
                );
            }
            Spanned::new(masked, at)
        }
        None => Spanned::new(0, loc),
    };
    let mut fields = Vec::new();
    for f in child(reg, "FIELDS")
        .into_iter()
        .flat_map(|f| children(f, "FIELD"))
    {
        if let Some(field) = lower_field(ctx, f, raw_name) {
            fields.push(field);
        }
    }
    let mut register = Register {
        name: Spanned::new(raw_name.to_owned(), name_loc),
        description: prop(ctx, &props, "DESCRIPTION")
            .map(|(d, _)| d.trim().to_owned())
            .filter(|d| !d.is_empty()),
        offset: Spanned::new(offset, offset_loc),
        width: Spanned::new(width, size_loc),
        access,
        reset,
        array: None,
        fields,
        alternate_of: None,
        loc,
    };
    let named_reserved = register
        .fields
        .iter()
        .filter(|f| f.name.value.to_ascii_lowercase().starts_with("reserved"))
        .count();
    dropped.reserved += named_reserved;
    vendor::tidy_register(&mut register, ctx.diags);
    Some(register)
}

fn bad_access(ctx: &mut Ctx<'_, '_>, loc: Loc, text: &str) {
    ctx.error(
        "bad-access",
        loc,
        format!("unknown access `{text}`"),
        "expected read-write, read-only, write-only, read-writeOnce or writeOnce",
    );
}

fn lower_field(ctx: &mut Ctx<'_, '_>, f: Node<'_, '_>, reg: &str) -> Option<Field> {
    let loc = ctx.loc(f);
    let name = f.attribute("NAME").unwrap_or("");
    let name_loc = ctx.attr_loc(f, "NAME");
    let props = properties(f);
    let owner = format!("{reg}.{name}");
    for required in ["BIT_OFFSET", "BIT_WIDTH"] {
        if prop(ctx, &props, required).is_none() {
            ctx.diags.push(
                Diagnostic::warning(
                    "field-dropped",
                    loc,
                    format!("field `{owner}` has no {required}: not imported"),
                )
                .with_label(format!("no {required}"))
                .with_hint("a FIELD's bits are its BIT_OFFSET and BIT_WIDTH properties"),
            );
            return None;
        }
    }
    let (lsb, bits_loc) = prop_number(ctx, &props, "BIT_OFFSET", &owner)?;
    let (width, _) = prop_number(ctx, &props, "BIT_WIDTH", &owner)?;
    let Some(msb) = lsb
        .checked_add(width)
        .and_then(|e| e.checked_sub(1))
        .filter(|_| width > 0)
    else {
        ctx.error(
            "bad-bits",
            bits_loc,
            format!("field `{owner}` is 0 bits wide"),
            "BIT_WIDTH is at least 1",
        );
        return None;
    };
    let (Ok(lsb), Ok(msb)) = (u32::try_from(lsb), u32::try_from(msb)) else {
        ctx.error(
            "bad-bits",
            bits_loc,
            format!("field `{owner}` lies past bit 2^32"),
            "BIT_OFFSET and BIT_WIDTH are bit positions in the register",
        );
        return None;
    };
    let (access_text, access_loc) = prop(ctx, &props, "ACCESS").unwrap_or(("read-write", loc));
    let mwv = prop(ctx, &props, "MODIFIED_READ_VALUES").map(|(v, _)| v);
    let (read_action, read_loc) = match prop(ctx, &props, "READ_ACTION") {
        Some((v, at)) => (Some(v), at),
        None => (None, loc),
    };
    let Some(lowered) = vendor::lower_access(access_text, mwv, read_action) else {
        bad_access(ctx, access_loc, access_text);
        return None;
    };
    vendor::report_access(ctx.diags, access_loc, read_loc, &owner, &lowered);
    Some(Field {
        name: Spanned::new(name.to_owned(), name_loc),
        description: prop(ctx, &props, "DESCRIPTION")
            .map(|(d, _)| d.trim().to_owned())
            .filter(|d| !d.is_empty()),
        lsb,
        msb,
        bits_loc,
        access: Spanned::new(lowered.access, access_loc),
        enumeration: None,
        loc,
    })
}

/// Where interrupt signals go: the input ports of every module, by net name.
struct Interrupts<'a, 'i> {
    sinks: HashMap<&'a str, Vec<(Node<'a, 'i>, Node<'a, 'i>)>>,
}

impl<'a, 'i> Interrupts<'a, 'i> {
    fn new(modules: &[Node<'a, 'i>]) -> Self {
        let mut sinks: HashMap<&'a str, Vec<_>> = HashMap::new();
        for m in modules {
            for port in child(*m, "PORTS")
                .into_iter()
                .flat_map(|p| children(p, "PORT"))
            {
                if port.attribute("DIR") == Some("I")
                    && let Some(net) = port.attribute("SIGNAME")
                {
                    sinks.entry(net).or_default().push((*m, port));
                }
            }
        }
        Self { sinks }
    }

    /// The interrupt lines `module`'s interrupt outputs reach, each once.
    fn of(&self, module: Node<'a, 'i>) -> Vec<Interrupt> {
        let mut out = Vec::new();
        let mut budget = MAX_TRACE_STEPS;
        for port in child(module, "PORTS")
            .into_iter()
            .flat_map(|p| children(p, "PORT"))
        {
            // An AXI INTC's own output is not tagged as an interrupt.
            let is_irq = port.attribute("SIGIS") == Some("INTERRUPT")
                || (module.attribute("MODTYPE") == Some("axi_intc")
                    && port.attribute("NAME") == Some("irq"));
            if port.attribute("DIR") != Some("O") || !is_irq {
                continue;
            }
            let (Some(net), Some(name)) = (port.attribute("SIGNAME"), port.attribute("NAME"))
            else {
                continue;
            };
            self.follow(net, 0, name, 0, &mut budget, &mut out);
        }
        // A net reaching one controller input by two paths (a cycle of
        // concats) is one line.
        let mut seen = HashSet::new();
        out.retain(|i| seen.insert((i.name.clone(), i.number, i.controller.clone())));
        out
    }

    /// Follows bit `bit` of net `net` to the controllers it reaches.
    fn follow(
        &self,
        net: &str,
        bit: u32,
        from: &str,
        depth: usize,
        budget: &mut usize,
        out: &mut Vec<Interrupt>,
    ) {
        if depth > MAX_CONCAT_DEPTH {
            return;
        }
        for (module, port) in self.sinks.get(net).into_iter().flatten() {
            if *budget == 0 {
                return;
            }
            *budget -= 1;
            let kind = module.attribute("MODTYPE").unwrap_or("");
            let port_name = port.attribute("NAME").unwrap_or("");
            let instance = module.attribute("INSTANCE").unwrap_or("").to_owned();
            let line = |offset: u32| Interrupt {
                name: Some(from.to_owned()),
                number: u64::from(offset) + u64::from(bit),
                controller: Some(instance.clone()),
            };
            match (kind, port_name) {
                ("xlconcat", input) => {
                    let Some(index) = input.strip_prefix("In").and_then(|i| i.parse::<u32>().ok())
                    else {
                        continue;
                    };
                    let offset: u32 = concat_inputs(*module)
                        .filter(|(i, _)| *i < index)
                        .map(|(_, w)| w)
                        .fold(0u32, u32::saturating_add);
                    let dout = child(*module, "PORTS")
                        .into_iter()
                        .flat_map(|p| children(p, "PORT"))
                        .find(|p| p.attribute("NAME") == Some("dout"))
                        .and_then(|p| p.attribute("SIGNAME"));
                    if let Some(dout) = dout {
                        self.follow(
                            dout,
                            offset.saturating_add(bit),
                            from,
                            depth + 1,
                            budget,
                            out,
                        );
                    }
                }
                ("axi_intc", "intr")
                | ("processing_system7", "IRQ_F2P")
                | ("zynq_ultra_ps_e", "pl_ps_irq0") => {
                    out.push(line(0));
                }
                ("zynq_ultra_ps_e", "pl_ps_irq1") => out.push(line(8)),
                _ => {}
            }
        }
    }
}

/// `(index, width)` of each `InN` input of an `xlconcat`, widths from the
/// port's `LEFT`/`RIGHT` (1 when absent).
fn concat_inputs<'a>(module: Node<'a, '_>) -> impl Iterator<Item = (u32, u32)> + 'a {
    child(module, "PORTS")
        .into_iter()
        .flat_map(|p| children(p, "PORT"))
        .filter_map(|p| {
            let index = p
                .attribute("NAME")?
                .strip_prefix("In")?
                .parse::<u32>()
                .ok()?;
            let left: u32 = p
                .attribute("LEFT")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let right: u32 = p
                .attribute("RIGHT")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            Some((index, left.abs_diff(right).saturating_add(1)))
        })
}
