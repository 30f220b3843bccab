//! Reading meeting documents: the notices and minutes themselves, and the references to other
//! cases in their texts.

pub mod document;
pub mod references;
