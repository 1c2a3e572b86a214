//! The layout rules of `docs/architecture.md` ("The core in three tiers"), checked on the
//! source text of `nps-core/src`:
//!
//! * no two files import each other (a two-file cycle means that the vocabulary they share
//!   sits in the wrong one);
//! * a tier imports only from the tiers below it: ground (error, statistics, the random
//!   generator, JSON path handling, disjoint writes, huge pages) from no other tier, domain
//!   not from application.
//!
//! A file imports another when one of its `use` declarations or one of its paths
//! (`crate::…`, `super::…`, `self::…`, `child::…`) names an item defined there; a name is
//! followed through the imports and re-exports on its way (`use`, `pub use`) to the file
//! that defines it. The re-exports of a module that has child modules (a `mod.rs`,
//! `lib.rs`) only give its children's items a shorter name, so they are not imports of that
//! module. Test modules (`#[cfg(test)]`) and comments are left out; `src/bin` is a program
//! of its own (the demo: application tier).
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Two-file cycles that exist today and are to be removed; each one is checked to still
/// exist, so that the list shrinks as they go.
const KNOWN_CYCLES: [(&str, &str); 1] = [("action/catalog.rs", "action/condition.rs")];

/// The ground tier: files, or directories ending in `/`.
const GROUND: [&str; 7] =
    ["error.rs", "stats/", "rng.rs", "json_path.rs", "disjoint.rs", "pages.rs", "spark_sql_text.rs"];

/// The application tier (everything else but `lib.rs` is the domain tier).
const APPLICATION: [&str; 3] = ["synth/", "early_warning/ticket.rs", "early_warning/ticket_file.rs"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Tier {
    Ground,
    Domain,
    Application,
}

fn tier(file: &str) -> Option<Tier> {
    let within = |list: &[&str]| list.iter().any(|p| if p.ends_with('/') { file.starts_with(p) } else { file == *p });
    if file == "lib.rs" {
        None // the crate root only declares modules and re-exports
    } else if within(&GROUND) {
        Some(Tier::Ground)
    } else if within(&APPLICATION) {
        Some(Tier::Application)
    } else {
        Some(Tier::Domain)
    }
}

/// The text of `src` without comments, with every string and character literal emptied.
fn code_only(src: &str) -> String {
    let c: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < c.len() {
        match c[i] {
            '/' if c.get(i + 1) == Some(&'/') => {
                while i < c.len() && c[i] != '\n' {
                    i += 1;
                }
            }
            '/' if c.get(i + 1) == Some(&'*') => {
                let mut depth = 0;
                while i < c.len() {
                    if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                        depth += 1;
                        i += 2;
                    } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
                out.push(' ');
            }
            'r' if matches!(c.get(i + 1), Some('"' | '#')) && (i == 0 || !is_ident(c[i - 1])) => {
                // A raw string r"…" or r#"…"# (or a raw identifier r#name, kept).
                let hashes = c[i + 1..].iter().take_while(|&&h| h == '#').count();
                if c.get(i + 1 + hashes) != Some(&'"') {
                    out.push(c[i]);
                    i += 1;
                    continue;
                }
                i += 2 + hashes;
                while i < c.len()
                    && !(c[i] == '"' && c[i + 1..].iter().take(hashes).filter(|&&h| h == '#').count() == hashes)
                {
                    i += 1;
                }
                i += 1 + hashes;
                out.push_str("\"\"");
            }
            '"' => {
                i += 1;
                while i < c.len() && c[i] != '"' {
                    i += if c[i] == '\\' { 2 } else { 1 };
                }
                i += 1;
                out.push_str("\"\"");
            }
            '\'' => {
                // A character literal ('x', '\n', '\u{1F600}'), or else a lifetime.
                let end = if c.get(i + 1) == Some(&'\\') {
                    (i + 2..c.len()).find(|&k| c[k] == '\'')
                } else if c.get(i + 2) == Some(&'\'') {
                    Some(i + 2)
                } else {
                    None
                };
                match end {
                    Some(end) => {
                        out.push_str("' '");
                        i = end + 1;
                    }
                    None => {
                        out.push('\'');
                        i += 1;
                    }
                }
            }
            ch => {
                out.push(ch);
                i += 1;
            }
        }
    }
    out
}

fn is_ident(ch: char) -> bool {
    ch.is_alphanumeric() || ch == '_'
}

/// Identifiers, `::` and single punctuation characters.
fn tokens(code: &str) -> Vec<String> {
    let c: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        if c[i].is_whitespace() {
            i += 1;
        } else if is_ident(c[i]) {
            let start = i;
            while i < c.len() && is_ident(c[i]) {
                i += 1;
            }
            out.push(c[start..i].iter().collect());
        } else if c[i] == ':' && c.get(i + 1) == Some(&':') {
            out.push("::".into());
            i += 2;
        } else {
            out.push(c[i].to_string());
            i += 1;
        }
    }
    out
}

