//! Tables for `nps_core::encode`, as `nps-py/src/encode.rs` binds them for Python: a table is
//! an object of equally long columns in its key order (`{ tenure: [1, 24], contract:
//! ['Month-to-month', null] }`), the shape `readCsv` returns; the core infers the kinds,
//! fits the encoder and encodes.
use std::collections::HashMap;

use napi::bindgen_prelude::{Either, Float64Array, JsObjectValue, JsValue, Object, ToNapiValue, Unknown};
use napi::{Env, ValueType};
use napi_derive::napi;
use nps_core::encode::{self as core, Column, ColumnKind, ColumnSpec, EncoderOptions, RawTable, UnseenPolicy};
use nps_core::NpsError;

use crate::convert::Field;
use crate::error::{to_napi, IntoNapi, Result};

/// One column of a table: numbers (`null` or `NaN`: missing), text (`null`: missing) or
/// booleans.
#[napi(js_name = "TableColumn")]
#[allow(dead_code)] // read by the d.ts generator only
pub type TableColumnType = Either<Float64Array, Vec<Field>>;

/// A table: column name → column, in the object's key order; every column as long as the
/// first.
#[napi(js_name = "Table")]
#[allow(dead_code)] // read by the d.ts generator only
pub type TableType = HashMap<String, TableColumnType>;

/// A column kind: how the encoder reads it.
#[napi(js_name = "ColumnKind")]
#[allow(dead_code)] // read by the d.ts generator only
pub type ColumnKindType = String;

/// A table as the core reads it, with the columns that held JavaScript booleans (boolean
/// unless `kinds` says otherwise, as a boolean dtype is in Python).
pub(crate) struct Table {
    pub(crate) raw: RawTable,
    pub(crate) booleans: Vec<String>,
}

/// The column `name` of a JavaScript array: numbers, text, or booleans; a value of another
/// type than the rows before it is an error naming the row.
fn column(name: &str, cells: Vec<Field>) -> Result<(Column, bool)> {
    let kind = |f: &Field| match f {
        Field::Number(_) => "a number",
        Field::Text(_) => "a string",
        Field::Bool(_) => "a boolean",
        Field::Missing => "missing",
        Field::Other(what) => what,
    };
    let first = cells.iter().position(|f| !matches!(f, Field::Missing));
    if let Some(first) = first {
        let expected = kind(&cells[first]);
        if let Some(row) = cells.iter().position(|f| !matches!(f, Field::Missing) && kind(f) != expected) {
            let what = if matches!(cells[first], Field::Other(_)) { first } else { row };
            return Err(to_napi(NpsError::invalid(
                &format!("table column {name:?}[{what}]"),
                kind(&cells[what]),
                &format!("a value of the column's type ({expected}, as in row {first}) or null"),
            )));
        }
        if let Field::Other(what) = cells[first] {
            return Err(to_napi(NpsError::invalid(
                &format!("table column {name:?}[{first}]"),
                what,
                "a number, a string, a boolean or null",
            )));
        }
    }
    let complete = cells.iter().all(|f| !matches!(f, Field::Missing));
    Ok(match first.map(|i| &cells[i]) {
        Some(Field::Text(_)) => (Column::Text(cells.into_iter().map(text).collect()), false),
        Some(Field::Bool(_)) if complete => {
            (Column::Numeric(cells.iter().map(|f| matches!(f, Field::Bool(true)) as u8 as f64).collect()), true)
        }
        Some(Field::Bool(_)) => (Column::Text(cells.into_iter().map(text).collect()), false),
        _ => (
            Column::Numeric(cells.iter().map(|f| if let Field::Number(x) = f { *x } else { f64::NAN }).collect()),
            false,
        ),
    })
}

