//! Lowering of a `#[register_block]` module into the IR, recording a span for
//! every node and a diagnostic for every malformed attribute.

use super::args::{self, Arg, ArgValue};
use super::codes;
use super::spans::SpanTable;
use super::values::{Keys, did_you_mean};
use crate::diag::Diagnostic;
use crate::ir::{
    Access, Array, Block, Cluster, Enum, EnumRef, Field, IdCheck, Item, Loc, Register, Spanned,
    Variant, Width,
};
use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use syn::ext::IdentExt;

/// Keys of the `#[register_block(...)]` attribute.
const BLOCK_KEYS: &[&str] = &["size", "id", "crate"];
/// Keys of `id(...)`.
const ID_KEYS: &[&str] = &["register", "value", "mask"];
/// Keys of `#[register(...)]`.
const REGISTER_KEYS: &[&str] = &[
    "offset",
    "width",
    "access",
    "reset",
    "count",
    "stride",
    "alternate_of",
];
/// Keys of `#[cluster(...)]`.
const CLUSTER_KEYS: &[&str] = &["offset", "count", "stride"];
/// Keys of `#[bits(...)]` after the bit range.
const BITS_KEYS: &[&str] = &["access"];

/// What the lowering keeps of the module besides the block: how to re-emit it.
pub(crate) struct ModShell {
    /// The module's name.
    pub ident: syn::Ident,
    /// The module's visibility.
    pub vis: syn::Visibility,
    /// Attributes to carry over to the generated module (`cfg`, `allow`, ...).
    pub attrs: Vec<syn::Attribute>,
    /// The runtime's path from `crate = ...`, when written.
    pub runtime: Option<syn::Path>,
}

/// The lowering state: the span table and every diagnostic so far.
///
/// A mistake drops as little as it can: an unknown access kind, a reversed
/// bit range or a field type that contradicts its bits is reported and the
/// field kept (with the inherited access, the range swapped, a plain type),
/// so the shared checks still see the layout and report their errors in the
/// same build.
#[derive(Default)]
pub(crate) struct Lower {
    pub spans: SpanTable,
    pub diags: Vec<Diagnostic>,
    /// Whether the block's size was lowered: without it the shared checks
    /// would report every register as past the end.
    pub size_known: bool,
    enums: Vec<Enum>,
    locals: Vec<LocalEnum>,
    /// Registers left out after an error, so the `id` check does not call
    /// them unknown as well.
    dropped_registers: Vec<String>,
    /// Type names of fields left out after an error: a `#[local]` enum they
    /// name still counts as used.
    dropped_field_types: Vec<String>,
}

/// An enum marked `#[local]`: the values of exactly one field, emitted beside
/// its register (YAML's inline enum).
struct LocalEnum {
    e: Enum,
    uses: usize,
}

impl Lower {
    pub(super) fn error(
        &mut self,
        code: &'static str,
        loc: Loc,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.diags.push(Diagnostic::error(code, loc, message));
        self.diags.last_mut().expect("just pushed")
    }

    pub(super) fn arg_loc(&mut self, arg: &Arg) -> Loc {
        self.spans.add(arg.first, arg.last)
    }

