//! Importers: register descriptions that vendor tools write, lowered into the
//! same [`ir`] the YAML front end builds, then written out as regmap YAML.
//!
//! ```text
//! file --detect--> importer (svd, ...) --> ImportedDesign
//!      --> rename (vendor names made usable, each rename a note)
//!      --> dedupe (identical blocks become one, shared by their instances)
//!      --> check (the same layout checks as YAML, located in the vendor file)
//!      --> write (one YAML file per block, one design file)
//! ```
//!
//! Every importer fills an [`ImportedDesign`]: the block types it found and
//! the [`Instance`]s placed at base addresses, with [`Loc`]s pointing into
//! the vendor file so that every diagnostic reads `file:line:column`.
//! Importers report problems as [`Diagnostic`]s and leave out what they
//! cannot read; they never fail on a name ([`sanitise`] fixes names after
//! them) and never panic.
//!
//! An importer is one function, `fn import(file: &mut SourceFile, diags: &mut
//! Vec<Diagnostic>) -> Option<ImportedDesign>` (as [`svd::import`]), and one
//! arm in [`import_str`]. It adds blocks with `push_block`, which keeps
//! their names distinct, names each instance's block exactly as that returns
//! (renames after it re-point the instances), may give every instance a
//! block of its own (identical blocks are merged), and uses [`xml`]'s
//! helpers for positions.
//!
//! [`import_str`] / [`import_file`] run the whole pipeline, [`write_yaml`]
//! writes the result; `regmap-cli import` is these two calls.

// Without the `import` feature only design files (YAML) are read, which is
// all `include_yaml!` needs: the vendor-format importers and the YAML writer
// stay out of the macros' build.
pub mod design;
#[cfg(feature = "import")]
pub mod hwh;
#[cfg(feature = "import")]
pub mod ipxact;
#[cfg(feature = "import")]
mod rename;
#[cfg(feature = "import")]
pub mod svd;
#[cfg(feature = "import")]
mod vendor;
#[cfg(feature = "import")]
mod write;
#[cfg(feature = "import")]
pub mod xml;

use std::path::Path;

use crate::ir::{self, Spanned};
#[cfg(feature = "import")]
use crate::{Report, diag::Diagnostic, generate::GenerateError, ir::Loc, source::SourceFile};

pub use design::{DESIGN_FORMAT_VERSION, DESIGN_JSON_SCHEMA, load_design_file, load_design_str};
#[cfg(feature = "import")]
pub use rename::sanitise;
#[cfg(feature = "import")]
pub use write::{Written, block_yaml, design_yaml};

/// A vendor format an importer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// CMSIS-SVD (`.svd`, root element `device`).
    Svd,
    /// Vivado hardware handoff (`.hwh`, root element `EDKSYSTEM`).
    Hwh,
    /// IP-XACT 1685-2009, 1685-2014 or 1685-2022 (`component.xml`, root `component`).
    IpXact,
}

impl Format {
    /// The format's name in messages.
    pub const fn name(self) -> &'static str {
        match self {
            Format::Svd => "CMSIS-SVD",
            Format::Hwh => "Vivado hardware handoff",
            Format::IpXact => "IP-XACT",
        }
    }

    /// The format of a file named `path` holding `text`: by the root
    /// element when the text is XML (extensions lie: IP-XACT files are
    /// `.xml`, SVDs are sometimes `.xml` too), else by the extension.
    pub fn detect(path: &Path, text: &str) -> Option<Format> {
        if let Some(root) = root_element_name(text) {
            match root {
                "device" => return Some(Format::Svd),
                "EDKSYSTEM" => return Some(Format::Hwh),
                "component" => return Some(Format::IpXact),
                _ => {}
            }
        }
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "svd" => Some(Format::Svd),
            "hwh" => Some(Format::Hwh),
            _ => None,
        }
    }
}

