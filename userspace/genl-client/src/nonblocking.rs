// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! The asynchronous API, on tokio: the same socket setup, requests through the same
//! [`Exchange`] and the same family handling as the blocking [`crate::Conn`] and
//! [`crate::FamilyConn`]; only the waiting is a future (`AsyncFd` readiness) instead of a
//! blocking `recv`.

use std::sync::Arc;

use futures::Stream;
use netlink_packet_generic::constants::GENL_ID_CTRL;
use netlink_sys::Socket;
use tokio::io::unix::AsyncFd;
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::conn::{
    after_recv, first_seq, fitted, open_socket, recv_datagram, send_request, FamilyInfo, Notice,
    RECV_SIZE,
};
use crate::error::{NlError, Result};
use crate::exchange::{Exchange, Expect};
use crate::family::{follow, join, named, unknown_family, NO_NAMES};
use crate::names::FamilyNames;
use crate::typed::put_str;

/// An asynchronous generic netlink connection. Made inside a tokio runtime.
#[derive(Debug)]
pub struct AsyncConn {
    fd: AsyncFd<Socket>,
    seq: u32,
    tx: Vec<u8>,
    rx: Vec<u8>,
}

impl AsyncConn {
    pub fn new() -> Result<AsyncConn> {
        let sock = open_socket()?;
        sock.set_non_blocking(true)?;
        Ok(AsyncConn {
            // SAFETY: `Socket` owns its descriptor: it stays open, and `as_raw_fd` returns
            // it, until the socket is dropped, which only the `AsyncFd` can do now.
            fd: unsafe { AsyncFd::register(sock) }.map_err(std::io::Error::from)?,
            seq: first_seq(),
            tx: Vec::new(),
            rx: Vec::with_capacity(RECV_SIZE),
        })
    }

    /// The socket, e.g. to size its receive buffer.
    pub fn socket(&self) -> &Socket {
        self.fd.get_ref()
    }

    /// Waits for one datagram and receives it into the receive buffer.
    async fn recv(&mut self) -> Result<()> {
        let AsyncConn { fd, rx, .. } = self;
        loop {
            let mut ready = fd.readable().await?;
            match ready.try_io(|fd| recv_datagram(fd.get_ref(), rx)) {
                Ok(n) => return fitted(n?, rx),
                Err(_would_block) => continue,
            }
        }
    }

    fn start(
        &mut self,
        family: u16,
        cmd: u8,
        version: u8,
        expect: Expect,
        encode: impl FnOnce(&mut Vec<u8>) -> Result<()>,
        check: Option<&(dyn Fn(u16) -> String + Sync)>,
    ) -> Result<Exchange> {
        let sock = self.fd.get_ref();
        let check = check.map(|c| c as &dyn Fn(u16) -> String);
        send_request(
            sock,
            &mut self.seq,
            &mut self.tx,
            family,
            cmd,
            version,
            expect,
            encode,
            check,
        )
    }

    async fn feed(
        &mut self,
        ex: &mut Exchange,
        on_reply: &mut (dyn FnMut(u8, &[u8]) -> Result<()> + Send),
    ) -> Result<()> {
        self.recv().await?;
        ex.feed(&self.rx, on_reply)
    }

    /// [`crate::Conn::exchange`], awaited.
    #[allow(clippy::too_many_arguments)]
    pub async fn exchange(
        &mut self,
        family: u16,
        cmd: u8,
        version: u8,
        expect: Expect,
        encode: impl FnOnce(&mut Vec<u8>) -> Result<()>,
        check: Option<&(dyn Fn(u16) -> String + Sync)>,
        mut on_reply: impl FnMut(u8, &[u8]) -> Result<()> + Send,
    ) -> Result<()> {
        let mut ex = self.start(family, cmd, version, expect, encode, check)?;
        while !ex.done() {
            self.feed(&mut ex, &mut on_reply).await?;
        }
        Ok(())
    }

    /// [`crate::Conn::resolve`], awaited.
    pub async fn resolve(&mut self, name: &str) -> Result<FamilyInfo> {
        let mut info = None;
        let r = self
            .exchange(
                GENL_ID_CTRL,
                3, // CTRL_CMD_GETFAMILY
                2,
                Expect::Reply,
                |o| put_str(o, 2, "name", name.as_bytes()), // CTRL_ATTR_FAMILY_NAME
                None,
                |_, a| {
                    info = Some(FamilyInfo::parse(a)?);
                    Ok(())
                },
            )
            .await;
        match r {
            Err(NlError::Kernel(k)) if k.errno == libc::ENOENT => {
                Err(NlError::NotLoaded(name.to_owned()))
            }
            r => r.and_then(|()| {
                info.ok_or_else(|| NlError::Malformed("no reply from nlctrl".into()))
            }),
        }
    }

