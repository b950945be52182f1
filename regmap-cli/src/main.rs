//! `regmap-cli`: generate Rust, C headers and JSON from YAML register maps,
//! write HTML register references, check maps, print the format's JSON
//! Schema, import vendor register descriptions, and read, write, dump and
//! watch a device's registers by name.
//!
//! Exit status: 0 on success, 1 when a map has errors or a file cannot be read
//! or written, 2 on a usage error.

use clap::{Parser, Subcommand};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

mod live;
mod outputs;

#[derive(Parser)]
#[command(
    name = "regmap-cli",
    version,
    about = "Register maps in YAML: generate Rust, C and JSON, write HTML references, check, print the schema; read, write and watch registers by name"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// What `gen` writes.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Lang {
    /// Rust (the typed API).
    Rust,
    /// A C header.
    C,
    /// The checked model as versioned JSON.
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Generate Rust, a C header or the JSON model from a register map or a
    /// design file.
    Gen {
        /// The register map, or a design file (every block it uses and the
        /// base addresses of its instances). For `c` and `json`, also a
        /// vendor file (SVD, .hwh, IP-XACT) or a Rust file holding one
        /// `#[register_block]` module.
        map: PathBuf,
        /// Where to write the code (standard output if absent). The file is
        /// rewritten only when its content changes.
        #[arg(short, long, value_name = "OUT")]
        output: Option<PathBuf>,
        /// The output language.
        #[arg(long, value_enum, default_value_t = Lang::Rust)]
        lang: Lang,
    },
    /// Write a static HTML register reference: a page per block with bit
    /// diagrams and field tables, and an index of the design's instances.
    Doc {
        /// A register map, design file, vendor file or Rust file (as `gen`).
        input: PathBuf,
        /// The directory to write the pages into (created if missing).
        #[arg(short, long, value_name = "DIR")]
        output: PathBuf,
    },
    /// Check register maps and design files, printing every problem the way rustc does.
    Check {
        /// The register maps or design files.
        #[arg(required = true)]
        maps: Vec<PathBuf>,
    },
    /// Print the JSON Schema of the YAML format (for editors and CI).
    Schema,
    /// Import a vendor register description (CMSIS-SVD, Vivado .hwh, IP-XACT) as YAML maps: one
    /// per distinct block, plus a design file placing every instance.
    Import {
        /// The vendor file (format detected from its root element or extension).
        file: PathBuf,
        /// The directory to write the maps into (created if missing).
        #[arg(short, long, value_name = "DIR")]
        output: PathBuf,
    },
    /// Read a register and decode its fields (`STATUS`, `STATUS.COMPUTING`,
    /// `IVAR[3]`, `channel[1].LENGTH`; with a design file, `INSTANCE.REG`).
    Read {
        /// The register map or design file.
        map: PathBuf,
        /// The register (or field).
        path: String,
        /// Read a register whose read changes it (read-to-clear, read-to-set).
        #[arg(long)]
        side_effects: bool,
        #[command(flatten)]
        window: live::WindowArgs,
    },
    /// Write a register: one raw VALUE, or FIELD=VALUE pairs (numbers or enum
    /// names; other fields get their reset value, action fields stay idle).
    Write {
        /// The register map or design file.
        map: PathBuf,
        /// The register (or `REG.FIELD`, then one VALUE).
        path: String,
        /// A raw value or FIELD=VALUE pairs.
        #[arg(required = true)]
        values: Vec<String>,
        #[command(flatten)]
        window: live::WindowArgs,
    },
    /// Change only the named fields of a register (read, modify, write back;
    /// pending write-1-to-clear flags are not acknowledged).
    Modify {
        /// The register map or design file.
        map: PathBuf,
        /// The register (or `REG.FIELD`, then one VALUE).
        path: String,
        /// FIELD=VALUE pairs.
        #[arg(required = true)]
        values: Vec<String>,
        #[command(flatten)]
        window: live::WindowArgs,
    },
    /// Print every register of a block (or a design's instance), decoded.
    Dump {
        /// The register map or design file.
        map: PathBuf,
        /// The instance (design files with several).
        instance: Option<String>,
        /// Also read registers whose read changes them.
        #[arg(long)]
        side_effects: bool,
        #[command(flatten)]
        window: live::WindowArgs,
    },
    /// Poll registers and print each change (all registers when none is named).
    Watch {
        /// The register map or design file.
        map: PathBuf,
        /// The registers.
        paths: Vec<String>,
        /// Time between polls in milliseconds.
        #[arg(long, value_name = "MS", default_value_t = 100)]
        interval: u64,
        /// Stop after this many polls.
        #[arg(long, value_name = "N")]
        count: Option<u64>,
        /// Also read registers whose read changes them.
        #[arg(long)]
        side_effects: bool,
        #[command(flatten)]
        window: live::WindowArgs,
    },
    /// List what the system offers: UIO devices, PCI functions and their
    /// BARs, u-dma-buf and dma-heap devices.
    List {
        #[command(flatten)]
        args: live::ListArgs,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Gen {
            map,
            output,
            lang: Lang::Rust,
        } => generate(&map, output.as_deref()),
        Command::Gen {
            map,
            output,
            lang: Lang::C,
        } => outputs::c(&map, output.as_deref()),
        Command::Gen {
            map,
            output,
            lang: Lang::Json,
        } => outputs::json(&map, output.as_deref()),
        Command::Doc { input, output } => outputs::doc(&input, &output),
        Command::Check { maps } => check(&maps),
        Command::Schema => schema(),
        Command::Import { file, output } => import(&file, &output),
        Command::Read {
            map,
            path,
            side_effects,
            window,
        } => done(live::read(&map, &path, side_effects, &window)),
        Command::Write {
            map,
            path,
            values,
            window,
        } => done(live::write(&map, &path, &values, false, &window)),
        Command::Modify {
            map,
            path,
            values,
            window,
        } => done(live::write(&map, &path, &values, true, &window)),
        Command::Dump {
            map,
            instance,
            side_effects,
            window,
        } => done(live::dump(&map, instance.as_deref(), side_effects, &window)),
        Command::Watch {
            map,
            paths,
            interval,
            count,
            side_effects,
            window,
        } => done(live::watch(
            &map,
            &paths,
            Duration::from_millis(interval),
            count,
            side_effects,
            &window,
        )),
        Command::List { args } => done(live::list(&args)),
    }
}

