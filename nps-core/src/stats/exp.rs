//! eˣ with the bits of Java's `StrictMath.exp`.
//!
//! Java specifies `StrictMath.exp` as the result of fdlibm's algorithm, and Spark's SQL
//! `exp` calls it. The core's logistic function takes its exponential from here, so a
//! model written as a Spark SQL expression ([`crate::model::ChurnModel::spark_sql`])
//! gives the core's probabilities to the bit inside the JVM. The platform's `exp`
//! (glibc's, or another libm's) is as accurate but rounds a few arguments the other way.
//!
//! The algorithm (fdlibm's `e_exp.c`, described there): write x = k ln2 + r with
//! |r| ≤ ln2 / 2, ln2 held as a high part with trailing zeros (so k ln2_hi is exact) and a
//! low part; approximate eʳ by a rational function of r built from a degree-5 polynomial
//! in r² (a Remez fit); scale by 2ᵏ through the exponent bits. Every step below is an
//! IEEE operation in the order fdlibm takes it; nothing may be fused or reordered.

/// ln 2, high part: 32 significant bits, so k × it is exact for |k| < 2¹¹.
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
/// ln 2 − [`LN2_HI`].
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
/// 1 / ln 2.
const INV_LN2: f64 = f64::from_bits(0x3ff7_1547_652b_82fe);
/// Above this, eˣ overflows.
const OVERFLOW: f64 = f64::from_bits(0x4086_2e42_fefa_39ef);
/// Below this, eˣ underflows to zero.
const UNDERFLOW: f64 = f64::from_bits(0xc087_4910_d52d_3051);
/// 2⁻¹⁰⁰⁰, to scale a subnormal result in two steps.
const TWO_M1000: f64 = f64::from_bits(0x0170_0000_0000_0000);
/// The Remez coefficients of r − r²·P(r²) ≈ r (eʳ + 1) / (eʳ − 1) − … (fdlibm's P1–P5).
const P: [f64; 5] = [
    f64::from_bits(0x3fc5_5555_5555_553e),
    f64::from_bits(0xbf66_c16c_16be_bd93),
    f64::from_bits(0x3f11_566a_af25_de2c),
    f64::from_bits(0xbebb_bd41_c5d2_6bf1),
    f64::from_bits(0x3e66_3769_72be_a4d0),
];

/// eˣ, equal to the bit to Java's `StrictMath.exp(x)` (and so to Spark SQL's `exp`) for
/// every x, NaN, infinities and subnormal results included. Error below one unit in the
/// last place.
pub fn exp(x: f64) -> f64 {
    let high = (x.to_bits() >> 32) as u32;
    let negative = high >> 31 == 1;
    let magnitude = high & 0x7fff_ffff;

    if magnitude >= 0x4086_2e42 {
        // |x| ≥ 709.78: not finite, or overflowing, or underflowing, or just inside.
        if magnitude >= 0x7ff0_0000 {
            return if x.is_nan() {
                x + x
            } else if negative {
                0.0
            } else {
                x
            };
        }
        if x > OVERFLOW {
            return f64::INFINITY;
        }
        if x < UNDERFLOW {
            return 0.0;
        }
    }

    // x = k ln2 + (hi − lo), r = hi − lo.
    let (k, hi, lo) = if magnitude > 0x3fd6_2e42 {
        if magnitude < 0x3ff0_a2b2 {
            // ln2 / 2 < |x| < 1.5 ln2: k = ±1.
            if negative {
                (-1, x + LN2_HI, -LN2_LO)
            } else {
                (1, x - LN2_HI, LN2_LO)
            }
        } else {
            let k = (INV_LN2 * x + if negative { -0.5 } else { 0.5 }) as i32;
            let t = f64::from(k);
            (k, x - t * LN2_HI, t * LN2_LO)
        }
    } else if magnitude < 0x3e30_0000 {
        // |x| < 2⁻²⁸: eˣ rounds to 1 + x.
        return 1.0 + x;
    } else {
        (0, x, 0.0)
    };
    let r = if k == 0 { x } else { hi - lo };

    let t = r * r;
    let c = r - t * (P[0] + t * (P[1] + t * (P[2] + t * (P[3] + t * P[4]))));
    if k == 0 {
        return 1.0 - ((r * c) / (c - 2.0) - r);
    }
    let y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
    if k >= -1021 {
        with_exponent_added(y, k)
    } else {
        with_exponent_added(y, k + 1000) * TWO_M1000
    }
}

