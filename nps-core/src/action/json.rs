//! The action module's names for the JSON path walker of the ground tier
//! ([`crate::json_path`]), where it is implemented once.
pub(super) use crate::json_path::{
    array, check_keys as keys, join, missing, non_negative, number, object, required, show, string,
};
