//! The HTML reference of every example, in a real browser.
//!
//! `regmap-cli doc` writes the reference of each example map and of an
//! imported Vivado design; headless Chromium loads every page (from
//! `file://`, as a reader would) with a probe script added to its head, and
//! the test reads what the browser rendered:
//! - one bit diagram per register, one field box group per field, each
//!   field's boxes laid out over exactly its bit numbers (measured with
//!   `getBoundingClientRect`, not read from the markup);
//! - every register and field anchor present, every link's target present
//!   (same page or another page of the reference);
//! - search, run from `?q=` in the address, lists the field searched for;
//! - no script error, no console error, no resource that failed to load.
//!
//! A screenshot of every page (with the search results open) is saved under
//! the target directory (`target/tmp/browser/screenshots/`).
//!
//! Chromium is found as `$REGMAP_CHROMIUM`, `chromium` or `chromium-browser`.
//! Without one the test says so and passes, unless `REGMAP_REQUIRE_BROWSER`
//! is set (CI sets it, after installing Debian's `chromium`).

use regmap_codegen::ir::{Block, Item, Register};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("REGMAP_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser"] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// Runs Chromium headless on `url` with `args`; returns standard output.
fn browse(chromium: &Path, url: &str, args: &[&str]) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--hide-scrollbars",
            "--window-size=1200,1600",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(url)
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success(),
        "chromium {url}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Added first in the head of each page: records errors from the start,
