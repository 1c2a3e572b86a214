//! Writes the seed corpus: `cargo run --manifest-path fuzz/Cargo.toml --example seed -- DIR`
//! (`fuzz/seed.sh` does it), one directory per target under DIR, one file per seed named
//! by its content's hash, so that running it again adds nothing twice.
fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = std::env::args().nth(1).unwrap_or_else(|| "fuzz/corpus".into());
    let mut counts = std::collections::BTreeMap::new();
    for (target, text) in nps_fuzz::seeds(&root) {
        let sub = std::path::Path::new(&dir).join(target);
        std::fs::create_dir_all(&sub).expect("the corpus directory can be made");
        let hash = text.bytes().fold(0xcbf29ce484222325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100000001b3));
        std::fs::write(sub.join(format!("seed-{hash:016x}")), text).expect("a seed can be written");
        *counts.entry(target).or_insert(0) += 1;
    }
    for (target, n) in counts {
        println!("{target}: {n} seeds");
    }
}