/// The local name of the first element of `text`, read without parsing the
/// whole document (comments, declarations and processing instructions skipped).
fn root_element_name(text: &str) -> Option<&str> {
    let mut rest = text;
    loop {
        let at = rest.find('<')?;
        rest = &rest[at + 1..];
        if let Some(after) = rest.strip_prefix("!--") {
            rest = &after[after.find("-->")? + 3..];
            continue;
        }
        if rest.starts_with('?') || rest.starts_with('!') {
            continue;
        }
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .unwrap_or(rest.len());
        let qname = &rest[..end];
        return Some(qname.rsplit(':').next().unwrap_or(qname));
    }
}

/// What an importer read: block types and the instances placed at base
/// addresses, with locations in the vendor file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedDesign {
    /// The design's name (an SVD's device name, a `.hwh`'s system name).
    pub name: Spanned<String>,
    /// Description.
    pub description: Option<String>,
    /// Register block types. Importers may emit one per instance: identical
    /// ones are merged after renaming.
    pub blocks: Vec<ir::Block>,
    /// Instances of the blocks, in the vendor file's order.
    pub instances: Vec<Instance>,
}

/// One instance of a block in an imported design.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    /// Instance name (`GPIOA`, `axi_dma_0`).
    pub name: Spanned<String>,
    /// Name of the block (an entry of [`ImportedDesign::blocks`]).
    pub block: String,
    /// Base address.
    pub base: Spanned<u64>,
    /// Size of its address window in bytes, when the vendor file says.
    pub size: Option<u64>,
    /// Interrupt lines.
    pub interrupts: Vec<Interrupt>,
    /// Parameters of the instance (IP configuration), as written.
    pub parameters: Vec<Parameter>,
    /// Description.
    pub description: Option<String>,
}

/// An interrupt line of an instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interrupt {
    /// The line's name, if it has one.
    pub name: Option<String>,
    /// Interrupt number (SVD: the NVIC number; `.hwh`: the controller input).
    pub number: u64,
    /// The interrupt controller instance the number belongs to, when the
    /// file says (`.hwh`: an AXI INTC, or the processing system itself).
    pub controller: Option<String>,
}

/// A named parameter value of an instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parameter {
    /// Name as written (`C_GPIO_WIDTH`).
    pub name: String,
    /// Value as written.
    pub value: String,
}

impl ImportedDesign {
    /// The design as the IR's [`ir::Design`] (blocks and base addresses),
    /// for the checks and the emitter.
    pub fn to_ir(&self) -> ir::Design {
        ir::Design {
            blocks: self.blocks.clone(),
            instances: self
                .instances
                .iter()
                .map(|i| ir::Instance {
                    name: i.name.clone(),
                    block: Spanned::new(i.block.clone(), i.name.loc),
                    base: i.base.clone(),
                    size: i.size,
                    description: i.description.clone(),
                })
                .collect(),
        }
    }
}

#[cfg(feature = "import")]
/// A successful import: the design and the notes and warnings about it
/// (renames, dropped elements), located in the vendor file.
#[derive(Debug, Clone)]
pub struct Import {
    /// The imported design, renamed, deduplicated and checked.
    pub design: ImportedDesign,
    /// Notes and warnings; no errors.
    pub report: Report,
    /// The format that was read.
    pub format: Format,
}

#[cfg(feature = "import")]
/// Imports `text` (named `file_name` in diagnostics) as `format`, or as the
/// detected format when `None`.
///
/// # Errors
/// A [`Report`] with at least one error when the file is not in a known
/// format, is malformed, or its registers break a layout check.
pub fn import_str(text: &str, file_name: &str, format: Option<Format>) -> Result<Import, Report> {
    let mut file = SourceFile::new(file_name, text);
    let Some(format) = format.or_else(|| Format::detect(Path::new(file_name), text)) else {
        let loc = file.loc(0..0);
        let diag = Diagnostic::error(
            "unknown-format",
            loc,
            format!("`{file_name}` is not a format regmap imports"),
        )
        .with_hint("import reads CMSIS-SVD (`.svd`, root `<device>`), Vivado `.hwh` (root `<EDKSYSTEM>`) and IP-XACT (root `<component>`)");
        return Err(Report::new(file, vec![diag]));
    };
    let mut diags = Vec::new();
    let design = match format {
        Format::Svd => svd::import(&mut file, &mut diags),
        Format::Hwh => hwh::import(&mut file, &mut diags),
        Format::IpXact => ipxact::import(&mut file, &mut diags),
    };
    finish(file, design, diags, format)
}