/// A cell as text (booleans as `"true"`/`"false"`, which the encoder reads as booleans).
fn text(f: Field) -> Option<String> {
    match f {
        Field::Text(s) => Some(s),
        Field::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Reads a JavaScript table (see [`TableType`]); errors name the column and row.
pub(crate) fn table(object: &Object<'_>) -> Result<Table> {
    // Checked first: listing the keys of null or a number throws a TypeError without a code.
    let kind = object.to_unknown().get_type().into_napi()?;
    if kind != ValueType::Object {
        let got = format!("{kind:?}").to_lowercase();
        return Err(to_napi(NpsError::invalid("table", got, "an object of columns")));
    }
    let names = Object::keys(object).into_napi()?;
    let (mut columns, mut booleans) = (Vec::with_capacity(names.len()), Vec::new());
    for name in &names {
        let value: Unknown = object.get_named_property(name).into_napi()?;
        let (col, boolean) = if value.is_typedarray().into_napi()? {
            let values: Float64Array = unsafe { value.cast() }.into_napi()?;
            (Column::Numeric(values.to_vec()), false)
        } else if value.get_type().into_napi()? == ValueType::Object && value.is_array().into_napi()? {
            column(name, unsafe { value.cast::<Vec<Field>>() }.into_napi()?)?
        } else {
            return Err(to_napi(NpsError::invalid(
                &format!("table column {name:?}"),
                format!("{:?}", value.get_type().into_napi()?).to_lowercase(),
                "an array (numbers, strings or booleans; null for missing) or a Float64Array",
            )));
        };
        if boolean {
            booleans.push(name.clone());
        }
        columns.push(col);
    }
    Ok(Table { raw: RawTable::new(names, columns).into_napi()?, booleans })
}

/// A core table as a JavaScript table: numbers as a `Float64Array` (NaN missing), text as
/// an array of strings and nulls.
pub(crate) fn to_object<'env>(env: &'env Env, table: RawTable) -> Result<Object<'env>> {
    let mut object = Object::new(env).into_napi()?;
    for (name, column) in table.names.iter().zip(table.columns) {
        match column {
            Column::Numeric(v) => object.set_named_property(name, Float64Array::new(v)),
            Column::Text(v) => object.set_named_property(name, v),
        }
        .into_napi()?;
    }
    Ok(object)
}

/// An object `name → value` in the order of `pairs` (a `HashMap` would lose the order).
fn ordered<'env, V: ToNapiValue>(env: &'env Env, pairs: impl IntoIterator<Item = (String, V)>) -> Result<Object<'env>> {
    let mut object = Object::new(env).into_napi()?;
    for (name, value) in pairs {
        object.set_named_property(&name, value).into_napi()?;
    }
    Ok(object)
}

/// Column kinds as `{ name: kind }`.
fn kinds_object<'env>(env: &'env Env, specs: &[ColumnSpec]) -> Result<Object<'env>> {
    ordered(env, specs.iter().map(|s| (s.name.clone(), s.kind.name())))
}

/// Options of `TableEncoder.fit` and of the models' `fit` that say which columns are read
/// and how.
#[napi(object)]
#[derive(Default)]
pub struct ColumnOptions {
    /// Kind overrides (`{ SeniorCitizen: 'categorical' }`); the others are inferred.
    #[napi(ts_type = "Record<string, ColumnKind>")]
    pub kinds: Option<HashMap<String, String>>,
    /// Columns to leave out (ids, the label).
    pub exclude: Option<Vec<String>>,
    /// A category not seen in training: `'error'` (default) or `'ignore'` (all zeros).
    #[napi(ts_type = "'error' | 'ignore'")]
    pub unseen: Option<String>,
    /// Standardise numeric columns (default true).
    pub standardize: Option<bool>,
}

/// The specs and encoder options of a table under `options`, by the core's rules.
pub(crate) fn fit_specs(
    table: &Table,
    kinds: Option<&HashMap<String, String>>,
    exclude: Option<&[String]>,
) -> Result<Vec<ColumnSpec>> {
    let kinds: Vec<(String, ColumnKind)> = kinds
        .into_iter()
        .flatten()
        .map(|(name, kind)| Ok((name.clone(), kind.parse::<ColumnKind>().into_napi()?)))
        .collect::<Result<_>>()?;
    let exclude: Vec<&str> = exclude.unwrap_or_default().iter().map(String::as_str).collect();
    let booleans: Vec<&str> = table.booleans.iter().map(String::as_str).collect();
    core::fit_specs(&table.raw, &kinds, &exclude, &booleans).into_napi()
}

