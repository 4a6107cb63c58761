// Process-wide dependencies for actors. The SDK constructs actors itself (daprClient, id) with no
// injection, so the actor host sets these once at start-up, before registering actor types.
import type { Config } from "../platform/config.ts";
import type { Logger } from "../platform/logger.ts";
import type { Redis } from "../platform/redis.ts";

export interface ActorDeps {
  config: Config;
  redis: Redis;
  logger: Logger;
  now: () => number;
}

let deps: ActorDeps | undefined;

export function setActorDeps(value: ActorDeps): void {
  deps = value;
}

export function actorDeps(): ActorDeps {
  if (!deps) throw new Error("actor dependencies are not set: call setActorDeps() before registering actors");
  return deps;
}