    /// Lowers `#[register_block(attr)] item`. `None` when the item is not a
    /// module at all; otherwise a block as complete as the input allows, with
    /// diagnostics for everything that could not be lowered.
    pub(crate) fn block(
        &mut self,
        attr: TokenStream,
        item: TokenStream,
    ) -> Option<(Block, ModShell)> {
        let item: syn::Item = match syn::parse2(item) {
            Ok(item) => item,
            Err(e) => {
                let loc = self.spans.add(e.span(), e.span());
                self.error(codes::SYNTAX, loc, e.to_string());
                return None;
            }
        };
        let syn::Item::Mod(module) = item else {
            let loc = self.spans.add_tokens(&item_head(&item));
            self.error(codes::SYNTAX, loc, "`#[register_block]` goes on a module")
                .hint = Some(
                "write the block as `mod name { ... }` holding `#[register(...)] struct`s, `#[cluster(...)] mod`s and `enum`s".into(),
            );
            return None;
        };
        let name_loc = self.spans.add_tokens(&module.ident);
        let block_loc = name_loc;
        let attr_loc = if attr.is_empty() {
            // In an attribute macro the call site is the attribute itself.
            self.spans.add(
                proc_macro2::Span::call_site(),
                proc_macro2::Span::call_site(),
            )
        } else {
            let (first, last) = super::spans::token_range(attr.clone());
            self.spans.add(first, last)
        };

        let mut keys = self.keyed(args::split(attr), BLOCK_KEYS, "register_block", None);
        let size = match keys.take("size") {
            Some(arg) => self.int(&arg, "size").inspect(|_| self.size_known = true),
            None => {
                self.missing_unless_typo(
                    &keys,
                    attr_loc,
                    "size",
                    "register_block",
                    "size = 0x1000",
                );
                None
            }
        };
        let mut id = keys.take("id").and_then(|arg| self.id_check(&arg));
        let runtime = keys.take("crate").and_then(|arg| self.runtime_path(&arg));

        let description = docs(&module.attrs);
        let attrs = module
            .attrs
            .iter()
            .filter(|a| !a.path().is_ident("doc"))
            .cloned()
            .collect();

        let mut items = match &module.content {
            Some((_, items)) => self.items(items, false),
            None => {
                self.error(codes::SYNTAX, name_loc, "a register block needs a body")
                    .hint = Some("write `mod name { ... }` with the registers inside".into());
                Vec::new()
            }
        };

        self.inline_local_enums(&mut items);
        if id
            .as_ref()
            .is_some_and(|id| self.dropped_registers.contains(&id.register.value))
        {
            id = None;
        }

        let block = Block {
            name: Spanned::new(module.ident.unraw().to_string(), name_loc),
            description,
            size: size.unwrap_or(Spanned::new(0, attr_loc)),
            items,
            enums: std::mem::take(&mut self.enums),
            id,
            loc: block_loc,
        };
        Some((
            block,
            ModShell {
                ident: module.ident,
                vis: module.vis,
                attrs,
                runtime,
            },
        ))
    }

    /// Turns every field's reference to a `#[local]` enum into that enum
    /// inline, and reports local enums used by no field or by several.
    fn inline_local_enums(&mut self, items: &mut [Item]) {
        fn walk(items: &mut [Item], locals: &mut [LocalEnum]) {
            for item in items {
                match item {
                    Item::Cluster(c) => walk(&mut c.items, locals),
                    Item::Register(r) => {
                        for f in &mut r.fields {
                            let Some(EnumRef::Named(name)) = &f.enumeration else {
                                continue;
                            };
                            if let Some(l) =
                                locals.iter_mut().find(|l| l.e.name.value == name.value)
                            {
                                l.uses += 1;
                                // Only the first user gets it: a second copy would
                                // also be reported as a name declared twice. The
                                // others are an error reported below.
                                f.enumeration = (l.uses == 1).then(|| EnumRef::Inline(l.e.clone()));
                            }
                        }
                    }
                }
            }
        }
        let mut locals = std::mem::take(&mut self.locals);
        walk(items, &mut locals);
        for l in &mut locals {
            l.uses += self
                .dropped_field_types
                .iter()
                .filter(|t| **t == l.e.name.value)
                .count();
        }
        for l in locals.iter().filter(|l| l.uses != 1) {
            let name = &l.e.name.value;
            let d = self.error(
                codes::LOCAL_ENUM_USE,
                l.e.name.loc,
                if l.uses == 0 {
                    format!("`#[local]` enum `{name}` is not used by any field")
                } else {
                    format!("`#[local]` enum `{name}` is used by {} fields", l.uses)
                },
            );
            d.hint = Some(if l.uses == 0 {
                format!("give a field the type `{name}`, or remove the enum")
            } else {
                "a local enum holds the values of one field: drop `#[local]` to share it".into()
            });
        }
    }

