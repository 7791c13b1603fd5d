//! PINs: hashed with argon2id (the crate's defaults: 19 MiB, 2 passes, 1 lane — OWASP's recommendation),
//! verified here in the app layer. The core never sees a hash being made or checked.

use argon2::{
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};
use fynlo_core::staff::{Pin, PinHash, Staff};
use password_hash::rand_core::OsRng;

use crate::error::{AppError, ErrorCode};

/// Hashes a PIN for storage.
pub fn hash_pin(pin: &Pin) -> Result<PinHash, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    let phc = Argon2::default()
        .hash_password(pin.expose().as_bytes(), &salt)
        .map_err(|e| AppError::invalid(format!("cannot hash PIN: {e}")))?;
    Ok(PinHash::new(phc.to_string())?)
}

/// Does `pin` match `hash`? A malformed hash matches nothing.
pub fn verify_pin(pin: &Pin, hash: &PinHash) -> bool {
    match PasswordHash::new(hash.as_str()) {
        Ok(parsed) => Argon2::default()
            .verify_password(pin.expose().as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A hash of no one's PIN with the default parameters, checked when there is no one to check a PIN
/// against (a login for a staff id that does not exist), so that takes as long as checking one.
const NOBODY: &str = "$argon2id$v=19$m=19456,t=2,p=1$bm9ib2R5LW5vYm9keQ$qFtWkcePTvXYP6fCuVkyBmL0j4x7b0p0cQ0XKxVQ2Hk";

/// Finds the one member of staff whose PIN this is. Every hash is checked, so the time taken does not
/// tell which member matched; with no one to check, a hash of no one's PIN is checked instead, so it
/// does not tell that either.
pub fn find_staff<'a>(staff: &'a [Staff], pin: &Pin) -> Result<&'a Staff, AppError> {
    if staff.is_empty() {
        if let Ok(nobody) = PinHash::new(NOBODY) {
            verify_pin(pin, &nobody);
        }
        return Err(AppError::new(ErrorCode::WrongPin, "wrong PIN"));
    }
    let matches: Vec<&Staff> = staff.iter().filter(|s| verify_pin(pin, &s.pin_hash)).collect();
    match matches.as_slice() {
        [one] => Ok(one),
        [] => Err(AppError::new(ErrorCode::WrongPin, "wrong PIN")),
        _ => Err(AppError::new(
            ErrorCode::Conflict,
            "this PIN belongs to more than one member of staff; a manager must change one",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Regression: a login naming a staff id that does not exist checked no hash at all, so it answered
    // faster than one naming a real member — telling an attacker which ids exist. The stand-in hash must
    // be one argon2 really computes (a malformed one would be refused at once, just as fast).
    #[test]
    fn the_stand_in_hash_is_a_real_one_with_the_default_costs() {
        let nobody = PinHash::new(NOBODY).expect("a PIN hash within bounds");
        let parsed = PasswordHash::new(nobody.as_str()).expect("parses as PHC");
        let params = argon2::Params::try_from(&parsed).expect("argon2 parameters");
        let default = argon2::Params::default();
        assert_eq!(
            (params.m_cost(), params.t_cost(), params.p_cost()),
            (default.m_cost(), default.t_cost(), default.p_cost())
        );
        assert_eq!(parsed.hash.map(|h| h.len()), Some(32));
        assert!(!verify_pin(&Pin::new("0000").expect("valid"), &nobody));
        let none: [Staff; 0] = [];
        assert_eq!(
            find_staff(&none, &Pin::new("1357").expect("valid")).map_err(|e| e.code),
            Err(ErrorCode::WrongPin)
        );
    }

    #[test]
    fn hashes_verify_and_never_contain_the_pin() {
        let pin = Pin::new("2468").expect("valid");
        let hash = hash_pin(&pin).expect("hashes");
        assert!(hash.as_str().starts_with("$argon2id$"));
        assert!(!hash.as_str().contains("2468"));
        assert!(verify_pin(&pin, &hash));
        assert!(!verify_pin(&Pin::new("2469").expect("valid"), &hash));
    }
}
