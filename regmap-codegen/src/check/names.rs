//! Names: well-formed, not Rust keywords once converted, and distinct in
//! every Rust namespace the emitter fills.
//!
//! The emitter turns names into `snake_case` (modules, accessors),
//! `PascalCase` (types, enum variants) and `SHOUTY_CASE` (field constants)
//! with [`crate::names`].
//! Its namespaces, checked here:
//! - types, one per Rust module: the block's module holds the block type,
//!   the types of its top-level registers, their inline enums and the
//!   named enums; each cluster's module holds the cluster type, the types of
//!   its registers and their inline enums (module names are `snake_case`
//!   and never meet `PascalCase` types);
//! - accessors, one per block and per cluster, beside the reserved `new`,
//!   `bus`, `into_inner` and (on clusters) `base_offset`;
//! - field constants, one namespace per register type, beside the reserved
//!   `OFFSET`, `STRIDE` and `COUNT` (a field constant named like a trait
//!   constant, `RESET` say, shadows it, which compiles);
//! - variants, one per enum.

use std::collections::HashMap;
use std::collections::HashSet;

use heck::{ToSnakeCase, ToUpperCamelCase};

use super::walk;
use crate::diag::Diagnostic;
use crate::ir::{Block, Design, Enum, EnumRef, Item, Loc, Register, Spanned};
use crate::names::{fn_name, is_keyword, type_name};

/// Methods block and cluster types have besides their accessors (blocks:
/// `new`, `bus`, `into_inner`; clusters: `base_offset`). Reserved in both, so
/// moving registers into or out of a cluster never turns a name invalid.
pub const RESERVED_ACCESSORS: &[&str] = &["new", "bus", "into_inner", "base_offset"];

/// Constants every register type has beside its fields' constants
/// (`STRIDE` and `COUNT` on arrays; reserved everywhere, so making a register
/// an array never turns a name invalid).
pub const RESERVED_FIELD_CONSTS: &[&str] = &["OFFSET", "STRIDE", "COUNT"];

/// Keywords `r#` cannot turn into names (`r#self` is an error), so the
/// Rust syntax cannot write a map that uses one as written.
const UNSPELLABLE: &[&str] = &["self", "Self", "super", "crate"];

/// Modules a design's generated code declares beside its blocks' modules:
/// a block whose module name is one of these would declare it twice.
pub const RESERVED_MODULES: &[&str] = &["instances"];

/// The rename the keyword errors suggest: `_val`, or `_VAL` for a name
/// without lower-case letters.
fn keyword_rename(text: &str) -> String {
    if text.chars().any(|c| c.is_ascii_lowercase()) {
        format!("{text}_val")
    } else {
        format!("{text}_VAL")
    }
}

/// The closest of `candidates` to `name`, ignoring case, if any is close
/// enough to suggest.
pub(crate) fn closest<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let lower: Vec<String> = candidates.iter().map(|c| c.to_lowercase()).collect();
    let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
    let best = crate::names::did_you_mean(&name.to_lowercase(), &lower)?;
    let at = lower.iter().position(|c| *c == best)?;
    Some(candidates[at])
}

/// Whether `name` is letters, digits and `_`, starting with a letter (ASCII).
pub fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Checks every name of `block`.
pub(crate) fn check(block: &Block) -> Vec<Diagnostic> {
    let mut cx = Names {
        diags: Vec::new(),
        reported: HashSet::new(),
    };
    cx.validity(block);
    cx.module(block);
    cx.accessors(&block.items, "block", &block.name.value);
    walk::clusters(&block.items, &mut |c| {
        cx.accessors(&c.items, "cluster", &c.name.value)
    });
    walk::registers(&block.items, &mut |r| cx.field_consts(r));
    for e in walk::enums(block) {
        cx.variants(e);
    }
    cx.types(block);
    cx.diags
}