/// Exit status of a register command, its error printed.
fn done(result: Result<(), live::Failure>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Whether diagnostics on standard error get colour: a terminal, and the
/// user has not asked for none (<https://no-color.org>).
fn color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Loads a design file, printing every file's diagnostics; `None` (after
/// saying why) when something does not load.
fn load_design(path: &Path) -> Option<regmap_codegen::ir::Design> {
    load_imported_design(path).map(|d| d.to_ir())
}

/// [`load_design`], keeping what the IR has no place for (the design's
/// name, interrupts, parameters).
fn load_imported_design(path: &Path) -> Option<regmap_codegen::import::ImportedDesign> {
    let (design, reports) = regmap_codegen::import::load_design_file(path);
    let errors: usize = reports
        .iter()
        .map(regmap_codegen::Report::error_count)
        .sum();
    for report in &reports {
        if errors > 0 {
            eprint!("{}", report.render(color()));
        } else {
            eprint!("{}", report.render_warnings(color()));
        }
    }
    match design {
        Some(design) => Some(design),
        None => {
            eprintln!(
                "error: the design `{}` does not load due to {}",
                path.display(),
                count(errors.max(1), "error")
            );
            None
        }
    }
}

fn generate(map: &Path, output: Option<&Path>) -> ExitCode {
    if regmap_codegen::import::is_design_file(map) {
        return match load_design(map) {
            Some(design) => emit_to(&design, map, output),
            None => ExitCode::FAILURE,
        };
    }
    let (design, report) = regmap_codegen::check_yaml_file(map);
    let design = match design {
        Some(design) if !report.has_errors() => {
            // Warnings (a partial overlap check, say) still deserve to be seen.
            eprint!("{}", report.render_warnings(color()));
            design
        }
        _ => {
            eprint!("{}", report.render(color()));
            eprintln!(
                "error: could not generate code from `{}` due to {}",
                map.display(),
                count(report.error_count().max(1), "error")
            );
            return ExitCode::FAILURE;
        }
    };
    emit_to(&design, map, output)
}

/// Writes the code of `design`, read from `map`, to `output` or stdout.
fn emit_to(design: &regmap_codegen::ir::Design, map: &Path, output: Option<&Path>) -> ExitCode {
    let file_name = map
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let code = regmap_codegen::emit::header(&file_name)
        + &regmap_codegen::emit::format_design(design, &regmap_codegen::EmitOptions::default());
    match output {
        None => {
            let mut out = std::io::stdout().lock();
            if out
                .write_all(code.as_bytes())
                .and_then(|()| out.flush())
                .is_err()
            {
                // A closed pipe (`| head`) is not worth a message.
                return ExitCode::FAILURE;
            }
        }
        Some(path) => {
            if let Err(e) = regmap_codegen::write_if_changed(path, &code) {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}

fn check(maps: &[PathBuf]) -> ExitCode {
    let color = color();
    let mut failed = 0;
    for map in maps {
        if regmap_codegen::import::is_design_file(map) {
            match load_design(map) {
                Some(design) => println!(
                    "{}: ok, a design of {} with {}",
                    map.display(),
                    count(design.blocks.len(), "map"),
                    count(design.instances.len(), "instance")
                ),
                None => failed += 1,
            }
            continue;
        }
        let (design, report) = regmap_codegen::check_yaml_file(map);
        eprint!("{}", report.render(color));
        let errors = report.error_count();
        let warnings = report.diagnostics().len() - errors;
        if errors > 0 || design.is_none() {
            failed += 1;
            let also = if warnings > 0 {
                format!(" and {}", count(warnings, "warning"))
            } else {
                String::new()
            };
            eprintln!(
                "error: `{}` has {}{also}",
                map.display(),
                count(errors.max(1), "error")
            );
        } else if warnings > 0 {
            println!("{}: ok, {}", map.display(), count(warnings, "warning"));
        } else {
            println!("{}: ok", map.display());
        }
    }
    if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Diagnostics of each severity printed in full before the rest is counted.
const PRINT_CAP: usize = 100;

/// Prints `report`'s diagnostics, at most [`PRINT_CAP`] of each severity,
/// then how many of each were not printed.
fn print_capped(report: &regmap_codegen::Report) {
    use regmap_codegen::diag::Severity;
    let mut shown = Vec::new();
    let mut hidden = [0usize; 3];
    let mut seen = [0usize; 3];
    for d in report.diagnostics() {
        let i = match d.severity {
            Severity::Error => 0,
            Severity::Warning => 1,
            Severity::Note => 2,
        };
        seen[i] += 1;
        if seen[i] <= PRINT_CAP {
            shown.push(d.clone());
        } else {
            hidden[i] += 1;
        }
    }
    let capped = regmap_codegen::Report::new(report.source().clone(), shown);
    eprint!("{}", capped.render(color()));
    for (n, what) in hidden.iter().zip(["error", "warning", "rename note"]) {
        if *n > 0 {
            eprintln!("... and {}", count(*n, &format!("more {what}")));
        }
    }
}

/// `1 error`, `3 errors`.
fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

fn schema() -> ExitCode {
    print!("{}", regmap_codegen::yaml::JSON_SCHEMA);
    ExitCode::SUCCESS
}

fn import(file: &Path, dir: &Path) -> ExitCode {
    let import = match regmap_codegen::import::import_file(file) {
        Ok(import) => import,
        Err(report) => {
            print_capped(&report);
            eprintln!(
                "error: could not import `{}` due to {}",
                file.display(),
                count(report.error_count().max(1), "error")
            );
            return ExitCode::FAILURE;
        }
    };
    // Renames and dropped elements are printed: the user reviews them. A
    // file with thousands of renames gets the first few, and a count.
    print_capped(&import.report);
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "design".to_owned());
    match regmap_codegen::import::write_yaml(&import.design, dir, &stem) {
        Ok(written) => {
            let diags = import.report.diagnostics();
            let notes = diags
                .iter()
                .filter(|d| d.severity == regmap_codegen::diag::Severity::Note)
                .count();
            println!(
                "{}: {} imported: {} maps for {} instances, design file {} ({}, {})",
                file.display(),
                import.format.name(),
                written.block_files.len(),
                import.design.instances.len(),
                written.design_file.display(),
                count(diags.len() - notes, "warning"),
                count(notes, "note"),
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