/// The tokens without the items marked `#[cfg(test)]` or `#[cfg(doctest)]` (test modules,
/// the doctests of the guides).
fn without_test_items(t: Vec<String>) -> Vec<String> {
    let mut out = Vec::with_capacity(t.len());
    let mut i = 0;
    while i < t.len() {
        let attribute = ["#", "[", "cfg", "("];
        if t[i..].starts_with(&attribute.map(String::from))
            && matches!(t.get(i + 4).map(String::as_str), Some("test" | "doctest"))
            && t.get(i + 5).map(String::as_str) == Some(")")
        {
            // Skip to the item's end: its `;`, or the brace that closes its body.
            let mut k = i + 7;
            while k < t.len() && t[k] != ";" && t[k] != "{" {
                k += 1;
            }
            if k < t.len() && t[k] == "{" {
                let mut depth = 0;
                while k < t.len() {
                    depth += (t[k] == "{") as i32 - (t[k] == "}") as i32;
                    if depth == 0 {
                        break;
                    }
                    k += 1;
                }
            }
            i = k + 1;
        } else {
            out.push(t[i].clone());
            i += 1;
        }
    }
    out
}

/// One path a file names, its segments as written.
struct Named {
    segments: Vec<String>,
    /// `None` for a path in code; for a `use`, the name it is given (`as`, or the last
    /// segment) and whether it is public (`pub use`, `pub(crate) use`, …).
    import: Option<(String, bool)>,
}

/// Expands the use tree starting at `t[*i]` (after `use`) with the segments before it.
fn use_tree(t: &[String], i: &mut usize, prefix: Vec<String>, out: &mut Vec<(Vec<String>, Option<String>)>) {
    let mut segments = prefix;
    while *i < t.len() {
        match t[*i].as_str() {
            "{" => {
                *i += 1;
                while *i < t.len() && t[*i] != "}" {
                    use_tree(t, i, segments.clone(), out);
                    if t.get(*i).map(String::as_str) == Some(",") {
                        *i += 1;
                    }
                }
                *i += 1;
                return;
            }
            "*" => {
                *i += 1;
                out.push((segments, Some("*".into())));
                return;
            }
            "::" => *i += 1,
            name => {
                segments.push(name.to_string());
                *i += 1;
                if t.get(*i).map(String::as_str) == Some("::") {
                    continue;
                }
                let mut alias = None;
                if t.get(*i).map(String::as_str) == Some("as") {
                    alias = t.get(*i + 1).cloned();
                    *i += 2;
                }
                if segments.last().map(String::as_str) == Some("self") {
                    segments.pop();
                }
                out.push((segments, alias));
                return;
            }
        }
    }
}

