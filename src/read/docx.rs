//! Reader stub: to be written.

use std::path::Path;

use crate::model::Document;
use crate::read::{Deadline, Limits, ReadError};

pub fn read(_path: &Path, _limits: &Limits, _deadline: &Deadline) -> Result<Document, ReadError> {
    Err(ReadError::Other("this file type is not supported yet".into()))
}
