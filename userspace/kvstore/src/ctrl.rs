// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! What the generic netlink controller (nlctrl) reports about the family:
//! `CTRL_CMD_GETFAMILY` and the `CTRL_CMD_GETPOLICY` dump.

use genl_client::{conn::parse_ctrl, typed::put_str, Expect};
use netlink_packet_generic::{
    constants::GENL_ID_CTRL,
    ctrl::nlas::{GenlCtrlAttrs, McastGrpAttrs, NlPolicyTypeAttrs, OpAttrs, OppolicyIndexAttr},
};

use crate::{spec, Client, Error, Result};

const CTRL_CMD_GETFAMILY: u8 = 3;
const CTRL_CMD_GETPOLICY: u8 = 10;
const CTRL_VERSION: u8 = 2;
const CTRL_ATTR_FAMILY_NAME: u16 = 2;

/// `GENL_ADMIN_PERM`
pub const GENL_ADMIN_PERM: u32 = 0x01;
/// `GENL_CMD_CAP_DO`
pub const GENL_CMD_CAP_DO: u32 = 0x02;
/// `GENL_CMD_CAP_DUMP`
pub const GENL_CMD_CAP_DUMP: u32 = 0x04;
/// `GENL_CMD_CAP_HASPOL`
pub const GENL_CMD_CAP_HASPOL: u32 = 0x08;
/// `GENL_UNS_ADMIN_PERM`
pub const GENL_UNS_ADMIN_PERM: u32 = 0x10;

/// An operation as the controller lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpInfo {
    pub id: u32,
    /// The command's name in the spec, if known.
    pub name: Option<&'static str>,
    pub flags: u32,
}

impl OpInfo {
    /// Names of the `GENL_*` flag bits.
    pub fn flag_names(&self) -> Vec<&'static str> {
        [
            (GENL_ADMIN_PERM, "admin-perm"),
            (GENL_CMD_CAP_DO, "do"),
            (GENL_CMD_CAP_DUMP, "dump"),
            (GENL_CMD_CAP_HASPOL, "has-policy"),
            (GENL_UNS_ADMIN_PERM, "uns-admin-perm"),
        ]
        .into_iter()
        .filter(|(bit, _)| self.flags & bit != 0)
        .map(|(_, name)| name)
        .collect()
    }
}

/// A multicast group and its ID.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct McastGroup {
    pub name: String,
    pub id: u32,
}

/// The policy of one attribute in one policy table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttrPolicy {
    /// Index of the policy table in the dump.
    pub policy: u16,
    /// Attribute type.
    pub attr: u16,
    /// Attribute name, when the table could be matched to a spec attribute set.
    pub attr_name: Option<&'static str>,
    /// `(property, value)` pairs, e.g. `("type", "nul-string")`, `("max-len", "255")`.
    pub properties: Vec<(String, String)>,
}

/// Which policy tables an operation uses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OpPolicy {
    pub cmd: u8,
    pub do_policy: Option<u32>,
    pub dump_policy: Option<u32>,
}

/// Everything the controller says about the family.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FamilyInfo {
    pub name: String,
    pub id: u16,
    pub version: u32,
    pub hdrsize: u32,
    pub maxattr: u32,
    pub ops: Vec<OpInfo>,
    pub mcast_groups: Vec<McastGroup>,
    pub op_policies: Vec<OpPolicy>,
    pub policies: Vec<AttrPolicy>,
    /// Why the policy dump failed, if it did (e.g. EOPNOTSUPP on old kernels).
    pub policy_error: Option<String>,
}

/// Runs an nlctrl request about the family and collects the replies' attributes.
async fn ctrl(client: &Client, cmd: u8, dump: bool) -> Result<Vec<Vec<GenlCtrlAttrs>>> {
    let mut conn = client.conn().await;
    let mut out = Vec::new();
    let expect = if dump { Expect::Dump } else { Expect::Reply };
    let r = conn
        .conn()
        .exchange(
            GENL_ID_CTRL,
            cmd,
            CTRL_VERSION,
            expect,
            |o| {
                put_str(
                    o,
                    CTRL_ATTR_FAMILY_NAME,
                    "family-name",
                    spec::FAMILY_NAME.as_bytes(),
                )
            },
            None,
            |c, a| {
                out.push(parse_ctrl(c, a)?);
                Ok(())
            },
        )
        .await;
    match r {
        Err(Error::Kernel(k)) if k.errno == libc::ENOENT && cmd == CTRL_CMD_GETFAMILY => {
            Err(Error::NotLoaded(spec::FAMILY_NAME.into()))
        }
        r => r.map(|()| out),
    }
}

fn nla_type_name(t: &netlink_packet_generic::ctrl::nlas::NlaType) -> &'static str {
    use netlink_packet_generic::ctrl::nlas::NlaType::*;
    match t {
        Flag => "flag",
        U8 => "u8",
        U16 => "u16",
        U32 => "u32",
        U64 => "u64",
        S8 => "s8",
        S16 => "s16",
        S32 => "s32",
        S64 => "s64",
        Binary => "binary",
        String => "string",
        NulString => "nul-string",
        Nested => "nested",
        NestedArray => "nested-array",
        Bitfield32 => "bitfield32",
    }
}

