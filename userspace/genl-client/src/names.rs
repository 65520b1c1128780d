// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! A family's attribute names, as a generated client hands them to the runtime: what turns an
//! extended ack's offsets into spec names, dotted through nests (`item.name`), the way ynl
//! and genlctl report them.

use crate::attr::iter_attrs;
use crate::error::KernelError;

/// One attribute of a set: its type, its spec name, and the set its nest holds (an index
/// into the family's table), if it is a nest.
pub type AttrName = (u16, &'static str, Option<usize>);

/// One attribute set's names.
#[derive(Clone, Copy, Debug)]
pub struct SetNames {
    pub name: &'static str,
    pub attrs: &'static [AttrName],
}

/// A family's sets, and the set each op's request is in (by command).
#[derive(Clone, Copy, Debug)]
pub struct FamilyNames {
    pub sets: &'static [SetNames],
    /// `(cmd, set index)`.
    pub ops: &'static [(u8, usize)],
}

impl FamilyNames {
    fn attr(&self, set: usize, ty: u16) -> Option<&AttrName> {
        self.sets.get(set)?.attrs.iter().find(|a| a.0 == ty)
    }

    /// The name of attribute `ty` of the set `cmd`'s request is in (`type N` if unknown).
    pub fn top_name(&self, cmd: u8, ty: u16) -> String {
        self.set_of(cmd)
            .and_then(|s| self.attr(s, ty))
            .map_or_else(|| format!("type {ty}"), |a| a.1.to_owned())
    }

    fn set_of(&self, cmd: u8) -> Option<usize> {
        self.ops.iter().find(|o| o.0 == cmd).map(|o| o.1)
    }

    /// The path of names to the attribute whose header is at `offset` in `attrs` (the
    /// request's attributes), and the set that attribute belongs to.
    fn path_at(
        &self,
        set: usize,
        attrs: &[u8],
        offset: usize,
    ) -> Option<(Vec<&'static str>, usize)> {
        for a in iter_attrs(attrs).map_while(|a| a.ok()) {
            let end = a.offset + a.full_len;
            if offset < a.offset || offset >= end {
                continue;
            }
            let (_, name, nested) = *self.attr(set, a.kind)?;
            let inner = a.offset + 4;
            if offset >= inner {
                if let Some(child) = nested {
                    let (mut rest, s) = self.path_at(child, a.payload, offset - inner)?;
                    rest.insert(0, name);
                    return Some((rest, s));
                }
            }
            return Some((vec![name], set));
        }
        None
    }

    /// Names the attribute `err`'s extended ack points at (a bad one by its offset, or a
    /// missing one by its type and the nest it is missing from) in the request of `cmd`
    /// whose attributes are `attrs` (starting `attrs_offset` bytes into the message).
    pub fn name_error(&self, err: &mut KernelError, cmd: u8, attrs: &[u8], attrs_offset: usize) {
        let Some(set) = self.set_of(cmd) else { return };
        let at = |off: Option<u32>| (off? as usize).checked_sub(attrs_offset);
        if let Some(off) = at(err.extack.offset) {
            if let Some((path, _)) = self.path_at(set, attrs, off) {
                err.attribute = Some(path.join("."));
                return;
            }
        }
        let Some(ty) = err.extack.miss_type else {
            return;
        };
        let (mut path, in_set) = match at(err.extack.miss_nest) {
            None if err.extack.miss_nest.is_none() => (Vec::new(), set),
            None => return,
            Some(nest) => match self.path_at(set, attrs, nest) {
                Some((path, s)) => {
                    let nested = path
                        .last()
                        .and_then(|n| self.sets[s].attrs.iter().find(|a| a.1 == *n))
                        .and_then(|a| a.2);
                    match nested {
                        Some(child) => (path, child),
                        None => return,
                    }
                }
                None => return,
            },
        };
        if let Some(a) = self.attr(in_set, ty as u16) {
            path.push(a.1);
            err.attribute = Some(path.join("."));
            err.missing = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::put_attr;
    use crate::error::Extack;

    static SETS: &[SetNames] = &[
        SetNames {
            name: "counter",
            attrs: &[(1, "name", None), (5, "item", Some(1))],
        },
        SetNames {
            name: "item",
            attrs: &[(1, "name", None), (3, "delta", None)],
        },
    ];
    static NAMES: FamilyNames = FamilyNames {
        sets: SETS,
        ops: &[(4, 0)],
    };

    fn request() -> Vec<u8> {
        let mut item = Vec::new();
        put_attr(&mut item, 1, b"a\0");
        put_attr(&mut item, 3, &1u64.to_ne_bytes());
        let mut out = Vec::new();
        put_attr(&mut out, 5 | 0x8000, &item); // at 0, its delta at 0 + 4 + 8
        put_attr(&mut out, 5 | 0x8000, &[]); // at 24
        out
    }

    #[test]
    fn offsets_and_missing_attributes_are_named_through_nests() {
        let req = request();
        let mut bad = KernelError::new(
            34,
            Extack {
                offset: Some(20 + 12),
                ..Default::default()
            },
        );
        NAMES.name_error(&mut bad, 4, &req, 20);
        assert_eq!(
            (bad.attribute.as_deref(), bad.missing),
            (Some("item.delta"), false)
        );

        let mut missing = KernelError::new(
            22,
            Extack {
                miss_type: Some(1),
                miss_nest: Some(20 + 24),
                ..Default::default()
            },
        );
        NAMES.name_error(&mut missing, 4, &req, 20);
        assert_eq!(
            (missing.attribute.as_deref(), missing.missing),
            (Some("item.name"), true)
        );

        let mut top = KernelError::new(
            22,
            Extack {
                miss_type: Some(5),
                ..Default::default()
            },
        );
        NAMES.name_error(&mut top, 4, &req, 20);
        assert_eq!(top.attribute.as_deref(), Some("item"));
    }
}
