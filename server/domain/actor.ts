/** Who is making a request. The access issue adds roles and scopes; until then only the name is recorded. */
export interface Actor {
  username: string | null;
}

export const ANONYMOUS: Actor = Object.freeze({ username: null });
