import { createHash } from "node:crypto";
import { FrameworkError } from "../core/errors";
import type { SessionClient } from "./clients";
import { CLIENT_KEY } from "./keys";
import type { Session } from "./Session";
import type { SessionManager } from "./SessionManager";
import type { OwnedSession, SessionStore } from "./SessionStore";

/** One of an owner's live sessions, as a page listing them shows it. */
export interface ActiveSession {
  /** Names the session to `revoke()`; derived from the id but useless as one (the id is a credential and never leaves the store). */
  handle: string;
  /** When the session began: sign-in, for a session the app regenerated then. */
  createdAt: Date;
  /** Its last request. */
  lastSeenAt: Date;
  /** The IP of the request that created it; undefined for sessions created before it was recorded. */
  ip: string | undefined;
  /** Browser and system of that request, e.g. "Chrome on Linux". */
  agent: string | undefined;
  /** True for the session of the request that asked. */
  current: boolean;
}

type Listable = SessionStore & Required<Pick<SessionStore, "listOwner">>;

/** A handle for a session id: a hash, so knowing it (it is shown in pages) never lets anyone use the session. */
function handleOf(id: string): string {
  return createHash("sha256").update(`session handle:${id}`).digest("base64url").slice(0, 22);
}

/**
 * A user's sessions, for "active sessions" pages and "log out my other devices". The owner is
 * what the app stores under OWNER_KEY at sign-in (`session.set("user_id", user.id)`); every
 * method sees only sessions whose data names that owner, so no owner reaches another's. An
 * app-level service (SessionProvider registers it): the current session is passed where it
 * matters. Needs a server-side store with an owner index (redis, file, memory).
 */
export class SessionRegistry {
  #manager: SessionManager;

  constructor(manager: SessionManager) {
    this.#manager = manager;
  }

  /** `owner`'s live sessions, the most recently active first; `current` (the request's session) is marked. */
  async list(owner: string | number, current?: Session): Promise<ActiveSession[]> {
    const sessions = await this.#owned(owner);
    sessions.sort((a, b) => b.lastSeenAt - a.lastSeenAt);
    return sessions.map((session) => {
      const client = session.data[CLIENT_KEY] as Partial<SessionClient> | undefined;
      return {
        handle: handleOf(session.id),
        createdAt: new Date(session.createdAt),
        lastSeenAt: new Date(session.lastSeenAt),
        ip: typeof client?.ip === "string" ? client.ip : undefined,
        agent: typeof client?.agent === "string" ? client.agent : undefined,
        current: session.id === current?.id,
      };
    });
  }

  /** Ends `owner`'s session named by `handle`: its next request starts a fresh, empty session. False when `owner` has no such session. */
  async revoke(owner: string | number, handle: string): Promise<boolean> {
    const session = (await this.#owned(owner)).find((candidate) => handleOf(candidate.id) === handle);
    return session !== undefined && (await this.#end(owner, [session])) === 1;
  }

  /** Ends every session of `owner` but `current` ("log out my other devices"); answers how many ended. */
  async revokeOthers(owner: string | number, current: Session): Promise<number> {
    return this.#end(owner, (await this.#owned(owner)).filter((session) => session.id !== current.id));
  }

  /** Ends every session of `owner`, the current one included; answers how many ended. */
  async revokeAll(owner: string | number): Promise<number> {
    return this.#end(owner, await this.#owned(owner));
  }

  async #owned(owner: string | number): Promise<OwnedSession[]> {
    const name = String(owner);
    return this.#store().listOwner(name, this.#manager.timeout, (data) => this.#manager.ownerOf(data) === name);
  }

  async #end(owner: string | number, sessions: OwnedSession[]): Promise<number> {
    const store = this.#store();
    // Counted by what the store ended: a session that ended meanwhile (signed out) is not counted twice.
    const ended = await Promise.all(sessions.map((session) => store.destroy(session.id, String(owner))));
    return ended.filter((removed) => removed !== false).length;
  }

  #store(): Listable {
    const { store, driver } = this.#manager;
    if (!store.listOwner) {
      const named = driver === undefined ? "this session store" : `the ${driver} driver's store`;
      throw new FrameworkError(
        "E_SESSIONS_NOT_LISTABLE",
        `SessionRegistry cannot list or revoke sessions: ${named} keeps no index of sessions by owner (no listOwner(); the cookie driver keeps each session in its browser, where nothing can list it). Use the redis, file or memory driver (SESSION_DRIVER in config/session.ts), or implement listOwner() in a custom store (see SessionStore).`,
      );
    }
    return store as Listable;
  }
}
