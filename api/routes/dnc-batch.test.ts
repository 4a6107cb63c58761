// Each number of a DNC batch is checked alone: valid ones hashed (every spelling of a number alike),
// invalid ones refused with a problem naming the item that never repeats the number.
import { describe, expect, it } from "vitest";
import { phoneHash } from "../../actors/platform/pii.ts";
import { PiiKeyring } from "../../actors/platform/pii-keys.ts";
import { hashEach } from "./dnc-batch.ts";

const ring = new PiiKeyring(Buffer.alloc(32, 7), [{ id: "k1", secret: Buffer.alloc(32, 1) }]);

describe("hashEach", () => {
  it("hashes the valid numbers and refuses the others per item, in order", () => {
    const out = hashEach(ring, ["+13052345678", "3052345679", "+1555", "(305) 234-5678", "9".repeat(33)]);
    expect(out.map((o) => o.ok)).toEqual([true, true, false, true, false]);
    expect(out[0]).toEqual({ ok: true, value: phoneHash(ring, "+13052345678") });
    expect(out[3]).toEqual(out[0]);
    for (const [i, o] of [[2, out[2]!] as const, [4, out[4]!] as const]) {
      if (o.ok) throw new Error("expected a refusal");
      expect(o.error).toMatchObject({ status: 400, code: "validation_failed" });
      expect(o.error.extra).toMatchObject({ errors: [{ path: `numbers.${i}` }] });
      expect(JSON.stringify({ m: o.error.message, e: o.error.extra })).not.toMatch(/555|9999/);
    }
  });
});
