//! Turning [`NpsError`] into JavaScript errors.
//!
//! napi-rs builds the thrown JS `Error` with `napi_create_error(env, code, message)`, where
//! `code` is `status.as_ref()` of the `napi::Error<S>` and `message` is its `reason`. With
//! the default status type (`napi::Status`) the code is a napi status name such as
//! `'GenericFailure'`, so exported functions here return [`Result<T>`], whose status type
//! [`ErrorCode`] carries [`NpsError::code`] instead. JS then sees
//! `err instanceof Error`, `err.message === e.to_string()` and `err.code === e.code()`.
//!
//! Usage in a `#[napi]` function (the macro accepts any `Result<T, S>` for sync functions,
//! methods, getters and factories):
//!
//! ```ignore
//! #[napi(catch_unwind)]
//! pub fn foo(x: f64) -> Result<f64> {
//!     nps_core::something(x).map_err(to_napi)
//! }
//! ```
//!
//! `AsyncTask` is different: `Task::compute`/`resolve` must return `napi::Result<T>` with the
//! default status, so a task keeps the core error in its `Output` and turns it into a JS
//! error object in `resolve` with [`js_error`].
use std::borrow::Cow;

use napi::bindgen_prelude::JsError;
use napi::Env;
use nps_core::NpsError;

/// Status type of the errors this addon throws; its string becomes the JS `code` property.
pub struct ErrorCode(Cow<'static, str>);

impl AsRef<str> for ErrorCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Result type of exported functions.
pub type Result<T> = napi::Result<T, ErrorCode>;

/// An [`NpsError`] as a napi error: message = its Display text, code = [`NpsError::code`].
pub(crate) fn to_napi(e: NpsError) -> napi::Error<ErrorCode> {
    napi::Error::new(ErrorCode(Cow::Borrowed(e.code())), e.to_string())
}

/// A napi-rs error (default status) re-tagged for [`Result`]; the code stays the napi
/// status name (e.g. `'InvalidArg'`), as for errors napi-rs throws itself.
pub(crate) fn from_napi(e: napi::Error) -> napi::Error<ErrorCode> {
    let code = ErrorCode(Cow::Owned(e.status.as_ref().to_owned()));
    napi::Error::new(code, e.reason)
}

/// Converts either kind of error result with `.into_napi()?`.
pub(crate) trait IntoNapi<T> {
    fn into_napi(self) -> Result<T>;
}

impl<T> IntoNapi<T> for nps_core::Result<T> {
    fn into_napi(self) -> Result<T> {
        self.map_err(to_napi)
    }
}

impl<T> IntoNapi<T> for napi::Result<T> {
    fn into_napi(self) -> Result<T> {
        self.map_err(from_napi)
    }
}

/// For `Task::resolve`: builds the JS error object (with its `code`) now, on the JS thread,
/// and wraps it in a default-status `napi::Error`, which napi-rs rejects the promise with
/// unchanged.
#[allow(dead_code)] // for the Promise-returning tasks of later modules
pub(crate) fn js_error(env: &Env, e: NpsError) -> napi::Error {
    napi::Error::from(JsError::from(to_napi(e)).into_unknown(*env))
}

/// Runs `f`, turning a panic into an error. For `Task::compute`, which runs on a libuv
/// thread where napi-rs does not catch panics (an unwinding panic there aborts Node).
/// Exported functions use `#[napi(catch_unwind)]` instead.
#[allow(dead_code)] // for the Promise-returning tasks of later modules
pub(crate) fn catch_panic<T>(f: impl FnOnce() -> T + std::panic::UnwindSafe) -> napi::Result<T> {
    std::panic::catch_unwind(f).map_err(napi::bindgen_prelude::panic_to_error)
}
