//! Hand-made positive and negative cases for the redactor.

use super::*;

fn kinds(text: &str) -> Vec<(PiiKind, &str)> {
    find_bytes(text)
        .into_iter()
        .map(|f| (f.kind, &text[f.start..f.end]))
        .collect()
}

#[test]
fn finds_each_kind_of_personal_data() {
    let cases: &[(&str, PiiKind, &str)] = &[
        (
            "mail me at jane.doe+shop@example.co.uk please",
            PiiKind::Email,
            "jane.doe+shop@example.co.uk",
        ),
        (
            "Email: UtaKortig@jourrapide.com.",
            PiiKind::Email,
            "UtaKortig@jourrapide.com",
        ),
        (
            "card 4111 1111 1111 1111 was charged",
            PiiKind::Card,
            "4111 1111 1111 1111",
        ),
        (
            "card 4111-1111-1111-1111 was charged",
            PiiKind::Card,
            "4111-1111-1111-1111",
        ),
        ("my amex 378282246310005", PiiKind::Card, "378282246310005"),
        (
            "IBAN DE89 3704 0044 0532 0130 00 please refund",
            PiiKind::Iban,
            "DE89 3704 0044 0532 0130 00",
        ),
        (
            "to GB82WEST12345698765432.",
            PiiKind::Iban,
            "GB82WEST12345698765432",
        ),
        (
            "lower case gb82west12345698765432 works",
            PiiKind::Iban,
            "gb82west12345698765432",
        ),
        ("my SSN is 123-45-6789", PiiKind::Ssn, "123-45-6789"),
        ("ssn 123456789 on file", PiiKind::Ssn, "123456789"),
        ("from 192.168.1.20 today", PiiKind::Ip, "192.168.1.20"),
        (
            "v6 2001:db8::8a2e:370:7334 here",
            PiiKind::Ip,
            "2001:db8::8a2e:370:7334",
        ),
        (
            "addr 6e40:4041:c617:e898:c11:40d2:c669:2eb4",
            PiiKind::Ip,
            "6e40:4041:c617:e898:c11:40d2:c669:2eb4",
        ),
        ("call +49 30 1234567 now", PiiKind::Phone, "+49 30 1234567"),
        (
            "call +1-984-182-0190 mobile",
            PiiKind::Phone,
            "+1-984-182-0190",
        ),
        ("ring (555) 123-4567", PiiKind::Phone, "(555) 123-4567"),
        ("at 905-674-3793.", PiiKind::Phone, "905-674-3793"),
        ("Mobile: 03.93.92.16.85", PiiKind::Phone, "03.93.92.16.85"),
        (
            "Fax: 345-899-3560x4587",
            PiiKind::Phone,
            "345-899-3560x4587",
        ),
        (
            "Desk: +41 (0)96 471 07 95",
            PiiKind::Phone,
            "+41 (0)96 471 07 95",
        ),
        ("06 12 34 56 78", PiiKind::Phone, "06 12 34 56 78"),
        (
            "Can someone call me on 9472 7916?",
            PiiKind::Phone,
            "9472 7916",
        ),
        ("Phone:\n467 3395\n", PiiKind::Phone, "467 3395"),
        ("001-518-640-0854", PiiKind::Phone, "001-518-640-0854"),
    ];
    for (text, kind, value) in cases {
        assert_eq!(kinds(text), vec![(*kind, *value)], "in {text:?}");
    }
}

#[test]
fn leaves_look_alikes_alone() {
    let cases = [
        "order #123456789 has not arrived",
        "order number 100234567 placed on 2024-03-15",
        "tracking 1Z999AA10123456784 says delivered",
        "it cost €1,299.00 and then 49.99",
        "version 1.2.3 crashes, also 10.4.1",
        "card 4111 1111 1111 1112 fails Luhn",
        "IBAN DE89 3704 0044 0532 0130 01 has a wrong check digit",
        "met on 12/03/2024 at 10:30:00",
        "SSN 000-12-3456 and 666-12-3456 and 900-12-3456 are invalid",
        "invoice INV-2024-000123 for 3 items",
        "delivered 3 of 12 parcels, ref 88213",
        "zip 10115 Berlin, house 12",
        "time 12:20:39 and 2025-12-22 04:34:22",
        "an address like 999.999.1.1 is not an IP",
        "email at @handle or foo@bar are not emails",
    ];
    for text in cases {
        assert_eq!(kinds(text), vec![], "in {text:?}");
    }
}

#[test]
fn redacts_with_readable_tags() {
    let text = "I'm jane@example.com, card 4111 1111 1111 1111, call +44 20 7946 0958.";
    let redaction = redact(text);
    assert_eq!(
        redaction.redacted,
        "I'm [email], card [card], call [phone]."
    );
    let kinds: Vec<PiiKind> = redaction.findings.iter().map(|f| f.kind).collect();
    assert_eq!(kinds, vec![PiiKind::Email, PiiKind::Card, PiiKind::Phone]);
}

#[test]
fn offsets_count_utf16_code_units_like_javascript() {
    // "🎉" is one char, four UTF-8 bytes and two UTF-16 units; "é" is one unit.
    let text = "🎉 é mail: a@b.de";
    let findings = find(text);
    assert_eq!(findings.len(), 1);
    let units: Vec<u16> = text.encode_utf16().collect();
    let value =
        String::from_utf16(&units[findings[0].start as usize..findings[0].end as usize]).unwrap();
    assert_eq!(value, "a@b.de");
    assert_eq!(findings[0].start, 11);
}

#[test]
fn never_panics_on_odd_input() {
    for text in [
        "", "@", "+", "(", "((((", "+(", "1", "GB", "GB82", ":::", "a@.b", "x@y.z1", "é@é.é",
        "0x1234", "1-", "+1 (", "ext.",
    ] {
        let _ = redact(text);
    }
}