#[cfg(feature = "import")]
/// The shared tail of every import: rename, merge identical blocks, check.
fn finish(
    file: SourceFile,
    design: Option<ImportedDesign>,
    mut diags: Vec<Diagnostic>,
    format: Format,
) -> Result<Import, Report> {
    let Some(mut design) = design else {
        return Err(Report::new(file, diags));
    };
    for block in &mut design.blocks {
        hoist_shared_enums(block);
    }
    sanitise(&mut design, &mut diags);
    merge_identical_blocks(&mut design);
    diags.extend(crate::check::check(&design.to_ir()));
    // A derived element is lowered again from its base, so the base's
    // problems (and renames) would be told once per copy: tell them once.
    let mut seen = std::collections::HashSet::new();
    diags.retain(|d| {
        let at = file.span(d.loc).map(|s| s.range.clone());
        seen.insert((d.code, d.message.clone(), at))
    });
    let report = Report::new(file, diags);
    if report.has_errors() {
        return Err(report);
    }
    Ok(Import {
        design,
        report,
        format,
    })
}

#[cfg(feature = "import")]
/// Reads and imports the file at `path`, detecting its format.
///
/// # Errors
/// As [`import_str`]; an unreadable file is a report with one error.
pub fn import_file(path: &Path) -> Result<Import, Report> {
    let name = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => import_str(&text, &name, None),
        Err(err) => Err(Report::io_error(&name, &err)),
    }
}

#[cfg(feature = "import")]
/// For `build.rs` and `regmap-cli import`: imports `input` and writes its
/// YAML maps and design file into `dir` (created if missing). Files whose
/// content is unchanged are left alone.
///
/// # Errors
/// [`GenerateError::Map`] when the import fails, [`GenerateError::Write`]
/// when a file cannot be written.
pub fn import_to_dir(input: &Path, dir: &Path) -> Result<(Import, Written), GenerateError> {
    let import = import_file(input)?;
    let stem = input
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "design".to_owned());
    let written = write_yaml(&import.design, dir, &stem)?;
    Ok((import, written))
}

#[cfg(feature = "import")]
/// For `build.rs`: imports the vendor file (or reads the design file) at
/// `input` and writes Rust for every block of it, the base addresses of its
/// instances (module `instances`) and the `Design` type binding them all
/// (`docs/generated-api.md`), into `output`, as [`crate::generate`] does for
/// one YAML map.
///
/// ```no_run
/// // build.rs
/// let out = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("soc.rs");
/// if let Err(e) = regmap_codegen::import::generate("STM32H7x3.svd", out) {
///     eprintln!("{e}");
///     std::process::exit(1);
/// }
/// ```
///
/// # Errors
/// [`GenerateError::Map`] when the import fails, [`GenerateError::Write`]
/// when `output` cannot be written.
pub fn generate(input: impl AsRef<Path>, output: impl AsRef<Path>) -> Result<(), GenerateError> {
    let input = input.as_ref();
    println!("cargo:rerun-if-changed={}", input.display());
    let design = if is_design_file(input) {
        let (design, reports) = load_design_file(input);
        for report in &reports {
            for line in report.render_warnings(false).lines() {
                println!("cargo:warning={line}");
            }
        }
        match design {
            Some(design) => design,
            None => {
                // The first failing file becomes the error; the others go to
                // stderr, which Cargo shows when a build script fails.
                let mut failing = reports.into_iter().filter(Report::has_errors);
                let first = failing.next();
                for other in failing {
                    eprint!("{other}");
                }
                return Err(first.map_or_else(
                    || {
                        GenerateError::Map(Box::new(Report::io_error(
                            &input.display().to_string(),
                            &std::io::Error::other("the design does not load"),
                        )))
                    },
                    GenerateError::from,
                ));
            }
        }
    } else {
        let import = import_file(input)?;
        // Notes (renames) are for `regmap-cli import`'s reviewer; a build shows
        // only warnings, as `cargo:warning=` lines.
        for line in import.report.render_warnings(false).lines() {
            println!("cargo:warning={line}");
        }
        import.design
    };
    let file_name = input
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let code = crate::emit::header(&file_name)
        + &crate::emit::format_design(&design.to_ir(), &crate::EmitOptions::default());
    crate::write_if_changed(output.as_ref(), &code)
}

