// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! The spec-aware mutators: LibAFL [`Mutator`]s that change a [`GenlInput`] as structure
//! (requests added, dropped, copied, retargeted; attributes added, dropped, given new typed
//! values, shared between requests, resized; header fields bent). LibAFL's scheduled mutator
//! stacks them, and its byte havoc works on the raw tail ([`mutations`]).

use std::borrow::Cow;

use libafl::{
    corpus::CorpusId,
    mutators::{
        mapped_havoc_mutations, HavocScheduledMutator, MutationResult, Mutator, MutatorsTuple,
    },
    state::HasRand,
    Error,
};
use libafl_bolts::{
    rands::Rand,
    tuples::{tuple_list, NamedTuple},
    Named,
};

use crate::input::{Attr, GenlInput, Msg, Shaper, Value, MAX_ATTRS, MAX_MSGS};
use crate::spec::Kind;

/// How one mutator changes an input: `false` when it could not (skipped).
type Change = fn(&Shaper<'static>, &mut GenlInput, &mut dyn FnMut(usize) -> usize) -> bool;

/// A named structural mutation.
pub struct SpecMutator {
    name: Cow<'static, str>,
    shaper: &'static Shaper<'static>,
    change: Change,
}

impl Named for SpecMutator {
    fn name(&self) -> &Cow<'static, str> {
        &self.name
    }
}

impl<S: HasRand> Mutator<GenlInput, S> for SpecMutator {
    fn mutate(&mut self, state: &mut S, input: &mut GenlInput) -> Result<MutationResult, Error> {
        if input.msgs.is_empty() {
            input.msgs.push(self.shaper.msg(state.rand_mut()));
            return Ok(MutationResult::Mutated);
        }
        // The changes draw numbers through `below` (0..n, 0 for n = 0).
        let rand = state.rand_mut();
        let mut below = |n: usize| rand.below_or_zero(n);
        let done = (self.change)(self.shaper, input, &mut below);
        Ok(if done {
            MutationResult::Mutated
        } else {
            MutationResult::Skipped
        })
    }

    fn post_exec(&mut self, _: &mut S, _: Option<CorpusId>) -> Result<(), Error> {
        Ok(())
    }
}

/// A [`Rand`] over numbers drawn by `below`, for the generating half of the shaper.
struct Below<'a>(&'a mut dyn FnMut(usize) -> usize);

impl Rand for Below<'_> {
    fn set_seed(&mut self, _: u64) {}

    fn next(&mut self) -> u64 {
        let hi = (self.0)(1 << 32) as u64;
        (hi << 32) | (self.0)(1 << 32) as u64
    }
}

fn mutator(shaper: &'static Shaper<'static>, name: &'static str, change: Change) -> SpecMutator {
    SpecMutator {
        name: Cow::Borrowed(name),
        shaper,
        change,
    }
}

/// Attribute lists of a message: its top level and every nest's, each with the set it is of.
fn count_lists(attrs: &[Attr]) -> usize {
    1 + attrs
        .iter()
        .map(|a| match &a.value {
            Value::Nest { attrs, .. } => count_lists(attrs),
            Value::Bytes(_) => 0,
        })
        .sum::<usize>()
}

fn nth_list<'a>(
    attrs: &'a mut Vec<Attr>,
    set: usize,
    sh: &Shaper,
    k: &mut usize,
) -> Option<(&'a mut Vec<Attr>, usize)> {
    if *k == 0 {
        return Some((attrs, set));
    }
    *k -= 1;
    for a in attrs.iter_mut() {
        let inner_set = match sh.kind(set, a.ty) {
            Kind::Nest(s) => s,
            _ => set,
        };
        if let Value::Nest { attrs: inner, .. } = &mut a.value {
            if let Some(found) = nth_list(inner, inner_set, sh, k) {
                return Some(found);
            }
        }
    }
    None
}

/// A list of attributes of some message, picked at random, with its set.
fn pick_list<'a>(
    sh: &Shaper,
    input: &'a mut GenlInput,
    below: &mut dyn FnMut(usize) -> usize,
) -> Option<(&'a mut Vec<Attr>, usize)> {
    let i = below(input.msgs.len());
    let set = sh.set_of(&input.msgs[i]);
    let m = &mut input.msgs[i];
    let mut k = below(count_lists(&m.attrs));
    nth_list(&mut m.attrs, set, sh, &mut k)
}

