//! The HTML register reference: static pages, no server, no framework.
//!
//! [`render`] turns a checked [`Design`] into files for one directory:
//! `index.html` (the design's instances and base addresses, its blocks),
//! one `<block>.html` per block (a register summary, then every register
//! with its bit diagram (module `svg`) and field table), `regmap.css` (screen and
//! print) and `regmap.js` with `search-index.js` (search by register or field
//! name across the design; the pages read fine without them).
//!
//! Anchors are stable and spelled as the map names things:
//! `axi_dma.html#axi_dma.channel.DMASR.IOC_Irq` is field `IOC_Irq` of
//! register `DMASR` in cluster `channel` of block `axi_dma`; a register's
//! anchor drops the field, a block's is its name. Search reads `?q=` from the
//! page's address, so a search can be linked to.

mod assets;
mod svg;

use crate::ir::{self, Access, Block, Design, EnumRef, Item, Register};
use std::fmt::Write as _;

/// Options of [`render`].
#[derive(Debug, Clone, Default)]
pub struct HtmlOptions {
    /// The reference's title (a design's name, or its one block's).
    pub title: String,
    /// The source's file name, named in every page's footer.
    pub source_name: String,
}

/// Every file of the reference of `design`, as (file name, content) pairs,
/// in a stable order: `index.html`, the block pages, then the assets.
pub fn render(design: &Design, opts: &HtmlOptions) -> Vec<(String, String)> {
    let mut files = vec![("index.html".to_owned(), index(design, opts))];
    let mut search = Vec::new();
    for inst in &design.instances {
        search.push(Entry {
            name: inst.name.value.clone(),
            href: format!("index.html#{}", inst.name.value),
            kind: "instance",
            text: format!("{} at 0x{:08X}", inst.block.value, inst.base.value),
        });
    }
    for block in &design.blocks {
        files.push((
            page_name(block),
            block_page(design, block, opts, &mut search),
        ));
    }
    files.push(("regmap.css".to_owned(), assets::CSS.to_owned()));
    files.push(("regmap.js".to_owned(), assets::JS.to_owned()));
    files.push(("search-index.js".to_owned(), search_index(&search)));
    files
}

/// The file name of `block`'s page: `<name>.html`, except that a block
/// named `index` (in any case) gets `index_.html`, so it never replaces the
/// design's index.
pub fn page_name(block: &Block) -> String {
    let name = &block.name.value;
    if name.eq_ignore_ascii_case("index") {
        format!("{name}_.html")
    } else {
        format!("{name}.html")
    }
}

/// One searchable name.
struct Entry {
    name: String,
    href: String,
    kind: &'static str,
    text: String,
}

/// `window.REGMAP_INDEX = [[name, href, kind, text], ...];` — a script, not
/// JSON to fetch, so the pages search from `file://` too.
fn search_index(entries: &[Entry]) -> String {
    let mut s = String::from("window.REGMAP_INDEX = [\n");
    for e in entries {
        let _ = writeln!(
            s,
            "[{},{},{},{}],",
            js_str(&e.name),
            js_str(&e.href),
            js_str(e.kind),
            js_str(&e.text)
        );
    }
    s.push_str("];\n");
    s
}

/// A JavaScript string literal of `text`, safe inside a script.
fn js_str(text: &str) -> String {
    let mut s = String::with_capacity(text.len() + 2);
    s.push('"');
    for c in text.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '<' => s.push_str("\\u003c"),
            '\n' => s.push_str("\\n"),
            '\r' => s.push_str("\\r"),
            '\u{2028}' => s.push_str("\\u2028"),
            '\u{2029}' => s.push_str("\\u2029"),
            c if (c as u32) < 0x20 => {
                let _ = write!(s, "\\u{:04x}", c as u32);
            }
            c => s.push(c),
        }
    }
    s.push('"');
    s
}

/// `text` escaped for HTML text and attribute values.
pub(crate) fn esc(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => s.push_str("&amp;"),
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '"' => s.push_str("&quot;"),
            '\'' => s.push_str("&#39;"),
            c => s.push(c),
        }
    }
    s
}

/// The first line of a description.
fn first_line(text: &str) -> &str {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("")
}

/// `[7]` or `[15:8]`.
fn bit_range(lsb: u32, msb: u32) -> String {
    if lsb == msb {
        format!("[{lsb}]")
    } else {
        format!("[{msb}:{lsb}]")
    }
}

