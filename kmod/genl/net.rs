// SPDX-License-Identifier: GPL-2.0

//! A borrowed network namespace.

use core::{marker::PhantomData, ptr::NonNull};
use kernel::bindings;

/// A network namespace that stays alive for `'a`.
///
/// # Invariants
///
/// `ptr` points to a live `struct net` for all of `'a`.
#[derive(Clone, Copy)]
pub struct Net<'a> {
    ptr: NonNull<bindings::net>,
    _net: PhantomData<&'a bindings::net>,
}

impl<'a> Net<'a> {
    /// Wraps a raw `struct net`.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a `struct net` that stays alive for `'a`.
    pub(super) unsafe fn from_raw(ptr: *mut bindings::net) -> Self {
        // INVARIANT: the caller guarantees that `ptr` is live for `'a`; a live net is non-null.
        Self {
            // SAFETY: the caller guarantees `ptr` points to a live `struct net`.
            ptr: unsafe { NonNull::new_unchecked(ptr) },
            _net: PhantomData,
        }
    }

    pub(super) fn as_ptr(&self) -> *mut bindings::net {
        self.ptr.as_ptr()
    }

    /// The namespace's inode number, as `ls -l /proc/self/ns/net` shows it: a stable name for logs.
    pub fn inum(&self) -> u32 {
        // SAFETY: `ptr` is live by the type invariant; `ns.inum` is set at creation and never
        // changes.
        unsafe { (*self.ptr.as_ptr()).ns.inum }
    }
}
