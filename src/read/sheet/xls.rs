use crate::model::Document;
use crate::read::{Deadline, Limits, ReadError};
pub fn read(_bytes: Vec<u8>, _limits: &Limits, _deadline: &Deadline) -> Result<Document, ReadError> {
    Err(ReadError::Other("not yet".into()))
}
