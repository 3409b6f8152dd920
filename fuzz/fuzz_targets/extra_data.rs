//! Fuzzes the header `extraData` fee parameters: decoding any bytes in any format never
//! panics, accepts exactly the format's length and version, and what decodes encodes back to
//! the same bytes.
#![no_main]

use koa_protocol::eip1559::{Eip1559Params, ExtraDataFormat};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, extra)) = data.split_first() else {
        return;
    };
    let format = match selector % 3 {
        0 => ExtraDataFormat::Empty,
        1 => ExtraDataFormat::Holocene,
        _ => ExtraDataFormat::Jovian,
    };
    match format.decode(extra) {
        Ok(params) => {
            assert_eq!(extra.len(), format.encoded_len());
            assert_eq!(extra.first().copied(), format.version());
            assert!(params.eip1559.validate().is_ok());
            if format != ExtraDataFormat::Empty {
                assert_eq!(format.encode(&params).as_ref(), extra);
            }
        }
        Err(_) => {
            // A well-formed encoding of valid parameters never fails to decode.
            if extra.len() == format.encoded_len() && extra.first().copied() == format.version() {
                if let Some(packed) = extra.get(1..9) {
                    let params = Eip1559Params::from_b64(packed.try_into().unwrap());
                    assert!(params.validate().is_err(), "valid extraData rejected");
                }
            }
        }
    }
    // Eip1559Params packing is a bijection on 8 bytes.
    if let Some(packed) = data.get(..8) {
        let params = Eip1559Params::from_b64(packed.try_into().unwrap());
        assert_eq!(params.to_b64().as_slice(), packed);
    }
});
