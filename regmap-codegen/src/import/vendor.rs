//! IR clean-ups the `.hwh` and IP-XACT importers share: what vendor files
//! allow and the regmap checks do not (names, register arrays written out
//! element by element, field access against register access, reserved bits).

use crate::ir::{Access, Array, Block, Field, Item, Loc, Register, Spanned};

/// Something an import changed or dropped, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// Where in the vendor file.
    pub loc: Loc,
    /// What was changed and why.
    pub message: String,
}

/// One interrupt input an instance's interrupt output reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterruptLine {
    /// The instance that receives it: an interrupt controller (`axi_intc`) or
    /// the processing system itself.
    pub controller: String,
    /// The input bit on that controller: for an AXI INTC the interrupt
    /// number; for a Zynq-7000 PS the `IRQ_F2P` bit (GIC SPI 61 + n for bits
    /// 0..8, 84 + (n - 8) for bits 8..16); for a Zynq UltraScale+ PS the
    /// `pl_ps_irq0` bit (SPI 121 + n) or `pl_ps_irq1` bit + 8 (SPI 136 + n - 8).
    pub line: u32,
    /// The output port it comes from (`ip2intc_irpt`, `s2mm_introut`).
    pub port: String,
}

/// What a design-level import knows of an instance beyond
/// [`crate::ir::Instance`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceInfo {
    /// Instance name, as in [`crate::ir::Instance::name`].
    pub name: String,
    /// Size of its address window in bytes.
    pub size: u64,
    /// Interrupt lines, in the order of its output ports.
    pub interrupts: Vec<InterruptLine>,
    /// Its configuration parameters (`C_GPIO_WIDTH` ...), in file order.
    pub parameters: Vec<(String, String)>,
}

/// The result of importing one vendor file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// Blocks (one per distinct register layout) and instances.
    pub design: crate::ir::Design,
    /// Per-instance details, one per `design.instances` entry, same order.
    pub instances: Vec<InstanceInfo>,
    /// Renames and dropped details, in file order.
    pub notes: Vec<Note>,
}

/// Names that were already taken in one namespace, compared as the emitter
/// will see them (snake case), so `Mode` and `MODE` collide.
#[derive(Default)]
pub(crate) struct Names(Vec<String>);

impl Names {
    /// `name` made valid and unique here; a changed name is reported in `notes`.
    pub(crate) fn claim(
        &mut self,
        name: &str,
        loc: Loc,
        what: &str,
        notes: &mut Vec<Note>,
    ) -> String {
        let mut out = super::xml::sanitize(name).unwrap_or_else(|| name.to_owned());
        if crate::names::is_keyword(&crate::names::fn_name(&out))
            || crate::names::is_keyword(&crate::names::type_name(&out))
        {
            out.push('_');
        }
        let base = out.clone();
        let mut n = 2;
        while self.0.contains(&crate::names::fn_name(&out)) {
            out = format!("{base}_{n}");
            n += 1;
        }
        self.0.push(crate::names::fn_name(&out));
        if out != name {
            notes.push(Note {
                loc,
                message: format!("{what} `{name}` renamed `{out}`"),
            });
        }
        out
    }
}