/// A description as paragraphs (blank lines separate them).
fn paragraphs(text: Option<&str>) -> String {
    let Some(text) = text else {
        return String::new();
    };
    let mut s = String::new();
    for para in text.split("\n\n") {
        let para = para.split_whitespace().collect::<Vec<_>>().join(" ");
        if !para.is_empty() {
            let _ = write!(s, "<p>{}</p>", esc(&para));
        }
    }
    s
}

/// A hex number padded to `digits`.
fn hex(value: u64, digits: usize) -> String {
    format!("0x{value:0digits$X}")
}

/// The page around `main`.
fn page(title: &str, opts: &HtmlOptions, main: &str) -> String {
    format!(
        "<!DOCTYPE html>
<html lang=\"en\">
<head>
<meta charset=\"utf-8\">
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">
<meta name=\"generator\" content=\"regmap\">
<title>{title}</title>
<link rel=\"stylesheet\" href=\"regmap.css\">
<script src=\"search-index.js\" defer></script>
<script src=\"regmap.js\" defer></script>
</head>
<body>
<header class=\"top\">
<a class=\"home\" href=\"index.html\">{home}</a>
<div class=\"search\" role=\"search\">
<input id=\"search\" type=\"search\" placeholder=\"Search registers and fields\" aria-label=\"Search registers and fields\" autocomplete=\"off\" spellcheck=\"false\">
<ol id=\"search-results\" hidden></ol>
</div>
</header>
<main>
{main}
</main>
<footer>Generated by regmap from <code>{source}</code>.</footer>
</body>
</html>
",
        title = esc(title),
        home = esc(&opts.title),
        source = esc(&opts.source_name),
    )
}

fn index(design: &Design, opts: &HtmlOptions) -> String {
    let mut m = String::new();
    let _ = writeln!(m, "<h1>{}</h1>", esc(&opts.title));
    if !design.instances.is_empty() {
        m.push_str("<h2>Instances</h2><table class=\"instances\"><thead><tr><th>Instance</th><th>Block</th><th>Base</th><th>End</th><th>Description</th></tr></thead><tbody>\n");
        for inst in &design.instances {
            let block = design
                .blocks
                .iter()
                .find(|b| b.name.value == inst.block.value);
            let size = inst.size.or(block.map(|b| b.size.value)).unwrap_or(0);
            let end = inst.base.value.saturating_add(size.saturating_sub(1));
            let link = match block {
                Some(b) => format!(
                    "<a href=\"{}\">{}</a>",
                    esc(&page_name(b)),
                    esc(&b.name.value)
                ),
                None => esc(&inst.block.value),
            };
            let _ = writeln!(
                m,
                "<tr id=\"{id}\"><td><a class=\"anchor\" href=\"#{id}\">{name}</a></td><td>{link}</td><td class=\"num\">{base}</td><td class=\"num\">{end}</td><td>{desc}</td></tr>",
                id = esc(&inst.name.value),
                name = esc(&inst.name.value),
                base = hex(inst.base.value, 8),
                end = hex(end, 8),
                desc = esc(first_line(inst.description.as_deref().unwrap_or(""))),
            );
        }
        m.push_str("</tbody></table>\n");
    }
    m.push_str("<h2>Blocks</h2><table class=\"blocks\"><thead><tr><th>Block</th><th>Size</th><th>Registers</th><th>Description</th></tr></thead><tbody>\n");
    for b in &design.blocks {
        let _ = writeln!(
            m,
            "<tr><td><a href=\"{}\">{}</a></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            esc(&page_name(b)),
            esc(&b.name.value),
            hex(b.size.value, 0),
            ir::register_instances(&b.items),
            esc(first_line(b.description.as_deref().unwrap_or("")))
        );
    }
    m.push_str("</tbody></table>\n");
    page(&opts.title, opts, &m)
}

/// A register as listed in a block's summary: its path and the offset of
/// its first element from the block's base.
struct Listed<'a> {
    path: Vec<&'a str>,
    offset: u64,
    register: &'a Register,
    /// Array shapes from the outermost cluster to the register.
    arrays: Vec<(u64, u64)>,
    /// The clusters that begin with this register, outermost first.
    opens: Vec<&'a ir::Cluster>,
}