    /// `crate = path`: where the generated code finds the runtime.
    fn runtime_path(&mut self, arg: &Arg) -> Option<syn::Path> {
        if let ArgValue::Tokens(tokens) = &arg.value
            && let Ok(path) = syn::parse2::<syn::Path>(tokens.iter().cloned().collect())
        {
            return Some(path);
        }
        let loc = self.arg_loc(arg);
        self.error(codes::WRONG_TYPE, loc, "`crate` takes a path")
            .hint = Some(
            "write the path the runtime has in this crate: `crate = ::rt` when `Cargo.toml` renames `regmap-runtime` to `rt`".into(),
        );
        None
    }

    fn id_check(&mut self, arg: &Arg) -> Option<IdCheck> {
        let loc = self.arg_loc(arg);
        let ArgValue::List(inner) = &arg.value else {
            self.error(codes::WRONG_TYPE, loc, "`id` takes a list of keys")
                .hint = Some(
                "write `id(register = VERSION, value = 0x0102_0000, mask = 0xffff_0000)`".into(),
            );
            return None;
        };
        let mut keys = self.keyed(args::split(inner.clone()), ID_KEYS, "id", None);
        let register = match keys.take("register") {
            Some(arg) => self.name_value(&arg, "register"),
            None => {
                self.missing_unless_typo(&keys, loc, "register", "id", "register = VERSION");
                None
            }
        };
        let value = match keys.take("value") {
            Some(arg) => self.int(&arg, "value"),
            None => {
                self.missing_unless_typo(&keys, loc, "value", "id", "value = 0x0001_0000");
                None
            }
        };
        let mask = keys.take("mask").and_then(|arg| self.int(&arg, "mask"));
        Some(IdCheck {
            register: register?,
            value: value?,
            mask,
            loc,
        })
    }

    /// Lowers the items of a block (`in_cluster == false`) or cluster body.
    fn items(&mut self, items: &[syn::Item], in_cluster: bool) -> Vec<Item> {
        let mut out = Vec::new();
        for item in items {
            match item {
                syn::Item::Struct(s) => {
                    if let Some(r) = self.register(s) {
                        out.push(Item::Register(r));
                    }
                }
                syn::Item::Mod(m) => {
                    if let Some(c) = self.cluster(m) {
                        out.push(Item::Cluster(c));
                    }
                }
                syn::Item::Enum(e) => {
                    let local = e.attrs.iter().any(|a| a.path().is_ident("local"));
                    if let Some(e) = self.enumeration(e) {
                        if local {
                            self.locals.push(LocalEnum { e, uses: 0 });
                        } else {
                            self.enums.push(e);
                        }
                    }
                }
                other => {
                    let loc = self.spans.add_tokens(&item_head(other));
                    let place = if in_cluster {
                        "cluster"
                    } else {
                        "register block"
                    };
                    self.error(
                        codes::UNSUPPORTED_ITEM,
                        loc,
                        format!("this item cannot appear in a {place}"),
                    )
                    .hint = Some(
                        "a block holds `#[register(...)] struct`s, `#[cluster(...)] mod`s and `enum`s only".into(),
                    );
                }
            }
        }
        out
    }