/// Whether the file at `path` is a regmap design file (YAML with a top-level
/// `design` key) rather than a vendor file or a block map.
pub fn is_design_file(path: &Path) -> bool {
    let yaml = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"));
    yaml && std::fs::read_to_string(path).is_ok_and(|t| crate::yaml::design::is_design(&t))
}

#[cfg(feature = "import")]
/// Writes `design` into `dir`: one `<block>.yaml` per block and
/// `<stem>.design.yaml` binding the instances to them.
///
/// # Errors
/// [`GenerateError::Write`] when the directory or a file cannot be written.
pub fn write_yaml(
    design: &ImportedDesign,
    dir: &Path,
    stem: &str,
) -> Result<Written, GenerateError> {
    std::fs::create_dir_all(dir).map_err(|source| GenerateError::Write {
        path: dir.to_owned(),
        source,
    })?;
    let mut written = Written {
        design_file: dir.join(format!("{stem}.design.yaml")),
        block_files: Vec::new(),
    };
    for block in &design.blocks {
        let path = dir.join(write::block_file_name(&block.name.value));
        crate::write_if_changed(&path, &block_yaml(block))?;
        written.block_files.push(path);
    }
    crate::write_if_changed(&written.design_file, &design_yaml(design))?;
    Ok(written)
}

#[cfg(feature = "import")]
/// Adds `block` to `blocks` and returns the name its instances must use.
///
/// Instances find their block by name, so two blocks of one name would be
/// ambiguous (two SVD peripherals with one `headerStructName`, one IP at two
/// window sizes). A block equal to an earlier one of its name is that block
/// (not added again); a different one is renamed `NAME_2`, `NAME_3`... here,
/// with a `renamed` note, so every later step can follow it by name.
pub(crate) fn push_block(
    blocks: &mut Vec<ir::Block>,
    mut block: ir::Block,
    diags: &mut Vec<Diagnostic>,
) -> String {
    let name = block.name.value.clone();
    let same_name: Vec<&ir::Block> = blocks.iter().filter(|b| b.name.value == name).collect();
    if same_name.is_empty() {
        blocks.push(block);
        return name;
    }
    let body = write::block_body_yaml(&block);
    if same_name.iter().any(|b| write::block_body_yaml(b) == body) {
        return name;
    }
    // Every name and module name in use, once: the search below probes it
    // for each candidate, and a file may hold a few hundred blocks of a name.
    let taken: std::collections::HashSet<String> = blocks
        .iter()
        .flat_map(|b| [b.name.value.clone(), crate::names::fn_name(&b.name.value)])
        .collect();
    let new = rename::free_suffix(&mut std::collections::HashMap::new(), &name, |c| {
        taken.contains(c) || taken.contains(&crate::names::fn_name(c))
    });
    diags.push(
        Diagnostic::note(
            "renamed",
            block.name.loc,
            format!("block `{name}` is imported as `{new}`"),
        )
        .with_label("another block has this name"),
    );
    block.name.value = new.clone();
    blocks.push(block);
    new
}

