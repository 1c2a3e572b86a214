//! A number in words as `format!("{x}")` writes it, several times faster: the trace of a
//! decision prints every value a failing condition read, on the path a ticket takes.
//!
//! `core::fmt` finds the shortest digits that read back to `x` (Grisu with a Dragon
//! fallback) and lays them out in plain decimal notation (`100`, `0.0000001`, `-0`, never
//! an exponent). zmij (the formatter serde_json uses) finds the same shortest digits much
//! faster but lays them out its own way (`100.0`, `1e-7`), so this module takes zmij's
//! digits and exponent and lays them out as `core::fmt` does. The unit tests compare the
//! two on millions of values.

/// Appends `x` to `out` exactly as `write!(out, "{x}")` would.
pub(crate) fn push_f64(out: &mut String, x: f64) {
    if !x.is_finite() {
        out.push_str(if x.is_nan() {
            "NaN"
        } else if x > 0.0 {
            "inf"
        } else {
            "-inf"
        });
        return;
    }
    let mut buffer = zmij::Buffer::new();
    let text = buffer.format_finite(x).as_bytes();
    let (negative, text) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    // Mantissa `int.frac` and exponent: the value is 0.DIGITS × 10^point once the
    // digits' leading zeros are gone.
    let (mantissa, exponent) = match text.iter().position(|&b| b == b'e') {
        Some(e) => (&text[..e], parse_exponent(&text[e + 1..])),
        None => (text, 0),
    };
    let (int, frac) = match mantissa.iter().position(|&b| b == b'.') {
        Some(p) => (&mantissa[..p], &mantissa[p + 1..]),
        None => (mantissa, &[][..]),
    };
    let mut digits = [0u8; 40];
    let mut n = 0;
    let mut point = int.len() as i32 + exponent;
    for &d in int.iter().chain(frac) {
        if n == 0 && d == b'0' {
            point -= 1; // a leading zero
        } else {
            digits[n] = d;
            n += 1;
        }
    }
    while n > 0 && digits[n - 1] == b'0' {
        n -= 1;
    }
    if n > 0 && halfway(x, point - n as i32) {
        // Two shortest candidates equally close: core::fmt rounds up, zmij to even.
        let _ = std::fmt::Write::write_fmt(out, format_args!("{x}"));
        return;
    }
    if negative {
        out.push('-');
    }
    if n == 0 {
        out.push('0');
        return;
    }
    let digits = std::str::from_utf8(&digits[..n]).expect("ASCII digits");
    if point <= 0 {
        out.push_str("0.");
        (0..-point).for_each(|_| out.push('0'));
        out.push_str(digits);
    } else if point as usize >= n {
        out.push_str(digits);
        (0..point as usize - n).for_each(|_| out.push('0'));
    } else {
        let (whole, fraction) = digits.split_at(point as usize);
        out.push_str(whole);
        out.push('.');
        out.push_str(fraction);
    }
}

/// Whether `|x|` is exactly halfway between two multiples of `10^q`, `(d + 1/2) × 10^q`:
/// then the digits up to `10^q` may round either way. With `|x| = m × 2^e`, `m` odd, that
/// is `2|x| / 10^q = m × 5^-q × 2^(e + 1 - q)` being an odd integer: `e = q - 1`, and for
/// `q > 0`, `5^q` dividing `m`.
fn halfway(x: f64, q: i32) -> bool {
    let bits = x.abs().to_bits();
    let (biased, fraction) = ((bits >> 52) as i32, bits & ((1 << 52) - 1));
    let (m, e) = match biased {
        0 => (fraction, -1074),
        _ => (fraction | 1 << 52, biased - 1075),
    };
    if m == 0 {
        return false;
    }
    let zeros = m.trailing_zeros();
    let (m, e) = (m >> zeros, e + zeros as i32);
    e == q - 1 && (q <= 0 || (q <= 22 && m % 5u64.pow(q as u32) == 0))
}

/// The exponent after zmij's `e`: an optional sign and decimal digits.
fn parse_exponent(text: &[u8]) -> i32 {
    let (sign, digits) = match text.split_first() {
        Some((b'-', rest)) => (-1, rest),
        Some((b'+', rest)) => (1, rest),
        _ => (1, text),
    };
    sign * digits.iter().fold(0i32, |e, &d| e * 10 + i32::from(d - b'0'))
}

#[cfg(test)]
mod tests {
    use super::push_f64;

    fn check(x: f64) {
        let mut out = String::from("x=");
        push_f64(&mut out, x);
        assert_eq!(&out[2..], format!("{x}"), "bits {:#018x}", x.to_bits());
    }

    #[test]
    fn as_core_fmt_writes_it() {
        for x in [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            0.5,
            100.0,
            123.456,
            1e-7,
            1.5e-7,
            1e15,
            1e16,
            1e21,
            1e22,
            1.2345e300,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            5e-324,
            -5e-324,
            f64::EPSILON,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            42.123456789,
            0.30000000000000004,
            9007199254740993.0,
            f64::from_bits(0x4317_9085_685d_83c9), // 1658206780088562.25: a tie, rounded up
        ] {
            check(x);
        }
        // Every exponent; random bit patterns, decimals, whole numbers and quarters of
        // numbers near 2^53 (where the shortest digits often tie).
        for e in -330..310 {
            check(10f64.powi(e));
            check(-3.7 * 10f64.powi(e));
        }
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..300_000 {
            let bits = next();
            check(f64::from_bits(bits));
            check((bits % 1_000_000) as f64 / 1000.0);
            check((bits % 100_000_000) as f64 - 5e7);
            check((bits >> 9) as f64 / 4.0);
        }
    }
}
