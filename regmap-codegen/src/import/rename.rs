//! Vendor names made usable: deterministic renames, each one a note.
//!
//! Vendor files hold names that are not identifiers (`3V3_EN`, `RX-FIFO`),
//! Rust keywords once converted (`TYPE`), or names that collide after case
//! conversion (`CR1` and `cr1`, a field `EN` beside a field `En`). An import
//! never fails on a name: each is rewritten here and a `renamed` note says
//! from what, at the vendor file's line and column.
//!
//! First every name is made well-formed (characters outside `[A-Za-z0-9_]`
//! become `_`, a name not starting with a letter gets a prefix). Then the
//! name checks of [`crate::check`] run, and each name they reject is renamed
//! (`TYPE` -> `TYPE_VAL`, the later of two colliding names gets `_2`, `_3`...)
//! until they pass. Using the checks themselves keeps this module equal to
//! them whatever namespaces they learn about. Order is source order, so the
//! result depends only on the input.

use std::collections::{HashMap, HashSet};

use super::ImportedDesign;
use crate::check::names::is_valid_name;
use crate::diag::Diagnostic;
use crate::ir::{Block, EnumRef, Item, Loc, Register, Spanned};
use crate::names::{fn_name, type_name};

/// Rounds of check-and-rename before giving up; each round fixes every name
/// it is told about, so real files need two or three.
const MAX_ROUNDS: usize = 32;

/// Renames every unusable or colliding name in `design`, pushing one
/// `renamed` note per renamed name onto `diags`.
pub fn sanitise(design: &mut ImportedDesign, diags: &mut Vec<Diagnostic>) {
    let mut notes = Renames::default();
    // Instances name their block; remember which block (by index) before
    // renaming any, so each follows its block's new name. Importers give
    // blocks distinct names ([`super::push_block`]); should two still share
    // one, the first is the one its instances meant.
    let block_of: Vec<Option<usize>> = design
        .instances
        .iter()
        .map(|i| design.blocks.iter().position(|b| b.name.value == i.block))
        .collect();
    for block in &mut design.blocks {
        sanitise_block(block, &mut notes);
    }
    unique_block_names(design, &mut notes);
    for (instance, index) in design.instances.iter_mut().zip(block_of) {
        if let Some(index) = index {
            instance.block.clone_from(&design.blocks[index].name.value);
        }
    }
    unique_instance_names(design, &mut notes);
    diags.extend(notes.into_notes());
}

/// Original names of renamed nodes, by location, in first-rename order.
#[derive(Default)]
struct Renames {
    order: Vec<Loc>,
    original: HashMap<Loc, (&'static str, String)>,
    current: HashMap<Loc, String>,
    reason: HashMap<Loc, &'static str>,
}

impl Renames {
    fn record(
        &mut self,
        what: &'static str,
        name: &mut Spanned<String>,
        new: String,
        why: &'static str,
    ) {
        if new == name.value {
            return;
        }
        if !self.original.contains_key(&name.loc) {
            self.order.push(name.loc);
            self.original.insert(name.loc, (what, name.value.clone()));
            self.reason.insert(name.loc, why);
        }
        self.current.insert(name.loc, new.clone());
        name.value = new;
    }

    fn into_notes(self) -> Vec<Diagnostic> {
        self.order
            .iter()
            .filter_map(|loc| {
                let (what, old) = &self.original[loc];
                let new = &self.current[loc];
                let why = self.reason[loc];
                (old != new).then(|| {
                    Diagnostic::note(
                        "renamed",
                        *loc,
                        format!("{what} `{old}` is imported as `{new}`"),
                    )
                    .with_label(why)
                })
            })
            .collect()
    }
}

/// The first `BASE_N` (`N` from 2) that is not `taken`, resuming after
/// the last one `next` gave for `base`: thousands of equal names (an unrolled
/// `dim` with repeated indexes) stay linear.
pub(crate) fn free_suffix(
    next: &mut HashMap<String, u32>,
    base: &str,
    taken: impl Fn(&str) -> bool,
) -> String {
    let n = next.entry(base.to_owned()).or_insert(2);
    loop {
        let candidate = format!("{base}_{n}");
        *n = n.saturating_add(1);
        if !taken(&candidate) {
            return candidate;
        }
    }
}

/// A well-formed name for `name`: `[A-Za-z0-9_]` only, starting with a letter.
pub(crate) fn well_formed(name: &str, prefix: &str) -> String {
    let mut out: String = name
        .trim()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic()) {
        out.insert_str(0, prefix);
    }
    out
}

