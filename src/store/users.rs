//! Personal accounts of the people who use the pages: separate from API tokens. A person is a
//! user id with a name (what the history says they did) and a role; a password (argon2id) is
//! one way to prove who they are, and an identity provider can be another without changing
//! the sessions, which hold only the user id.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::schema::{sessions, users};
use super::{DbConnection, StoreError, StoreResult, clock_now, parse_stored, utc};
use crate::domain::Role;

/// The shortest password accepted: a passphrase, not a PIN.
pub const MIN_PASSWORD_CHARS: usize = 10;

#[derive(Queryable, Selectable)]
#[diesel(table_name = users)]
struct UserRow {
    id: String,
    email: String,
    name: String,
    role: String,
    password_hash: Option<String>,
    created_at: NaiveDateTime,
    created_by: String,
    disabled_at: Option<NaiveDateTime>,
}

/// A person with an account.
#[derive(Debug, Clone)]
pub struct User {
    pub id: uuid::Uuid,
    pub email: String,
    /// How the history names their changes.
    pub name: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    /// A disabled account cannot sign in, and its sessions are refused.
    pub disabled_at: Option<DateTime<Utc>>,
    pub has_password: bool,
}

/// An account to create.
#[derive(Debug)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub role: Role,
    /// None for a person who will sign in through an identity provider only.
    pub password: Option<String>,
}

fn to_user(row: UserRow) -> StoreResult<User> {
    Ok(User {
        id: parse_stored(&row.id, "users.id")?,
        role: parse_stored(&row.role, "users.role")?,
        email: row.email,
        name: row.name,
        created_at: utc(row.created_at),
        created_by: row.created_by,
        disabled_at: row.disabled_at.map(utc),
        has_password: row.password_hash.is_some(),
    })
}

/// An e-mail address as it is stored: trimmed and in lower case, with one `@` between two
/// non-empty parts and a dot inside the domain. That catches a slip; whether the address
/// exists only a mail to it shows. Accounts and reminder contacts both check with this.
pub fn normalize_email(email: &str) -> StoreResult<String> {
    let email = email.trim().to_lowercase();
    let valid = email.chars().count() <= 254
        && !email.chars().any(char::is_whitespace)
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
        });
    if valid {
        Ok(email)
    } else {
        Err(StoreError::Invalid(format!(
            "email: '{email}' is not an e-mail address"
        )))
    }
}

/// Hashes a password with argon2id and a random salt, as a PHC string.
pub fn hash_password(password: &str) -> StoreResult<String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(StoreError::Invalid(format!(
            "password: at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| StoreError::Internal(format!("cannot hash a password: {e}")))
}

/// Whether a password matches a stored hash; a hash that cannot be read never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A hash of no one's password: checked when the address is unknown, so that the answer takes
/// as long as for a known one and does not tell which addresses have accounts.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("no one's password, only for timing").unwrap_or_default())
}

/// Creates an account. The password, if any, is hashed here and never stored as given.
pub fn create(conn: &mut DbConnection, new: NewUser, actor: &str) -> StoreResult<User> {
    let email = normalize_email(&new.email)?;
    let name = new.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(StoreError::Invalid("name: 1 to 100 characters".into()));
    }
    let password_hash = new.password.as_deref().map(hash_password).transpose()?;
    let taken: i64 = users::table
        .filter(users::email.eq(&email))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(StoreError::Conflict(format!(
            "an account with the address {email} exists already"
        )));
    }
    let id = uuid::Uuid::new_v4().to_string();
    diesel::insert_into(users::table)
        .values((
            users::id.eq(&id),
            users::email.eq(&email),
            users::name.eq(name),
            users::role.eq(new.role.as_str()),
            users::password_hash.eq(password_hash),
            users::created_at.eq(clock_now()),
            users::created_by.eq(actor),
        ))
        .execute(conn)?;
    get(conn, &id)
}

fn get(conn: &mut DbConnection, id: &str) -> StoreResult<User> {
    users::table
        .filter(users::id.eq(id))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("no user with id {id}")))
        .and_then(to_user)
}

/// Every account, by name.
pub fn list(conn: &mut DbConnection) -> StoreResult<Vec<User>> {
    users::table
        .select(UserRow::as_select())
        .order((users::name, users::email))
        .load(conn)?
        .into_iter()
        .map(to_user)
        .collect()
}

/// The account an address and password belong to; `None` when the address is unknown, the
/// account disabled or without a password, or the password wrong (one answer for all, so that
/// a stranger learns nothing). The hash is checked in every case, to take the same time.
pub fn check_password(
    conn: &mut DbConnection,
    email: &str,
    password: &str,
) -> StoreResult<Option<User>> {
    let Ok(email) = normalize_email(email) else {
        verify_password(password, decoy_hash());
        return Ok(None);
    };
    let row = users::table
        .filter(users::email.eq(&email))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?;
    let hash = row
        .as_ref()
        .and_then(|row| row.password_hash.clone())
        .unwrap_or_else(|| decoy_hash().to_owned());
    let matches = verify_password(password, &hash);
    match row {
        Some(row) if matches && row.password_hash.is_some() && row.disabled_at.is_none() => {
            to_user(row).map(Some)
        }
        _ => Ok(None),
    }
}