    /// Finds the one attribute named `name` among `attrs`; every other
    /// non-doc attribute is reported.
    fn own_attr<'a>(
        &mut self,
        attrs: &'a [syn::Attribute],
        name: &str,
        anchor: Loc,
        example: &str,
    ) -> Option<&'a syn::Attribute> {
        let mut found: Option<&syn::Attribute> = None;
        let mut misspelt = false;
        for attr in attrs {
            if attr.path().is_ident("doc") {
                continue;
            }
            let loc = self.spans.add_tokens(attr);
            if attr.path().is_ident(name) {
                if found.is_some() {
                    self.error(
                        codes::DUPLICATE_KEY,
                        loc,
                        format!("`#[{name}]` written twice"),
                    );
                } else {
                    found = Some(attr);
                }
            } else {
                let path = attr.path().to_token_stream().to_string().replace(' ', "");
                let d = self.error(
                    codes::UNKNOWN_KEY,
                    loc,
                    format!("unknown attribute `#[{path}]` here"),
                );
                let suggestion = did_you_mean(&path, &[name]);
                misspelt |= suggestion.is_some();
                d.hint = Some(match suggestion {
                    Some(s) => format!("did you mean `#[{s}]`?"),
                    None => format!("only doc comments and `#[{name}(...)]` are allowed here"),
                });
            }
        }
        if found.is_none() && !misspelt {
            self.error(
                codes::MISSING_KEY,
                anchor,
                format!("missing `#[{name}(...)]`"),
            )
            .hint = Some(format!("add `#[{example}]` above it"));
        }
        found
    }

    fn attr_args(&mut self, attr: &syn::Attribute) -> Vec<Arg> {
        match &attr.meta {
            syn::Meta::List(list) => args::split(list.tokens.clone()),
            syn::Meta::Path(_) => Vec::new(),
            syn::Meta::NameValue(_) => {
                let loc = self.spans.add_tokens(attr);
                self.error(
                    codes::SYNTAX,
                    loc,
                    "write this attribute as `#[name(key = value, ...)]`",
                );
                Vec::new()
            }
        }
    }

    /// `count` and `stride`. A register array's stride defaults to the
    /// register's width (`width` is `Some`), a cluster array needs one.
    fn array(&mut self, keys: &mut Keys, width: Option<Width>) -> Option<Array> {
        let count = keys.take("count");
        let stride = keys.take("stride");
        match (count, stride) {
            (None, None) => None,
            (Some(c), Some(s)) => {
                let count = self.int(&c, "count");
                let stride = self.int(&s, "stride");
                Some(Array {
                    count: count?,
                    stride: stride?,
                })
            }
            (Some(c), None) => {
                let count = self.int(&c, "count")?;
                match width {
                    Some(w) => Some(Array {
                        stride: Spanned::new(w.bytes(), count.loc),
                        count,
                    }),
                    None => {
                        self.error(
                            codes::MISSING_KEY,
                            count.loc,
                            "a cluster array needs `stride`",
                        )
                        .hint = Some(
                            "add `stride = 0x100`: the distance in bytes between the copies".into(),
                        );
                        None
                    }
                }
            }
            (None, Some(s)) => {
                let loc = self.arg_loc(&s);
                self.error(codes::MISSING_KEY, loc, "`stride` without `count`")
                    .hint = Some("add `count = N` to make an array, or remove `stride`".into());
                None
            }
        }
    }

    fn register(&mut self, s: &syn::ItemStruct) -> Option<Register> {
        let name_loc = self.spans.add_tokens(&s.ident);
        let attr = self.own_attr(&s.attrs, "register", name_loc, "register(offset = 0x0)");
        if !s.generics.params.is_empty() || s.generics.where_clause.is_some() {
            let loc = self.spans.add_tokens(&s.generics);
            self.error(codes::SYNTAX, loc, "a register takes no generic parameters");
        }
        let Some(attr) = attr else {
            self.drop_register(s);
            return None;
        };
        let attr_loc = self.spans.add_tokens(attr);
        let args = self.attr_args(attr);
        let mut keys = self.keyed(args, REGISTER_KEYS, "register", None);
        let offset = match keys.take("offset") {
            Some(arg) => self.int(&arg, "offset"),
            None => {
                self.missing_unless_typo(&keys, attr_loc, "offset", "register", "offset = 0x0");
                None
            }
        };
        let width = match keys.take("width") {
            Some(arg) => self.width(&arg),
            None => Some(Spanned::new(Width::W32, attr_loc)),
        };
        // A bad access or reset is reported; the register stays (read-write,
        // reset 0) so its layout is still checked.
        let access = keys
            .take("access")
            .and_then(|arg| self.access(&arg))
            .unwrap_or(Spanned::new(Access::ReadWrite, attr_loc));
        let reset = keys
            .take("reset")
            .and_then(|arg| self.int(&arg, "reset"))
            .unwrap_or(Spanned::new(0, attr_loc));
        let array = self.array(
            &mut keys,
            Some(width.as_ref().map_or(Width::W32, |w| w.value)),
        );
        // A bad name is reported; the register stays, as a plain register.
        let alternate_of = keys
            .take("alternate_of")
            .and_then(|arg| self.name_value(&arg, "alternate_of"));

        let fields = match &s.fields {
            syn::Fields::Unit => Vec::new(),
            syn::Fields::Named(named) => named
                .named
                .iter()
                .filter_map(|f| self.field(f, &access))
                .collect(),
            syn::Fields::Unnamed(fields) => {
                let loc = self.spans.add_tokens(fields);
                self.error(codes::SYNTAX, loc, "register fields need names")
                    .hint = Some("write `struct Ctrl { #[bits(0)] enable: bool }`, or `struct Ctrl;` for a register without fields".into());
                Vec::new()
            }
        };

        let (Some(offset), Some(width)) = (offset, width) else {
            self.drop_register(s);
            return None;
        };
        Some(Register {
            name: Spanned::new(s.ident.unraw().to_string(), name_loc),
            description: docs(&s.attrs),
            offset,
            width,
            access,
            reset,
            array,
            fields,
            alternate_of,
            loc: name_loc,
        })
    }

    fn drop_register(&mut self, s: &syn::ItemStruct) {
        self.dropped_registers.push(s.ident.unraw().to_string());
    }

    /// Records the type of a field left out after an error (see
    /// [`Lower::dropped_field_types`]).
    fn drop_field(&mut self, ty: &syn::Type) {
        if let syn::Type::Path(p) = ty
            && let Some(ident) = p.path.get_ident()
        {
            self.dropped_field_types.push(ident.unraw().to_string());
        }
    }

    fn field(&mut self, f: &syn::Field, inherited: &Spanned<Access>) -> Option<Field> {
        let ident = f.ident.as_ref()?;
        let name_loc = self.spans.add_tokens(ident);
        let loc = self.spans.add_tokens(f);
        let Some(attr) = self.own_attr(&f.attrs, "bits", name_loc, "bits(7:0)") else {
            self.drop_field(&f.ty);
            return None;
        };
        let bits_attr_loc = self.spans.add_tokens(attr);
        let args = self.attr_args(attr);
        let mut keys = self.keyed(args, BITS_KEYS, "bits", Some(bits_attr_loc));
        let range = match keys.positional.as_slice() {
            [] => {
                self.error(codes::MISSING_KEY, bits_attr_loc, "missing bit range")
                    .hint = Some(
                    "write `#[bits(3)]` for one bit or `#[bits(7:4)]` for bits 7 down to 4".into(),
                );
                None
            }
            [range, rest @ ..] => {
                for extra in rest {
                    let loc = self.arg_loc(extra);
                    self.error(codes::SYNTAX, loc, "a field has one bit range");
                }
                let range = range.clone();
                self.bit_range(&range)
            }
        };
        // An unknown access kind is reported; the field keeps the register's.
        let access = keys
            .take("access")
            .and_then(|arg| self.access(&arg))
            .unwrap_or_else(|| inherited.clone());
        let Some((msb, lsb, bits_loc)) = range else {
            self.drop_field(&f.ty);
            return None;
        };
        // A type that contradicts the bits is reported; the field stays plain.
        let enumeration = self.field_type(&f.ty, msb - lsb + 1).unwrap_or(None);
        Some(Field {
            name: Spanned::new(ident.unraw().to_string(), name_loc),
            description: docs(&f.attrs),
            lsb,
            msb,
            bits_loc,
            access,
            enumeration,
            loc,
        })
    }

    /// `N` or `MSB:LSB`: returns `(msb, lsb, loc)`.
    fn bit_range(&mut self, arg: &Arg) -> Option<(u32, u32, Loc)> {
        let loc = self.arg_loc(arg);
        let bad = |this: &mut Self| {
            this.error(codes::WRONG_TYPE, loc, "expected a bit number or `msb:lsb`")
                .hint = Some(
                "write `#[bits(3)]` for one bit or `#[bits(7:4)]` for bits 7 down to 4".into(),
            );
            None
        };
        let ArgValue::Tokens(tokens) = &arg.value else {
            return bad(self);
        };
        let number = |tt: &TokenTree| match tt {
            TokenTree::Literal(l) => match syn::Lit::new(l.clone()) {
                syn::Lit::Int(i) => i.base10_parse::<u32>().ok(),
                _ => None,
            },
            _ => None,
        };
        match tokens.as_slice() {
            [one] => match number(one) {
                Some(bit) => Some((bit, bit, loc)),
                None => bad(self),
            },
            [hi, TokenTree::Punct(colon), lo] if colon.as_char() == ':' => {
                match (number(hi), number(lo)) {
                    (Some(msb), Some(lsb)) if msb >= lsb => Some((msb, lsb, loc)),
                    (Some(msb), Some(lsb)) => {
                        self.error(
                            codes::BAD_BITS,
                            loc,
                            format!("bit range `{msb}:{lsb}` is written low to high"),
                        )
                        .hint = Some(format!(
                            "bit ranges are written highest bit first, as in datasheets: `{lsb}:{msb}`"
                        ));
                        // Reported; the range it meant stays for the layout checks.
                        Some((lsb, msb, loc))
                    }
                    _ => bad(self),
                }
            }
            _ => bad(self),
        }
    }

    /// The field's declared type: `bool`, `uN` (checked against the bit
    /// range) or the name of an enum. `Some(None)` for plain fields.
    fn field_type(&mut self, ty: &syn::Type, width: u32) -> Option<Option<EnumRef>> {
        let loc = self.spans.add_tokens(ty);
        let ident = match ty {
            syn::Type::Path(p) if p.qself.is_none() => p.path.get_ident(),
            _ => None,
        };
        let Some(ident) = ident else {
            self.error(
                codes::FIELD_TYPE,
                loc,
                "a field's type is `bool`, `uN` or the name of an enum in this block",
            )
            .hint = Some(format!(
                "for this {width}-bit field write `{}`",
                plain_type(width)
            ));
            return None;
        };
        let name = ident.unraw().to_string();
        let declared = if name == "bool" {
            Some(1)
        } else if let Some(n) = name.strip_prefix('u').and_then(|d| d.parse::<u32>().ok()) {
            if name.starts_with("u0") || !(1..=64).contains(&n) {
                None
            } else {
                Some(n)
            }
        } else {
            return Some(Some(EnumRef::Named(Spanned::new(name, loc))));
        };
        match declared {
            Some(n) if n == width => Some(None),
            _ => {
                self.error(
                    codes::FIELD_TYPE,
                    loc,
                    format!(
                        "type `{name}` does not match the field's {width} bit{}",
                        if width == 1 { "" } else { "s" }
                    ),
                )
                .hint = Some(format!(
                    "write `{}`, or change the bit range",
                    plain_type(width)
                ));
                None
            }
        }
    }

    fn cluster(&mut self, m: &syn::ItemMod) -> Option<Cluster> {
        let name_loc = self.spans.add_tokens(&m.ident);
        let attr = self.own_attr(&m.attrs, "cluster", name_loc, "cluster(offset = 0x100)")?;
        let attr_loc = self.spans.add_tokens(attr);
        let args = self.attr_args(attr);
        let mut keys = self.keyed(args, CLUSTER_KEYS, "cluster", None);
        let offset = match keys.take("offset") {
            Some(arg) => self.int(&arg, "offset"),
            None => {
                self.missing_unless_typo(&keys, attr_loc, "offset", "cluster", "offset = 0x100");
                None
            }
        };
        let array = self.array(&mut keys, None);
        let items = match &m.content {
            Some((_, items)) => self.items(items, true),
            None => {
                self.error(codes::SYNTAX, name_loc, "a cluster needs a body")
                    .hint =
                    Some("write `mod name { ... }` with the cluster's registers inside".into());
                Vec::new()
            }
        };
        Some(Cluster {
            name: Spanned::new(m.ident.unraw().to_string(), name_loc),
            description: docs(&m.attrs),
            offset: offset?,
            array,
            items,
            loc: name_loc,
        })
    }

    fn enumeration(&mut self, e: &syn::ItemEnum) -> Option<Enum> {
        let name_loc = self.spans.add_tokens(&e.ident);
        for attr in &e.attrs {
            if attr.path().is_ident("local") {
                if !matches!(attr.meta, syn::Meta::Path(_)) {
                    let loc = self.spans.add_tokens(attr);
                    self.error(codes::SYNTAX, loc, "`#[local]` takes no arguments");
                }
            } else if !attr.path().is_ident("doc") {
                let loc = self.spans.add_tokens(attr);
                self.error(
                    codes::UNKNOWN_KEY,
                    loc,
                    "an enumeration takes only doc comments and `#[local]`",
                )
                .hint = Some("write `enum Mode { Idle = 0, Run = 1 }`, or `#[local] enum ...` for the values of one field".into());
            }
        }
        if !e.generics.params.is_empty() {
            let loc = self.spans.add_tokens(&e.generics);
            self.error(
                codes::SYNTAX,
                loc,
                "an enumeration takes no generic parameters",
            );
        }
        let mut variants = Vec::new();
        for v in &e.variants {
            let vloc = self.spans.add_tokens(v);
            if !matches!(v.fields, syn::Fields::Unit) {
                self.error(
                    codes::SYNTAX,
                    vloc,
                    "an enumeration's variants carry no data",
                )
                .hint = Some(format!("write `{} = <value>`", v.ident));
                continue;
            }
            let value = match &v.discriminant {
                Some((_, expr)) => {
                    let loc = self.spans.add_tokens(expr);
                    match expr {
                        syn::Expr::Lit(syn::ExprLit {
                            lit: syn::Lit::Int(i),
                            ..
                        }) => match i.base10_parse::<u64>() {
                            Ok(n) => Some(Spanned::new(n, loc)),
                            Err(_) => {
                                self.error(
                                    codes::NUMBER_TOO_LARGE,
                                    loc,
                                    "value does not fit in 64 bits",
                                );
                                None
                            }
                        },
                        _ => {
                            self.error(codes::WRONG_TYPE, loc, "expected an integer such as `0x3`");
                            None
                        }
                    }
                }
                None => {
                    self.error(
                        codes::MISSING_KEY,
                        vloc,
                        format!("variant `{}` needs a value", v.ident),
                    )
                    .hint = Some(format!(
                        "write `{} = <value>`: datasheet values are never implied",
                        v.ident
                    ));
                    None
                }
            };
            if let Some(value) = value {
                let name_loc = self.spans.add_tokens(&v.ident);
                variants.push(Variant {
                    name: Spanned::new(v.ident.unraw().to_string(), name_loc),
                    description: docs(&v.attrs),
                    value,
                });
            }
        }
        Some(Enum {
            name: Spanned::new(e.ident.unraw().to_string(), name_loc),
            description: docs(&e.attrs),
            variants,
            loc: name_loc,
        })
    }
}

