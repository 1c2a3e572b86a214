//! A slice of numbers written from several threads at once, each element by one thread
//! only: for parallel loops whose writes land at places known only at run time (a
//! permutation, a tree's leaves), where the slice cannot be split into chunks beforehand.
use std::marker::PhantomData;

/// Writes to the elements of a borrowed `&mut [f64]` from several threads; the callers
/// promise that no element is touched by two threads.
pub(crate) struct DisjointWriter<'a> {
    values: *mut f64,
    len: usize,
    _slice: PhantomData<&'a mut [f64]>,
}

// SAFETY: the writer hands out no references; `copy` and `add` touch the elements they are
// given only, and their callers give each element to one thread.
unsafe impl Sync for DisjointWriter<'_> {}

impl<'a> DisjointWriter<'a> {
    pub(crate) fn new(values: &'a mut [f64]) -> Self {
        DisjointWriter { values: values.as_mut_ptr(), len: values.len(), _slice: PhantomData }
    }

    /// Sets the elements from `k` on to `values`.
    ///
    /// # Safety
    /// No other thread reads or writes those elements meanwhile.
    #[inline]
    pub(crate) unsafe fn copy(&self, k: usize, values: &[f64]) {
        assert!(k <= self.len && values.len() <= self.len - k);
        // SAFETY: the elements are in bounds, and the caller gives them to this thread alone.
        unsafe { std::ptr::copy_nonoverlapping(values.as_ptr(), self.values.add(k), values.len()) };
    }

    /// Adds `v` to element `k`.
    ///
    /// # Safety
    /// No other thread reads or writes element `k` meanwhile.
    #[inline]
    pub(crate) unsafe fn add(&self, k: usize, v: f64) {
        assert!(k < self.len);
        // SAFETY: `k` is in bounds, and the caller gives it to this thread alone.
        unsafe { *self.values.add(k) += v };
    }
}
