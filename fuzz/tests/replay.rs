//! The fuzz targets' checks on stable, without libFuzzer: every seed (`nps_fuzz::seeds`),
//! every file of `fuzz/corpus/<target>/` when it exists (what a fuzzing run kept) and every
//! committed regression input in `fuzz/regressions/<target>/`. `make fuzz-ci` runs this
//! where nightly or cargo-fuzz is missing.
use std::path::Path;

fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn every_seed_corpus_file_and_regression_passes_its_target() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let seeds = nps_fuzz::seeds(&root.join(".."));
    let mut ran = 0;
    for (name, check) in nps_fuzz::TARGETS {
        for (_, text) in seeds.iter().filter(|(t, _)| *t == name) {
            check(text.as_bytes());
            ran += 1;
        }
        for dir in ["corpus", "regressions"] {
            for path in files(&root.join(dir).join(name)) {
                let data = std::fs::read(&path).unwrap();
                eprintln!("{}", path.display());
                check(&data);
                ran += 1;
            }
        }
    }
    assert!(ran >= nps_fuzz::TARGETS.len(), "every target has inputs");
}