fn plain_type(width: u32) -> String {
    if width == 1 {
        "bool".into()
    } else {
        format!("u{width}")
    }
}

/// Description from doc comments: one line per `///`, the single space after
/// `///` dropped, outer blank lines trimmed.
pub(crate) fn docs(attrs: &[syn::Attribute]) -> Option<String> {
    let lines: Vec<String> = attrs
        .iter()
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) if nv.path.is_ident("doc") => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => {
                    let v = s.value();
                    Some(v.strip_prefix(' ').unwrap_or(&v).trim_end().to_string())
                }
                _ => None,
            },
            _ => None,
        })
        .collect();
    let text = lines.join("\n");
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// The tokens that name an item (`struct Foo`, `fn bar`): a caret on those
/// reads better than one across the whole item.
fn item_head(item: &syn::Item) -> TokenStream {
    let mut out = TokenStream::new();
    for tt in item.to_token_stream() {
        let stop = matches!(&tt, TokenTree::Group(g) if g.delimiter() == proc_macro2::Delimiter::Brace)
            || matches!(&tt, TokenTree::Punct(p) if p.as_char() == ';');
        if stop {
            break;
        }
        let is_attr_start = matches!(&tt, TokenTree::Punct(p) if p.as_char() == '#');
        if is_attr_start && out.is_empty() {
            // Skip outer attributes: `#` and its bracket group.
            continue;
        }
        if out.is_empty()
            && matches!(&tt, TokenTree::Group(g) if g.delimiter() == proc_macro2::Delimiter::Bracket)
        {
            continue;
        }
        out.extend([tt]);
    }
    if out.is_empty() {
        return item.to_token_stream();
    }
    out
}