/// [`exp`] of `N` arguments at once, the same bits lane by lane, in one pass without
/// branches (so that it vectorises): the bands fdlibm treats apart are the general formula
/// with their k (0 up to about ln2 / 2, where the general k would be 1 just above ln2 / 2;
/// ±1 up to 1.5 ln2, which the general k gives too), so only the choice of k depends on
/// the band. Lanes outside the pass (|x| below 2⁻²⁸ or above 700, NaN, infinities) are
/// redone by [`exp`].
#[inline(always)]
pub(crate) fn exp_lanes<const N: usize>(x: &[f64; N]) -> [f64; N] {
    // The bands' bounds on |x| (fdlibm compares the high word: these are its first values).
    const HALF_LN2: f64 = f64::from_bits(0x3fd6_2e43_0000_0000);
    const TINY: f64 = f64::from_bits(0x3e30_0000_0000_0000);
    // Up to 700, k stays above -1021 and below 1010: the result needs no scaling in two steps.
    const LARGE: f64 = 700.0;
    // Adding 1.5 × 2⁵² puts an integer-valued t in the low bits of the significand.
    const SHIFTER: f64 = 6_755_399_441_055_744.0;
    let mut out = [0.0; N];
    let mut redo = false;
    for l in 0..N {
        let x = x[l];
        let m = x.abs();
        redo |= !(TINY..=LARGE).contains(&m);
        let half = if x < 0.0 { -0.5 } else { 0.5 };
        let general = (INV_LN2 * x + half).trunc();
        let t = if m < HALF_LN2 { 0.0 } else { general };
        let hi = x - t * LN2_HI;
        let lo = t * LN2_LO;
        let r = hi - lo;
        let rr = r * r;
        let c = r - rr * (P[0] + rr * (P[1] + rr * (P[2] + rr * (P[3] + rr * P[4]))));
        let y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
        let k = (t + SHIFTER).to_bits().wrapping_sub(SHIFTER.to_bits());
        out[l] = f64::from_bits(y.to_bits().wrapping_add(k << 52));
    }
    if redo {
        for (o, &x) in out.iter_mut().zip(x) {
            let m = x.abs();
            if !(TINY..=LARGE).contains(&m) {
                *o = exp(x);
            }
        }
    }
    out
}

/// y × 2ᵏ by adding k to the exponent field (y is near 1 and the result normal; k may be
/// 1024, where 2ᵏ itself is not a double).
fn with_exponent_added(y: f64, k: i32) -> f64 {
    f64::from_bits(y.to_bits().wrapping_add((i64::from(k) << 52) as u64))
}

#[cfg(test)]
mod tests {
    use super::exp;

    #[test]
    fn special_values() {
        assert!(exp(f64::NAN).is_nan());
        assert_eq!(exp(f64::INFINITY), f64::INFINITY);
        assert_eq!(exp(f64::NEG_INFINITY).to_bits(), 0.0f64.to_bits());
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(-0.0), 1.0);
        assert_eq!(exp(710.0), f64::INFINITY);
        assert_eq!(exp(-746.0), 0.0);
        // Subnormal: e^-740 is about 4.2e-322.
        let tiny = exp(-740.0);
        assert!(tiny > 0.0 && tiny < f64::MIN_POSITIVE);
        assert!((tiny / 4.2e-322 - 1.0).abs() < 0.01);
        // The largest finite result, k = 1024.
        assert!(exp(709.78).is_finite() && exp(709.78) > 1.7e308);
    }

    #[test]
    fn lanes_give_the_bits_of_one_at_a_time() {
        // Random arguments of every magnitude, both signs, the bands' edges and neighbours,
        // and the values the pass hands back to `exp`.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut xs = Vec::new();
        for _ in 0..400_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let u = (state >> 11) as f64 / (1u64 << 53) as f64;
            xs.push(u * 1500.0 - 750.0);
            xs.push((u - 0.5) * 4.0);
            xs.push(f64::from_bits(state) % 800.0);
        }
        for edge in [0x3fd6_2e42_ffff_ffffu64, 0x3fd6_2e43_0000_0000, 0x3ff0_a2b1_ffff_ffff, 0x3ff0_a2b2_0000_0000] {
            for d in -3i64..=3 {
                let x = f64::from_bits((edge as i64 + d) as u64);
                xs.extend([x, -x]);
            }
        }
        xs.extend([0.5f64.ln(), -(0.5f64.ln()), 1.0397207708399179, -1.0397207708399179]);
        // Between ln2 / 2 and the first high word above it fdlibm keeps k = 0.
        let (from, to) = (0x3fd6_2e42_fefa_39efu64, 0x3fd6_2e43_0000_0000u64);
        for b in (from..to).step_by(((to - from) / 20_000) as usize) {
            xs.extend([f64::from_bits(b), -f64::from_bits(b)]);
        }
        xs.extend([
            0.0,
            -0.0,
            1e-300,
            -1e-20,
            700.0,
            -700.0,
            700.0000000000001,
            -708.5,
            709.9,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ]);
        xs.resize(xs.len().next_multiple_of(16), 0.5);
        for chunk in xs.chunks_exact(16) {
            let lanes: &[f64; 16] = chunk.try_into().unwrap();
            for (got, &x) in super::exp_lanes(lanes).iter().zip(lanes) {
                assert_eq!(got.to_bits(), exp(x).to_bits(), "exp({x:e})");
            }
        }
    }

    #[test]
    fn within_an_ulp_of_the_platform() {
        // The platform's exp (glibc: within about half an ulp) and fdlibm's (within one)
        // round about one argument in ten differently, never by more than one ulp.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..100_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let x = (state >> 11) as f64 / (1u64 << 53) as f64 * 1400.0 - 700.0;
            let (a, b) = (exp(x), x.exp());
            let ulps = (a.to_bits() as i64 - b.to_bits() as i64).abs();
            assert!(ulps <= 1, "exp({x:e}) = {a:e}, platform {b:e}");
        }
    }
}