/// Calls `f` on every name of `block` with what it names, in source order.
fn names_mut(block: &mut Block, f: &mut impl FnMut(&'static str, &mut Spanned<String>)) {
    f("block", &mut block.name);
    for e in &mut block.enums {
        f("enum", &mut e.name);
        for v in &mut e.variants {
            f("enum value", &mut v.name);
        }
    }
    items_mut(&mut block.items, f);
}

fn items_mut(items: &mut [Item], f: &mut impl FnMut(&'static str, &mut Spanned<String>)) {
    for item in items {
        match item {
            Item::Register(r) => {
                f("register", &mut r.name);
                for field in &mut r.fields {
                    f("field", &mut field.name);
                    if let Some(EnumRef::Inline(e)) = &mut field.enumeration {
                        f("enum", &mut e.name);
                        for v in &mut e.variants {
                            f("enum value", &mut v.name);
                        }
                    }
                }
            }
            Item::Cluster(c) => {
                f("cluster", &mut c.name);
                items_mut(&mut c.items, f);
            }
        }
    }
}

/// The prefix that makes a name start with a letter, by what it names.
fn prefix_for(what: &str) -> &'static str {
    match what {
        "field" => "F",
        "enum value" => "V",
        "enum" => "E",
        "cluster" => "C",
        "block" => "B",
        _ => "R",
    }
}

fn sanitise_block(block: &mut Block, notes: &mut Renames) {
    let enum_names_before: Vec<String> = block.enums.iter().map(|e| e.name.value.clone()).collect();
    // Alternates name the register they overlay: resolve each to a position
    // in its list before renaming, so it follows that register's new name
    // even when the old one was shared by a colliding register.
    let mut alternate_targets = Vec::new();
    resolve_alternates(&block.items, &mut alternate_targets);
    names_mut(block, &mut |what, name| {
        if !is_valid_name(&name.value) {
            let new = well_formed(&name.value, prefix_for(what));
            notes.record(what, name, new, "not a valid name");
        }
    });
    // Where the search for a free `_N` resumes, per base name.
    let mut next_suffix: HashMap<String, u32> = HashMap::new();
    for _ in 0..MAX_ROUNDS {
        let problems: HashMap<Loc, &'static str> = crate::check::names::check(block)
            .into_iter()
            .filter(|d| d.loc != Loc::NONE)
            .map(|d| (d.loc, d.code))
            .collect();
        if problems.is_empty() {
            break;
        }
        // Every name of the block in both conversions: a new name takes none
        // of them, so a name the vendor wrote is never renamed for one made
        // up here.
        let mut taken: HashSet<String> = HashSet::new();
        names_mut(block, &mut |_, name| {
            taken.insert(fn_name(&name.value));
            taken.insert(type_name(&name.value));
        });
        names_mut(block, &mut |what, name| {
            let Some(code) = problems.get(&name.loc) else {
                return;
            };
            let base = notes
                .original
                .get(&name.loc)
                .map(|(_, o)| well_formed(o, prefix_for(what)))
                .unwrap_or_else(|| name.value.clone());
            let (new, why) = match *code {
                "rust-keyword" => {
                    let suffix = if base.chars().any(|c| c.is_ascii_lowercase()) {
                        "_val"
                    } else {
                        "_VAL"
                    };
                    (format!("{base}{suffix}"), "a Rust keyword")
                }
                "invalid-name" => (well_formed(&base, prefix_for(what)), "not a valid name"),
                _ => {
                    let candidate = free_suffix(&mut next_suffix, &base, |c| {
                        taken.contains(&fn_name(c)) || taken.contains(&type_name(c))
                    });
                    (candidate, "collides with another name")
                }
            };
            taken.insert(fn_name(&new));
            taken.insert(type_name(&new));
            notes.record(what, name, new, why);
        });
    }
    retarget_alternates(&mut block.items, &mut alternate_targets.into_iter());
    // References by name follow the enums they name.
    let renamed: HashMap<String, String> = enum_names_before
        .into_iter()
        .zip(block.enums.iter().map(|e| e.name.value.clone()))
        .filter(|(a, b)| a != b)
        .collect();
    if !renamed.is_empty() {
        fix_enum_refs(&mut block.items, &renamed);
    }
}

/// For every register with `alternate_of`, in source order: the position in
/// its list of the register it names (of the registers of that name but
/// itself, the first it overlaps, else the first).
fn resolve_alternates(items: &[Item], out: &mut Vec<Option<usize>>) {
    let span = |r: &Register| {
        let start = u128::from(r.offset.value);
        (start, start + u128::from(r.width.value.bytes()))
    };
    for (at, item) in items.iter().enumerate() {
        match item {
            Item::Register(r) => {
                let Some(alt) = &r.alternate_of else { continue };
                let (start, end) = span(r);
                let named = |overlapping: bool| {
                    items.iter().enumerate().position(|(i, other)| {
                        matches!(other, Item::Register(o)
                            if i != at
                                && o.name.value == alt.value
                                && (!overlapping || (span(o).0 < end && start < span(o).1)))
                    })
                };
                out.push(named(true).or_else(|| named(false)));
            }
            Item::Cluster(c) => resolve_alternates(&c.items, out),
        }
    }
}

/// Points every `alternate_of` at the current name of the register
/// [`resolve_alternates`] found for it.
fn retarget_alternates(items: &mut [Item], targets: &mut impl Iterator<Item = Option<usize>>) {
    for at in 0..items.len() {
        match &mut items[at] {
            Item::Cluster(c) => {
                retarget_alternates(&mut c.items, targets);
                continue;
            }
            Item::Register(r) if r.alternate_of.is_none() => continue,
            Item::Register(_) => {}
        }
        let Some(Item::Register(target)) = targets.next().flatten().map(|t| &items[t]) else {
            continue;
        };
        let name = target.name.value.clone();
        if let Item::Register(r) = &mut items[at]
            && let Some(alt) = &mut r.alternate_of
        {
            alt.value = name;
        }
    }
}

fn fix_enum_refs(items: &mut [Item], renamed: &HashMap<String, String>) {
    for item in items {
        match item {
            Item::Register(r) => {
                for f in &mut r.fields {
                    if let Some(EnumRef::Named(n)) = &mut f.enumeration
                        && let Some(new) = renamed.get(&n.value)
                    {
                        n.value = new.clone();
                    }
                }
            }
            Item::Cluster(c) => fix_enum_refs(&mut c.items, renamed),
        }
    }
}

/// Block names become file and module names: distinct in `snake_case`. The
/// first block of a name keeps it; [`sanitise`] re-points the instances of
/// every renamed one.
fn unique_block_names(design: &mut ImportedDesign, notes: &mut Renames) {
    let mut taken: HashSet<String> = HashSet::new();
    let mut next: HashMap<String, u32> = HashMap::new();
    for block in &mut design.blocks {
        let old = block.name.value.clone();
        let mut name = old.clone();
        if taken.contains(&fn_name(&name)) {
            name = free_suffix(&mut next, &old, |c| taken.contains(&fn_name(c)));
        }
        taken.insert(fn_name(&name));
        notes.record(
            "block",
            &mut block.name,
            name,
            "collides with another block",
        );
    }
}

/// Instance names become constants and fields of a design: well formed,
/// distinct in `snake_case`.
fn unique_instance_names(design: &mut ImportedDesign, notes: &mut Renames) {
    let mut taken: HashSet<String> = HashSet::new();
    let mut next: HashMap<String, u32> = HashMap::new();
    for instance in &mut design.instances {
        let old = instance.name.value.clone();
        let base = well_formed(&old, "I");
        let unusable =
            |c: &str| taken.contains(&fn_name(c)) || crate::names::is_keyword(&fn_name(c));
        let mut name = base.clone();
        if unusable(&name) {
            name = free_suffix(&mut next, &base, unusable);
        }
        taken.insert(fn_name(&name));
        let why = if name == base {
            "not a valid name"
        } else {
            "collides with another instance"
        };
        notes.record("instance", &mut instance.name, name, why);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Access, Field, Register, Width};

    fn s<T>(v: T, loc: u32) -> Spanned<T> {
        Spanned::new(v, Loc(loc))
    }

    fn reg(name: &str, offset: u64, loc: u32, fields: Vec<Field>) -> Item {
        Item::Register(Register {
            name: s(name.to_owned(), loc),
            description: None,
            offset: s(offset, loc + 1),
            width: s(Width::W32, loc + 2),
            access: s(Access::ReadWrite, loc + 3),
            reset: s(0, loc + 4),
            array: None,
            fields,
            alternate_of: None,
            loc: Loc(loc),
        })
    }

    fn field(name: &str, bit: u32, loc: u32) -> Field {
        Field {
            name: s(name.to_owned(), loc),
            description: None,
            lsb: bit,
            msb: bit,
            bits_loc: Loc(loc + 1),
            access: s(Access::ReadWrite, loc + 2),
            enumeration: None,
            loc: Loc(loc),
        }
    }

    fn design(items: Vec<Item>) -> ImportedDesign {
        ImportedDesign {
            name: s("dev".to_owned(), 1),
            description: None,
            blocks: vec![Block {
                name: s("blk".to_owned(), 2),
                description: None,
                size: s(0x100, 3),
                items,
                enums: Vec::new(),
                id: None,
                loc: Loc(2),
            }],
            instances: Vec::new(),
        }
    }

    fn names(d: &ImportedDesign) -> Vec<String> {
        let mut out = Vec::new();
        let mut block = d.blocks[0].clone();
        names_mut(&mut block, &mut |_, n| out.push(n.value.clone()));
        out
    }

    #[test]
    fn bad_keyword_and_colliding_names_are_renamed_with_notes() {
        let mut d = design(vec![
            reg("3V3-EN", 0, 10, vec![]),
            reg(
                "TYPE",
                4,
                20,
                vec![field("EN", 0, 100), field("En", 1, 110)],
            ),
            reg("CR1", 8, 30, vec![]),
            reg("cr1", 12, 40, vec![]),
            reg("NEW", 16, 50, vec![]),
        ]);
        let mut diags = Vec::new();
        sanitise(&mut d, &mut diags);
        assert_eq!(
            names(&d),
            [
                "blk", "R3V3_EN", "TYPE_VAL", "EN", "En_2", "CR1", "cr1_2", "NEW_2"
            ]
        );
        assert!(crate::check::names::check(&d.blocks[0]).is_empty());
        let notes: Vec<(Loc, &str)> = diags.iter().map(|d| (d.loc, d.message.as_str())).collect();
        assert_eq!(
            notes,
            [
                (Loc(10), "register `3V3-EN` is imported as `R3V3_EN`"),
                (Loc(20), "register `TYPE` is imported as `TYPE_VAL`"),
                (Loc(110), "field `En` is imported as `En_2`"),
                (Loc(40), "register `cr1` is imported as `cr1_2`"),
                (Loc(50), "register `NEW` is imported as `NEW_2`"),
            ]
        );
        assert!(
            diags
                .iter()
                .all(|d| d.severity == crate::diag::Severity::Note)
        );
    }

    /// An alternate names the register it overlays; when renaming changes
    /// that name (even when the old one was shared), the reference follows
    /// the register it meant, not the name.
    #[test]
    fn alternates_follow_the_register_they_overlay_through_renames() {
        let with_alt = |item: Item, of: &str| match item {
            Item::Register(mut r) => {
                r.alternate_of = Some(s(of.to_owned(), 90));
                Item::Register(r)
            }
            Item::Cluster(_) => unreachable!(),
        };
        let mut d = design(vec![
            reg("MODE", 0, 10, vec![]),
            with_alt(reg("type", 4, 20, vec![]), "MODE"),
            reg("mode", 8, 30, vec![]),
            with_alt(reg("MODE_ALT", 8, 40, vec![]), "mode"),
            with_alt(reg("ALT_T", 4, 50, vec![]), "type"),
        ]);
        sanitise(&mut d, &mut Vec::new());
        let of: Vec<(String, Option<String>)> = d.blocks[0]
            .items
            .iter()
            .map(|i| match i {
                Item::Register(r) => (
                    r.name.value.clone(),
                    r.alternate_of.as_ref().map(|a| a.value.clone()),
                ),
                Item::Cluster(_) => unreachable!(),
            })
            .collect();
        let pair = |n: &str, o: Option<&str>| (n.to_owned(), o.map(str::to_owned));
        assert_eq!(
            of,
            [
                pair("MODE", None),
                pair("type_val", Some("MODE")),
                pair("mode_2", None),
                pair("MODE_ALT", Some("mode_2")),
                pair("ALT_T", Some("type_val")),
            ]
        );
    }

    #[test]
    fn renaming_is_deterministic_and_skips_taken_suffixes() {
        let items = vec![
            reg("A", 0, 10, vec![]),
            reg("a", 4, 20, vec![]),
            reg("A_2", 8, 30, vec![]),
        ];
        let mut first = design(items.clone());
        let mut second = design(items);
        sanitise(&mut first, &mut Vec::new());
        sanitise(&mut second, &mut Vec::new());
        assert_eq!(first, second);
        assert!(crate::check::names::check(&first.blocks[0]).is_empty());
        assert_eq!(names(&first), ["blk", "A", "a_3", "A_2"]);
    }

    #[test]
    fn renamed_blocks_take_their_instances_along() {
        let block = |name: &str, loc: u32| Block {
            name: s(name.to_owned(), loc),
            ..design(Vec::new()).blocks[0].clone()
        };
        let instance = |name: &str, block: &str, loc: u32| super::super::Instance {
            name: s(name.to_owned(), loc),
            block: block.to_owned(),
            base: s(0, loc),
            size: None,
            interrupts: Vec::new(),
            parameters: Vec::new(),
            description: None,
        };
        let mut d = design(Vec::new());
        // Not a name, a keyword once converted, and two names one in
        // `snake_case`: each renamed, and the instances naming them follow.
        d.blocks = vec![
            block("3D-ENG", 10),
            block("MOD", 20),
            block("Uart", 30),
            block("uart", 40),
        ];
        d.instances = vec![
            instance("a", "uart", 50),
            instance("b", "3D-ENG", 60),
            instance("c", "MOD", 70),
            instance("d", "Uart", 80),
        ];
        sanitise(&mut d, &mut Vec::new());
        let blocks: Vec<&str> = d.blocks.iter().map(|b| b.name.value.as_str()).collect();
        assert_eq!(blocks, ["B3D_ENG", "MOD_VAL", "Uart", "uart_2"]);
        let instances: Vec<&str> = d.instances.iter().map(|i| i.block.as_str()).collect();
        assert_eq!(instances, ["uart_2", "B3D_ENG", "MOD_VAL", "Uart"]);
    }

    #[test]
    fn well_formed_prefixes_and_replaces() {
        assert_eq!(well_formed("", "R"), "R");
        assert_eq!(well_formed(" _x ", "F"), "F_x");
        assert_eq!(well_formed("é1", "V"), "V_1");
    }
}
