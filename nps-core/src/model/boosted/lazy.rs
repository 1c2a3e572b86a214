//! A value derived from its owner's other fields, built on first use and kept with the
//! owner: the boosted model's TreeSHAP plan, which costs milliseconds to build and is
//! wanted only by a model that explains, is built once per model and not per customer.
use std::fmt;
use std::sync::{Arc, OnceLock};

/// `T` built on first use (once, whichever thread comes first), shared once built by the
/// owner's later clones (a clone costs a pointer, not a copy of the value), left out of the owner's comparisons and
/// `Debug`, and never serialised (a field of this type takes `#[serde(skip)]`): it holds
/// nothing the owner's other fields do not determine.
pub(crate) struct Lazy<T>(OnceLock<Arc<T>>);

impl<T> Default for Lazy<T> {
    /// Not built yet.
    fn default() -> Self {
        Lazy(OnceLock::new())
    }
}

impl<T> Lazy<T> {
    /// The value, built by `build` if it is not yet.
    pub(crate) fn get_or_init(&self, build: impl FnOnce() -> T) -> &T {
        self.0.get_or_init(|| Arc::new(build()))
    }
}

impl<T> Clone for Lazy<T> {
    fn clone(&self) -> Self {
        Lazy(self.0.clone())
    }
}

impl<T> PartialEq for Lazy<T> {
    /// Always equal: the value follows from the owner's other fields.
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<T> fmt::Debug for Lazy<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Lazy")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_once_cloned_built_and_always_equal() {
        let lazy: Lazy<Vec<u8>> = Lazy::default();
        assert_eq!(format!("{lazy:?}"), "Lazy");
        let mut builds = 0;
        assert_eq!(
            lazy.get_or_init(|| {
                builds += 1;
                vec![1]
            }),
            &[1]
        );
        assert_eq!(lazy.get_or_init(|| vec![2]), &[1]);
        assert_eq!(builds, 1);
        let copy = lazy.clone();
        assert_eq!(copy.get_or_init(|| vec![3]), &[1], "a clone keeps the built value");
        assert_eq!(Lazy::<Vec<u8>>::default(), lazy);
    }
}
