//! The log as others read it: a calendar feed, and the report that can be presented on request.

pub mod ical;
pub mod log;
pub mod stream;
