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

/// Finds the one member of staff whose PIN this is. Every hash is checked, so the time taken does not
/// tell which member matched.
pub fn find_staff<'a>(staff: &'a [Staff], pin: &Pin) -> Result<&'a Staff, AppError> {
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
