//! Spark SQL text: literals, quoted names and errors, written so that Spark reads back
//! exactly what the core meant (a double's bits, a name with a backtick, text with a quote).
//! Used by the model and the features written as Spark SQL.

/// A double as a Spark SQL DOUBLE literal that reads back to the same bits (the shortest
/// digits that do, in scientific notation with the `D` suffix; NaN and the infinities by name).
pub(crate) fn number(x: f64) -> String {
    if !x.is_finite() {
        let name = if x.is_nan() {
            "NaN"
        } else if x > 0.0 {
            "Infinity"
        } else {
            "-Infinity"
        };
        return format!("CAST('{name}' AS DOUBLE)");
    }
    let digits = format!("{:E}D", x.abs());
    if x.is_sign_negative() {
        format!("(-{digits})")
    } else {
        digits
    }
}

/// A column name, quoted.
pub(crate) fn identifier(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// A string literal. Text with a quote or a backslash goes in as its UTF-8 bytes in hex, so
/// that the literal reads the same whatever `spark.sql.parser.escapedStringLiterals` says.
pub(crate) fn text(s: &str) -> String {
    if s.contains(['\'', '\\']) {
        let hex: String = s.bytes().map(|b| format!("{b:02X}")).collect();
        format!("DECODE(UNHEX('{hex}'), 'UTF-8')")
    } else {
        format!("'{s}'")
    }
}

/// Text for inside a literal of [`raise`]: its quotes and backslashes dropped (a message).
pub(crate) fn escape_plain(s: &str) -> String {
    s.replace(['\'', '\\'], "")
}

/// Stops the job with `message`.
pub(crate) fn raise(message: &str) -> String {
    format!("RAISE_ERROR('{}')", escape_plain(message))
}

/// Stops the job with `message` followed by the value of `value` (an expression).
pub(crate) fn raise_with(message: &str, value: &str) -> String {
    format!("RAISE_ERROR(CONCAT('{}', CAST({value} AS STRING)))", escape_plain(message))
}
