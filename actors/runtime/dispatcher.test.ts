// Turn dispatch: one turn at a time per instance, instances side by side, only the actor's own methods.
import { describe, expect, it } from "vitest";
import { HostedActor } from "./actor-runtime.ts";
import { Dispatcher, NotHosted } from "./dispatcher.ts";
import { DocumentActor } from "./document-actor.ts";
import { afterTurns, testDeps } from "./test-host.ts";

const log: string[] = [];
let release: (() => void) | undefined;

class Slow extends HostedActor {
  async hold(tag: string): Promise<{ tag: string }> {
    log.push(`start ${this.getActorId().getId()} ${tag}`);
    if (tag === "wait") await new Promise<void>((r) => (release = r));
    log.push(`end ${this.getActorId().getId()} ${tag}`);
    return { tag };
  }
  async fail(): Promise<never> {
    throw new Error("boom");
  }
  override async afterTurn(): Promise<void> {
    log.push(`after ${this.getActorId().getId()}`);
  }
  override async receiveReminder(name: string, data: unknown): Promise<void> {
    log.push(`remind ${name} ${JSON.stringify(data)}`);
  }
  override async onDeactivate(): Promise<void> {
    log.push(`deactivated ${this.getActorId().getId()}`);
  }
}

class Doc extends DocumentActor<{ n: number }> {
  async get(): Promise<{ n: number } | undefined> {
    return this.load();
  }
}

const dispatcher = () => new Dispatcher([Slow, Doc], testDeps().deps);

describe("Dispatcher", () => {
  it("runs one turn at a time per actor instance, and instances side by side", async () => {
    log.length = 0;
    const d = dispatcher();
    const first = d.invoke("Slow", "a", "hold", ["wait"]);
    const second = d.invoke("Slow", "a", "hold", ["next"]);
    const other = d.invoke("Slow", "b", "hold", ["other"]);
    await other;
    await new Promise((r) => setTimeout(r, 10));
    expect(log).toContain("end b other");
    expect(log).not.toContain("start a next"); // queued behind "wait"
    release?.();
    expect(await first).toEqual({ tag: "wait" });
    expect(await second).toEqual({ tag: "next" });
    expect(log.indexOf("end a wait")).toBeLessThan(log.indexOf("start a next"));
  });

  it("runs afterTurn once the method has answered, and goes on after a method that throws", async () => {
    log.length = 0;
    const d = dispatcher();
    await expect(d.invoke("Slow", "c", "fail", [])).rejects.toThrow("boom");
    const answered = await d.invoke("Slow", "c", "hold", ["x"]);
    expect(answered).toEqual({ tag: "x" });
    expect(log).not.toContain("after c"); // not before the answer
    await afterTurns();
    expect(log.filter((l) => l === "after c")).toHaveLength(1); // not after the failed turn
  });

  it("refuses unknown types and methods, and the runtime's own methods", async () => {
    const d = dispatcher();
    await expect(d.invoke("Nope", "a", "hold", [])).rejects.toBeInstanceOf(NotHosted);
    await expect(d.invoke("Slow", "a", "missing", [])).rejects.toBeInstanceOf(NotHosted);
    await expect(d.invoke("Slow", "a", "afterTurn", [])).rejects.toBeInstanceOf(NotHosted);
    await expect(d.invoke("Doc", "a", "load", [])).rejects.toBeInstanceOf(NotHosted);
    await expect(d.invoke("Doc", "a", "commit", [{ n: 1 }, []])).rejects.toBeInstanceOf(NotHosted);
    expect(await d.invoke("Doc", "a", "get", [])).toBeUndefined();
  });

  it("delivers reminders in turn and deactivates an instance after its turns", async () => {
    log.length = 0;
    const d = dispatcher();
    await d.remind("Slow", "r", "tick", { kind: "x" });
    expect(log).toContain('remind tick {"kind":"x"}');
    expect(d.active()).toBe(1);
    await d.deactivate("Slow", "r").finished;
    expect(d.active()).toBe(0);
    expect(log).toContain("deactivated r");
  });

  it("answers a deactivation at once while a turn still runs; onDeactivate follows that turn", async () => {
    log.length = 0;
    const d = dispatcher();
    const running = d.invoke("Slow", "m", "hold", ["wait"]);
    const queued = d.invoke("Slow", "m", "hold", ["queued"]);
    await new Promise((r) => setTimeout(r, 10));
    const { finished } = d.deactivate("Slow", "m"); // returns without waiting for the turns
    expect(d.active()).toBe(0);
    expect(log).not.toContain("deactivated m");
    // A call after the deactivation gets a fresh instance, not a place behind the old turns.
    expect(await d.invoke("Slow", "m", "hold", ["fresh"])).toEqual({ tag: "fresh" });
    expect(d.active()).toBe(1);
    release?.();
    expect(await running).toEqual({ tag: "wait" });
    expect(await queued).toEqual({ tag: "queued" });
    await finished;
    expect(log.indexOf("deactivated m")).toBeGreaterThan(log.indexOf("end m queued"));
  });
});
