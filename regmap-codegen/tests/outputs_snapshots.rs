//! The C header, HTML page and JSON of example maps, pinned.
//!
//! Each output is compared with its checked-in file under
//! `tests/snapshots/outputs/`. After an intended change, re-bless with
//! `REGMAP_BLESS=1 cargo test -p regmap-codegen --features serde --test
//! outputs_snapshots` and review the diff like any other code change.

use regmap_codegen::c_header::{HeaderOptions, header};
use regmap_codegen::html::{HtmlOptions, render};
use std::path::PathBuf;

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// (map, its outputs as (snapshot file, content)).
fn outputs(map: &str) -> Vec<(String, String)> {
    let path = crate_dir().join(map);
    let design = regmap_codegen::load_yaml_file(&path).unwrap_or_else(|r| panic!("{r}"));
    let file = path.file_name().unwrap().to_string_lossy().into_owned();
    let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
    let mut out = vec![(
        format!("{stem}.h"),
        header(
            &design,
            &HeaderOptions {
                source_name: file.clone(),
                design_name: None,
            },
        )
        .unwrap_or_else(|d| panic!("{d:?}")),
    )];
    let pages = render(
        &design,
        &HtmlOptions {
            title: design.blocks[0].name.value.clone(),
            source_name: file,
        },
    );
    let page = format!("{}.html", design.blocks[0].name.value);
    let html = pages.into_iter().find(|(n, _)| *n == page).unwrap().1;
    out.push((page, html));
    #[cfg(feature = "serde")]
    out.push((
        format!("{stem}.json"),
        regmap_codegen::json::to_json(&design, None),
    ));
    out
}

#[test]
fn outputs_match_the_snapshots() {
    let bless = std::env::var_os("REGMAP_BLESS").is_some_and(|v| v == "1");
    let dir = crate_dir().join("tests/snapshots/outputs");
    let mut stale = Vec::new();
    for map in [
        "../examples/axi-timer/axi_timer.yaml",
        "tests/maps/kitchen_sink.yaml",
    ] {
        for (name, fresh) in outputs(map) {
            let path = dir.join(&name);
            let pinned = std::fs::read_to_string(&path).unwrap_or_default();
            if fresh == pinned {
                continue;
            }
            if bless {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, &fresh).unwrap();
            } else {
                let line = fresh
                    .lines()
                    .zip(pinned.lines())
                    .position(|(a, b)| a != b)
                    .unwrap_or(fresh.lines().count().min(pinned.lines().count()));
                stale.push(format!("{name} (first difference at line {})", line + 1));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "outputs differ from their snapshots: {}\nre-bless with REGMAP_BLESS=1 after review",
        stale.join(", ")
    );
}