    /// The messages of the next datagram for family `name` (ID `family`); see
    /// [`crate::FamilyConn::notices`].
    async fn next_notices(&mut self, name: &str, family: u16) -> Result<Vec<Notice>> {
        let r = self.recv().await;
        after_recv(r, self.fd.get_ref(), &mut self.rx, name, family)
    }
}

/// An asynchronous connection to one family: [`crate::FamilyConn`]'s behaviour, awaited.
#[derive(Debug)]
pub struct AsyncFamilyConn {
    conn: AsyncConn,
    name: String,
    version: u8,
    family: FamilyInfo,
    names: &'static FamilyNames,
    groups: Vec<String>,
    /// A dump whose stream was dropped before its end: read to its end before the next
    /// request, as the kernel refuses a second dump on a socket (EBUSY) meanwhile.
    pending: Option<Exchange>,
}

impl AsyncFamilyConn {
    pub async fn connect(name: &str, version: u8) -> Result<Self> {
        let mut conn = AsyncConn::new()?;
        let family = conn.resolve(name).await?;
        Ok(AsyncFamilyConn {
            conn,
            name: name.to_owned(),
            version,
            family,
            names: &NO_NAMES,
            groups: Vec::new(),
            pending: None,
        })
    }

    /// Reads what is left of a dropped dump.
    async fn drain(&mut self) {
        if let Some(mut ex) = self.pending.take() {
            while !ex.done() {
                if self.conn.feed(&mut ex, &mut |_, _| Ok(())).await.is_err() {
                    break;
                }
            }
        }
    }

    /// Names errors' attributes by `names`.
    pub fn with_names(mut self, names: &'static FamilyNames) -> Self {
        self.names = names;
        self
    }

    pub fn id(&self) -> u16 {
        self.family.id
    }

    pub fn info(&self) -> &FamilyInfo {
        &self.family
    }

    /// The connection, for requests to other families (e.g. nlctrl).
    pub fn conn(&mut self) -> &mut AsyncConn {
        &mut self.conn
    }

    /// [`crate::FamilyConn::exchange`], awaited.
    pub async fn exchange(
        &mut self,
        cmd: u8,
        expect: Expect,
        encode: impl Fn(&mut Vec<u8>) -> Result<()> + Sync,
        mut on_reply: impl FnMut(u8, &[u8]) -> Result<()> + Send,
    ) -> Result<()> {
        let r = self
            .exchange_once(cmd, expect, &encode, &mut on_reply)
            .await;
        match r {
            Err(e) if unknown_family(&e) => {
                let info = self.conn.resolve(&self.name).await?;
                if info.id == self.family.id {
                    return Err(e);
                }
                self.family = info;
                self.exchange_once(cmd, expect, &encode, &mut on_reply)
                    .await
            }
            r => r,
        }
    }

    async fn exchange_once(
        &mut self,
        cmd: u8,
        expect: Expect,
        encode: &(dyn Fn(&mut Vec<u8>) -> Result<()> + Sync),
        on_reply: &mut (dyn FnMut(u8, &[u8]) -> Result<()> + Send),
    ) -> Result<()> {
        self.drain().await;
        let mut ex = self.start(cmd, expect, encode)?;
        let mut r = Ok(());
        while !ex.done() && r.is_ok() {
            r = self.conn.feed(&mut ex, on_reply).await;
        }
        if !ex.done() {
            // `on_reply` failed first: the rest is read before the next request.
            self.pending = Some(ex);
        }
        named(self.names, cmd, &self.conn.tx, r)
    }

    fn start(
        &mut self,
        cmd: u8,
        expect: Expect,
        encode: &(dyn Fn(&mut Vec<u8>) -> Result<()> + Sync),
    ) -> Result<Exchange> {
        self.conn
            .start(self.family.id, cmd, self.version, expect, encode, None)
    }

    /// [`crate::FamilyConn::do_reply`], awaited.
    pub async fn do_reply<T: Send>(
        &mut self,
        cmd: u8,
        encode: impl Fn(&mut Vec<u8>) -> Result<()> + Sync,
        decode: impl FnOnce(&[u8]) -> Result<T> + Send,
    ) -> Result<T> {
        let mut decode = Some(decode);
        let mut out = None;
        self.exchange(cmd, Expect::Reply, encode, |_, a| {
            if let Some(d) = decode.take() {
                out = Some(d(a)?);
            }
            Ok(())
        })
        .await?;
        out.ok_or_else(|| NlError::Malformed("no reply".into()))
    }