/// An attribute of some message (at any depth), picked at random, with the set it is of.
fn pick_attr<'a>(
    sh: &Shaper,
    input: &'a mut GenlInput,
    below: &mut dyn FnMut(usize) -> usize,
) -> Option<(&'a mut Attr, usize)> {
    let (list, set) = pick_list(sh, input, below)?;
    if list.is_empty() {
        return None;
    }
    let i = below(list.len());
    Some((&mut list[i], set))
}

fn add_msg(
    sh: &Shaper<'static>,
    input: &mut GenlInput,
    below: &mut dyn FnMut(usize) -> usize,
) -> bool {
    if input.msgs.len() >= MAX_MSGS {
        return false;
    }
    let at = below(input.msgs.len() + 1);
    let m = sh.msg(&mut Below(below));
    input.msgs.insert(at, m);
    true
}

fn remove_msg(
    _: &Shaper<'static>,
    input: &mut GenlInput,
    below: &mut dyn FnMut(usize) -> usize,
) -> bool {
    if input.msgs.len() < 2 {
        return false;
    }
    input.msgs.remove(below(input.msgs.len()));
    true
}

/// A copy of a request elsewhere in the sequence, often as another command: what was put is
/// then got, deleted or dumped with the same attributes.
fn copy_msg(
    sh: &Shaper<'static>,
    input: &mut GenlInput,
    below: &mut dyn FnMut(usize) -> usize,
) -> bool {
    if input.msgs.len() >= MAX_MSGS {
        return false;
    }
    let mut m: Msg = input.msgs[below(input.msgs.len())].clone();
    if below(2) == 0 {
        m.cmd = sh.spec.ops[below(sh.spec.ops.len())].cmd;
    }
    let at = below(input.msgs.len() + 1);
    input.msgs.insert(at, m);
    true
}

fn change_cmd(
    sh: &Shaper<'static>,
    input: &mut GenlInput,
    below: &mut dyn FnMut(usize) -> usize,
) -> bool {
    let i = below(input.msgs.len());
    input.msgs[i].cmd = if below(20) == 0 {
        below(256) as u8
    } else {
        sh.spec.ops[below(sh.spec.ops.len())].cmd
    };
    true
}

fn toggle_dump(
    _: &Shaper<'static>,
    input: &mut GenlInput,
    below: &mut dyn FnMut(usize) -> usize,
) -> bool {
    let i = below(input.msgs.len());
    input.msgs[i].dump ^= true;
    true
}

fn add_attr(
    sh: &Shaper<'static>,
    input: &mut GenlInput,
    below: &mut dyn FnMut(usize) -> usize,
) -> bool {
    let mut b2 = |n| below(n);
    let Some((list, set)) = pick_list(sh, input, &mut b2) else {
        return false;
    };
    if list.len() >= MAX_ATTRS {
        return false;
    }
    let a = sh.any_attr(set, &mut Below(below), 1);
    let at = below(list.len() + 1);
    list.insert(at, a);
    true
}

fn remove_attr(
    sh: &Shaper<'static>,
    input: &mut GenlInput,
    below: &mut dyn FnMut(usize) -> usize,
) -> bool {
    let mut b2 = |n| below(n);
    let Some((list, _)) = pick_list(sh, input, &mut b2) else {
        return false;
    };
    if list.is_empty() {
        return false;
    }
    list.remove(below(list.len()));
    true
}

/// A new value for an attribute, of its kind: in range, at or past a bound, an enum's value.
fn new_value(
    sh: &Shaper<'static>,
    input: &mut GenlInput,
    below: &mut dyn FnMut(usize) -> usize,
) -> bool {
    let mut b2 = |n| below(n);
    let Some((a, set)) = pick_attr(sh, input, &mut b2) else {
        return false;
    };
    let kind = sh.kind(set, a.ty);
    a.value = sh.value(&kind, &mut Below(below), 1);
    true
}

/// One attribute's value given to another of the same type, in any request.
fn share_value(
    sh: &Shaper<'static>,
    input: &mut GenlInput,
    below: &mut dyn FnMut(usize) -> usize,
) -> bool {
    let mut b2 = |n| below(n);
    let Some((a, _)) = pick_attr(sh, input, &mut b2) else {
        return false;
    };
    let (ty, v) = (a.ty, a.value.clone());
    let mut b3 = |n| below(n);
    let Some((b, _)) = pick_attr(sh, input, &mut b3) else {
        return false;
    };
    if b.ty != ty {
        return false;
    }
    b.value = v;
    true
}