/// Checks what a design adds to its blocks' names: the blocks' modules sit
/// side by side in one file, so they are distinct, and every instance names
/// a block of the design (else its `Design` field has no type).
pub(crate) fn check_design(design: &Design) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let mut modules: HashMap<String, &Spanned<String>> = HashMap::new();
    for block in &design.blocks {
        let module = fn_name(&block.name.value);
        match modules.get(&module) {
            Some(first) => diags.push(
                Diagnostic::error(
                    "name-collision",
                    block.name.loc,
                    format!(
                        "blocks `{}` and `{}` both become the module `{module}`",
                        first.value, block.name.value
                    ),
                )
                .with_label(format!("becomes `{module}`"))
                .with_related(first.loc, format!("block `{}` is here", first.value))
                .with_hint("rename one of them"),
            ),
            None => {
                modules.insert(module, &block.name);
            }
        }
    }
    for instance in &design.instances {
        let block = &instance.block;
        if design.blocks.iter().all(|b| b.name.value != block.value) {
            diags.push(
                Diagnostic::error(
                    "unknown-block",
                    block.loc,
                    format!(
                        "instance `{}` names block `{}`, which the design does not define",
                        instance.name.value, block.value
                    ),
                )
                .with_label("no such block")
                .with_hint("name a block of the design"),
            );
        }
    }
    diags
}

struct Names {
    diags: Vec<Diagnostic>,
    /// Names already reported, so one mistake is reported once.
    reported: HashSet<Loc>,
}

/// A name in a namespace: what declared it and where.
#[derive(Clone)]
struct Owner<'a> {
    what: &'static str,
    name: &'a str,
    loc: Loc,
}

impl Names {
    /// Remembers `loc` as reported (a front end without places uses
    /// `Loc::NONE` for many names: those are never merged).
    fn mark(&mut self, loc: Loc) {
        if loc != Loc::NONE {
            self.reported.insert(loc);
        }
    }

