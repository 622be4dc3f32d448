//! Serde helpers for JSON numbers held as `f64`.
//!
//! A float that holds a whole number is written as an integer (`50`, not
//! `50.0`), so values read from the wire are written back as they came.

use serde::Serializer;

/// The largest integer an `f64` holds exactly.
const EXACT: f64 = 9_007_199_254_740_992.0;

/// Writes `v` as an integer when it is whole and exact, else as a float.
pub(crate) fn compact_f64<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    let v = *v;
    if v.fract() == 0.0 && v.abs() <= EXACT {
        if v >= 0.0 {
            s.serialize_u64(v as u64)
        } else {
            s.serialize_i64(v as i64)
        }
    } else {
        s.serialize_f64(v)
    }
}

/// [`compact_f64`] for optional fields (used with `skip_serializing_if`).
pub(crate) fn compact_opt_f64<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => compact_f64(v, s),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize)]
    struct N(#[serde(serialize_with = "compact_f64")] f64);

    #[test]
    fn whole_floats_are_integers() {
        assert_eq!(serde_json::to_string(&N(50.0)).unwrap(), "50");
        assert_eq!(serde_json::to_string(&N(-3.0)).unwrap(), "-3");
        assert_eq!(serde_json::to_string(&N(0.5)).unwrap(), "0.5");
        let big = serde_json::to_value(N(1e300)).unwrap();
        assert!(big.is_f64() && big.as_f64() == Some(1e300));
        assert!(
            serde_json::to_value(N(9007199254740992.0))
                .unwrap()
                .is_u64()
        );
    }
}
