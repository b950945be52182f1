//! Numbers and bit ranges as datasheets print them.

/// Why a number did not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NumberError {
    /// Not a number at all (or a spelling the format does not use).
    Invalid(String),
    /// Larger than the type holding it.
    TooLarge,
}

/// Parses `42`, `0x2A`, `0b10_1010` (`_` allowed anywhere after the first
/// digit; `0X`/`0B` too) into a `u64`.
pub(crate) fn parse_u64(text: &str) -> Result<u64, NumberError> {
    let (radix, digits, name) = if let Some(rest) = strip_prefix2(text, "0x") {
        (16, rest, "hex")
    } else if let Some(rest) = strip_prefix2(text, "0b") {
        (2, rest, "binary")
    } else {
        (10, text, "decimal")
    };
    let mut chars = digits.chars();
    match chars.next() {
        None if radix == 10 => return Err(NumberError::Invalid("no digits".to_owned())),
        None => {
            return Err(NumberError::Invalid(format!(
                "no digits after the {name} prefix"
            )));
        }
        Some(c) if c.is_digit(radix) => {}
        Some('_') => {
            return Err(NumberError::Invalid(
                "`_` may only separate digits, not lead them".to_owned(),
            ));
        }
        Some(_) if radix == 10 => return Err(NumberError::Invalid(not_a_number(text))),
        Some(c) => return Err(NumberError::Invalid(format!("`{c}` is not a {name} digit"))),
    }
    let mut value: u64 = 0;
    for c in digits.chars() {
        if c == '_' {
            continue;
        }
        let Some(d) = c.to_digit(radix) else {
            return Err(NumberError::Invalid(
                if radix == 10 && !c.is_ascii_digit() {
                    not_a_number(text)
                } else {
                    format!("`{c}` is not a {name} digit")
                },
            ));
        };
        value = value
            .checked_mul(u64::from(radix))
            .and_then(|v| v.checked_add(u64::from(d)))
            .ok_or(NumberError::TooLarge)?;
    }
    Ok(value)
}

fn strip_prefix2<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..2)?;
    head.eq_ignore_ascii_case(prefix).then(|| &text[2..])
}

fn not_a_number(text: &str) -> String {
    if text.starts_with('-') {
        "negative numbers have no meaning here".to_owned()
    } else if text.starts_with("0o") {
        "octal is not supported; write hex (`0x`), binary (`0b`) or decimal".to_owned()
    } else {
        "expected decimal, hex (`0x`) or binary (`0b`) digits".to_owned()
    }
}

/// Why a bit range did not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BitsError {
    /// One end is not a number.
    Number(NumberError),
    /// `LSB:MSB` written the wrong way round.
    Reversed { msb: u32, lsb: u32 },
    /// More than one `:`, or an empty end.
    Shape,
}

/// Parses `N` or `MSB:LSB` into `(msb, lsb)`.
pub(crate) fn parse_bits(text: &str) -> Result<(u32, u32), BitsError> {
    let end = |s: &str| -> Result<u32, BitsError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(BitsError::Shape);
        }
        let v = parse_u64(s).map_err(BitsError::Number)?;
        u32::try_from(v).map_err(|_| BitsError::Number(NumberError::TooLarge))
    };
    let mut parts = text.split(':');
    let first = parts.next().unwrap_or("");
    match (parts.next(), parts.next()) {
        (None, _) => {
            let bit = end(first)?;
            Ok((bit, bit))
        }
        (Some(second), None) => {
            let (msb, lsb) = (end(first)?, end(second)?);
            if msb < lsb {
                Err(BitsError::Reversed { msb, lsb })
            } else {
                Ok((msb, lsb))
            }
        }
        _ => Err(BitsError::Shape),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_parses() {
        assert_eq!(parse_u64("42"), Ok(42));
        assert_eq!(parse_u64("0x2A"), Ok(42));
        assert_eq!(parse_u64("0X2a"), Ok(42));
        assert_eq!(parse_u64("0b10_1010"), Ok(42));
        assert_eq!(parse_u64("0xffff_ffff_ffff_ffff"), Ok(u64::MAX));
        assert_eq!(parse_u64("1_000_"), Ok(1000));
        assert_eq!(parse_u64("007"), Ok(7));
    }

    #[test]
    fn bad_numbers_are_errors_not_panics() {
        assert_eq!(
            parse_u64("0x1_0000_0000_0000_0000"),
            Err(NumberError::TooLarge)
        );
        assert_eq!(
            parse_u64("18446744073709551616"),
            Err(NumberError::TooLarge)
        );
        for bad in [
            "", "0x", "0b", "_1", "0x_1", "0b2", "0xg", "1.5", "-1", "ten", "1e3",
        ] {
            assert!(
                matches!(parse_u64(bad), Err(NumberError::Invalid(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn bit_ranges_are_msb_colon_lsb() {
        assert_eq!(parse_bits("3"), Ok((3, 3)));
        assert_eq!(parse_bits("7:4"), Ok((7, 4)));
        assert_eq!(parse_bits("31 : 0"), Ok((31, 0)));
        assert_eq!(
            parse_bits("4:7"),
            Err(BitsError::Reversed { msb: 4, lsb: 7 })
        );
        assert_eq!(parse_bits("1:2:3"), Err(BitsError::Shape));
        assert_eq!(parse_bits("7:"), Err(BitsError::Shape));
        assert!(matches!(parse_bits("x:0"), Err(BitsError::Number(_))));
        assert!(matches!(
            parse_bits("0x1_0000_0000"),
            Err(BitsError::Number(NumberError::TooLarge))
        ));
    }
}