    /// Every name is well formed and, converted, not a keyword.
    fn validity(&mut self, block: &Block) {
        let mut all: Vec<(&'static str, &Spanned<String>, bool)> =
            vec![("block", &block.name, false)];
        collect_items(&block.items, &mut all);
        for e in walk::enums(block) {
            all.push(("enum", &e.name, true));
            for v in &e.variants {
                all.push(("enum value", &v.name, true));
            }
        }
        for (what, name, pascal) in all {
            self.valid(what, name, pascal);
        }
    }

    fn valid(&mut self, what: &'static str, name: &Spanned<String>, pascal: bool) {
        let text = &name.value;
        if !is_valid_name(text) {
            self.mark(name.loc);
            self.diags.push(
                Diagnostic::error(
                    "invalid-name",
                    name.loc,
                    format!("{what} name `{text}` is not a valid name"),
                )
                .with_label("not a name")
                .with_hint("names are ASCII letters, digits and `_`, starting with a letter"),
            );
            return;
        }
        // A field becomes an associated constant (`SHOUTY_CASE`), which no
        // Rust keyword is spelt like.
        if what != "field" && self.keyword(what, name, pascal) {
            return;
        }
        // `#[register_block]` syntax writes every name as written, and `r#`
        // makes any keyword a name except these.
        if UNSPELLABLE.contains(&text.as_str()) {
            self.mark(name.loc);
            self.diags.push(
                Diagnostic::error(
                    "rust-keyword",
                    name.loc,
                    format!("{what} name `{text}` is a Rust keyword that `r#` cannot escape"),
                )
                .with_label("a keyword in Rust")
                .with_hint(format!(
                    "`#[register_block]` syntax writes names as written, so it could not write this map: rename it, for example `{}`",
                    keyword_rename(text)
                )),
            );
        }
    }

    /// The block's module is not one a design declares itself. Refused for
    /// a lone block too: a map that checks clean must stay usable in any
    /// design.
    fn module(&mut self, block: &Block) {
        let name = &block.name;
        if !is_valid_name(&name.value) || self.reported.contains(&name.loc) {
            return;
        }
        let module = fn_name(&name.value);
        if RESERVED_MODULES.contains(&module.as_str()) {
            self.mark(name.loc);
            self.diags.push(
                Diagnostic::error(
                    "name-collision",
                    name.loc,
                    format!(
                        "block `{}` becomes the module `{module}`, which the generated code of a design already has",
                        name.value
                    ),
                )
                .with_label(format!("becomes `{module}`"))
                .with_hint(format!(
                    "a design's base addresses live in `mod {module}`: rename the block, for example `{}_block`",
                    name.value
                )),
            );
        }
    }

    /// Reports `name` if its conversion is a Rust keyword; whether it did.
    fn keyword(&mut self, what: &'static str, name: &Spanned<String>, pascal: bool) -> bool {
        let text = &name.value;
        // The conversion before `names` makes keywords usable: a keyword is
        // reported, not silently renamed.
        let converted = if pascal {
            text.to_upper_camel_case()
        } else {
            text.to_snake_case()
        };
        if is_keyword(&converted) {
            self.mark(name.loc);
            self.diags.push(
                Diagnostic::error(
                    "rust-keyword",
                    name.loc,
                    format!("{what} name `{text}` becomes the Rust keyword `{converted}`"),
                )
                .with_label("a keyword in Rust")
                .with_hint(format!(
                    "Rust does not allow `{converted}` as a name: rename it, for example `{}`",
                    keyword_rename(text)
                )),
            );
            return true;
        }
        false
    }

    /// Reports the second of two owners of `rust` in one namespace.
    fn collide(&mut self, rust: &str, kind: &str, a: &Owner<'_>, b: &Owner<'_>, scope: &str) {
        // Point at the one written later (front ends number locs in order).
        let (first, second) = if a.loc <= b.loc { (a, b) } else { (b, a) };
        if self.reported.contains(&second.loc) || self.reported.contains(&first.loc) {
            return;
        }
        self.mark(second.loc);
        let message = if first.name == second.name && first.what == second.what {
            format!(
                "{} `{}` is declared twice {scope}",
                second.what, second.name
            )
        } else {
            format!(
                "{} `{}` and {} `{}` both become the {kind} `{rust}` {scope}",
                first.what, first.name, second.what, second.name
            )
        };
        self.diags.push(
            Diagnostic::error("name-collision", second.loc, message)
                .with_label(format!("becomes `{rust}`"))
                .with_related(
                    first.loc,
                    format!("{} `{}` is here", first.what, first.name),
                )
                .with_hint("rename one of them"),
        );
    }

    fn reserved(&mut self, rust: &str, kind: &str, owner: &Owner<'_>, scope: &str) {
        if self.reported.contains(&owner.loc) {
            return;
        }
        self.mark(owner.loc);
        self.diags.push(
            Diagnostic::error(
                "name-collision",
                owner.loc,
                format!(
                    "{} `{}` becomes the {kind} `{rust}`, which the generated code already {} {scope}",
                    owner.what,
                    owner.name,
                    if kind == "type" { "uses" } else { "has" }
                ),
            )
            .with_label(format!("becomes `{rust}`"))
            .with_hint("rename it"),
        );
    }

    /// One accessor per item of a block or cluster.
    fn accessors(&mut self, items: &[Item], level: &str, level_name: &str) {
        let scope = format!("in {level} `{level_name}`");
        let mut seen: HashMap<String, Owner<'_>> = HashMap::new();
        for item in items {
            let name = item.name();
            if !is_valid_name(&name.value) {
                continue;
            }
            let what = match item {
                Item::Register(_) => "register",
                Item::Cluster(_) => "cluster",
            };
            let owner = Owner {
                what,
                name: &name.value,
                loc: name.loc,
            };
            let rust = fn_name(&name.value);
            if RESERVED_ACCESSORS.contains(&rust.as_str()) {
                self.reserved(&rust, "method", &owner, &scope);
            } else if let Some(first) = seen.get(&rust).cloned() {
                self.collide(&rust, "accessor", &first, &owner, &scope);
            } else {
                seen.insert(rust, owner);
            }
        }
    }

    /// The constant each field generates: distinct within its register, and
    /// none of the constants every register type has.
    fn field_consts(&mut self, r: &Register) {
        let scope = format!("in register `{}`", r.name.value);
        let mut seen: HashMap<String, Owner<'_>> = HashMap::new();
        for f in &r.fields {
            if !is_valid_name(&f.name.value) {
                continue;
            }
            let owner = Owner {
                what: "field",
                name: &f.name.value,
                loc: f.name.loc,
            };
            let constant = crate::names::const_name(&f.name.value);
            if RESERVED_FIELD_CONSTS.contains(&constant.as_str()) {
                self.reserved(&constant, "constant", &owner, &scope);
            } else if let Some(first) = seen.get(&constant).cloned() {
                if first.loc != owner.loc {
                    self.collide(&constant, "constant", &first, &owner, &scope);
                }
            } else {
                seen.insert(constant, owner);
            }
        }
    }

    fn variants(&mut self, e: &Enum) {
        let scope = format!("in enum `{}`", e.name.value);
        let mut seen: HashMap<String, Owner<'_>> = HashMap::new();
        for v in &e.variants {
            if !is_valid_name(&v.name.value) {
                continue;
            }
            let owner = Owner {
                what: "value",
                name: &v.name.value,
                loc: v.name.loc,
            };
            let rust = type_name(&v.name.value);
            if let Some(first) = seen.get(&rust).cloned() {
                self.collide(&rust, "variant", &first, &owner, &scope);
            } else {
                seen.insert(rust, owner);
            }
        }
    }

    /// Types share one namespace per Rust module: the block's, and one
    /// per cluster.
    fn types(&mut self, block: &Block) {
        let mut owners = vec![Owner {
            what: "block",
            name: &block.name.value,
            loc: block.name.loc,
        }];
        owners.extend(block.enums.iter().map(|e| Owner {
            what: "enum",
            name: &e.name.value,
            loc: e.name.loc,
        }));
        self.module_types(
            owners,
            &block.items,
            &format!("in block `{}`", block.name.value),
        );
        walk::clusters(&block.items, &mut |c| {
            let own = vec![Owner {
                what: "cluster",
                name: &c.name.value,
                loc: c.name.loc,
            }];
            self.module_types(own, &c.items, &format!("in cluster `{}`", c.name.value));
        });
    }

    /// One module's types: `owners`, then the registers of `items` and
    /// their inline enums.
    fn module_types<'a>(&mut self, mut owners: Vec<Owner<'a>>, items: &'a [Item], scope: &str) {
        for item in items {
            let Item::Register(r) = item else { continue };
            owners.push(Owner {
                what: "register",
                name: &r.name.value,
                loc: r.name.loc,
            });
            for f in &r.fields {
                if let Some(EnumRef::Inline(e)) = &f.enumeration {
                    owners.push(Owner {
                        what: "enum",
                        name: &e.name.value,
                        loc: e.name.loc,
                    });
                }
            }
        }
        let mut seen: HashMap<String, Owner<'_>> = HashMap::new();
        for owner in owners {
            if !is_valid_name(owner.name) {
                continue;
            }
            let rust = type_name(owner.name);
            // No type is reserved: generated code names everything from
            // `core` and the runtime by its full path.
            if let Some(first) = seen.get(&rust).cloned() {
                self.collide(&rust, "type", &first, &owner, scope);
            } else {
                seen.insert(rust, owner);
            }
        }
    }
}

fn collect_items<'a>(items: &'a [Item], out: &mut Vec<(&'static str, &'a Spanned<String>, bool)>) {
    for item in items {
        match item {
            Item::Register(r) => {
                out.push(("register", &r.name, false));
                for f in &r.fields {
                    out.push(("field", &f.name, false));
                }
            }
            Item::Cluster(c) => {
                out.push(("cluster", &c.name, false));
                collect_items(&c.items, out);
            }
        }
    }
}
