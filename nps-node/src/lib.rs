//! Node.js bindings for `nps-core`.
//!
//! Conventions: exported functions return `error::Result` (so a core error reaches JS
//! with its `code`) and carry `#[napi(catch_unwind)]` (so a panic becomes a JS exception
//! instead of aborting Node).
// In the test harness build the napi registrations are compiled out, so everything they
// export looks unused.
#![cfg_attr(test, allow(dead_code))]

use napi_derive::napi;

mod action;
mod boosted;
mod convert;
mod early_warning;
mod encode;
mod error;
mod features;
mod metrics;
mod model;
mod monitor;
mod store;
mod survey;
mod survival;
mod synth;
mod uplift;
mod value;

/// The library version.
#[napi]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// A panic inside a binding call, for the test that proves a panic never crosses into Node
/// (`tests/node/hostile.test.js`): `#[napi(catch_unwind)]` turns it into a JS `Error` with a
/// `code`, as it does for every exported function. Not part of the API.
#[napi(js_name = "__panicForTest", catch_unwind)]
pub fn panic_for_test() -> error::Result<()> {
    panic!("a deliberate panic, for the FFI boundary test")
}