fn walk<'a>(
    items: &'a [Item],
    path: &[&'a str],
    base: u64,
    arrays: &[(u64, u64)],
    out: &mut Vec<Listed<'a>>,
) {
    for item in items {
        match item {
            Item::Register(r) => {
                let mut p = path.to_vec();
                p.push(&r.name.value);
                let mut a = arrays.to_vec();
                if let Some(arr) = &r.array {
                    a.push((arr.count.value, arr.stride.value));
                }
                out.push(Listed {
                    path: p,
                    offset: base.saturating_add(r.offset.value),
                    register: r,
                    arrays: a,
                    opens: Vec::new(),
                });
            }
            Item::Cluster(c) => {
                let mut p = path.to_vec();
                p.push(&c.name.value);
                let mut a = arrays.to_vec();
                if let Some(arr) = &c.array {
                    a.push((arr.count.value, arr.stride.value));
                }
                let first = out.len();
                walk(&c.items, &p, base.saturating_add(c.offset.value), &a, out);
                // A cluster is introduced before its first register (one
                // without registers has nothing to show).
                if let Some(l) = out.get_mut(first) {
                    l.opens.insert(0, c);
                }
            }
        }
    }
}

/// `0x100 + 0x4·n` for arrays, else `0x100`.
fn offset_text(l: &Listed<'_>) -> String {
    let mut s = hex(l.offset, 2);
    let letters = ['n', 'm', 'k', 'j'];
    for (i, (_, stride)) in l.arrays.iter().enumerate() {
        let _ = write!(s, " + {}·{}", hex(*stride, 0), letters[i % letters.len()]);
    }
    s
}

fn block_page(
    design: &Design,
    block: &Block,
    opts: &HtmlOptions,
    search: &mut Vec<Entry>,
) -> String {
    let name = &block.name.value;
    let page_file = page_name(block);
    // The shading of reserved bits, defined once for every diagram of the page.
    let mut m = String::from(
        "<svg class=\"defs\" aria-hidden=\"true\" focusable=\"false\"><defs><pattern id=\"regmap-hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#efefef\"/><rect width=\"2\" height=\"6\" fill=\"#c4c4c4\"/></pattern></defs></svg>",
    );
    let _ = writeln!(
        m,
        "<h1 id=\"{id}\"><a class=\"anchor\" href=\"#{id}\">{n}</a></h1><p class=\"meta\">Register block, {size} bytes ({hexsize}).</p>{desc}",
        id = esc(name),
        n = esc(name),
        size = block.size.value,
        hexsize = hex(block.size.value, 0),
        desc = paragraphs(block.description.as_deref())
    );
    search.push(Entry {
        name: name.clone(),
        href: format!("{page_file}#{name}"),
        kind: "block",
        text: first_line(block.description.as_deref().unwrap_or("")).to_owned(),
    });
    let instances: Vec<&ir::Instance> = design
        .instances
        .iter()
        .filter(|i| i.block.value == *name)
        .collect();
    if !instances.is_empty() {
        m.push_str("<p class=\"meta\">Instances: ");
        for (k, i) in instances.iter().enumerate() {
            if k > 0 {
                m.push_str(", ");
            }
            let _ = write!(
                m,
                "<a href=\"index.html#{id}\">{id}</a> at <code>{}</code>",
                hex(i.base.value, 8),
                id = esc(&i.name.value)
            );
        }
        m.push_str("</p>\n");
    }
    let mut listed = Vec::new();
    walk(&block.items, &[name.as_str()], 0, &[], &mut listed);
    m.push_str(LEGEND);
    m.push('\n');
    m.push_str("<h2>Registers</h2><table class=\"summary\"><thead><tr><th>Offset</th><th>Register</th><th>Width</th><th>Access</th><th>Reset</th><th>Description</th></tr></thead><tbody>\n");
    for l in &listed {
        let r = l.register;
        let anchor = l.path.join(".");
        let _ = writeln!(
            m,
            "<tr><td class=\"num\">{}</td><td><a href=\"#{}\">{}</a>{}</td><td class=\"num\">{}</td><td><span class=\"acc acc-{a}\">{a}</span></td><td class=\"num\">{}</td><td>{}</td></tr>",
            offset_text(l),
            esc(&anchor),
            esc(&l.path[1..].join(".")),
            array_suffix(r),
            r.width.value.bits(),
            hex(r.reset.value, (r.width.value.bits() / 4) as usize),
            esc(first_line(r.description.as_deref().unwrap_or(""))),
            a = r.access.value.short_name(),
        );
    }
    m.push_str("</tbody></table>\n");
    for l in &listed {
        for c in &l.opens {
            cluster_heading(&mut m, l, c, &page_file, search);
        }
        register_section(&mut m, block, l, &page_file, search);
    }
    page(&format!("{name} — {}", opts.title), opts, &m)
}

