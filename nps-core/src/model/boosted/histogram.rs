//! Per-bin sums of gradients, hessians and rows for one leaf, all inputs side by side.
//!
//! Each input's sums are accumulated by one thread in row order, so a histogram has the same
//! bits whatever the number of threads; a sibling's histogram is its parent's minus the
//! smaller child's (LightGBM's subtraction trick: only the smaller child reads its rows).
use rayon::prelude::*;

use super::bins::{Binned, LANES};

/// One bin's sums.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct BinSum {
    pub(crate) g: f64,
    pub(crate) h: f64,
    pub(crate) n: u32,
}

impl BinSum {
    #[inline]
    pub(crate) fn add(&mut self, o: &BinSum) {
        self.g += o.g;
        self.h += o.h;
        self.n += o.n;
    }

    #[inline]
    pub(crate) fn minus(&self, o: &BinSum) -> BinSum {
        BinSum { g: self.g - o.g, h: self.h - o.h, n: self.n - o.n }
    }
}

/// Where each input's bins start in a histogram.
pub(crate) struct Layout {
    pub(crate) offset: Vec<usize>,
    pub(crate) total: usize,
}

impl Layout {
    pub(crate) fn new(data: &Binned) -> Layout {
        let mut offset = Vec::with_capacity(data.maps.len() + 1);
        let mut total = 0;
        for m in &data.maps {
            offset.push(total);
            total += m.bins();
        }
        offset.push(total);
        Layout { offset, total }
    }

    #[inline]
    pub(crate) fn range(&self, f: usize) -> std::ops::Range<usize> {
        self.offset[f]..self.offset[f + 1]
    }
}

/// Below this many row × input reads a histogram is built on the calling thread.
const PARALLEL_WORK: usize = 64 * 1024;

/// Builds the histogram of the rows `rows` (ascending) over the inputs `active` into `out`
/// (zeroed first), with `og`/`oh` the rows' gradients and hessians in the same order (or
/// `None` for all rows in order, read straight from `g`/`h`).
#[allow(clippy::too_many_arguments)]
pub(crate) fn build(
    data: &Binned,
    layout: &Layout,
    active: &[usize],
    rows: Option<&[u32]>,
    g: &[f64],
    h: &[f64],
    out: &mut [BinSum],
) {
    out.fill(BinSum::default());
    let count = rows.map_or(data.rows, |r| r.len());
    // Disjoint slices of `out`, one per active input.
    let mut slices: Vec<(usize, &mut [BinSum])> = Vec::with_capacity(active.len());
    let mut rest = out;
    let mut at = 0;
    for &f in active {
        let r = layout.range(f);
        let (_, tail) = std::mem::take(&mut rest).split_at_mut(r.start - at);
        let (mine, tail) = tail.split_at_mut(r.len());
        slices.push((f, mine));
        rest = tail;
        at = r.end;
    }
    // The inputs of one group (data.rs's LANES) together: one pass over the rows (their
    // index, gradient and hessian and the group's bins read once) feeds the group's
    // histograms, each still summed in row order.
    let group = |inputs: &mut [(usize, &mut [BinSum])]| {
        let bins = data.group(inputs[0].0 / LANES);
        if let [a, b, c, d] = inputs {
            match rows {
                None => {
                    // All rows: the counts are known; only the sums are added up.
                    for ((&row, &gi), &hi) in bins.iter().zip(g).zip(h) {
                        for (hist, bin) in [&mut *a.1, &mut *b.1, &mut *c.1, &mut *d.1].into_iter().zip(row) {
                            let s = &mut hist[bin as usize];
                            s.g += gi;
                            s.h += hi;
                        }
                    }
                    for (f, hist) in [(a.0, &mut *a.1), (b.0, &mut *b.1), (c.0, &mut *c.1), (d.0, &mut *d.1)] {
                        for (s, &n) in hist.iter_mut().zip(&data.counts[layout.range(f)]) {
                            s.n = n;
                        }
                    }
                }
                Some(rows) => {
                    for (k, ((&i, &gi), &hi)) in rows.iter().zip(g).zip(h).enumerate() {
                        if let Some(&ahead) = rows.get(k + PREFETCH) {
                            prefetch(&bins[ahead as usize]);
                        }
                        for (hist, bin) in
                            [&mut *a.1, &mut *b.1, &mut *c.1, &mut *d.1].into_iter().zip(bins[i as usize])
                        {
                            let s = &mut hist[bin as usize];
                            s.g += gi;
                            s.h += hi;
                            s.n += 1;
                        }
                    }
                }
            }
            return;
        }
        for (f, hist) in inputs.iter_mut() {
            let lane = *f % LANES;
            match rows {
                None => {
                    for ((b, &gi), &hi) in bins.iter().zip(g).zip(h) {
                        let s = &mut hist[b[lane] as usize];
                        s.g += gi;
                        s.h += hi;
                        s.n += 1;
                    }
                }
                Some(rows) => {
                    for (k, ((&i, &gi), &hi)) in rows.iter().zip(g).zip(h).enumerate() {
                        if let Some(&ahead) = rows.get(k + PREFETCH) {
                            prefetch(&bins[ahead as usize]);
                        }
                        let s = &mut hist[bins[i as usize][lane] as usize];
                        s.g += gi;
                        s.h += hi;
                        s.n += 1;
                    }
                }
            }
        }
    };
    let mut groups: Vec<&mut [(usize, &mut [BinSum])]> =
        slices.chunk_by_mut(|a, b| a.0 / LANES == b.0 / LANES).collect();
    if count * active.len() < PARALLEL_WORK {
        groups.iter_mut().for_each(|inputs| group(inputs));
    } else {
        groups.par_iter_mut().for_each(|inputs| group(inputs));
    }
}

/// How many rows ahead a pass over a leaf's (scattered) rows asks for their bins: the
/// load of a row's bins, not the adding, is what such a pass waits on.
pub(crate) const PREFETCH: usize = 32;

/// Asks the processor to bring `at`'s cache line in (a hint; nothing on other targets).
#[inline(always)]
pub(crate) fn prefetch<T>(at: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint that never faults, and `at` is a valid reference.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(at as *const T as *const i8);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = at;
}

/// `out = parent − child`, bin by bin, over the inputs `active`.
pub(crate) fn subtract(layout: &Layout, active: &[usize], parent: &[BinSum], child: &[BinSum], out: &mut [BinSum]) {
    for &f in active {
        for k in layout.range(f) {
            out[k] = parent[k].minus(&child[k]);
        }
    }
}
