/** Every status an inbox event can have, in the order an event usually passes through them (see `InboxStatus`). */
export const INBOX_STATUSES = ["received", "held", "failed", "orphaned", "processed"] as const;
