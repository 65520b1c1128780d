// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! Subscription to the `notify` multicast group.

use std::{
    pin::Pin,
    task::{Context, Poll},
};

use futures::{channel::mpsc::UnboundedReceiver, Stream, StreamExt};
use genetlink::{message::RawGenlMessage, GenetlinkHandle};
use netlink_packet_core::{NetlinkMessage, NetlinkPayload};
use netlink_packet_generic::{
    constants::GENL_ID_CTRL,
    ctrl::{nlas::GenlCtrlAttrs, GenlCtrl, GenlCtrlCmd},
};
use netlink_sys::{AsyncSocket, SocketAddr};

use crate::{error::Result, message::KvstoreMessage, spec, types::Event};

/// Options of [`crate::Client::subscribe`].
#[derive(Clone, Debug, Default)]
pub struct SubscribeOptions {
    /// SO_RCVBUF of the subscription socket (the kernel doubles it and
    /// enforces a minimum). Small values make overflows (ENOBUFS) likely.
    pub rcvbuf: Option<usize>,
}

/// A stream of [`Event`]s from the `notify` group.
///
/// When the socket's receive buffer overflows the kernel drops
/// notifications and the stream yields [`Event::Overflow`]; the subscriber
/// must then resynchronise (e.g. re-dump with [`crate::Client::list`]).
/// The socket also listens to the controller's `notify` group: when the module is unloaded the
/// stream yields [`Event::FamilyGone`], and [`Event::FamilyBack`] when it is loaded again (the
/// subscriber then subscribes anew, as the kernel dropped this one's membership).
/// The stream ends if the socket fails. Dropping it closes the socket.
pub struct Subscription {
    rx: UnboundedReceiver<(NetlinkMessage<RawGenlMessage>, SocketAddr)>,
    family_id: u16,
    group: u32,
    task: tokio::task::JoinHandle<()>,
    _handle: GenetlinkHandle,
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription")
            .field("family_id", &self.family_id)
            .field("group", &self.group)
            .finish()
    }
}

impl Subscription {
    pub(crate) fn new(family_id: u16, group: u32, opts: SubscribeOptions) -> Result<Self> {
        let (mut conn, handle, rx) = genetlink::new_connection()?;
        let socket = conn.socket_mut().socket_mut();
        socket.bind_auto()?;
        if let Some(size) = opts.rcvbuf {
            socket.set_rx_buf_sz(size)?;
        }
        socket.add_membership(group)?;
        // nlctrl's one group, `notify`, has the controller's family ID as its ID
        // (`net/netlink/genetlink.c`).
        socket.add_membership(GENL_ID_CTRL.into())?;
        let task = tokio::spawn(conn);
        Ok(Self {
            rx,
            family_id,
            group,
            task,
            _handle: handle,
        })
    }

    /// The multicast group ID subscribed to.
    pub fn group(&self) -> u32 {
        self.group
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Stream for Subscription {
    type Item = Result<Event>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            let Some((msg, _addr)) = futures::ready!(self.rx.poll_next_unpin(cx)) else {
                return Poll::Ready(None);
            };
            match msg.payload {
                NetlinkPayload::Overrun(_) => return Poll::Ready(Some(Ok(Event::Overflow))),
                NetlinkPayload::InnerMessage(raw) if raw.family_id == self.family_id => {
                    let event = raw
                        .parse_into_genlmsg::<KvstoreMessage>()
                        .map_err(Into::into)
                        .and_then(|genl| Event::try_from(genl.payload));
                    return Poll::Ready(Some(event));
                }
                NetlinkPayload::InnerMessage(raw) if raw.family_id == GENL_ID_CTRL => {
                    if let Some(event) = family_event(raw) {
                        return Poll::Ready(Some(Ok(event)));
                    }
                }
                _ => continue,
            }
        }
    }
}

/// The controller's announcement of our family leaving or coming back, if `raw` is one.
fn family_event(raw: RawGenlMessage) -> Option<Event> {
    let ctrl = raw.parse_into_genlmsg::<GenlCtrl>().ok()?.payload;
    let ours = ctrl
        .nlas
        .iter()
        .any(|a| matches!(a, GenlCtrlAttrs::FamilyName(n) if n == spec::FAMILY_NAME));
    match ctrl.cmd {
        GenlCtrlCmd::DelFamily if ours => Some(Event::FamilyGone),
        GenlCtrlCmd::NewFamily if ours => Some(Event::FamilyBack),
        _ => None,
    }
}