#[cfg(feature = "import")]
/// Inline enums written more than once in a block with the same name and
/// values (an SVD register array unrolled, `derivedFrom` enums, vendors
/// repeating one enum per field) become one block-level enum the fields name:
/// one type instead of `Mode`, `Mode_2`, `Mode_3`...
fn hoist_shared_enums(block: &mut ir::Block) {
    use std::collections::HashMap;
    fn key(e: &ir::Enum) -> String {
        let mut k = e.name.value.clone();
        for v in &e.variants {
            k.push_str(&format!(
                "\0{}={}:{}",
                v.name.value,
                v.value.value,
                v.description.as_deref().unwrap_or("")
            ));
        }
        k
    }
    fn visit(items: &mut [ir::Item], f: &mut impl FnMut(&mut ir::Field)) {
        for item in items {
            match item {
                ir::Item::Register(r) => r.fields.iter_mut().for_each(&mut *f),
                ir::Item::Cluster(c) => visit(&mut c.items, f),
            }
        }
    }
    let mut count: HashMap<String, usize> = HashMap::new();
    visit(&mut block.items, &mut |f| {
        if let Some(ir::EnumRef::Inline(e)) = &f.enumeration {
            *count.entry(key(e)).or_default() += 1;
        }
    });
    // Names already used by block-level enums stay theirs.
    let mut names: HashMap<String, String> = block
        .enums
        .iter()
        .map(|e| (e.name.value.clone(), key(e)))
        .collect();
    let mut hoisted: Vec<ir::Enum> = Vec::new();
    visit(&mut block.items, &mut |f| {
        let Some(ir::EnumRef::Inline(e)) = &f.enumeration else {
            return;
        };
        let k = key(e);
        if count.get(&k).copied().unwrap_or(0) < 2 {
            return;
        }
        match names.get(&e.name.value) {
            Some(owner) if *owner != k => return,
            Some(_) => {}
            None => {
                names.insert(e.name.value.clone(), k);
                hoisted.push(e.clone());
            }
        }
        let name = e.name.clone();
        f.enumeration = Some(ir::EnumRef::Named(name));
    });
    block.enums.extend(hoisted);
}

#[cfg(feature = "import")]
/// Merges blocks that are identical but for their name into the first of
/// them, pointing the instances of the others at it: 40 instances of one IP
/// share one map. Compared through their YAML, which is what a reviewer sees.
fn merge_identical_blocks(design: &mut ImportedDesign) {
    use std::collections::HashMap;
    let mut first_by_body: HashMap<String, String> = HashMap::new();
    let mut renamed: HashMap<String, String> = HashMap::new();
    design.blocks.retain(|block| {
        let body = write::block_body_yaml(block);
        match first_by_body.get(&body) {
            Some(first) => {
                renamed.insert(block.name.value.clone(), first.clone());
                false
            }
            None => {
                first_by_body.insert(body, block.name.value.clone());
                true
            }
        }
    });
    for instance in &mut design.instances {
        if let Some(first) = renamed.get(&instance.block) {
            instance.block = first.clone();
        }
    }
}

#[cfg(feature = "import")]
/// Gives every name below `item` (fields, enums, nested items) a fresh
/// [`Loc`], for a copy of an item: the renamer tells names apart by `Loc`.
pub(crate) fn fresh_names(file: &mut SourceFile, item: &mut ir::Item) {
    fn enumeration(file: &mut SourceFile, e: &mut ir::Enum) {
        e.name.loc = fresh_loc(file, e.name.loc);
        for v in &mut e.variants {
            v.name.loc = fresh_loc(file, v.name.loc);
        }
    }
    match item {
        ir::Item::Register(r) => {
            for f in &mut r.fields {
                f.name.loc = fresh_loc(file, f.name.loc);
                if let Some(ir::EnumRef::Inline(e)) = &mut f.enumeration {
                    enumeration(file, e);
                }
            }
        }
        ir::Item::Cluster(c) => {
            for item in &mut c.items {
                match item {
                    ir::Item::Register(r) => r.name.loc = fresh_loc(file, r.name.loc),
                    ir::Item::Cluster(c) => c.name.loc = fresh_loc(file, c.name.loc),
                }
                fresh_names(file, item);
            }
        }
    }
}

#[cfg(feature = "import")]
/// A [`Loc`] for the same place as `loc`, as a new entry: copies of a node
/// (SVD `derivedFrom`, arrays unrolled) get their own handles, so renaming
/// one copy never renames another.
pub(crate) fn fresh_loc(file: &mut SourceFile, loc: Loc) -> Loc {
    match file.span(loc) {
        Some(span) => {
            let range = span.range.clone();
            file.loc(range)
        }
        None => Loc::NONE,
    }
}
