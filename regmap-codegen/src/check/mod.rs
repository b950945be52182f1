//! Layout and naming checks on the IR, independent of the front end.
//!
//! [`check`] runs every pass on every block; each pass is a small module
//! returning its diagnostics, and all problems are reported, not only the
//! first. Passes read only the IR and its [`Loc`](crate::ir::Loc)s, so the
//! YAML front end and the macro front end share them.
//!
//! | code | pass |
//! |------|------|
//! | `register-past-end`, `cluster-past-end`, `misaligned-register`, `overlapping-registers` | `layout` |
//! | `unknown-alternate`, `alternate-of-itself`, `alternate-array`, `alternate-chain`, `alternate-not-overlapping` | `alternates` |
//! | `zero-count`, `stride-too-small` | `arrays` |
//! | `field-past-width`, `overlapping-fields`, `access-conflict` | `fields` |
//! | `reset-too-wide` | `reset` |
//! | `unknown-enum`, `empty-enum`, `duplicate-enum-value`, `enum-value-too-wide` | `enums` |
//! | `unknown-id-register`, `id-register-unusable`, `id-value-too-wide`, `id-value-outside-mask` | `id` |
//! | `invalid-name`, `rust-keyword`, `name-collision` | [`names`] |
//! | `name-collision` (block modules), `unknown-block` (instances) | [`names`], on a design |

mod alternates;
mod arrays;
mod enums;
mod fields;
mod id;
pub(crate) mod layout;
pub mod names;
mod reset;
mod walk;

use crate::diag::Diagnostic;

use crate::ir::{Block, Design};
/// Bytes items span from their parent's base (for importers sizing a block).
#[cfg(feature = "import")]
pub(crate) use layout::extent as extent_of;

/// The passes, in the order their diagnostics are listed.
const PASSES: &[fn(&Block) -> Vec<Diagnostic>] = &[
    names::check,
    arrays::check,
    layout::check,
    alternates::check,
    fields::check,
    reset::check,
    enums::check,
    id::check,
];

/// Runs every check on every block of `design`, and on its instances.
pub fn check(design: &Design) -> Vec<Diagnostic> {
    let mut diags: Vec<Diagnostic> = design
        .blocks
        .iter()
        .flat_map(|block| PASSES.iter().flat_map(move |pass| pass(block)))
        .collect();
    diags.extend(names::check_design(design));
    diags
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Access, Array, Field, Item, Loc, Register, Spanned, Width};

    fn at<T>(value: T, loc: u32) -> Spanned<T> {
        Spanned::new(value, Loc(loc))
    }

    fn register(name: &str, offset: u64, loc: u32) -> Register {
        Register {
            name: at(name.to_owned(), loc),
            description: None,
            offset: at(offset, loc + 1),
            width: at(Width::W32, loc + 2),
            access: at(Access::ReadWrite, loc + 3),
            reset: at(0, loc + 4),
            array: None,
            fields: Vec::new(),
            alternate_of: None,
            loc: Loc(loc),
        }
    }

    fn block(items: Vec<Item>) -> Design {
        Design {
            blocks: vec![Block {
                name: at("blk".to_owned(), 0),
                description: None,
                size: at(0x10, 1),
                items,
                enums: Vec::new(),
                id: None,
                loc: Loc(0),
            }],
            instances: Vec::new(),
        }
    }

    /// Blocks of a design share one file, so their modules are distinct;
    /// an instance names a block the design has (else the emitted `Design`
    /// is a `compile_error!`).
    #[test]
    fn designs_refuse_colliding_modules_and_unknown_blocks() {
        let mut d = block(vec![Item::Register(register("A", 0, 10))]);
        let mut second = d.blocks[0].clone();
        second.name = at("Blk".to_owned(), 30);
        d.blocks.push(second);
        let instance = |name: &str, block: &str, loc: u32| crate::ir::Instance {
            name: at(name.to_owned(), loc),
            block: at(block.to_owned(), loc + 1),
            base: at(0, loc + 2),
            size: None,
            description: None,
        };
        d.instances = vec![instance("a", "blk", 40), instance("b", "uart", 50)];
        let found: Vec<(&str, Loc)> = check(&d).iter().map(|d| (d.code, d.loc)).collect();
        assert_eq!(
            found,
            [("name-collision", Loc(30)), ("unknown-block", Loc(51))]
        );
    }

    /// The checks read only the IR: a design built by hand, as the macro
    /// front end builds one, gets the same diagnostics at its own locs.
    #[test]
    fn checks_run_on_ir_built_without_yaml() {
        let mut a = register("A", 0x0, 10);
        a.fields = vec![
            Field {
                name: at("X".to_owned(), 20),
                description: None,
                lsb: 0,
                msb: 3,
                bits_loc: Loc(21),
                access: at(Access::ReadWrite, 22),
                enumeration: None,
                loc: Loc(20),
            },
            Field {
                name: at("Y".to_owned(), 30),
                description: None,
                lsb: 2,
                msb: 40,
                bits_loc: Loc(31),
                access: at(Access::ReadWrite, 32),
                enumeration: None,
                loc: Loc(30),
            },
        ];
        let b = register("B", 0x2, 40);
        let mut c = register("C", 0x8, 50);
        c.array = Some(Array {
            count: at(3, 56),
            stride: at(4, 57),
        });
        let design = block(vec![
            Item::Register(a),
            Item::Register(b),
            Item::Register(c),
        ]);
        let found: Vec<(&str, Loc)> = check(&design).iter().map(|d| (d.code, d.loc)).collect();
        for expected in [
            ("overlapping-fields", Loc(31)),
            ("field-past-width", Loc(31)),
            ("misaligned-register", Loc(41)),
            ("overlapping-registers", Loc(41)),
            ("register-past-end", Loc(56)),
        ] {
            assert!(found.contains(&expected), "{expected:?} not in {found:?}");
        }
        assert_eq!(found.len(), 5, "{found:?}");
    }

    #[test]
    fn a_clean_design_has_no_diagnostics() {
        let design = block(vec![
            Item::Register(register("A", 0x0, 10)),
            Item::Register(register("B", 0xc, 20)),
        ]);
        assert_eq!(check(&design), Vec::new());
    }
}