/// then, once the page has loaded, measures it into `<pre id="__probe">`.
const PROBE: &str = r##"<script>
window.__errors = [];
window.addEventListener("error", function (e) {
  var t = e.target;
  if (t && t !== window && (t.src || t.href)) { window.__errors.push("failed to load " + (t.src || t.href)); }
  else { window.__errors.push("error: " + e.message); }
}, true);
(function () {
  var error = console.error, warn = console.warn;
  console.error = function () { window.__errors.push("console.error: " + Array.prototype.join.call(arguments, " ")); error.apply(console, arguments); };
  console.warn = function () { window.__errors.push("console.warn: " + Array.prototype.join.call(arguments, " ")); warn.apply(console, arguments); };
})();
window.addEventListener("load", function () {
  var out = { errors: window.__errors, registers: [], ids: [], links: [], results: [] };
  document.querySelectorAll("section.register").forEach(function (sec) {
    var reg = { id: sec.id, diagrams: sec.querySelectorAll("svg.bits").length, bits: {}, fields: [] };
    var svg = sec.querySelector("svg.bits");
    if (svg) {
      svg.querySelectorAll("text.bit").forEach(function (t) {
        var r = t.getBoundingClientRect();
        reg.bits[t.getAttribute("data-bit")] = [(r.left + r.right) / 2, r.bottom];
      });
      svg.querySelectorAll("g.field").forEach(function (g) {
        var boxes = [];
        g.querySelectorAll("rect").forEach(function (r) {
          var b = r.getBoundingClientRect();
          boxes.push([b.left, b.right, b.top, b.bottom]);
        });
        reg.fields.push({ name: g.getAttribute("data-field"), lsb: +g.getAttribute("data-lsb"), msb: +g.getAttribute("data-msb"), boxes: boxes });
      });
    }
    out.registers.push(reg);
  });
  document.querySelectorAll("[id]").forEach(function (e) { out.ids.push(e.id); });
  document.querySelectorAll("a[href]").forEach(function (a) { out.links.push(a.getAttribute("href")); });
  document.querySelectorAll("#search-results li.hit a").forEach(function (a) { out.results.push(a.getAttribute("href")); });
  out.resultsShown = !document.getElementById("search-results").hidden;
  var pre = document.createElement("pre");
  pre.id = "__probe";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>"##;

/// Loads `page` (in `dir`) with the probe and `?q=query`; returns the probe's
/// measurements.
/// A screenshot of the page (search results open) is saved as `shot`.
fn probe(chromium: &Path, dir: &Path, page: &str, query: &str, shot: &Path) -> Value {
    let html = std::fs::read_to_string(dir.join(page)).unwrap();
    let probed = html.replacen("<head>", &format!("<head>\n{PROBE}"), 1);
    let copy = format!("__probe_{page}");
    std::fs::write(dir.join(&copy), probed).unwrap();
    let url = format!("file://{}?q={query}", dir.join(&copy).display());
    let dom = browse(
        chromium,
        &url,
        &["--dump-dom", &format!("--screenshot={}", shot.display())],
    );
    std::fs::remove_file(dir.join(&copy)).unwrap();
    let start = dom
        .find("<pre id=\"__probe\">")
        .unwrap_or_else(|| panic!("{page}: the probe did not run:\n{dom}"));
    let body = &dom[start + "<pre id=\"__probe\">".len()..];
    let body = &body[..body.find("</pre>").unwrap()];
    let json = body
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&");
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("{page}: {e}: {json}"))
}

/// Every register of `block` with its anchor (`block.cluster.REG`).
fn registers<'a>(items: &'a [Item], path: &str, out: &mut Vec<(String, &'a Register)>) {
    for item in items {
        match item {
            Item::Register(r) => out.push((format!("{path}.{}", r.name.value), r)),
            Item::Cluster(c) => registers(&c.items, &format!("{path}.{}", c.name.value), out),
        }
    }
}

/// What the browser rendered for `block`'s page matches the model.
fn check_block_page(block: &Block, page: &str, measured: &Value) {
    let mut expected = Vec::new();
    registers(&block.items, &block.name.value, &mut expected);
    let sections = measured["registers"].as_array().unwrap();
    assert_eq!(
        sections.len(),
        expected.len(),
        "{page}: one section per register"
    );
    let ids: BTreeSet<&str> = measured["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for ((anchor, r), sec) in expected.iter().zip(sections) {
        assert_eq!(sec["id"], anchor.as_str(), "{page}");
        assert_eq!(sec["diagrams"], 1, "{page}: {anchor} has one diagram");
        let drawn = sec["fields"].as_array().unwrap();
        let want: Vec<(String, u32, u32)> = if r.fields.is_empty() {
            vec![(r.name.value.clone(), 0, r.width.value.bits() - 1)]
        } else {
            r.fields
                .iter()
                .map(|f| (f.name.value.clone(), f.lsb, f.msb))
                .collect()
        };
        assert_eq!(
            drawn.len(),
            want.len(),
            "{page}: {anchor}: one box group per field"
        );
        let bits = sec["bits"].as_object().unwrap();
        assert_eq!(
            bits.len(),
            r.width.value.bits() as usize,
            "{page}: {anchor}"
        );
        for (name, lsb, msb) in &want {
            let f = drawn
                .iter()
                .find(|f| f["name"] == name.as_str())
                .unwrap_or_else(|| panic!("{page}: {anchor}.{name} is not drawn"));
            assert_eq!(
                (f["lsb"].as_u64(), f["msb"].as_u64()),
                (Some(u64::from(*lsb)), Some(u64::from(*msb)))
            );
            let boxes: Vec<[f64; 4]> = f["boxes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| {
                    let b: Vec<f64> = b
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|v| v.as_f64().unwrap())
                        .collect();
                    [b[0], b[1], b[2], b[3]]
                })
                .collect();
            // Under a bit's number: the box's top is just below the number,
            // and the number's centre is between its sides.
            let under = |bit: u32| {
                let at = &bits[&bit.to_string()];
                let (x, bottom) = (at[0].as_f64().unwrap(), at[1].as_f64().unwrap());
                boxes
                    .iter()
                    .any(|b| b[0] < x && x < b[1] && b[2] >= bottom - 1.0 && b[2] - bottom < 12.0)
            };
            for bit in 0..r.width.value.bits() {
                let inside = *lsb <= bit && bit <= *msb;
                assert_eq!(
                    under(bit),
                    inside,
                    "{page}: {anchor}.{name} [{msb}:{lsb}] {} bit {bit}",
                    if inside { "does not cover" } else { "covers" }
                );
            }
            if !r.fields.is_empty() {
                let field_anchor = format!("{anchor}.{name}");
                assert!(
                    ids.contains(field_anchor.as_str()),
                    "{page}: no anchor {field_anchor}"
                );
            }
        }
    }
}

#[test]
fn every_example_reference_renders_in_chromium() {
    let Some(chromium) = chromium() else {
        assert!(
            std::env::var_os("REGMAP_REQUIRE_BROWSER").is_none(),
            "REGMAP_REQUIRE_BROWSER is set but no chromium was found"
        );
        eprintln!(
            "skipped: no chromium on PATH (apt-get install chromium, or set REGMAP_CHROMIUM)"
        );
        return;
    };
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
    let _ = std::fs::remove_dir_all(&root);
    let shots = root.join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let bin = env!("CARGO_BIN_EXE_regmap-cli");
    let pynq = root.join("pynq-maps");
    let out = Command::new(bin)
        .args(["import"])
        .arg(workspace().join("regmap-codegen/tests/import/xilinx/pynq_z2_base.hwh"))
        .arg("-o")
        .arg(&pynq)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let inputs: Vec<(&str, PathBuf)> = vec![
        (
            "axi_timer",
            workspace().join("examples/axi-timer/axi_timer.yaml"),
        ),
        (
            "axi_gpio",
            workspace().join("examples/axi-gpio/axi_gpio.yaml"),
        ),
        (
            "axi_intc",
            workspace().join("examples/axi-intc/axi_intc.yaml"),
        ),
        ("edu", workspace().join("examples/edu/edu.yaml")),
        (
            "axi_dma",
            workspace().join("regmap-runtime/maps/axi_dma.yaml"),
        ),
        ("pynq", pynq.join("pynq_z2_base.design.yaml")),
    ];
    // Chromium mostly waits while it starts: three at a time keep the run
    // short without crowding a two-core machine.
    let queue = std::sync::Mutex::new(inputs.iter());
    let pages_checked: usize = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..3)
            .map(|_| {
                scope.spawn(|| {
                    let mut n = 0;
                    loop {
                        let next = queue.lock().unwrap().next();
                        let Some((name, input)) = next else { break n };
                        n += check_reference(&chromium, &root, name, input);
                    }
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).sum()
    });
    assert!(pages_checked >= 18, "{pages_checked}");
    eprintln!(
        "{pages_checked} pages checked; screenshots in {}",
        shots.display()
    );
}

