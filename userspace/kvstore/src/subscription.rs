// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! Subscription to the `notify` multicast group, on a socket of its own.

use std::{
    collections::VecDeque,
    pin::Pin,
    task::{Context, Poll},
};

use futures::{Stream, StreamExt};
use genl_client::{AsyncFamilyConn, Result};

use crate::{
    client_gen::{Notification, NAMES},
    spec,
    types::Event,
};

/// Options of [`crate::Client::subscribe`].
#[derive(Clone, Debug, Default)]
pub struct SubscribeOptions {
    /// SO_RCVBUF of the subscription socket (the kernel doubles it and
    /// enforces a minimum). Small values make overflows (ENOBUFS) likely.
    pub rcvbuf: Option<usize>,
}

/// A stream of [`Event`]s from the `notify` group.
///
/// When the socket's receive buffer overflows the kernel drops notifications and the stream
/// yields [`Event::Overflow`]; the subscriber must then resynchronise (e.g. re-dump with
/// [`crate::Client::list`]). The socket also listens to the controller: when the module is
/// unloaded the stream yields [`Event::FamilyGone`], and [`Event::FamilyBack`] when it is
/// loaded again, by which time the subscription has joined the new `notify` group (the kernel
/// dropped the old membership). An error ends the stream. Dropping it closes the socket.
pub struct Subscription {
    group: u32,
    events: Pin<Box<dyn Stream<Item = Result<Event>> + Send>>,
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription")
            .field("group", &self.group)
            .finish()
    }
}

impl Subscription {
    pub(crate) async fn new(opts: SubscribeOptions) -> Result<Self> {
        let mut conn = AsyncFamilyConn::connect(spec::FAMILY_NAME, spec::FAMILY_VERSION)
            .await?
            .with_names(&NAMES);
        if let Some(size) = opts.rcvbuf {
            conn.conn().socket().set_rx_buf_sz(size)?;
        }
        conn.subscribe(spec::MCGRP_NOTIFY)?;
        let group = conn.info().group(spec::MCGRP_NOTIFY).unwrap_or_default();
        let events = futures::stream::unfold(
            (Some(conn), VecDeque::new()),
            |(mut conn, mut queue)| async move {
                loop {
                    if let Some(e) = queue.pop_front() {
                        return Some((e, (conn, queue)));
                    }
                    let c = conn.as_mut()?;
                    match c.notices().await {
                        Ok(notices) => queue.extend(
                            notices
                                .into_iter()
                                .map(|n| Notification::from_notice(n).and_then(Event::from_gen)),
                        ),
                        Err(e) => {
                            queue.push_back(Err(e));
                            conn = None; // the error ends the stream
                        }
                    }
                }
            },
        );
        Ok(Subscription {
            group,
            events: Box::pin(events),
        })
    }

    /// The multicast group ID subscribed to (when the subscription was made).
    pub fn group(&self) -> u32 {
        self.group
    }
}

impl Stream for Subscription {
    type Item = Result<Event>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.events.poll_next_unpin(cx)
    }
}