/// The paths a file names (in `use` declarations and in code), as written.
fn named_paths(t: &[String], children: &BTreeSet<String>) -> Vec<Named> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < t.len() {
        let previous = if i > 0 { t[i - 1].as_str() } else { "" };
        if t[i] == "use" && previous != "::" {
            // `pub use` or `pub(crate) use`, `pub(super) use`, `pub(in …) use`.
            let public = previous == "pub" || (previous == ")" && t[..i].iter().rev().take(6).any(|s| s == "pub"));
            i += 1;
            let mut trees = Vec::new();
            use_tree(t, &mut i, Vec::new(), &mut trees);
            for (segments, alias) in trees {
                let name = alias.or_else(|| segments.last().cloned()).unwrap_or_default();
                out.push(Named { segments, import: Some((name, public)) });
            }
            continue;
        }
        let starts_path = matches!(t[i].as_str(), "crate" | "super" | "self") || children.contains(&t[i]);
        if starts_path && previous != "::" && t.get(i + 1).map(String::as_str) == Some("::") {
            let mut segments = vec![t[i].clone()];
            i += 1;
            while t.get(i).map(String::as_str) == Some("::") && t.get(i + 1).is_some_and(|s| is_ident_token(s)) {
                segments.push(t[i + 1].clone());
                i += 2;
            }
            out.push(Named { segments, import: None });
            continue;
        }
        i += 1;
    }
    out
}

fn is_ident_token(s: &str) -> bool {
    s.chars().all(is_ident)
}