/// Disables an account (by id or address) and ends its sessions; or enables it again.
pub fn set_disabled(conn: &mut DbConnection, key: &str, disabled: bool) -> StoreResult<User> {
    super::write_transaction(conn, |conn| {
        let id = find_id(conn, key)?;
        if disabled && get(conn, &id)?.role == Role::Admin {
            keep_an_admin(conn, &id)?;
        }
        diesel::update(users::table.filter(users::id.eq(&id)))
            .set(users::disabled_at.eq(disabled.then(clock_now)))
            .execute(conn)?;
        if disabled {
            diesel::delete(sessions::table.filter(sessions::user_id.eq(&id))).execute(conn)?;
        }
        get(conn, &id)
    })
}

/// Sets a new password for an account (by id or address); its sessions end, so that a
/// password changed because it leaked locks out whoever used it.
pub fn set_password(conn: &mut DbConnection, key: &str, password: &str) -> StoreResult<User> {
    let hash = hash_password(password)?;
    super::write_transaction(conn, |conn| {
        let id = find_id(conn, key)?;
        diesel::update(users::table.filter(users::id.eq(&id)))
            .set(users::password_hash.eq(Some(&hash)))
            .execute(conn)?;
        diesel::delete(sessions::table.filter(sessions::user_id.eq(&id))).execute(conn)?;
        get(conn, &id)
    })
}

/// Gives an account (by id or address) another role. The last admin who can sign in keeps
/// the role, so that someone can always manage the accounts. A role change takes effect on
/// the person's next page: sessions read the role from the account.
pub fn set_role(conn: &mut DbConnection, key: &str, role: Role) -> StoreResult<User> {
    super::write_transaction(conn, |conn| {
        let id = find_id(conn, key)?;
        let current = get(conn, &id)?;
        if current.role == Role::Admin && role != Role::Admin {
            keep_an_admin(conn, &id)?;
        }
        diesel::update(users::table.filter(users::id.eq(&id)))
            .set(users::role.eq(role.as_str()))
            .execute(conn)?;
        get(conn, &id)
    })
}

/// Refuses a change that would leave no enabled admin but the account `id`.
fn keep_an_admin(conn: &mut DbConnection, id: &str) -> StoreResult<()> {
    let others: i64 = users::table
        .filter(users::role.eq(Role::Admin.as_str()))
        .filter(users::disabled_at.is_null())
        .filter(users::id.ne(id))
        .count()
        .get_result(conn)?;
    if others == 0 {
        return Err(StoreError::Conflict(
            "this is the last admin who can sign in; make another admin first".into(),
        ));
    }
    Ok(())
}

/// The address of the first admin account.
pub const FIRST_ADMIN_EMAIL: &str = "admin@vedtakslogg.invalid";

/// On a database with no accounts at all, creates the first admin account with a random
/// password, so that the person who started the service can sign in and create the others.
/// `deliver` hands the address and password to them; if it cannot, no account is made, so that
/// the next start tries again.
pub fn bootstrap_admin(
    conn: &mut DbConnection,
    deliver: impl FnOnce(&str, &str) -> Result<(), String>,
) -> StoreResult<Option<User>> {
    super::write_transaction(conn, |conn| {
        let existing: i64 = users::table.count().get_result(conn)?;
        if existing > 0 {
            return Ok(None);
        }
        // 20 characters from 15 random bytes: above the minimum, and typed once.
        let mut bytes = [0u8; 15];
        getrandom::fill(&mut bytes)
            .map_err(|e| StoreError::Internal(format!("no randomness for a password: {e}")))?;
        let password =
            base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, bytes);
        let new = NewUser {
            email: FIRST_ADMIN_EMAIL.into(),
            name: "Administrator".into(),
            role: Role::Admin,
            password: Some(password.clone()),
        };
        let user = create(conn, new, "first start")?;
        deliver(&user.email, &password).map_err(StoreError::Invalid)?;
        Ok(Some(user))
    })
}

fn find_id(conn: &mut DbConnection, key: &str) -> StoreResult<String> {
    let query = users::table.select(users::id).into_boxed();
    let query = match uuid::Uuid::parse_str(key) {
        Ok(id) => query.filter(users::id.eq(id.to_string())),
        Err(_) => query.filter(users::email.eq(key.trim().to_lowercase())),
    };
    query
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("no account is known as '{key}'")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_hashed_with_argon2id_and_a_salt() {
        let a = hash_password("correct horse battery").unwrap();
        let b = hash_password("correct horse battery").unwrap();
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert_ne!(a, b, "each hash has its own salt");
        assert!(verify_password("correct horse battery", &a));
        assert!(!verify_password("correct horse batterY", &a));
        assert!(!verify_password("correct horse battery", "not a hash"));
        assert!(matches!(
            hash_password("short"),
            Err(StoreError::Invalid(_))
        ));
    }

    #[test]
    fn addresses_are_stored_in_lower_case() {
        assert_eq!(
            normalize_email(" Kari.Nordmann@Trondheim.Kommune.no ").unwrap(),
            "kari.nordmann@trondheim.kommune.no"
        );
        for bad in [
            "",
            "kari",
            "kari@",
            "@kommune.no",
            "kari@kommune",
            "ka ri@kommune.no",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad}");
        }
    }
}