fn array_suffix(r: &Register) -> String {
    r.array
        .as_ref()
        .map(|a| format!("[{}]", a.count.value))
        .unwrap_or_default()
}

/// What the colours of the diagrams mean, once per page.
const LEGEND: &str = "<p class=\"legend\">Access: <span class=\"acc acc-rw\">rw</span> read/write · <span class=\"acc acc-ro\">ro</span> read only · <span class=\"acc acc-wo\">wo</span> write only · <span class=\"acc acc-w1c\">w1c</span> <span class=\"acc acc-w1s\">w1s</span> <span class=\"acc acc-w1t\">w1t</span> <span class=\"acc acc-w0c\">w0c</span> <span class=\"acc acc-w0s\">w0s</span> a write acts (clear, set, toggle) · <span class=\"acc acc-rc\">rc</span> <span class=\"acc acc-rs\">rs</span> a read clears or sets · <span class=\"acc reserved\">reserved</span></p>";

fn register_section(
    m: &mut String,
    block: &Block,
    l: &Listed<'_>,
    page_file: &str,
    search: &mut Vec<Entry>,
) {
    let r = l.register;
    let anchor = l.path.join(".");
    let bits = r.width.value.bits();
    search.push(Entry {
        name: anchor.clone(),
        href: format!("{page_file}#{anchor}"),
        kind: "register",
        text: format!(
            "{} {}",
            offset_text(l),
            first_line(r.description.as_deref().unwrap_or(""))
        ),
    });
    let _ = write!(
        m,
        "<section class=\"register\" id=\"{id}\"><h3><a class=\"anchor\" href=\"#{id}\">{name}</a>{arr} <span class=\"offset\">{off}</span></h3>",
        id = esc(&anchor),
        name = esc(&l.path[1..].join(".")),
        arr = array_suffix(r),
        off = offset_text(l),
    );
    m.push('\n');
    let mut meta = format!(
        "{bits} bits · <span class=\"acc acc-{a}\">{a}</span> · reset <code>{}</code>",
        hex(r.reset.value, (bits / 4) as usize),
        a = r.access.value.short_name()
    );
    for (count, stride) in &l.arrays {
        let _ = write!(meta, " · {count} × every {} bytes", hex(*stride, 0));
    }
    let _ = writeln!(m, "<p class=\"meta\">{meta}</p>");
    m.push_str(&paragraphs(r.description.as_deref()));
    m.push_str("<div class=\"diagram\">");
    m.push_str(&svg::diagram(r, &anchor));
    m.push_str("</div>\n");
    m.push_str("<table class=\"fields\"><thead><tr><th>Bits</th><th>Field</th><th>Access</th><th>Reset</th><th>Values</th><th>Description</th></tr></thead><tbody>\n");
    if r.fields.is_empty() {
        let _ = writeln!(
            m,
            "<tr><td class=\"num\">{}</td><td>{}</td><td><span class=\"acc acc-{a}\">{a}</span></td><td class=\"num\">{}</td><td></td><td>The whole register.</td></tr>",
            bit_range(0, bits - 1),
            esc(&r.name.value),
            hex(r.reset.value, (bits / 4) as usize),
            a = r.access.value.short_name(),
        );
    }
    // Fields from the top bit down, as the diagram reads, reserved gaps between.
    let mut fields: Vec<&ir::Field> = r.fields.iter().collect();
    fields.sort_by_key(|f| std::cmp::Reverse(f.msb));
    let mut next_top = i64::from(bits) - 1;
    for f in &fields {
        if !r.fields.is_empty() && i64::from(f.msb) < next_top {
            reserved_row(m, f.msb + 1, next_top as u32);
        }
        next_top = i64::from(f.lsb) - 1;
        let id = format!("{anchor}.{}", f.name.value);
        search.push(Entry {
            name: id.clone(),
            href: format!("{page_file}#{id}"),
            kind: "field",
            text: format!(
                "{} {}",
                bit_range(f.lsb, f.msb),
                first_line(f.description.as_deref().unwrap_or(""))
            ),
        });
        let reset = (r.reset.value >> f.lsb) & ir::ones(f.width());
        let reset = if f.width() < 4 {
            reset.to_string()
        } else {
            hex(reset, 0)
        };
        let _ = writeln!(
            m,
            "<tr id=\"{id}\" class=\"acc-row-{a}\"><td class=\"num\">{bits}</td><td><a class=\"anchor\" href=\"#{id}\">{name}</a></td><td><span class=\"acc acc-{a}\">{a}</span>{note}</td><td class=\"num\">{reset}</td><td>{values}</td><td>{desc}</td></tr>",
            id = esc(&id),
            bits = bit_range(f.lsb, f.msb),
            name = esc(&f.name.value),
            a = f.access.value.short_name(),
            note = access_note(f.access.value),
            values = values(block, f),
            desc = paragraphs(f.description.as_deref()),
        );
    }
    if !r.fields.is_empty() && next_top >= 0 {
        reserved_row(m, 0, next_top as u32);
    }
    m.push_str("</tbody></table></section>\n");
}