/// The module path of a file: `features/mod.rs` is `features`, `lib.rs` the crate root.
fn module_of(file: &str) -> Vec<String> {
    let mut parts: Vec<String> = file.trim_end_matches(".rs").split('/').map(String::from).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

/// Which file imports which: (importer, imported), both relative to `src`.
fn imports(files: &BTreeMap<String, String>) -> BTreeSet<(String, String)> {
    let modules: BTreeMap<Vec<String>, String> = files.keys().map(|f| (module_of(f), f.clone())).collect();
    let children = |m: &[String]| -> BTreeSet<String> {
        modules.keys().filter(|k| k.len() == m.len() + 1 && k.starts_with(m)).map(|k| k[m.len()].clone()).collect()
    };
    let absolute = |m: &[String], segments: &[String]| -> Option<Vec<String>> {
        let (mut base, rest) = match segments.first()?.as_str() {
            "crate" => (Vec::new(), &segments[1..]),
            "self" => (m.to_vec(), &segments[1..]),
            "super" => {
                let ups = segments.iter().take_while(|s| *s == "super").count();
                (m[..m.len().checked_sub(ups)?].to_vec(), &segments[ups..])
            }
            child if children(m).contains(child) => (m.to_vec(), segments),
            _ => return None, // another crate
        };
        base.extend(rest.iter().cloned());
        Some(base)
    };
    let mut parsed = BTreeMap::new();
    // The names each file imports (a child module sees its parent's), and where they lead.
    let mut imported: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    for (file, src) in files {
        let m = module_of(file);
        let named = named_paths(&without_test_items(tokens(&code_only(src))), &children(&m));
        for n in &named {
            if let (Some(path), Some((name, _))) = (absolute(&m, &n.segments), &n.import) {
                imported.entry(file.clone()).or_default().insert(name.clone(), path);
            }
        }
        parsed.insert(file.clone(), named);
    }
    // The file that defines the item at `path`, following imports and re-exports.
    fn resolve(
        path: &[String],
        modules: &BTreeMap<Vec<String>, String>,
        imported: &BTreeMap<String, BTreeMap<String, Vec<String>>>,
        depth: usize,
    ) -> Option<String> {
        let k = (0..=path.len()).rev().find(|&k| modules.contains_key(&path[..k]))?;
        let file = &modules[&path[..k]];
        if k < path.len() && depth < 16 {
            if let Some(target) = imported.get(file).and_then(|r| r.get(&path[k])) {
                let mut p = target.clone();
                p.extend(path[k + 1..].iter().cloned());
                if let Some(f) = resolve(&p, modules, imported, depth + 1) {
                    return Some(f);
                }
            }
        }
        Some(file.clone())
    }
    let mut edges = BTreeSet::new();
    for (file, named) in &parsed {
        let m = module_of(file);
        let facade = !children(&m).is_empty();
        for n in named {
            if facade && matches!(n.import, Some((_, true))) {
                continue;
            }
            let Some(path) = absolute(&m, &n.segments) else { continue };
            if let Some(target) = resolve(&path, &modules, &imported, 0) {
                if target != *file {
                    edges.insert((file.clone(), target));
                }
            }
        }
    }
    edges
}

/// The rules broken by `edges`, one line each.
fn violations(edges: &BTreeSet<(String, String)>, known: &[(&str, &str)]) -> Vec<String> {
    let mut out = Vec::new();
    for (a, b) in edges {
        if a < b && edges.contains(&(b.clone(), a.clone())) && !known.contains(&(a.as_str(), b.as_str())) {
            out.push(format!("import cycle: {a} and {b} import each other (move what they share to where it belongs)"));
        }
        match (tier(a), tier(b)) {
            (Some(Tier::Ground), Some(t)) if t > Tier::Ground => {
                out.push(format!("{a} (ground tier) imports {b} ({} tier)", format!("{t:?}").to_lowercase()))
            }
            (Some(Tier::Domain), Some(Tier::Application)) => {
                out.push(format!("{a} (domain tier) imports {b} (application tier)"))
            }
            _ => {}
        }
    }
    for (a, b) in known {
        let (a, b) = (a.to_string(), b.to_string());
        if !(edges.contains(&(a.clone(), b.clone())) && edges.contains(&(b.clone(), a.clone()))) {
            out.push(format!("{a} and {b} no longer import each other: remove them from KNOWN_CYCLES"));
        }
    }
    out
}

fn read_sources(dir: &Path, root: &Path, out: &mut BTreeMap<String, String>) {
    for entry in std::fs::read_dir(dir).expect("a source directory") {
        let path = entry.expect("a directory entry").path();
        let rel = path.strip_prefix(root).expect("under src").to_string_lossy().replace('\\', "/");
        if path.is_dir() {
            if rel != "bin" {
                read_sources(&path, root, out);
            }
        } else if rel.ends_with(".rs") {
            out.insert(rel, std::fs::read_to_string(&path).expect("a source file"));
        }
    }
}

#[test]
fn the_core_has_no_import_cycles_and_its_tiers_import_downwards() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = BTreeMap::new();
    read_sources(&root, &root, &mut files);
    let edges = imports(&files);
    // The parser sees the imports at all (a broken parser would find no violation).
    assert!(edges.len() > 150, "only {} imports found", edges.len());
    assert!(edges.contains(&("features/history.rs".into(), "error.rs".into())));
    let broken = violations(&edges, &KNOWN_CYCLES);
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

#[test]
fn cycles_and_upward_imports_are_found() {
    let files: BTreeMap<String, String> = [
        ("lib.rs", "mod error; pub mod a; mod json_path; pub use error::Error;"),
        ("error.rs", "/// See crate::a::b.\npub struct Error(crate::a::Thing);"),
        ("json_path.rs", "pub(crate) fn join() -> crate::Error { todo!() }"),
        ("a/mod.rs", "mod b; mod c; pub use b::Thing; pub struct Shared;"),
        ("a/b.rs", "use super::c::{self, Other as O};\npub struct Thing;\nconst S: &str = \"super::c\";"),
        ("a/c.rs", "pub struct Other;\nfn f() -> super::Thing { super::b::Thing }\n#[cfg(test)]\nmod t { use super::super::Shared; }"),
    ]
    .into_iter()
    .map(|(f, s)| (f.to_string(), s.to_string()))
    .collect();
    let edges = imports(&files);
    let edge = |a: &str, b: &str| (a.to_string(), b.to_string());
    let expected = [
        edge("a/b.rs", "a/c.rs"),
        edge("a/c.rs", "a/b.rs"),
        edge("error.rs", "a/b.rs"),
        edge("json_path.rs", "error.rs"),
    ];
    assert_eq!(edges, expected.into_iter().collect());
    let broken = violations(&edges, &[]);
    assert_eq!(
        broken,
        [
            "import cycle: a/b.rs and a/c.rs import each other (move what they share to where it belongs)",
            "error.rs (ground tier) imports a/b.rs (domain tier)",
        ]
    );
    assert_eq!(violations(&edges, &[("a/b.rs", "a/c.rs"), ("a/c.rs", "json_path.rs")]).len(), 2);
}