/// A value one to a few bytes shorter or longer, or empty: wrong widths, strings without their
/// NUL, lengths at the checks' bounds.
fn resize_value(
    sh: &Shaper<'static>,
    input: &mut GenlInput,
    below: &mut dyn FnMut(usize) -> usize,
) -> bool {
    let mut b2 = |n| below(n);
    let Some((a, _)) = pick_attr(sh, input, &mut b2) else {
        return false;
    };
    let Value::Bytes(v) = &mut a.value else {
        return false;
    };
    match below(4) {
        0 => v.clear(),
        1 => v.truncate(v.len().saturating_sub(1 + below(4))),
        2 => v.extend(std::iter::repeat_n(b'A', 1 + below(4))),
        _ => {
            if let Some(i) = v.len().checked_sub(1) {
                v[i] ^= 1 << below(8);
            }
        }
    }
    true
}

/// The nest flag taken away or given, so that a nest is sent as bytes or bytes as a nest.
fn flip_nest(
    sh: &Shaper<'static>,
    input: &mut GenlInput,
    below: &mut dyn FnMut(usize) -> usize,
) -> bool {
    let mut b2 = |n| below(n);
    let Some((a, _)) = pick_attr(sh, input, &mut b2) else {
        return false;
    };
    match &mut a.value {
        Value::Nest { flagged, .. } => *flagged ^= true,
        Value::Bytes(_) => a.ty ^= nlraw::NLA_F_NESTED,
    }
    true
}

/// Header fields bent: a flag, the version, the reserved field, or a lie in `nlmsg_len`.
fn bend_header(
    _: &Shaper<'static>,
    input: &mut GenlInput,
    below: &mut dyn FnMut(usize) -> usize,
) -> bool {
    let i = below(input.msgs.len());
    let m = &mut input.msgs[i];
    match below(4) {
        0 => m.extra_flags ^= 1 << below(16),
        1 => m.version = [0, 2, 255, m.version.wrapping_add(1)][below(4)],
        2 => m.reserved = [1, 0x8000, 0][below(3)],
        _ => m.len_delta = [-1, -4, -16, 4, 1, 0][below(6)],
    }
    true
}

/// An allocation of the request failed (failslab's fail-nth): the error paths, which no other
/// input reaches.
fn fail_allocation(
    _: &Shaper<'static>,
    input: &mut GenlInput,
    below: &mut dyn FnMut(usize) -> usize,
) -> bool {
    let i = below(input.msgs.len());
    let m = &mut input.msgs[i];
    m.fail_nth = match (m.fail_nth, below(4)) {
        (0, _) => 1 + below(12) as u8,
        (_, 0) => 0,
        (n, 1) => n.saturating_add(1),
        (n, _) => n.saturating_sub(1).max(1),
    };
    true
}

fn move_tail(
    _: &Shaper<'static>,
    input: &mut GenlInput,
    below: &mut dyn FnMut(usize) -> usize,
) -> bool {
    input.tail_at = below(MAX_MSGS) as u8;
    true
}

/// The structural mutators, and LibAFL's byte havoc on the tail (itself scheduled, as one of
/// them), for LibAFL's [`HavocScheduledMutator`] to stack.
pub fn mutations(
    shaper: &'static Shaper<'static>,
) -> impl MutatorsTuple<GenlInput, crate::engine::State> + NamedTuple {
    let m = |name: &'static str, change: Change| mutator(shaper, name, change);
    tuple_list!(
        m("add_msg", add_msg),
        m("remove_msg", remove_msg),
        m("copy_msg", copy_msg),
        m("change_cmd", change_cmd),
        m("toggle_dump", toggle_dump),
        m("add_attr", add_attr),
        m("add_attr", add_attr),
        m("remove_attr", remove_attr),
        m("new_value", new_value),
        m("new_value", new_value),
        m("share_value", share_value),
        m("resize_value", resize_value),
        m("flip_nest", flip_nest),
        m("bend_header", bend_header),
        m("fail_allocation", fail_allocation),
        m("move_tail", move_tail),
        HavocScheduledMutator::new(mapped_havoc_mutations(GenlInput::tail_mut, GenlInput::tail)),
    )
}