/// Whether two registers differ only in name, offset and locations.
fn same_shape(a: &Register, b: &Register) -> bool {
    let fields = |r: &Register| {
        r.fields
            .iter()
            .map(|f| {
                (
                    f.name.value.clone(),
                    f.lsb,
                    f.msb,
                    f.access.value,
                    f.description.clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    a.width.value == b.width.value
        && a.access.value == b.access.value
        && a.reset.value == b.reset.value
        && a.array.is_none()
        && b.array.is_none()
        && fields(a) == fields(b)
}

/// Splits `NAME[3]` into `("NAME", 3)`.
fn indexed(name: &str) -> Option<(&str, u64)> {
    let open = name.strip_suffix(']')?.rfind('[')?;
    let index = name[open + 1..name.len() - 1].parse().ok()?;
    Some((&name[..open], index))
}

/// Folds runs of registers written out as `NAME[0]`, `NAME[1]`, ... at a
/// constant stride with one layout into one register array named `NAME`
/// (vendors expand arrays; the generated code is better with one).
pub(crate) fn fold_arrays(regs: Vec<Register>) -> Vec<Register> {
    let mut out: Vec<Register> = Vec::with_capacity(regs.len());
    let mut i = 0;
    while i < regs.len() {
        let Some((base, 0)) = indexed(&regs[i].name.value) else {
            out.push(regs[i].clone());
            i += 1;
            continue;
        };
        let mut end = i + 1;
        while end < regs.len()
            && indexed(&regs[end].name.value) == Some((base, (end - i) as u64))
            && same_shape(&regs[i], &regs[end])
        {
            end += 1;
        }
        let count = (end - i) as u64;
        let stride = regs
            .get(i + 1)
            .map_or(0, |r| r.offset.value.wrapping_sub(regs[i].offset.value));
        let even = (i + 1..end)
            .all(|k| regs[k].offset.value.checked_sub(regs[k - 1].offset.value) == Some(stride));
        if count >= 2 && even && stride > 0 {
            let mut first = regs[i].clone();
            first.name.value = base.to_owned();
            first.array = Some(Array {
                count: Spanned::new(count, first.loc),
                stride: Spanned::new(stride, first.loc),
            });
            out.push(first);
            i = end;
        } else {
            out.push(regs[i].clone());
            i += 1;
        }
    }
    out
}

/// Makes a register the regmap checks accept without changing what it does:
/// drops reserved fields (they have no use in generated code and often
/// contradict their register's access), widens a register's declared access to
/// `rw` when its fields need it, and turns a register whose one field covers
/// it all into a register without fields.
pub(crate) fn tidy_register(reg: &mut Register, notes: &mut Vec<Note>) {
    reg.fields
        .retain(|f| !f.name.value.to_ascii_lowercase().starts_with("reserved"));
    if reg
        .fields
        .iter()
        .any(|f| !reg.access.value.allows_field(f.access.value))
    {
        notes.push(Note {
            loc: reg.access.loc,
            message: format!(
                "register `{}` declared `{}` but its fields are not all `{}`: imported as `rw`, each field keeps its own access",
                reg.name.value,
                reg.access.value.short_name(),
                reg.access.value.short_name()
            ),
        });
        reg.access.value = Access::ReadWrite;
    }
    if let [field] = reg.fields.as_slice()
        && field.lsb == 0
        && field.msb + 1 == reg.width.value.bits()
        && field.access.value == reg.access.value
        && field.enumeration.is_none()
    {
        let field = reg.fields.pop().expect("one field");
        if reg.description.is_none() {
            reg.description = field.description;
        }
    }
}

/// Gives the fields of a register unique valid names.
pub(crate) fn name_fields(fields: &mut [Field], notes: &mut Vec<Note>) {
    let mut names = Names::default();
    for f in fields {
        f.name.value = names.claim(&f.name.value, f.name.loc, "field", notes);
    }
}

/// Gives the items of a block unique valid names (after arrays are folded).
pub(crate) fn name_items(items: &mut [Item], notes: &mut Vec<Note>) {
    let mut names = Names::default();
    for item in items {
        match item {
            Item::Register(r) => {
                r.name.value = names.claim(&r.name.value, r.name.loc, "register", notes);
            }
            Item::Cluster(c) => {
                c.name.value = names.claim(&c.name.value, c.name.loc, "register file", notes);
                name_items(&mut c.items, notes);
            }
        }
    }
}

/// A copy of `block` with every location cleared, to compare layouts.
pub(crate) fn without_locs(block: &Block) -> Block {
    fn items(list: &mut [Item]) {
        for item in list {
            match item {
                Item::Register(r) => {
                    r.loc = Loc::NONE;
                    r.name.loc = Loc::NONE;
                    r.offset.loc = Loc::NONE;
                    r.width.loc = Loc::NONE;
                    r.access.loc = Loc::NONE;
                    r.reset.loc = Loc::NONE;
                    if let Some(a) = &mut r.array {
                        a.count.loc = Loc::NONE;
                        a.stride.loc = Loc::NONE;
                    }
                    for f in &mut r.fields {
                        f.loc = Loc::NONE;
                        f.name.loc = Loc::NONE;
                        f.bits_loc = Loc::NONE;
                        f.access.loc = Loc::NONE;
                        if let Some(crate::ir::EnumRef::Inline(e)) = &mut f.enumeration {
                            clear_enum(e);
                        }
                    }
                }
                Item::Cluster(c) => {
                    c.loc = Loc::NONE;
                    c.name.loc = Loc::NONE;
                    c.offset.loc = Loc::NONE;
                    if let Some(a) = &mut c.array {
                        a.count.loc = Loc::NONE;
                        a.stride.loc = Loc::NONE;
                    }
                    items(&mut c.items);
                }
            }
        }
    }
    fn clear_enum(e: &mut crate::ir::Enum) {
        e.loc = Loc::NONE;
        e.name.loc = Loc::NONE;
        for v in &mut e.variants {
            v.name.loc = Loc::NONE;
            v.value.loc = Loc::NONE;
        }
    }
    let mut b = block.clone();
    b.loc = Loc::NONE;
    b.enums.iter_mut().for_each(clear_enum);
    b.name = Spanned::new(String::new(), Loc::NONE);
    b.size.loc = Loc::NONE;
    items(&mut b.items);
    b
}