fn describe(p: &NlPolicyTypeAttrs) -> (String, String) {
    use NlPolicyTypeAttrs::*;
    let (k, v) = match p {
        Type(t) => ("type", nla_type_name(t).to_owned()),
        MinValueSigned(v) => ("min-value", v.to_string()),
        MaxValueSigned(v) => ("max-value", v.to_string()),
        MinValueUnsigned(v) => ("min-value", v.to_string()),
        MaxValueUnsigned(v) => ("max-value", v.to_string()),
        MinLength(v) => ("min-len", v.to_string()),
        MaxLength(v) => ("max-len", v.to_string()),
        PolicyIdx(v) => ("policy", v.to_string()),
        PolicyMaxType(v) => ("policy-maxtype", v.to_string()),
        Bitfield32Mask(v) => ("bitfield32-mask", format!("{v:#x}")),
        Mask(v) => ("mask", format!("{v:#x}")),
    };
    (k.to_owned(), v)
}

/// Gives attribute names to tables: those used by operations are `entry`,
/// those referenced by `entry`'s `stats` attribute are `stats`.
fn name_attributes(policies: &mut [AttrPolicy], op_policies: &[OpPolicy]) {
    let entry_tables: Vec<u32> = op_policies
        .iter()
        .flat_map(|o| [o.do_policy, o.dump_policy])
        .flatten()
        .collect();
    let stats_tables: Vec<u32> = policies
        .iter()
        .filter(|p| entry_tables.contains(&(p.policy as u32)) && p.attr == spec::ENTRY_STATS)
        .flat_map(|p| {
            p.properties
                .iter()
                .filter(|(k, _)| k == "policy")
                .filter_map(|(_, v)| v.parse().ok())
        })
        .collect();
    for p in policies.iter_mut() {
        let table = p.policy as u32;
        p.attr_name = if entry_tables.contains(&table) {
            spec::ENTRY_ATTR_NAMES.get(p.attr as usize).copied()
        } else if stats_tables.contains(&table) {
            spec::STATS_ATTR_NAMES.get(p.attr as usize).copied()
        } else {
            None
        };
    }
}

impl Client {
    /// Family ID, version, ops, multicast groups and policies, as the
    /// controller reports them.
    pub async fn family_info(&self) -> Result<FamilyInfo> {
        let mut info = FamilyInfo::default();
        for attrs in ctrl(self, CTRL_CMD_GETFAMILY, false).await? {
            for attr in attrs {
                match attr {
                    GenlCtrlAttrs::FamilyId(id) => info.id = id,
                    GenlCtrlAttrs::FamilyName(n) => info.name = n,
                    GenlCtrlAttrs::Version(v) => info.version = v,
                    GenlCtrlAttrs::HdrSize(v) => info.hdrsize = v,
                    GenlCtrlAttrs::MaxAttr(v) => info.maxattr = v,
                    GenlCtrlAttrs::Ops(ops) => {
                        for op in ops {
                            let mut o = OpInfo {
                                id: 0,
                                name: None,
                                flags: 0,
                            };
                            for a in op {
                                match a {
                                    OpAttrs::Id(id) => o.id = id,
                                    OpAttrs::Flags(f) => o.flags = f,
                                }
                            }
                            o.name = spec::CMD_NAMES
                                .get(o.id as usize)
                                .copied()
                                .filter(|n| !n.is_empty());
                            info.ops.push(o);
                        }
                    }
                    GenlCtrlAttrs::McastGroups(groups) => {
                        for g in groups {
                            let mut m = McastGroup {
                                name: String::new(),
                                id: 0,
                            };
                            for a in g {
                                match a {
                                    McastGrpAttrs::Name(n) => m.name = n,
                                    McastGrpAttrs::Id(id) => m.id = id,
                                }
                            }
                            info.mcast_groups.push(m);
                        }
                    }
                    _ => {}
                }
            }
        }
        match ctrl(self, CTRL_CMD_GETPOLICY, true).await {
            Ok(replies) => {
                for attr in replies.into_iter().flatten() {
                    match attr {
                        GenlCtrlAttrs::Policy(p) => info.policies.push(AttrPolicy {
                            policy: p.index,
                            attr: p.attr_policy.index,
                            attr_name: None,
                            properties: p.attr_policy.policies.iter().map(describe).collect(),
                        }),
                        GenlCtrlAttrs::OpPolicy(op) => {
                            let mut o = OpPolicy {
                                cmd: op.cmd,
                                ..Default::default()
                            };
                            for idx in op.policy_idx {
                                match idx {
                                    OppolicyIndexAttr::Do(i) => o.do_policy = Some(i),
                                    OppolicyIndexAttr::Dump(i) => o.dump_policy = Some(i),
                                }
                            }
                            info.op_policies.push(o);
                        }
                        _ => {}
                    }
                }
                name_attributes(&mut info.policies, &info.op_policies);
            }
            Err(e) => info.policy_error = Some(e.to_string()),
        }
        Ok(info)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn op_flag_names() {
        let op = OpInfo {
            id: 2,
            name: Some("put"),
            flags: GENL_CMD_CAP_DO | GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_HASPOL,
        };
        assert_eq!(op.flag_names(), vec!["do", "has-policy", "uns-admin-perm"]);
    }

    #[test]
    fn tables_get_names() {
        let mut policies = vec![
            AttrPolicy {
                policy: 0,
                attr: 1,
                attr_name: None,
                properties: vec![],
            },
            AttrPolicy {
                policy: 0,
                attr: 5,
                attr_name: None,
                properties: vec![("policy".into(), "1".into())],
            },
            AttrPolicy {
                policy: 1,
                attr: 12,
                attr_name: None,
                properties: vec![],
            },
        ];
        let ops = vec![OpPolicy {
            cmd: 2,
            do_policy: Some(0),
            dump_policy: None,
        }];
        name_attributes(&mut policies, &ops);
        assert_eq!(policies[0].attr_name, Some("key"));
        assert_eq!(policies[1].attr_name, Some("stats"));
        assert_eq!(policies[2].attr_name, Some("notify-dropped"));
    }
}