/// The encoder options of `unseen` and `standardize` (the core's defaults where absent).
pub(crate) fn encoder_options(unseen: Option<&str>, standardize: Option<bool>) -> Result<EncoderOptions> {
    let default = EncoderOptions::default();
    Ok(EncoderOptions {
        unseen: unseen.map(str::parse::<UnseenPolicy>).transpose().into_napi()?.unwrap_or(default.unseen),
        standardize: standardize.unwrap_or(default.standardize),
    })
}

/// Reads a CSV file as a table: numbers where every non-blank cell is a number, else text;
/// blank cells are missing.
#[napi(catch_unwind, ts_return_type = "Table")]
pub fn read_csv(env: &Env, path: String) -> Result<Object<'_>> {
    let table = core::read_csv_path(std::path::Path::new(&path)).into_napi()?;
    to_object(env, table)
}

/// The kind the encoder gives each column (numbers numeric; text with two values that read
/// as yes/no or true/false, and JavaScript booleans, boolean; other text categorical),
/// leaving out `exclude`.
#[napi(catch_unwind, ts_args_type = "table: Table, exclude?: string[]", ts_return_type = "Record<string, ColumnKind>")]
pub fn infer_kinds<'env>(env: &'env Env, table: Object<'_>, exclude: Option<Vec<String>>) -> Result<Object<'env>> {
    let table = self::table(&table)?;
    kinds_object(env, &fit_specs(&table, None, exclude.as_deref())?)
}

/// A table encoded for a model: `rows × columns.length` numbers, row-major.
#[napi(object)]
pub struct EncodedTable {
    pub values: Float64Array,
    pub rows: u32,
    /// The encoded columns (`featureNames`).
    pub columns: Vec<String>,
}

/// A learned table encoding: numbers imputed (with a missing indicator) and standardised,
/// categories one-hot, booleans 0/1.
#[napi]
pub struct TableEncoder {
    inner: core::TableEncoder,
}

#[napi]
impl TableEncoder {
    /// Learns the encoding of `table` (kinds inferred, `options.kinds` overriding).
    #[napi(factory, catch_unwind, ts_args_type = "table: Table, options?: ColumnOptions")]
    pub fn fit(table: Object<'_>, options: Option<crate::convert::Obj<ColumnOptions>>) -> Result<TableEncoder> {
        let options = options.map(|o| o.0);
        let (table, options) = (self::table(&table)?, options.unwrap_or_default());
        let specs = fit_specs(&table, options.kinds.as_ref(), options.exclude.as_deref())?;
        let encoder = encoder_options(options.unseen.as_deref(), options.standardize)?;
        Ok(TableEncoder { inner: core::TableEncoder::fit(&table.raw, &specs, &encoder).into_napi()? })
    }

    /// Encodes a table with the learned encoding (extra columns are ignored; an unseen
    /// category is an error naming column, row and value unless `unseen` was `'ignore'`).
    #[napi(catch_unwind, ts_args_type = "table: Table")]
    pub fn transform(&self, table: Object<'_>) -> Result<EncodedTable> {
        let table = self::table(&table)?;
        let m = self.inner.transform(&table.raw).into_napi()?;
        let rows = m.nrows() as u32;
        Ok(EncodedTable {
            values: Float64Array::new(m.into_raw_vec_and_offset().0),
            rows,
            columns: self.feature_names(),
        })
    }

    /// The encoded columns, in order (scikit-learn's `get_feature_names_out`).
    #[napi(getter)]
    pub fn feature_names(&self) -> Vec<String> {
        self.inner.feature_names()
    }

    /// The source column of each encoded column.
    #[napi(getter)]
    pub fn sources(&self) -> Vec<String> {
        self.inner.sources()
    }

    /// The kind of each source column, `{ name: kind }` in column order.
    #[napi(getter, ts_return_type = "Record<string, ColumnKind>")]
    pub fn kinds<'env>(&self, env: &'env Env) -> Result<Object<'env>> {
        kinds_object(env, &self.inner.specs())
    }

    /// The encoding as JSON (`TableEncoder.fromJson` reads it; Python's `TableEncoder`
    /// reads the same file).
    #[napi]
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// An encoding from its JSON; everything is checked.
    #[napi(factory, catch_unwind)]
    pub fn from_json(text: String) -> Result<TableEncoder> {
        Ok(TableEncoder { inner: core::TableEncoder::from_json(&text).into_napi()? })
    }
}
