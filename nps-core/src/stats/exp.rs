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