/// Writes the reference of `input` into `root/name`, then loads, measures
/// and screenshots each of its pages; returns how many pages it checked.
fn check_reference(chromium: &Path, root: &Path, name: &str, input: &Path) -> usize {
    let bin = env!("CARGO_BIN_EXE_regmap-cli");
    let shots = root.join("screenshots");
    let mut pages_checked = 0;
    let dir = root.join(name);
    let out = Command::new(bin)
        .arg("doc")
        .arg(input)
        .arg("-o")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let design = if input.to_string_lossy().ends_with(".design.yaml") {
        regmap_codegen::import::load_design_file(input)
            .0
            .unwrap()
            .to_ir()
    } else {
        regmap_codegen::load_yaml_file(input).unwrap()
    };
    let mut ids: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut links: Vec<(String, String)> = Vec::new();
    let mut pages = vec![("index.html".to_owned(), None)];
    for b in &design.blocks {
        pages.push((regmap_codegen::html::page_name(b), Some(b)));
    }
    for (page, block) in &pages {
        // Search for a field of this block (or an instance, on the index).
        let (query, want) = match block {
            Some(b) => {
                let mut regs = Vec::new();
                registers(&b.items, &b.name.value, &mut regs);
                let last = regs
                    .iter()
                    .rev()
                    .find(|(_, r)| !r.fields.is_empty())
                    .or(regs.last());
                let target = match last {
                    Some((anchor, r)) => match r.fields.last() {
                        Some(f) => format!("{anchor}.{}", f.name.value),
                        None => anchor.clone(),
                    },
                    // A block without registers: search for the block.
                    None => b.name.value.clone(),
                };
                (target.clone(), format!("{page}#{target}"))
            }
            None => match design.instances.last() {
                Some(i) => (i.name.value.clone(), format!("index.html#{}", i.name.value)),
                None => {
                    let b = &design.blocks[0];
                    (
                        b.name.value.clone(),
                        format!("{}#{}", regmap_codegen::html::page_name(b), b.name.value),
                    )
                }
            },
        };
        let shot = shots.join(format!("{name}-{}.png", page.trim_end_matches(".html")));
        let measured = probe(chromium, &dir, page, &query, &shot);
        assert_eq!(
            measured["errors"].as_array().unwrap().len(),
            0,
            "{name}/{page}: {}",
            measured["errors"]
        );
        assert_eq!(
            measured["resultsShown"], true,
            "{name}/{page}: search for {query}"
        );
        let results: Vec<&str> = measured["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(
            results.first(),
            Some(&want.as_str()),
            "{name}/{page}: search for {query}: {results:?}"
        );
        if let Some(b) = block {
            check_block_page(b, page, &measured);
        }
        ids.insert(
            page.clone(),
            measured["ids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_owned())
                .collect(),
        );
        for l in measured["links"].as_array().unwrap() {
            links.push((page.clone(), l.as_str().unwrap().to_owned()));
        }
        let size = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
        assert!(
            size > 20_000,
            "{}: a screenshot of a blank page ({size} bytes)",
            shot.display()
        );
        pages_checked += 1;
    }
    // Every link inside the reference reaches an element that exists.
    for (from, link) in &links {
        let (page, id) = match link.split_once('#') {
            Some(("", id)) => (from.as_str(), id),
            Some((page, id)) => (page, id),
            None => (link.as_str(), ""),
        };
        let known = ids
            .get(page)
            .unwrap_or_else(|| panic!("{name}/{from}: link {link} to a page not written"));
        assert!(
            id.is_empty() || known.contains(id),
            "{name}/{from}: link {link} has no target"
        );
    }
    pages_checked
}
