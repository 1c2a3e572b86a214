//! The shipped example catalogue: a telco retention playbook.
use super::Catalog;

/// The playbook's JSON text (see `docs/actions.md` for what each rule does).
pub const PLAYBOOK_JSON: &str = include_str!("playbook.json");

/// The shipped telco retention playbook, compiled.
pub fn playbook() -> Catalog {
    Catalog::from_json(PLAYBOOK_JSON).expect("the shipped playbook is valid")
}
