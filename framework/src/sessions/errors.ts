import { FrameworkError, sentence } from "../core/errors";

/**
 * A store failure, as the error page shows it: the session store, not the app, is unavailable.
 * A store that knows which server it is (`Redis at 127.0.0.1:6379`) names it, and what to do.
 */
export class SessionStoreUnavailable extends FrameworkError {
  constructor(cause: unknown, store?: { name: string; fix: string }) {
    const reason = String((cause as Error)?.message ?? cause).replace(/[.\s]+$/, "");
    super(
      "E_SESSION_STORE_UNAVAILABLE",
      store ? `The session store, ${store.name}, is unavailable: ${reason}; ${store.fix}.` : sentence(`The session store is unavailable: ${reason}`),
      { status: 503, expose: false, cause },
    );
  }
}

/** A concurrent request replaced a value this one incremented: nothing of this request was saved. */
export class SessionConflict extends FrameworkError {
  constructor(key: string) {
    super(
      "E_SESSION_CONFLICT",
      `A concurrent request replaced the session value "${key}", which this request incremented, with a non-number; nothing of this request's session changes was saved.`,
      { status: 409, expose: false },
    );
  }
}