    /// [`crate::FamilyConn::do_ack`], awaited.
    pub async fn do_ack(
        &mut self,
        cmd: u8,
        encode: impl Fn(&mut Vec<u8>) -> Result<()> + Sync,
    ) -> Result<()> {
        self.exchange(cmd, Expect::Ack, encode, |_, _| Ok(())).await
    }

    /// A whole dump; it ends as [`crate::FamilyConn::dump`]'s iterator does.
    pub async fn dump<T: Send>(
        &mut self,
        cmd: u8,
        encode: impl Fn(&mut Vec<u8>) -> Result<()> + Sync,
        decode: fn(&[u8]) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        self.exchange(cmd, Expect::Dump, encode, |_, a| {
            out.push(decode(a)?);
            Ok(())
        })
        .await?;
        Ok(out)
    }

    /// [`crate::FamilyConn::dump_consistent`], awaited.
    pub async fn dump_consistent<T: Send>(
        &mut self,
        cmd: u8,
        encode: impl Fn(&mut Vec<u8>) -> Result<()> + Sync,
        decode: fn(&[u8]) -> Result<T>,
        attempts: u32,
    ) -> Result<Vec<T>> {
        let mut left = attempts.max(1);
        loop {
            match self.dump(cmd, &encode, decode).await {
                Err(NlError::DumpInterrupted) if left > 1 => left -= 1,
                r => return r,
            }
        }
    }

    /// [`crate::FamilyConn::subscribe`].
    pub fn subscribe(&mut self, group: &str) -> Result<()> {
        join(
            self.conn.socket(),
            &self.name,
            &self.family,
            &mut self.groups,
            group,
        )
    }

    /// What the next datagram brings (see [`crate::FamilyConn::notices`]); awaits it.
    pub async fn notices(&mut self) -> Result<Vec<Notice>> {
        let notices = self.conn.next_notices(&self.name, self.family.id).await?;
        follow(self.conn.socket(), &mut self.family, &self.groups, &notices)?;
        Ok(notices)
    }
}

/// A dump as a stream that owns its connection's lock while it runs, so that it outlives the
/// borrow it was made from: each reply decoded by `decode` as its datagram arrives, ending as
/// [`crate::FamilyConn::dump`]'s iterator does. Dropped early, the connection's next dump
/// drains what is left of this one first.
pub fn dump_stream<T: Send + 'static>(
    conn: Arc<Mutex<AsyncFamilyConn>>,
    cmd: u8,
    attrs: Vec<u8>,
    decode: fn(&[u8]) -> Result<T>,
) -> impl Stream<Item = Result<T>> + Send + 'static {
    struct State<T> {
        guard: Option<OwnedMutexGuard<AsyncFamilyConn>>,
        conn: Arc<Mutex<AsyncFamilyConn>>,
        queue: std::collections::VecDeque<Result<T>>,
        attrs: Vec<u8>,
    }
    let state = State {
        guard: None,
        conn,
        queue: Default::default(),
        attrs,
    };
    futures::stream::unfold(state, move |mut st| async move {
        loop {
            if let Some(item) = st.queue.pop_front() {
                return Some((item, st));
            }
            let Some(guard) = st.guard.as_mut() else {
                let mut guard = st.conn.clone().lock_owned().await;
                guard.drain().await;
                let attrs = std::mem::take(&mut st.attrs);
                match guard.start(cmd, Expect::Dump, &|o: &mut Vec<u8>| {
                    o.extend_from_slice(&attrs);
                    Ok(())
                }) {
                    // Kept in the connection while the dump runs: drained there if the
                    // stream is dropped before its end.
                    Ok(ex) => guard.pending = Some(ex),
                    Err(e) => st.queue.push_back(Err(e)),
                }
                st.guard = Some(guard);
                continue;
            };
            let conn = &mut **guard;
            let ex = conn.pending.as_mut()?;
            let queue = &mut st.queue;
            let r = conn
                .conn
                .feed(ex, &mut |_, a| {
                    queue.push_back(decode(a));
                    Ok(())
                })
                .await;
            let done = ex.done() || r.is_err();
            if done {
                conn.pending = None;
            }
            if let Err(e) = named(conn.names, cmd, &conn.conn.tx, r) {
                st.queue.push_back(Err(e));
            }
        }
    })
}