/// The heading of cluster `c`, before `l`, its first register.
fn cluster_heading(
    m: &mut String,
    l: &Listed<'_>,
    c: &ir::Cluster,
    page_file: &str,
    search: &mut Vec<Entry>,
) {
    // The cluster's path is the register's, cut after the cluster's name.
    let depth = l
        .path
        .iter()
        .position(|p| std::ptr::eq(*p, c.name.value.as_str()))
        .unwrap_or(l.path.len() - 1);
    let anchor = l.path[..=depth].join(".");
    let name = l.path[1..=depth].join(".");
    let array = c
        .array
        .as_ref()
        .map(|a| {
            format!(
                " · {} × every {} bytes",
                a.count.value,
                hex(a.stride.value, 0)
            )
        })
        .unwrap_or_default();
    search.push(Entry {
        name: anchor.clone(),
        href: format!("{page_file}#{anchor}"),
        kind: "cluster",
        text: first_line(c.description.as_deref().unwrap_or("")).to_owned(),
    });
    let _ = writeln!(
        m,
        "<h2 class=\"cluster\" id=\"{id}\"><a class=\"anchor\" href=\"#{id}\">{n}</a></h2><p class=\"meta\">Cluster{array}</p>{desc}",
        id = esc(&anchor),
        n = esc(&name),
        desc = paragraphs(c.description.as_deref()),
    );
}

fn reserved_row(m: &mut String, lsb: u32, msb: u32) {
    let _ = writeln!(
        m,
        "<tr class=\"reserved\"><td class=\"num\">{}</td><td>reserved</td><td></td><td></td><td></td><td></td></tr>",
        bit_range(lsb, msb)
    );
}

/// What an access kind with a side effect does, in words.
fn access_note(a: Access) -> &'static str {
    match a {
        Access::OneToClear => "<br><small>write 1 clears</small>",
        Access::OneToSet => "<br><small>write 1 sets</small>",
        Access::OneToToggle => "<br><small>write 1 toggles</small>",
        Access::ZeroToClear => "<br><small>write 0 clears</small>",
        Access::ZeroToSet => "<br><small>write 0 sets</small>",
        Access::ReadToClear => "<br><small>read clears</small>",
        Access::ReadToSet => "<br><small>read sets</small>",
        _ => "",
    }
}

/// The enum values of `f`, as a list.
fn values(block: &Block, f: &ir::Field) -> String {
    let e = match &f.enumeration {
        None => return String::new(),
        Some(EnumRef::Inline(e)) => e,
        Some(EnumRef::Named(n)) => match block.enums.iter().find(|e| e.name.value == n.value) {
            Some(e) => e,
            None => return esc(&n.value),
        },
    };
    let mut s = format!("<ul class=\"values\" title=\"{}\">", esc(&e.name.value));
    for v in &e.variants {
        let _ = write!(
            s,
            "<li><code>{}</code> {}{}</li>",
            v.value.value,
            esc(&v.name.value),
            v.description
                .as_deref()
                .map(|d| format!(" — {}", esc(first_line(d))))
                .unwrap_or_default()
        );
    }
    s.push_str("</ul>");
    s
}

#[cfg(test)]
mod tests;
