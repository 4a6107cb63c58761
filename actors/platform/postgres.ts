// The actor host's Postgres pool, opened on first use: the offer's compliance gates (call subjects for
// erasure, consent certificates) run in the call actor's turn, so the actor host reads and writes them.
import postgres from "postgres";

export type Sql = ReturnType<typeof postgres>;

let pool: Sql | undefined;

/** One small pool per process, created the first time an actor needs it. */
export function actorSql(databaseUrl: string): Sql {
  pool ??= postgres(databaseUrl, { max: 8, idle_timeout: 30, onnotice: () => undefined });
  return pool;
}
